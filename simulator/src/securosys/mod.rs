//! Securosys Primus HSM REST API (Transaction Security Broker, `shared/api/securosys.md`):
//! role-based `X-API-KEY` authentication (seed 003) with an optional JWT (static tokens, or
//! tokens of the simulator's own OAuth2 token endpoint with `accept_oauth`), service
//! information, keys with real cryptography, synchronous sign/verify, and asynchronous signing
//! with approval quorums (approver tasks, approvals, rejections, expiry on the simulated clock),
//! and certificates made with a key (self-signed X.509 and PKCS#10 requests, real signatures).
//!
//! Everything lives in [`SecurosysState`], its own lock inside the shared state. Routes are under
//! `/v1/`; the control API is under `/_sim/securosys/`.

mod api;
mod cert;
pub(crate) mod cipher;
pub(crate) mod crypto;
mod slip10;
mod tsa;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post};
use axum::Router;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{ApiError, Json200};
use crate::state::Shared;

type AppState = Arc<Shared>;

/// The five API-key roles of seed 003, in the seed's order.
pub(crate) const ROLES: [&str; 5] = [
    "keyManagementToken",
    "keyOperationToken",
    "approverToken",
    "serviceToken",
    "approverKeyManagementToken",
];

/// The role table of the newer documentation ([WEB:apikeys]). The default is this table with the
/// seed's word on `/v1/certificate/**` (see [`default_table`]).
const NEWER_TABLE: &[(&str, &str)] = &[
    ("/v1/key", "keyManagementToken"),
    ("/v1/key/**", "keyManagementToken"),
    ("/v1/key/**/attributes", "keyManagementToken"),
    ("/v1/importedKey", "keyManagementToken"),
    ("/v1/derivedKey", "keyManagementToken"),
    ("/v1/dataObject", "keyManagementToken"),
    ("/v1/dataObject/**", "keyManagementToken"),
    ("/v1/attestation/**", "keyManagementToken"),
    ("/v1/modify", "keyManagementToken"),
    ("/v1/synchronousModify", "keyManagementToken"),
    ("/v1/rotate", "keyManagementToken"),
    ("/v1/certificate/**", "keyManagementToken"),
    ("/v1/xpub/**", "keyManagementToken"),
    ("/v1/synchronousUnwrap", "keyOperationToken"),
    ("/v1/synchronousUnblock", "keyOperationToken"),
    ("/v1/synchronousSign", "keyOperationToken"),
    ("/v1/synchronousFileDecrypt", "keyOperationToken"),
    ("/v1/synchronousDecrypt", "keyOperationToken"),
    ("/v1/synchronousBlock", "keyOperationToken"),
    ("/v1/synchronousHmac", "keyOperationToken"),
    ("/v1/fileEncrypt", "keyOperationToken"),
    ("/v1/wrap", "keyOperationToken"),
    ("/v1/verify", "keyOperationToken"),
    ("/v1/encrypt", "keyOperationToken"),
    ("/v1/createRfcTimestamp", "keyOperationToken"),
    ("/v1/generateRandom/**", "keyOperationToken"),
    ("/v1/unwrap", "keyOperationToken"),
    ("/v1/unblock", "keyOperationToken"),
    ("/v1/sign", "keyOperationToken"),
    ("/v1/decrypt", "keyOperationToken"),
    ("/v1/block", "keyOperationToken"),
    ("/v1/request/**", "keyOperationToken"),
    ("/v1/filteredRequests", "keyOperationToken"),
    ("/v1/filtered**ApprovalTask", "approverToken"),
    ("/v1/approval", "approverToken"),
    ("/v1/task", "approverToken"),
    ("/v1/approver/onboard", "approverToken"),
    ("/v1/versionInfo", "serviceToken"),
    ("/v1/licenseInfo", "serviceToken"),
    ("/v1/keystore/statistics", "serviceToken"),
    ("/v1/hsm/log", "serviceToken"),
    ("/v1/hsm/log/**", "serviceToken"),
    ("/v1/approverManagement/**", "approverKeyManagementToken"),
];

