//! HTTP routes: the ZignSec signing and eID APIs, the hosted pages and the `/_sim/` control API.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::state::{
    error_item, find_user, Fault, FaultKind, RecordedRequest, Session, Shared, Status, StoredFile,
    TEST_USERS,
};
use crate::webhook::WebhookScheme;

type AppState = Arc<Shared>;

/// Largest accepted request body (uploads included).
pub(crate) const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Response extension asking the connection layer to drop the connection without responding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropMarker;

pub(crate) fn router(shared: AppState) -> Router {
    let api = Router::new()
        .route("/api/v5/sessions/signing", post(create_session))
        .route("/api/v5/sessions/signing/", post(create_session))
        .route("/api/v5/sessions/signing/{id}", get(get_session))
        .route(
            "/api/v5/sessions/signing/{id}/files",
            post(crate::zsigning::upload_file),
        )
        .route(
            "/api/v5/sessions/signing/{id}/sign",
            post(crate::zsigning::start_signing),
        )
        .route("/folders/{id}/media/{file_id}", get(download))
        .route(
            "/core/api/sessions/bankidse/auth",
            post(crate::s2s::bankidse_auth),
        )
        .route(
            "/core/api/sessions/{category}/{product}",
            post(crate::eid::create_core),
        )
        .route("/core/api/sessions/{id}", get(crate::eid::get_core))
        .route(
            "/api/v5/sessions/{provider}/{second}",
            post(crate::eid::create_v5).get(crate::eid::get_v5),
        );
    let auth = Router::new()
        .route(
            "/auth/realms/zignsec/.well-known/openid-configuration",
            get(crate::oauth::discovery),
        )
        .route(
            "/auth/realms/zignsec/protocol/openid-connect/token",
            post(crate::oauth::token),
        )
        .route(
            "/auth/realms/zignsec/protocol/openid-connect/certs",
            get(crate::oauth::certs),
        );
    let ui = Router::new()
        .route("/ui/{id}", get(crate::ui::page).post(crate::ui::submit))
        .route("/ui/{id}/documents/{file_id}", get(crate::ui::document))
        .route(
            "/ui/eid/{id}",
            get(crate::ui::eid_page).post(crate::ui::eid_submit),
        );
    let control = Router::new()
        .route(
            "/_sim/health",
            get(|| async { Json200(json!({"ok": true})) }),
        )
        .route("/_sim/zignsec/signing", get(ctl_list_signing))
        .route("/_sim/zignsec/signing/{id}/complete", post(ctl_complete))
        .route("/_sim/zignsec/signing/{id}/cancel", post(ctl_cancel))
        .route("/_sim/zignsec/signing/{id}/fail", post(ctl_fail))
        .route("/_sim/zignsec/signing/{id}/expire", post(ctl_expire))
        .route(
            "/_sim/zignsec/sessions/{id}/complete",
            post(crate::eid::ctl_complete),
        )
        .route(
            "/_sim/zignsec/sessions/{id}/cancel",
            post(crate::eid::ctl_cancel),
        )
        .route(
            "/_sim/zignsec/sessions/{id}/fail",
            post(crate::eid::ctl_fail),
        )
        .route(
            "/_sim/zignsec/sessions/{id}/expire",
            post(crate::eid::ctl_expire),
        )
        .route("/_sim/clock", get(ctl_clock).put(ctl_set_clock))
        .route("/_sim/clock/advance", post(ctl_advance_clock))
        .route(
            "/_sim/webhooks",
            get(ctl_webhooks).delete(ctl_clear_webhooks),
        )
        .route("/_sim/zignsec/keys", put(ctl_set_keys))
        .route(
            "/_sim/zignsec/auth",
            put(crate::oauth::ctl_set_auth).get(crate::oauth::ctl_get_auth),
        )
        .route(
            "/_sim/oauth",
            get(crate::oauth::ctl_get)
                .put(crate::oauth::ctl_set)
                .delete(crate::oauth::ctl_reset),
        )
        .route("/_sim/zignsec/keys/revoke", post(ctl_revoke_key))
        .route(
            "/_sim/zignsec/lenient",
            put(crate::zauth::ctl_set_lenient).get(crate::zauth::ctl_get_lenient),
        )
        .route("/_sim/config", put(ctl_config).get(ctl_get_config))
        .route("/_sim/tls", get(ctl_tls_stats))
        .route("/_sim/faults", post(ctl_add_fault).delete(ctl_clear_faults))
        .route(
            "/_sim/requests",
            get(ctl_requests).delete(ctl_clear_requests),
        );
    api.merge(auth)
        .merge(ui)
        .merge(control)
        .merge(crate::securosys::router(shared.clone()))
        .merge(crate::onespan::router(shared.clone()))
        .merge(crate::pades::router())
        .fallback(|uri: axum::http::Uri| async move {
            if crate::onespan::owns_path(uri.path()) {
                return crate::onespan::unknown_route(&uri);
            }
            ApiError::not_found("No such endpoint").into_response()
        })
        .method_not_allowed_fallback(|uri: axum::http::Uri| async move {
            if crate::onespan::owns_path(uri.path()) {
                return crate::onespan::wrong_method(&uri);
            }
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed on this endpoint",
            )
            .into_response()
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(shared.clone(), front))
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A contract error: `{"errors":[{"code","description","statusCode"}]}` with the matching status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    description: String,
    /// A `WWW-Authenticate` challenge (RFC 6750) to add, if any.
    challenge: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            description: description.into(),
            challenge: None,
        }
    }
    /// 401 `UNAUTHORIZED` for an invalid or expired bearer token.
    pub fn bearer(description: impl Into<String>) -> Self {
        let description = description.into();
        let challenge = format!(
            "Bearer realm=\"zignsec\", error=\"invalid_token\", error_description=\"{}\"",
            description.replace(['"', '\\'], "'")
        );
        ApiError {
            challenge: Some(challenge),
            ..Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", description)
        }
    }
    /// 401 `UNAUTHORIZED` when a bearer token is required but none was sent.
    pub fn bearer_missing(description: impl Into<String>) -> Self {
        ApiError {
            challenge: Some("Bearer realm=\"zignsec\"".to_owned()),
            ..Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", description)
        }
    }
    pub fn validation(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", description)
    }
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", description)
    }
    pub fn invalid_state(description: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "INVALID_STATE", description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"errors": [error_item(self.code, &self.description, self.status.as_u16())]});
        let mut resp = (self.status, Json200(body)).into_response();
        if let Some(v) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        resp
    }
}

