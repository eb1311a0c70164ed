//! The OneSpan control API under `/_sim/onespan/` (no authentication): signer actions, expiry,
//! a package overview and the callback delivery log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::{callbacks, ok_json, parse_json, AppState, OsBody, OsError, OsPath, OsResult};

/// `GET /_sim/onespan/packages` → `{"created", "packages":[{"id","name","status","trashed"}]}`
pub(crate) async fn list_packages(State(shared): State<AppState>) -> OsResult {
    let os = shared.onespan.lock();
    let mut all: Vec<_> = os.packages.values().collect();
    all.sort_by_key(|p| p.seq);
    let list: Vec<Value> = all
        .iter()
        .map(|p| {
            json!({"id": p.id, "name": p.name, "status": p.status.as_str(), "trashed": p.trashed,
                   "created": super::iso_millis(p.created)})
        })
        .collect();
    ok_json(json!({"created": os.created_total, "packages": list}))
}

fn reason(body: &[u8]) -> Result<Option<String>, OsError> {
    match parse_json(body)? {
        Value::Null => Ok(None),
        Value::Object(o) => match o.get("reason") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(OsError::bad_request(
                "error.validation.invalidValue",
                "reason must be a string.",
            )),
        },
        _ => Err(OsError::invalid_json("The body must be a JSON object.")),
    }
}

enum Action {
    Sign,
    Decline(Option<String>),
    OptOut(Option<String>),
}

fn act(shared: &AppState, id: &str, role: &str, action: Action) -> OsResult {
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(id)?;
    let pos = p
        .role_pos(role)
        .ok_or_else(|| OsError::role_not_found(role))?;
    let evs = match action {
        Action::Sign => p.sign(pos, now)?,
        Action::Decline(r) => p.refuse(pos, false, r, now)?,
        Action::OptOut(r) => p.refuse(pos, true, r, now)?,
    };
    let out = p.to_json();
    os.dispatch(id, evs);
    ok_json(out)
}

/// `POST /_sim/onespan/packages/{id}/roles/{role}/sign` — the signer signs all their approvals.
pub(crate) async fn sign(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
) -> OsResult {
    act(&shared, &id, &role, Action::Sign)
}

/// `POST /_sim/onespan/packages/{id}/roles/{role}/decline {"reason"}`
pub(crate) async fn decline(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
    OsBody(body): OsBody,
) -> OsResult {
    let r = reason(&body)?;
    act(&shared, &id, &role, Action::Decline(r))
}

/// `POST /_sim/onespan/packages/{id}/roles/{role}/opt_out {"reason"}`
pub(crate) async fn opt_out(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
    OsBody(body): OsBody,
) -> OsResult {
    let r = reason(&body)?;
    act(&shared, &id, &role, Action::OptOut(r))
}

/// `POST /_sim/onespan/packages/{id}/expire` — SENT → EXPIRED now.
pub(crate) async fn expire(State(shared): State<AppState>, OsPath(id): OsPath<String>) -> OsResult {
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    let evs = p.expire(now)?;
    let out = p.to_json();
    os.dispatch(&id, evs);
    ok_json(out)
}

/// `GET /_sim/onespan/callbacks` — every delivery and its result.
pub(crate) async fn callbacks(State(shared): State<AppState>) -> OsResult {
    let os = shared.onespan.lock();
    ok_json(callbacks::log_json(&os))
}

/// `DELETE /_sim/onespan/callbacks` — forgets finished deliveries.
pub(crate) async fn clear_callbacks(State(shared): State<AppState>) -> OsResult {
    callbacks::clear(&mut shared.onespan.lock());
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /_sim/onespan/callbacks/replay` — re-sends the failed deliveries.
pub(crate) async fn replay_callbacks(State(shared): State<AppState>) -> OsResult {
    let n = callbacks::replay(&mut shared.onespan.lock());
    ok_json(json!({"replayed": n}))
}