/// The seed-003 table: the newer one without `/v1/rotate` and `/v1/xpub/**`, and with
/// `/v1/certificate/**` under keyOperationToken.
fn seed_table() -> Vec<(String, String)> {
    NEWER_TABLE
        .iter()
        .filter(|(p, _)| !matches!(*p, "/v1/rotate" | "/v1/xpub/**"))
        .map(|(p, r)| {
            let role = if *p == "/v1/certificate/**" {
                "keyOperationToken"
            } else {
                r
            };
            ((*p).to_owned(), role.to_owned())
        })
        .collect()
}

/// The default: the newer table where it adds endpoints, the seed (003) where they disagree —
/// `/v1/certificate/**` needs the keyOperationToken (listed first under Key Operation Endpoints).
fn default_table() -> Vec<(String, String)> {
    NEWER_TABLE
        .iter()
        .map(|(p, r)| {
            let role = if *p == "/v1/certificate/**" {
                "keyOperationToken"
            } else {
                r
            };
            ((*p).to_owned(), role.to_owned())
        })
        .collect()
}

fn newer_table() -> Vec<(String, String)> {
    NEWER_TABLE
        .iter()
        .map(|(p, r)| ((*p).to_owned(), (*r).to_owned()))
        .collect()
}

/// Matches `path` against a pattern where `**` (or `*`) stands for any characters, `/` included.
fn glob_match(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == path;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !path.starts_with(first) || path.len() < first.len() + last.len() || !path.ends_with(last) {
        return false;
    }
    let mut rest = &path[first.len()..path.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        if mid.is_empty() {
            continue;
        }
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Errors (contract §11)

/// Reason (without the `res.error.` prefix) of the error codes the simulator answers with.
fn reason_of(code: u16) -> &'static str {
    match code {
        101 => "not.implemented",
        400 => "security.not.allowed",
        401 => "missing.approval",
        403 => "input.invalid.signature",
        404 => "input.timestamp.off",
        406 => "missing.access.token",
        410 => "decrypt.failed",
        412 => "invalid.onetimepassword",
        413 => "approver.not.existent",
        414 => "approver.not.onboarded",
        416 => "missing.api.key",
        501 => "invalid.value.for.enum",
        600 => "input.validation.failed",
        601 => "unsupported.approver.key.type",
        603 => "input.keysize",
        606 => "key.attributes.invalid",
        607 => "algorithm.not.supported.by.key",
        608 => "key.already.existing",
        610 => "invalid.key.name",
        612 => "invalid.payload",
        613 => "invalid.key.type",
        614 => "operation.forbidden.for.key",
        615 => "data.object.already.existing",
        616 => "data.object.invalid.value",
        617 => "invalid.access.token",
        619 => "invalid.number.range",
        620 => "key.password.mismatch",
        623 => "invalid.file.header",
        624 => "key.invalid.tagLength",
        629 => "unsupported.cipher",
        631 => "invalid.api.key",
        632 => "approver.already.existing",
        633 => "input.no.value.for.approver.mgmt",
        634 => "derivation.not.supported.by.algorithm",
        650 => "key.not.existent",
        651 => "request.not.existent",
        652 => "task.not.existent",
        653 => "data.object.not.existent",
        701 => "in.hsm",
        _ => "general",
    }
}

/// HTTP status of an error code (contract §11 PROPOSAL from the sibling service's handler).
fn status_of(code: u16) -> StatusCode {
    match code {
        450..=459 => StatusCode::FORBIDDEN,
        650..=659 => StatusCode::NOT_FOUND,
        100..=199 => StatusCode::NOT_IMPLEMENTED,
        400..=699 => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A Securosys error: `{"errorCode","reason":"res.error.…","message"}` with its HTTP status.
#[derive(Debug)]
pub(crate) struct SecError {
    status: StatusCode,
    code: u16,
    message: String,
}

impl SecError {
    /// An error whose HTTP status follows from its code.
    pub fn new(code: u16, message: impl Into<String>) -> SecError {
        SecError {
            status: status_of(code),
            code,
            message: message.into(),
        }
    }

    /// An error with an explicit HTTP status (authentication errors).
    pub fn with_status(status: StatusCode, code: u16, message: impl Into<String>) -> SecError {
        SecError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 600 `input.validation.failed`.
    pub fn validation(message: impl Into<String>) -> SecError {
        SecError::new(600, message)
    }
}

impl IntoResponse for SecError {
    fn into_response(self) -> Response {
        let body = json!({
            "errorCode": self.code,
            "reason": format!("res.error.{}", reason_of(self.code)),
            "message": self.message,
        });
        (self.status, Json200(body)).into_response()
    }
}

pub(crate) type SecResult = Result<Response, SecError>;

/// Parses a JSON body (an empty body is `{}`); failures are 400 / 600.
pub(crate) fn parse_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, SecError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| SecError::validation(format!("Invalid JSON body: {e}")))
}

// ---------------------------------------------------------------------------------------------
// State

/// Authentication settings.
#[derive(Debug, Clone)]
pub(crate) struct AuthConfig {
    /// Valid keys per role (index as in [`ROLES`]).
    pub api_keys: [Vec<String>; 5],
    /// `apiAuthentication.enabled`: when false no `X-API-KEY` is checked.
    pub api_keys_enabled: bool,
    /// When true every request (approval endpoints excepted) needs `Authorization: Bearer <jwt>`.
    pub require_jwt: bool,
    /// CloudHSM mode (`PUT /_sim/securosys/auth {"mode": "cloudhsm"}`): a JWT is mandatory
    /// (seed 003) whatever `require_jwt` says, and the 401 says so.
    pub cloudhsm: bool,
    /// Accepted bearer tokens (opaque strings).
    pub jwts: Vec<String>,
    /// When true a bearer token issued by the simulator's own OAuth2 token endpoint (an ES256
    /// JWT, checked for signature, issuer and expiry on the simulated clock) is accepted too.
    pub accept_oauth: bool,
    /// `(pattern, role)`, first match wins.
    pub role_table: Vec<(String, String)>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            api_keys: [
                vec![crate::SECUROSYS_KEY_MANAGEMENT_KEY.to_owned()],
                vec![crate::SECUROSYS_KEY_OPERATION_KEY.to_owned()],
                vec![crate::SECUROSYS_APPROVER_KEY.to_owned()],
                vec![crate::SECUROSYS_SERVICE_KEY.to_owned()],
                vec![crate::SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY.to_owned()],
            ],
            api_keys_enabled: true,
            require_jwt: false,
            cloudhsm: false,
            jwts: vec![crate::SECUROSYS_JWT.to_owned()],
            accept_oauth: false,
            role_table: default_table(),
        }
    }
}