/// A JSON body (status set by the caller's tuple, 200 by default).
pub(crate) struct Json200(pub Value);

impl IntoResponse for Json200 {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.0).unwrap_or_else(|_| b"{}".to_vec());
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

pub(crate) fn parse_json<T: for<'de> Deserialize<'de> + Default>(
    body: &Bytes,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Invalid JSON body: {e}")))
}

pub(crate) fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| ApiError::not_found(format!("{what} not found")))
}

// ---------------------------------------------------------------------------------------------
// Front middleware: logging, request recording, fault injection, authentication.

async fn front(State(shared): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let is_control = path == "/_sim" || path.starts_with("/_sim/");
    let mut fault = None;
    {
        let mut inner = shared.lock();
        shared.sweep_expired(&mut inner);
    }
    if !is_control {
        let conn = req.extensions().get::<crate::ConnInfo>();
        let mut inner = shared.lock();
        inner.requests.push(RecordedRequest {
            method: method.to_string(),
            path: path.clone(),
            headers: req
                .headers()
                .keys()
                .map(|k| k.as_str().to_owned())
                .collect(),
            mtls: conn.is_some_and(|c| c.mtls),
            client_cert_subject: conn
                .and_then(|c| c.client_subject.as_deref())
                .map(str::to_owned),
        });
        fault = inner.take_fault(method.as_str(), &path);
    }
    let resp = match fault {
        Some(f) => apply_fault(&shared, f, req, next).await,
        None => crate::zauth::authorized(&shared, req, next).await,
    };
    if !shared.quiet {
        let status = if resp.extensions().get::<DropMarker>().is_some() {
            "dropped".to_owned()
        } else {
            resp.status().as_u16().to_string()
        };
        eprintln!("signbridge-sim: {method} {path} -> {status}");
    }
    resp
}

