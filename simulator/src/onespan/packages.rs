//! Package endpoints (§4 #1–#7, #16–#19) and authentication tokens (§3.5).

use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Map, Value};

use super::auth::Principal;
use super::state::{AccountUser, Package, PkgStatus};
use super::{
    documents, iso_millis, new_token, ok_json, parse_object, query_get, query_pairs, AppState,
    OsBody, OsError, OsInner, OsPath, OsResult,
};

/// Largest page of `GET /api/packages` (§2: SDK max 100).
const MAX_PAGE: usize = 100;
/// Lifetime of `/api/authenticationTokens` tokens (§3.5: 30 minutes).
const AUTH_TOKEN_LIFETIME_S: f64 = 1800.0;

/// A token from `/api/authenticationTokens/...`.
pub(crate) struct AuthToken {
    pub kind: AuthTokenKind,
    pub expires_at: f64,
    pub single_use: bool,
    pub used: bool,
}

pub(crate) enum AuthTokenKind {
    User(&'static AccountUser),
    Sender {
        package_id: String,
        user: &'static AccountUser,
    },
    Signer {
        package_id: String,
        role_id: String,
    },
}

fn no_content() -> OsResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/packages` — JSON (documents with `base64Content`) or multipart (`payload` +
/// `file` parts).
pub(crate) async fn create(
    State(shared): State<AppState>,
    Extension(principal): Extension<Principal>,
    req: Request,
) -> OsResult {
    let upload = documents::read_upload(req).await?;
    let payload = match upload.payload {
        Some(Value::Object(o)) => o,
        Some(_) => return Err(OsError::invalid_json("The package must be a JSON object.")),
        None if upload.multipart => {
            return Err(OsError::bad_request(
                "error.validation.missingPayload",
                "A multipart create needs a 'payload' part holding the package JSON.",
            ))
        }
        None => {
            return Err(OsError::invalid_json(
                "The body must be a package JSON object.",
            ))
        }
    };
    let docs_json: Vec<Value> = match payload.get("documents") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                "package.documents must be an array.",
            ))
        }
    };
    let docs = documents::match_documents(&docs_json, upload.files)?;
    let now = shared.now();
    let (mut pkg, send) = Package::build(&payload, docs, principal.user, now)?;
    let mut evs = pkg.created_event(now);
    if send {
        evs.extend(pkg.send(now)?);
    }
    let mut os = shared.onespan.lock();
    os.seq += 1;
    os.created_total += 1;
    pkg.seq = os.seq;
    let id = pkg.id.clone();
    os.packages.insert(id.clone(), pkg);
    os.dispatch(&id, evs);
    drop(os);
    ok_json(json!({"id": id}))
}

/// `GET /api/packages/{id}`
pub(crate) async fn get_package(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
) -> OsResult {
    let os = shared.onespan.lock();
    ok_json(os.package(&id)?.to_json())
}

/// `PUT|POST /api/packages/{id}` — sparse update (DRAFT only) and status changes (§4 #4, #5).
pub(crate) async fn update(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    OsBody(body): OsBody,
) -> OsResult {
    let o = parse_object(&body, "a Package")?;
    let target = match o.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(PkgStatus::parse(s).ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidStatus",
                format!("Unknown transaction status {s:?}."),
            )
        })?),
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidStatus",
                "status must be a string.",
            ))
        }
    };
    let trashed = match o.get("trashed") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                "trashed must be true or false.",
            ))
        }
    };
    let edit = Package::is_edit(&o);
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let current = os.package_mut(&id)?;
    // Work on a copy so a failing step leaves the package untouched.
    let mut p = current.clone();
    let mut evs = Vec::new();
    if target == Some(PkgStatus::Draft) {
        evs.extend(p.return_to_draft(now)?);
    }
    if edit {
        p.require_draft()?;
        p.apply_update(&o, now)?;
    }
    match target {
        None | Some(PkgStatus::Draft) => {}
        Some(PkgStatus::Sent) => evs.extend(p.send(now)?),
        Some(PkgStatus::Completed) => evs.extend(p.mark_complete(now)?),
        Some(PkgStatus::Archived) => evs.extend(p.archive(now)?),
        Some(s) if s == p.status => {}
        Some(s) => return Err(OsError::invalid_transition(p.status.as_str(), s.as_str())),
    }
    if let Some(t) = trashed {
        evs.extend(p.set_trashed(t, now));
    }
    let out = p.to_json();
    *current = p;
    os.dispatch(&id, evs);
    drop(os);
    ok_json(out)
}

/// `DELETE /api/packages/{id}` — permanent (204).
pub(crate) async fn delete_package(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
) -> OsResult {
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let mut pkg = os
        .packages
        .remove(&id)
        .ok_or_else(|| OsError::package_not_found(&id))?;
    let evs = pkg.deleted_event(now);
    os.sessions.retain(|_, (p, _)| *p != id);
    os.dispatch(&id, evs);
    drop(os);
    no_content()
}

/// A list filter over packages.
type PkgFilter = Box<dyn Fn(&Package) -> bool>;

fn list_filter(query: Option<&str>) -> Result<PkgFilter, OsError> {
    let q = query.map(str::trim).unwrap_or("").to_ascii_uppercase();
    if q.is_empty() || q == "ALL" {
        return Ok(Box::new(|p: &Package| !p.trashed));
    }
    if q == "TRASHED" || q == "TRASH" {
        return Ok(Box::new(|p: &Package| p.trashed));
    }
    let status = match q.as_str() {
        "DRAFTS" => Some(PkgStatus::Draft),
        "INBOX" => Some(PkgStatus::Sent),
        other => PkgStatus::parse(other),
    };
    match status {
        Some(s) => Ok(Box::new(move |p: &Package| !p.trashed && p.status == s)),
        None => Err(OsError::bad_request(
            "error.validation.invalidQuery",
            format!("Unknown query {q:?}: use a status (DRAFT, SENT, COMPLETED, ARCHIVED, DECLINED, OPTED_OUT, EXPIRED) or TRASHED."),
        )),
    }
}

/// `GET /api/packages?from=&to=&query=&search=&sort=&dir=&type=` — 1-based inclusive paging.
pub(crate) async fn list(State(shared): State<AppState>, uri: Uri) -> OsResult {
    let q = query_pairs(&uri);
    let num = |name: &str| -> Result<Option<usize>, OsError> {
        match query_get(&q, name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                OsError::bad_request(
                    "error.validation.invalidPaging",
                    format!("{name} must be a positive integer."),
                )
            }),
        }
    };
    let from = num("from")?.unwrap_or(1);
    let to = num("to")?.unwrap_or(from + 9);
    if from < 1 || to < from {
        return Err(OsError::bad_request(
            "error.validation.invalidPaging",
            "Paging is 1-based and inclusive: need 1 <= from <= to.",
        ));
    }
    if to - from + 1 > MAX_PAGE {
        return Err(OsError::bad_request(
            "error.validation.invalidPaging",
            format!("A page holds at most {MAX_PAGE} transactions (to - from + 1 <= {MAX_PAGE})."),
        ));
    }
    let filter = list_filter(query_get(&q, "query").as_deref())?;
    let kind = query_get(&q, "type")
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "PACKAGE".to_owned());
    let search = query_get(&q, "search")
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let sort = query_get(&q, "sort")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let asc = query_get(&q, "dir").is_some_and(|d| d.eq_ignore_ascii_case("asc"));
    let os = shared.onespan.lock();
    let mut hits: Vec<&Package> = os
        .packages
        .values()
        .filter(|p| filter(p))
        .filter(|p| p.kind == kind)
        .filter(|p| {
            search
                .as_deref()
                .is_none_or(|s| p.name.to_lowercase().contains(s))
        })
        .collect();
    hits.sort_by(|a, b| {
        let ord = match sort.as_str() {
            "updated" => a.updated.total_cmp(&b.updated),
            "name" => a.name.cmp(&b.name),
            "status" => a.status.as_str().cmp(b.status.as_str()),
            _ => std::cmp::Ordering::Equal,
        }
        .then(a.seq.cmp(&b.seq));
        if asc {
            ord
        } else {
            ord.reverse()
        }
    });
    let count = hits.len();
    let results: Vec<Value> = hits
        .iter()
        .skip(from - 1)
        .take(to - from + 1)
        .map(|p| p.to_json())
        .collect();
    drop(os);
    ok_json(json!({"count": count, "results": results}))
}

/// `GET /api/packages/{id}/audit`
pub(crate) async fn audit(State(shared): State<AppState>, OsPath(id): OsPath<String>) -> OsResult {
    let os = shared.onespan.lock();
    let p = os.package(&id)?;
    let events: Vec<Value> = p
        .audit
        .iter()
        .map(|e| {
            json!({
                "type": e.kind,
                "date-time": iso_millis(e.at),
                "target": e.target,
                "target-type": e.target_type,
                "user": e.user,
                "user-email": e.user_email,
                "user-ip": "127.0.0.1",
                "data": e.data,
            })
        })
        .collect();
    ok_json(json!({"package-id": p.id, "audit-events": events}))
}

/// `GET /api/packages/{id}/signingStatus?signer=&document=`
pub(crate) async fn signing_status(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    uri: Uri,
) -> OsResult {
    let q = query_pairs(&uri);
    let os = shared.onespan.lock();
    let p = os.package(&id)?;
    let status = p.signing_status(
        query_get(&q, "signer").as_deref(),
        query_get(&q, "document").as_deref(),
    )?;
    ok_json(json!({"status": status}))
}

// ---------------------------------------------------------------------------------------------
// Roles

fn roles_json(p: &Package) -> Value {
    let results: Vec<Value> = p.roles.iter().map(|r| r.to_json(p.created)).collect();
    json!({"count": results.len(), "results": results})
}

/// `GET /api/packages/{id}/roles` → `{"count","results"}`
pub(crate) async fn roles(State(shared): State<AppState>, OsPath(id): OsPath<String>) -> OsResult {
    let os = shared.onespan.lock();
    ok_json(roles_json(os.package(&id)?))
}

/// `GET /api/packages/{id}/roles/{role}` (role id, signer id or signer email)
pub(crate) async fn role(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
) -> OsResult {
    let os = shared.onespan.lock();
    let p = os.package(&id)?;
    let pos = p
        .role_pos(&role)
        .ok_or_else(|| OsError::role_not_found(&role))?;
    ok_json(p.roles[pos].to_json(p.created))
}

/// `POST /api/packages/{id}/roles` (DRAFT only)
pub(crate) async fn add_role(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    OsBody(body): OsBody,
) -> OsResult {
    let v = Value::Object(parse_object(&body, "a Role")?);
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    p.require_draft()?;
    let role = super::state::parse_role(&v, &p.roles)?;
    let out = role.to_json(p.created);
    p.roles.push(role);
    p.updated = now;
    ok_json(out)
}

/// `PUT /api/packages/{id}/roles/{role}` — sparse role update (DRAFT only).
pub(crate) async fn update_role(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
    OsBody(body): OsBody,
) -> OsResult {
    let patch = parse_object(&body, "a Role")?;
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    let pos = p
        .role_pos(&role)
        .ok_or_else(|| OsError::role_not_found(&role))?;
    p.require_draft()?;
    let old = p.roles[pos].clone();
    let mut merged: Map<String, Value> = match old.to_json(p.created) {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    for (k, v) in patch {
        if k != "id" {
            merged.insert(k, v);
        }
    }
    let others: Vec<_> = p.roles.iter().filter(|r| r.id != old.id).cloned().collect();
    let mut new_role = super::state::parse_role(&Value::Object(merged), &others)?;
    new_role.session_token = old.session_token;
    let out = new_role.to_json(p.created);
    p.roles[pos] = new_role;
    p.updated = now;
    ok_json(out)
}

/// `DELETE /api/packages/{id}/roles/{role}` (DRAFT only; not while approvals refer to it).
pub(crate) async fn delete_role(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
) -> OsResult {
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    let pos = p
        .role_pos(&role)
        .ok_or_else(|| OsError::role_not_found(&role))?;
    p.require_draft()?;
    let rid = p.roles[pos].id.clone();
    if p.documents
        .iter()
        .any(|d| d.approvals.iter().any(|a| a.role == rid))
    {
        return Err(OsError::bad_request(
            "error.validation.roleInUse",
            format!("Role '{rid}' still has signatures (approvals); delete them or the documents first."),
        ));
    }
    let removed = p.roles.remove(pos);
    p.updated = now;
    if let Some(t) = removed.session_token {
        os.sessions.remove(&t);
    }
    no_content()
}

/// `PUT /api/packages/{id}/roles` `[{"id","index"}]` — signing order (DRAFT only).
pub(crate) async fn reorder_roles(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    OsBody(body): OsBody,
) -> OsResult {
    let list = match super::parse_json(&body)? {
        Value::Array(a) => a,
        _ => {
            return Err(OsError::invalid_json(
                "The body must be a JSON array of roles with id and index.",
            ))
        }
    };
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    p.require_draft()?;
    let mut updates = Vec::new();
    for item in &list {
        let rid = item["id"].as_str().unwrap_or_default();
        let pos = p
            .role_pos(rid)
            .ok_or_else(|| OsError::role_not_found(rid))?;
        let index = item["index"].as_i64().ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidValue",
                format!("Role '{rid}' needs an integer index."),
            )
        })?;
        updates.push((pos, index));
    }
    for (pos, index) in updates {
        p.roles[pos].index = index;
    }
    p.updated = now;
    ok_json(roles_json(p))
}

/// The signing-session token of a role (created once; signing URLs do not expire).
pub(crate) fn session_token(os: &mut OsInner, package_id: &str, pos: usize) -> Option<String> {
    let role = os.packages.get_mut(package_id)?.roles.get_mut(pos)?;
    if let Some(t) = &role.session_token {
        return Some(t.clone());
    }
    let t = new_token(24);
    role.session_token = Some(t.clone());
    let rid = role.id.clone();
    os.sessions.insert(t.clone(), (package_id.to_owned(), rid));
    Some(t)
}

/// `GET /api/packages/{id}/roles/{role}/signingUrl` (package SENT or COMPLETED).
pub(crate) async fn signing_url(
    State(shared): State<AppState>,
    OsPath((id, role)): OsPath<(String, String)>,
    req: Request,
) -> OsResult {
    let base = super::listener_base(&shared, req.extensions());
    let mut os = shared.onespan.lock();
    let p = os.package(&id)?;
    let pos = p
        .role_pos(&role)
        .ok_or_else(|| OsError::role_not_found(&role))?;
    if !matches!(p.status, PkgStatus::Sent | PkgStatus::Completed) || p.trashed {
        let s = if p.trashed {
            "TRASHED"
        } else {
            p.status.as_str()
        };
        return Err(OsError::package_not_active(s));
    }
    let role_id = p.roles[pos].id.clone();
    let token = session_token(&mut os, &id, pos)
        .ok_or_else(|| OsError::internal("cannot create the signing session"))?;
    drop(os);
    ok_json(json!({
        "packageId": id,
        "roleId": role_id,
        "url": format!("{base}{}?sessionToken={token}", super::ACCESS_PATH),
    }))
}

// ---------------------------------------------------------------------------------------------
// Authentication tokens (§3.5)

fn issue_auth_token(
    shared: &AppState,
    os: &mut OsInner,
    kind: AuthTokenKind,
    single_use: bool,
) -> String {
    let now = shared.now();
    os.auth_tokens
        .retain(|_, t| t.expires_at > now && !(t.single_use && t.used));
    let t = new_token(24);
    os.auth_tokens.insert(
        t.clone(),
        AuthToken {
            kind,
            expires_at: now + AUTH_TOKEN_LIFETIME_S,
            single_use,
            used: false,
        },
    );
    t
}

/// `POST /api/authenticationTokens/user` → `{"value"}`
pub(crate) async fn token_user(
    State(shared): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> OsResult {
    let mut os = shared.onespan.lock();
    let t = issue_auth_token(&shared, &mut os, AuthTokenKind::User(principal.user), true);
    ok_json(json!({"value": t}))
}

/// `POST /api/authenticationTokens/sender {"packageId"}` → `{"packageId","value"}`
pub(crate) async fn token_sender(
    State(shared): State<AppState>,
    Extension(principal): Extension<Principal>,
    OsBody(body): OsBody,
) -> OsResult {
    let o = parse_object(&body, "a sender authentication token request")?;
    let pid = o
        .get("packageId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut os = shared.onespan.lock();
    os.package(&pid)?;
    let t = issue_auth_token(
        &shared,
        &mut os,
        AuthTokenKind::Sender {
            package_id: pid.clone(),
            user: principal.user,
        },
        true,
    );
    ok_json(json!({"packageId": pid, "value": t}))
}

async fn token_signer(shared: AppState, body: &[u8], single_use: bool) -> OsResult {
    let o = parse_object(body, "a signer authentication token request")?;
    let pid = o
        .get("packageId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let signer = o
        .get("signerId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut os = shared.onespan.lock();
    let p = os.package(&pid)?;
    let pos = p
        .role_pos(&signer)
        .ok_or_else(|| OsError::role_not_found(&signer))?;
    let role_id = p.roles[pos].id.clone();
    let t = issue_auth_token(
        &shared,
        &mut os,
        AuthTokenKind::Signer {
            package_id: pid.clone(),
            role_id,
        },
        single_use,
    );
    let mut out = json!({"packageId": pid, "signerId": signer, "value": t});
    if let (Some(obj), Some(fields)) = (out.as_object_mut(), o.get("sessionFields")) {
        obj.insert("sessionFields".into(), fields.clone());
    }
    ok_json(out)
}

/// `POST /api/authenticationTokens/signer/multiUse`
pub(crate) async fn token_signer_multi(
    State(shared): State<AppState>,
    OsBody(body): OsBody,
) -> OsResult {
    token_signer(shared, &body, false).await
}

/// `POST /api/authenticationTokens/signer/singleUse`
pub(crate) async fn token_signer_single(
    State(shared): State<AppState>,
    OsBody(body): OsBody,
) -> OsResult {
    token_signer(shared, &body, true).await
}

/// What redeeming an authentication token gave.
pub(crate) enum Redeemed {
    /// The signing-session token of a signer.
    Signer(String),
    /// A sender or user session (opaque), who it is, and the package of a sender token.
    Sender {
        session: String,
        user: &'static AccountUser,
        package_id: Option<String>,
    },
}

/// Redeems an authentication token for `/auth`.
pub(crate) fn redeem(os: &mut OsInner, token: &str, now: f64) -> Result<Redeemed, OsError> {
    let invalid = || {
        OsError::unauthorised(
            "error.unauthorised.invalidAuthenticationToken",
            "The authentication token is not valid, was already used, or has expired.",
        )
    };
    let t = os.auth_tokens.get_mut(token).ok_or_else(invalid)?;
    if t.expires_at <= now || (t.single_use && t.used) {
        return Err(invalid());
    }
    t.used = true;
    match &t.kind {
        AuthTokenKind::Signer {
            package_id,
            role_id,
        } => {
            let (pid, rid) = (package_id.clone(), role_id.clone());
            let pos = os
                .package(&pid)?
                .role_pos(&rid)
                .ok_or_else(|| OsError::role_not_found(&rid))?;
            session_token(os, &pid, pos)
                .map(Redeemed::Signer)
                .ok_or_else(invalid)
        }
        AuthTokenKind::User(user) => Ok(Redeemed::Sender {
            session: new_token(24),
            user,
            package_id: None,
        }),
        AuthTokenKind::Sender { package_id, user } => Ok(Redeemed::Sender {
            session: new_token(24),
            user,
            package_id: Some(package_id.clone()),
        }),
    }
}

/// Answer for a request the UI module turns into a page.
pub(crate) fn error_response(e: OsError) -> Response {
    e.into_response()
}