impl AuthConfig {
    fn role_for(&self, path: &str) -> Option<&str> {
        self.role_table
            .iter()
            .find(|(p, _)| glob_match(p, path))
            .map(|(_, r)| r.as_str())
    }

    fn roles_of_key(&self, key: &str) -> Vec<&'static str> {
        ROLES
            .iter()
            .zip(self.api_keys.iter())
            .filter(|(_, keys)| keys.iter().any(|k| k == key))
            .map(|(r, _)| *r)
            .collect()
    }
}

/// One Securosys API request as seen by the authentication layer (no header values).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SecLogEntry {
    method: String,
    path: String,
    /// The role the endpoint needs (`null` when the table has none).
    required_role: Option<String>,
    /// For each `X-API-KEY` header, the role(s) that key belongs to, or `"unknown"`.
    api_key_roles: Vec<String>,
    /// Whether an `Authorization: Bearer` header was present.
    bearer: bool,
    status: u16,
}

/// Lock-protected Securosys state.
#[derive(Debug, Default)]
pub(crate) struct SecInner {
    pub auth: AuthConfig,
    pub keys: BTreeMap<String, api::HsmKey>,
    /// Data objects by label (`/v1/dataObject`).
    pub data_objects: BTreeMap<String, Vec<u8>>,
    /// SLIP-0010 nodes (key and chain code) of keys imported from a seed or derived.
    pub hd_nodes: BTreeMap<String, slip10::Node>,
    /// Approvers made by `/v1/approverManagement/create`, by name.
    pub approvers: BTreeMap<String, api::approvers::Approver>,
    pub requests: HashMap<Uuid, api::AsyncRequest>,
    pub log: Vec<SecLogEntry>,
}