pub(crate) fn status_code_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "VALIDATION_ERROR",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "INVALID_STATE",
        410 => "GONE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        429 => "TOO_MANY_REQUESTS",
        s if s >= 500 => "INTERNAL_ERROR",
        _ => "ERROR",
    }
}

async fn apply_fault(shared: &AppState, fault: Fault, req: Request, next: Next) -> Response {
    if crate::onespan::owns_path(req.uri().path()) {
        if let Some(resp) = crate::onespan::fault_response(&fault) {
            return resp;
        }
    }
    match fault.kind {
        FaultKind::Status => {
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(
                status,
                status_code_name(status),
                format!("Injected fault: HTTP {}", status.as_u16()),
            )
            .into_response()
        }
        FaultKind::RateLimit => {
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Rate limit exceeded, retry later",
            )
            .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(fault.retry_after));
            resp
        }
        FaultKind::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            crate::zauth::authorized(shared, req, next).await
        }
        FaultKind::Drop => {
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(DropMarker);
            resp
        }
        FaultKind::DropAfter => {
            let _acted = crate::zauth::authorized(shared, req, next).await;
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(DropMarker);
            resp
        }
        FaultKind::Truncate => {
            let resp = crate::zauth::authorized(shared, req, next).await;
            let (mut parts, body) = resp.into_parts();
            match axum::body::to_bytes(body, usize::MAX).await {
                Ok(bytes) if bytes.len() >= 2 => {
                    let full = bytes.len();
                    let half = bytes.slice(..full / 2);
                    parts
                        .headers
                        .insert(header::CONTENT_LENGTH, HeaderValue::from(full as u64));
                    let chunks: Vec<Result<Bytes, std::io::Error>> =
                        vec![Ok(half), Err(std::io::Error::other("injected truncation"))];
                    Response::from_parts(
                        parts,
                        Body::from_stream(futures_util::stream::iter(chunks)),
                    )
                }
                _ => {
                    let mut resp = Response::new(Body::empty());
                    resp.extensions_mut().insert(DropMarker);
                    resp
                }
            }
        }
        FaultKind::Corrupt => {
            let resp = crate::zauth::authorized(shared, req, next).await;
            let (parts, body) = resp.into_parts();
            match axum::body::to_bytes(body, usize::MAX).await {
                Ok(bytes) => {
                    let mut data = bytes.to_vec();
                    if !data.is_empty() {
                        let mid = data.len() / 2;
                        data[mid] ^= 0xFF;
                    }
                    Response::from_parts(parts, Body::from(data))
                }
                Err(_) => {
                    let mut resp = Response::new(Body::empty());
                    resp.extensions_mut().insert(DropMarker);
                    resp
                }
            }
        }
        FaultKind::Echo => crate::echo::answer(&fault, req).await,
        FaultKind::Malformed => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            "{\"data\": <<not json",
        )
            .into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// ZignSec API

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateRequest {
    locale: Option<String>,
    redirect_success: Option<String>,
    redirect_failure: Option<String>,
    relay_state: Option<String>,
    #[allow(dead_code)]
    gdpr_user_id: Option<String>,
    webhook: Option<String>,
    #[allow(dead_code)]
    metadata: Option<Value>,
}

pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A webhook URL must be an absolute `http`/`https` URL (deliveries go to loopback only).
pub(crate) fn check_webhook_url(url: &str) -> Result<(), ApiError> {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => Ok(()),
        _ => Err(ApiError::validation(format!(
            "\"webhook\" must be an absolute http(s) URL, got {url:?}"
        ))),
    }
}