/// The Securosys part of the simulator's state (its own lock).
#[derive(Debug, Default)]
pub(crate) struct SecurosysState {
    inner: Mutex<SecInner>,
}

impl SecurosysState {
    /// Locks the state; a poisoned lock is recovered.
    pub fn lock(&self) -> MutexGuard<'_, SecInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

// ---------------------------------------------------------------------------------------------
// Router and authentication

/// The Securosys routes (`/v1/...`) and their control API (`/_sim/securosys/...`).
pub(crate) fn router(shared: AppState) -> Router<AppState> {
    let mut api = Router::new()
        .route("/v1/versionInfo", get(api::version_info))
        .route("/v1/licenseInfo", get(api::license_info))
        .route("/v1/keystore/statistics", get(api::keystore_statistics))
        .route("/v1/hsm/log", get(api::hsm_log))
        .route("/v1/hsm/log/{page}/{size}", get(api::hsm_log_page))
        .route("/v1/key", post(api::create_key).get(api::list_keys))
        .route("/v1/key/attributes", post(api::key_attributes_post))
        .route("/v1/key/deleteKey", post(api::delete_key_post))
        .route(
            "/v1/key/{label}",
            get(api::key_attributes_get).delete(api::delete_key),
        )
        .route("/v1/key/{label}/attributes", get(api::key_attributes_get))
        .route("/v1/synchronousSign", post(api::synchronous_sign))
        .route("/v1/verify", post(api::verify))
        .route("/v1/sign", post(api::async_sign))
        .route(
            "/v1/request/{id}",
            get(api::get_request).delete(api::cancel_request),
        )
        .route("/v1/filteredRequests", post(api::filtered_requests))
        .route(
            "/v1/certificate/synchronous/selfsign",
            post(api::certificate_synchronous),
        )
        .route(
            "/v1/certificate/synchronous/request",
            post(api::certificate_synchronous),
        )
        .route("/v1/certificate/selfsign", post(api::certificate_async))
        .route("/v1/certificate/request", post(api::certificate_async))
        .route(
            "/v1/approval",
            post(api::submit_approval).put(api::submit_approval),
        )
        .route("/v1/task", delete(api::reject_task))
        .route("/v1/{*rest}", any(api::not_implemented));
    api = api::keyops::routes(api);
    api = api::manage::routes(api);
    api = api::data::routes(api);
    api = api::derive::routes(api);
    api = api::file::routes(api);
    api = api::approvers::routes(api);
    api = tsa::routes(api);
    api = api::attest::routes(api);
    for kind in [
        "Sign",
        "Decrypt",
        "ModifyKey",
        "BlockKey",
        "UnblockKey",
        "UnwrapKey",
        "All",
    ] {
        api = api.route(
            &format!("/v1/filtered{kind}ApprovalTask"),
            post(api::filtered_tasks),
        );
    }
    let api = api.route_layer(middleware::from_fn_with_state(shared, authenticate));
    let control = Router::new()
        .route("/_sim/securosys/auth", get(ctl_get_auth).put(ctl_set_auth))
        .route(
            "/_sim/securosys/requests",
            get(ctl_requests).delete(ctl_clear_requests),
        );
    api.merge(api::attest::control(tsa::control(control)))
}

/// The approval endpoints ignore JWTs (contract §2, §7).
fn jwt_exempt(path: &str) -> bool {
    (path.starts_with("/v1/filtered") && path.ends_with("ApprovalTask"))
        || path == "/v1/approval"
        || path == "/v1/task"
}

/// Checks the request's credentials. `oauth_token` verifies a bearer token of the simulator's
/// token endpoint (used when `accept_oauth` is on); its error text goes into the 401.
fn check_auth(
    auth: &AuthConfig,
    path: &str,
    headers: &HeaderMap,
    oauth_token: &dyn Fn(&str) -> Result<(), &'static str>,
) -> Result<(), SecError> {
    if (auth.require_jwt || auth.cloudhsm) && !jwt_exempt(path) {
        let bearer = headers
            .get_all("authorization")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let v = v.trim();
                v.get(..7)
                    .filter(|p| p.eq_ignore_ascii_case("bearer "))
                    .map(|_| v[7..].trim().to_owned())
            });
        match bearer {
            None => {
                return Err(SecError::with_status(
                    StatusCode::UNAUTHORIZED,
                    406,
                    if auth.cloudhsm {
                        "Missing access token: CloudHSM requires Authorization: Bearer <JWT> on \
                         every request"
                    } else {
                        "Missing access token: send Authorization: Bearer <JWT>"
                    },
                ))
            }
            Some(t) if auth.jwts.contains(&t) => {}
            Some(t) if auth.accept_oauth => {
                if let Err(why) = oauth_token(&t) {
                    return Err(SecError::with_status(
                        StatusCode::UNAUTHORIZED,
                        617,
                        format!("Invalid access token: {why}"),
                    ));
                }
            }
            Some(_) => {
                return Err(SecError::with_status(
                    StatusCode::UNAUTHORIZED,
                    617,
                    "Invalid access token",
                ))
            }
        }
    }
    if !auth.api_keys_enabled {
        return Ok(());
    }
    let Some(role) = auth.role_for(path) else {
        return Ok(());
    };
    let presented: Vec<&str> = headers
        .get_all("x-api-key")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if presented.is_empty() {
        return Err(SecError::with_status(
            StatusCode::UNAUTHORIZED,
            416,
            format!("Missing API key: this endpoint needs a {role} in the X-API-KEY header"),
        ));
    }
    let mut other_role = false;
    for key in &presented {
        let roles = auth.roles_of_key(key);
        if roles.contains(&role) {
            return Ok(());
        }
        other_role |= !roles.is_empty();
    }
    if other_role {
        Err(SecError::with_status(
            StatusCode::FORBIDDEN,
            400,
            format!("The API key does not belong to the {role} role required by this endpoint"),
        ))
    } else {
        Err(SecError::with_status(
            StatusCode::UNAUTHORIZED,
            631,
            "Invalid API key",
        ))
    }
}