async fn create_session(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: CreateRequest = parse_json(&body)?;
    let webhook = non_empty(req.webhook);
    if let Some(url) = &webhook {
        check_webhook_url(url)?;
    }
    let id = Uuid::new_v4();
    let mut session = Session::new(id, shared.now());
    session.locale = non_empty(req.locale);
    session.redirect_success = non_empty(req.redirect_success);
    session.redirect_failure = non_empty(req.redirect_failure);
    session.relay_state = req.relay_state;
    session.webhook = webhook.clone();
    let mut inner = shared.lock();
    let payload = session.webhook_payload("session_created", &shared.media_base(&inner));
    inner.sessions.insert(id, session);
    shared.webhook(
        &mut inner,
        id,
        webhook.as_deref(),
        "session_created",
        &payload,
    );
    drop(inner);
    Ok((
        StatusCode::CREATED,
        Json200(json!({"id": id, "status": "Created"})),
    )
        .into_response())
}

async fn get_session(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id, "Session")?;
    let inner = shared.lock();
    let session = inner
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    Ok(Json200(session.to_json(&shared.media_base(&inner))).into_response())
}

async fn download(
    State(shared): State<AppState>,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult {
    let id = parse_id(&id, "File")?;
    let file_id = parse_id(&file_id, "File")?;
    let inner = shared.lock();
    let session = inner
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::not_found("File not found"))?;
    let file = session
        .find_file(file_id)
        .ok_or_else(|| ApiError::not_found("File not found"))?;
    if session.status == Status::Expired || session.is_stale(shared.now()) {
        return Err(ApiError::new(
            StatusCode::GONE,
            "GONE",
            "The file has expired",
        ));
    }
    Ok(pdf_response(file, false))
}

pub(crate) fn pdf_response(file: &StoredFile, inline: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        file.name.replace(['"', '\\', '\r', '\n'], "_")
    );
    let mut resp = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        file.data.clone(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// Control API

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompleteRequest {
    personal_number: Option<String>,
}

fn with_session<F>(shared: &AppState, id: &str, allowed: &[Status], action: F) -> ApiResult
where
    F: FnOnce(&mut Session) -> Result<(), ApiError>,
{
    let id = parse_id(id, "Session")?;
    let mut inner = shared.lock();
    let media_base = shared.media_base(&inner);
    let session = inner
        .sessions
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    let before = session.status;
    if !allowed.contains(&before) {
        return Err(ApiError::invalid_state(format!(
            "Session is {}",
            before.as_str()
        )));
    }
    action(session)?;
    let body = session.to_json(&media_base);
    shared.signing_changed(&mut inner, id, before);
    Ok(Json200(body).into_response())
}

async fn ctl_complete(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: CompleteRequest = parse_json(&body)?;
    let pn = req
        .personal_number
        .unwrap_or_else(|| TEST_USERS[0].personal_number.to_owned());
    let user =
        find_user(&pn).ok_or_else(|| ApiError::validation(format!("Unknown test user {pn:?}")))?;
    with_session(&shared, &id, &[Status::Pending], |s| {
        s.finish(user).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                format!("Cannot stamp PDF: {e}"),
            )
        })
    })
}

async fn ctl_cancel(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    with_session(&shared, &id, &[Status::Created, Status::Pending], |s| {
        s.cancel();
        Ok(())
    })
}

async fn ctl_fail(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    with_session(&shared, &id, &[Status::Created, Status::Pending], |s| {
        s.fail();
        Ok(())
    })
}

async fn ctl_expire(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    with_session(
        &shared,
        &id,
        &[
            Status::Created,
            Status::Pending,
            Status::Finished,
            Status::Cancelled,
            Status::Failed,
        ],
        |s| {
            s.expire();
            Ok(())
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeysRequest {
    keys: Option<Vec<String>>,
}

async fn ctl_set_keys(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: KeysRequest = parse_json(&body)?;
    let keys = req
        .keys
        .ok_or_else(|| ApiError::validation("Missing \"keys\""))?
        .into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    shared.lock().keys = keys;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RevokeRequest {
    key: Option<String>,
}

async fn ctl_revoke_key(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: RevokeRequest = parse_json(&body)?;
    let key = req
        .key
        .ok_or_else(|| ApiError::validation("Missing \"key\""))?;
    shared.lock().keys.retain(|k| k != key.trim());
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn ctl_config(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: Value = parse_json(&body)?;
    let obj = match req {
        Value::Object(o) => o,
        Value::Null => serde_json::Map::new(),
        _ => return Err(ApiError::validation("The body must be a JSON object")),
    };
    // Only the keys present change; `{}` (or an empty body) resets the media host as before.
    let media_base = match obj.get("media_base_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            non_empty(Some(s.clone())).map(|s| s.trim_end_matches('/').to_owned())
        }
        Some(_) => {
            return Err(ApiError::validation(
                "media_base_url must be a string or null",
            ))
        }
    };
    let touches_media = obj.contains_key("media_base_url")
        || !(obj.contains_key("webhook_secret") || obj.contains_key("webhook_scheme"));
    let secret = match obj.get("webhook_secret") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Null) => Some(crate::DEFAULT_WEBHOOK_SECRET.to_owned()),
        Some(_) => {
            return Err(ApiError::validation(
                "webhook_secret must be a non-empty string (null restores the default)",
            ))
        }
    };
    let scheme = match obj.get("webhook_scheme") {
        None => None,
        Some(Value::Null) => Some(WebhookScheme::V1),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "v1" => Some(WebhookScheme::V1),
            "legacy" => Some(WebhookScheme::Legacy),
            _ => {
                return Err(ApiError::validation(
                    "webhook_scheme must be \"v1\" or \"legacy\"",
                ))
            }
        },
        Some(_) => return Err(ApiError::validation("webhook_scheme must be a string")),
    };
    let mut inner = shared.lock();
    if touches_media {
        inner.media_base = media_base;
    }
    if let Some(secret) = secret {
        inner.webhook_secret = secret;
    }
    if let Some(scheme) = scheme {
        inner.webhook_scheme = scheme;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn ctl_get_config(State(shared): State<AppState>) -> Response {
    let inner = shared.lock();
    Json200(json!({
        "media_base_url": inner.media_base,
        "webhook_secret": inner.webhook_secret,
        "webhook_scheme": inner.webhook_scheme.as_str(),
    }))
    .into_response()
}

/// `GET /_sim/tls`: the TLS listener's completed handshakes and whether it offers HTTP/2.
async fn ctl_tls_stats(State(shared): State<AppState>) -> Response {
    use std::sync::atomic::Ordering;
    Json200(json!({
        "handshakes": shared.tls_stats.handshakes.load(Ordering::Relaxed),
        "http2": shared.tls_stats.http2.load(Ordering::Relaxed),
    }))
    .into_response()
}

fn clock_json(shared: &AppState) -> Response {
    let clock = shared.clock();
    Json200(json!({"now": clock.now_secs(), "speed": clock.speed()})).into_response()
}

async fn ctl_clock(State(shared): State<AppState>) -> Response {
    clock_json(&shared)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClockRequest {
    speed: Option<f64>,
    seconds: Option<f64>,
}

async fn ctl_set_clock(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: ClockRequest = parse_json(&body)?;
    let speed = req
        .speed
        .ok_or_else(|| ApiError::validation("Missing \"speed\""))?;
    if !(speed.is_finite() && speed > 0.0 && speed <= 1e9) {
        return Err(ApiError::validation("speed must be a number in (0, 1e9]"));
    }
    shared.clock().set_speed(speed);
    shared.wake.notify_one();
    Ok(clock_json(&shared))
}

async fn ctl_advance_clock(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: ClockRequest = parse_json(&body)?;
    let seconds = req
        .seconds
        .ok_or_else(|| ApiError::validation("Missing \"seconds\""))?;
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(ApiError::validation("seconds must be a number >= 0"));
    }
    {
        let mut inner = shared.lock();
        shared.clock().advance(seconds);
        shared.sweep_expired(&mut inner);
    }
    shared.wake.notify_one();
    Ok(clock_json(&shared))
}

async fn ctl_webhooks(State(shared): State<AppState>) -> Response {
    let log = shared.lock().webhooks.log.clone();
    Json200(serde_json::to_value(log).unwrap_or_else(|_| json!([]))).into_response()
}

async fn ctl_clear_webhooks(State(shared): State<AppState>) -> StatusCode {
    let mut inner = shared.lock();
    inner.webhooks.log.clear();
    inner.webhooks.pending.clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FaultRequest {
    kind: Option<String>,
    count: Option<u32>,
    path_prefix: Option<String>,
    method: Option<String>,
    status: Option<u16>,
    retry_after: Option<u64>,
    delay_ms: Option<u64>,
    error_code: Option<u16>,
}

async fn ctl_add_fault(State(shared): State<AppState>, body: Bytes) -> ApiResult {
    let req: FaultRequest = parse_json(&body)?;
    let kind = match req.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("status") => FaultKind::Status,
        Some("rate_limit") => FaultKind::RateLimit,
        Some("delay") => FaultKind::Delay,
        Some("drop") => FaultKind::Drop,
        Some("drop_after") => FaultKind::DropAfter,
        Some("truncate") => FaultKind::Truncate,
        Some("corrupt") => FaultKind::Corrupt,
        Some("malformed") => FaultKind::Malformed,
        Some("echo") => FaultKind::Echo,
        other => {
            return Err(ApiError::validation(format!(
                "Unknown fault kind {other:?}: use status, rate_limit, delay, drop, drop_after, truncate, corrupt, malformed or echo"
            )))
        }
    };
    let count = req.count.unwrap_or(1);
    if count == 0 {
        return Err(ApiError::validation("count must be at least 1"));
    }
    let status = req
        .status
        .unwrap_or(if kind == FaultKind::Echo { 400 } else { 500 });
    if kind == FaultKind::Status && !(200..=599).contains(&status) {
        return Err(ApiError::validation("status must be an HTTP status code"));
    }
    if kind == FaultKind::Echo && !(400..=599).contains(&status) {
        return Err(ApiError::validation(
            "an echo fault answers with an error: status must be 400..=599",
        ));
    }
    shared.lock().faults.push_back(Fault {
        kind,
        remaining: count,
        path_prefix: non_empty(req.path_prefix),
        method: non_empty(req.method),
        status,
        retry_after: req.retry_after.unwrap_or(1),
        delay_ms: req.delay_ms.unwrap_or(1000),
        error_code: req.error_code,
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn ctl_clear_faults(State(shared): State<AppState>) -> StatusCode {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    relay_state: Option<String>,
}

/// `GET /_sim/zignsec/signing[?relay_state=X]`: the signing sessions (id, status, relay_state,
/// file count), for tests that check nothing was created twice.
async fn ctl_list_signing(
    State(shared): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Response {
    let inner = shared.lock();
    let list: Vec<serde_json::Value> = inner
        .sessions
        .iter()
        .filter(|(_, s)| q.relay_state.is_none() || s.relay_state == q.relay_state)
        .map(|(id, s)| {
            json!({"id": id.to_string(), "status": s.status.as_str(),
                   "relay_state": s.relay_state, "files": s.input_files.len()})
        })
        .collect();
    Json200(json!(list)).into_response()
}

async fn ctl_requests(State(shared): State<AppState>) -> Response {
    let reqs = shared.lock().requests.clone();
    Json200(serde_json::to_value(reqs).unwrap_or_else(|_| json!([]))).into_response()
}

async fn ctl_clear_requests(State(shared): State<AppState>) -> StatusCode {
    shared.lock().requests.clear();
    StatusCode::NO_CONTENT
}