async fn authenticate(State(shared): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().to_string();
    let headers = req.headers();
    let bearer = headers.get_all("authorization").iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.trim().to_ascii_lowercase().starts_with("bearer "))
    });
    let now = shared.now_secs();
    let oauth_token = |t: &str| {
        shared
            .jwt
            .verify(t, &shared.issuers, now)
            .map(|_| ())
            .map_err(crate::oauth::TokenError::description)
    };
    let (checked, required_role, api_key_roles) = {
        let sec = shared.securosys.lock();
        let roles = headers
            .get_all("x-api-key")
            .iter()
            .map(|v| {
                let r = v
                    .to_str()
                    .map(|k| sec.auth.roles_of_key(k.trim()))
                    .unwrap_or_default();
                if r.is_empty() {
                    "unknown".to_owned()
                } else {
                    r.join(",")
                }
            })
            .collect::<Vec<_>>();
        (
            check_auth(&sec.auth, &path, headers, &oauth_token),
            sec.auth.role_for(&path).map(str::to_owned),
            roles,
        )
    };
    let resp = match checked {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    };
    shared.securosys.lock().log.push(SecLogEntry {
        method,
        path,
        required_role,
        api_key_roles,
        bearer,
        status: resp.status().as_u16(),
    });
    resp
}

// ---------------------------------------------------------------------------------------------
// Control API

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AuthBody {
    api_keys: Option<HashMap<String, Vec<String>>>,
    api_keys_enabled: Option<bool>,
    require_jwt: Option<bool>,
    /// `"cloudhsm"` or `"on_premise"`.
    mode: Option<String>,
    jwts: Option<Vec<String>>,
    accept_oauth: Option<bool>,
    role_table: Option<Value>,
}

fn parse_role(role: &str) -> Result<usize, ApiError> {
    ROLES
        .iter()
        .position(|r| *r == role)
        .ok_or_else(|| ApiError::validation(format!("unknown role {role:?}")))
}

async fn ctl_set_auth(State(shared): State<AppState>, body: Bytes) -> Result<StatusCode, ApiError> {
    let body: AuthBody = crate::app::parse_json(&body)?;
    let table = match body.role_table {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "newer" => Some(newer_table()),
        Some(Value::String(s)) if s == "default" => Some(default_table()),
        Some(Value::String(s)) if s == "seed" => Some(seed_table()),
        Some(Value::Array(items)) => {
            let mut table = Vec::new();
            for item in items {
                let (Some(p), Some(r)) = (item["pattern"].as_str(), item["role"].as_str()) else {
                    return Err(ApiError::validation(
                        "role_table items must be {\"pattern\": \"/v1/...\", \"role\": \"<role>\"}",
                    ));
                };
                parse_role(r)?;
                table.push((p.to_owned(), r.to_owned()));
            }
            Some(table)
        }
        Some(_) => {
            return Err(ApiError::validation(
                "role_table must be \"default\", \"newer\", \"seed\" or a list of {pattern, role}",
            ))
        }
    };
    let cloudhsm = match body.mode.as_deref() {
        None => None,
        Some("cloudhsm") => Some(true),
        Some("on_premise") => Some(false),
        Some(_) => {
            return Err(ApiError::validation(
                "mode must be \"cloudhsm\" or \"on_premise\"",
            ))
        }
    };
    let mut keys = Vec::new();
    for (role, list) in body.api_keys.unwrap_or_default() {
        keys.push((parse_role(&role)?, list));
    }
    let mut sec = shared.securosys.lock();
    for (i, list) in keys {
        sec.auth.api_keys[i] = list;
    }
    if let Some(v) = body.api_keys_enabled {
        sec.auth.api_keys_enabled = v;
    }
    if let Some(v) = body.require_jwt {
        sec.auth.require_jwt = v;
    }
    if let Some(v) = cloudhsm {
        sec.auth.cloudhsm = v;
    }
    if let Some(v) = body.jwts {
        sec.auth.jwts = v;
    }
    if let Some(v) = body.accept_oauth {
        sec.auth.accept_oauth = v;
    }
    if let Some(t) = table {
        sec.auth.role_table = t;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn ctl_get_auth(State(shared): State<AppState>) -> Response {
    let sec = shared.securosys.lock();
    let a = &sec.auth;
    let counts: serde_json::Map<String, Value> = ROLES
        .iter()
        .zip(a.api_keys.iter())
        .map(|(r, k)| ((*r).to_owned(), json!(k.len())))
        .collect();
    Json200(json!({
        "api_keys": counts,
        "api_keys_enabled": a.api_keys_enabled,
        "require_jwt": a.require_jwt,
        "mode": if a.cloudhsm { "cloudhsm" } else { "on_premise" },
        "jwts": a.jwts.len(),
        "accept_oauth": a.accept_oauth,
        "role_table": a.role_table.iter().map(|(p, r)| json!({"pattern": p, "role": r})).collect::<Vec<_>>(),
    }))
    .into_response()
}

async fn ctl_requests(State(shared): State<AppState>) -> Response {
    let sec = shared.securosys.lock();
    Json200(serde_json::to_value(&sec.log).unwrap_or(Value::Null)).into_response()
}

async fn ctl_clear_requests(State(shared): State<AppState>) -> StatusCode {
    shared.securosys.lock().log.clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/v1/key", "/v1/key"));
        assert!(!glob_match("/v1/key", "/v1/key/a"));
        assert!(glob_match("/v1/key/**", "/v1/key/a/attributes"));
        assert!(glob_match(
            "/v1/filtered**ApprovalTask",
            "/v1/filteredSignApprovalTask"
        ));
        assert!(glob_match(
            "/v1/filtered**ApprovalTask",
            "/v1/filteredApprovalTask"
        ));
        assert!(!glob_match(
            "/v1/filtered**ApprovalTask",
            "/v1/filteredRequests"
        ));
        let t = AuthConfig::default();
        // Seed 003 lists /v1/certificate/** first under the keyOperationToken.
        assert_eq!(t.role_for("/v1/certificate/x"), Some("keyOperationToken"));
        assert!(newer_table()
            .iter()
            .any(|(p, r)| p == "/v1/certificate/**" && r == "keyManagementToken"));
        assert_eq!(t.role_for("/v1/request/abc"), Some("keyOperationToken"));
        assert_eq!(t.role_for("/v1/nothing"), None);
        let seed = seed_table();
        assert!(seed
            .iter()
            .any(|(p, r)| p == "/v1/certificate/**" && r == "keyOperationToken"));
    }
}
