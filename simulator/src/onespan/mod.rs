//! OneSpan Sign sandbox (`shared/api/onespan.md` §1–§9): the three API authentication methods
//! (API key, Client App tokens, OAuth 2.0 client credentials; one active per account), packages
//! (transactions) with roles, documents and approvals, the package state machine, downloads
//! (current and original PDFs, a ZIP, an evidence-summary PDF), the audit trail, signing status,
//! signing URLs with a hosted signing page at `/access`, event callbacks, and a control API under
//! `/_sim/onespan/`.
//!
//! Everything lives in [`OneSpanState`], its own lock inside the shared state. Lock order: the
//! shared `Inner` lock may be held while this one is taken (the expiry sweep does that), never
//! the other way round. The simulated clock lock is a leaf.
//!
//! Module map: [`auth`] (API key, Client App, OAuth2, the `/api` authentication layer),
//! [`state`] (model and state machine), [`packages`] (package, role, status, audit and token
//! endpoints), [`documents`] (document endpoints and downloads), [`ui`] (the signing page),
//! [`callbacks`] (registration and delivery), [`zip`], [`evidence`], [`control`] (`/_sim/onespan`).

pub(crate) mod auth;
pub(crate) mod callbacks;
pub(crate) mod control;
pub(crate) mod documents;
pub(crate) mod evidence;
pub(crate) mod packages;
pub(crate) mod state;
pub(crate) mod ui;
pub(crate) mod zip;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use bytes::Bytes;
use ring::rand::SecureRandom as _;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::app::Json200;
use crate::state::Shared;

pub(crate) type AppState = Arc<Shared>;

/// Largest request body the OneSpan endpoints read (uploads included).
pub(crate) const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Path of the Client App token endpoint (web base).
pub(crate) const CLIENT_APP_TOKEN_PATH: &str = "/apitoken/clientApp/accessToken";
/// Path of the OAuth 2.0 token endpoint (web base).
pub(crate) const OAUTH_TOKEN_PATH: &str = "/oauth2/token";
/// Path of the hosted signing page (web base).
pub(crate) const ACCESS_PATH: &str = "/access";
/// Path of the callback registration (API base `{base}/api`).
pub(crate) const CALLBACK_PATH: &str = "/api/callback";

// ---------------------------------------------------------------------------------------------
// State

/// The OneSpan account of the simulator (its own lock).
pub(crate) struct OneSpanState {
    inner: Arc<Mutex<OsInner>>,
}

impl std::fmt::Debug for OneSpanState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens, session tokens and the callback key live inside: never printed.
        f.debug_struct("OneSpanState").finish_non_exhaustive()
    }
}

impl Default for OneSpanState {
    fn default() -> Self {
        OneSpanState {
            inner: Arc::new(Mutex::new(OsInner::default())),
        }
    }
}

impl OneSpanState {
    /// Locks the account state. Dropping the guard starts the callback worker when deliveries
    /// are queued and no worker runs.
    pub fn lock(&self) -> OsGuard<'_> {
        OsGuard {
            guard: Some(lock_raw(&self.inner)),
            arc: &self.inner,
        }
    }

    /// Expires every SENT package whose `due` time has passed (called by the shared expiry
    /// sweep, which runs on every request and every worker tick).
    pub fn sweep(&self, now: f64) {
        let mut g = self.lock();
        g.expire_due(now);
    }
}

pub(crate) fn lock_raw(m: &Mutex<OsInner>) -> MutexGuard<'_, OsInner> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A lock on [`OsInner`] that kicks the callback worker when released.
pub(crate) struct OsGuard<'a> {
    guard: Option<MutexGuard<'a, OsInner>>,
    arc: &'a Arc<Mutex<OsInner>>,
}

impl std::ops::Deref for OsGuard<'_> {
    type Target = OsInner;
    fn deref(&self) -> &OsInner {
        // The option is only emptied in `drop`.
        self.guard.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for OsGuard<'_> {
    fn deref_mut(&mut self) -> &mut OsInner {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for OsGuard<'_> {
    fn drop(&mut self) {
        if let Some(mut g) = self.guard.take() {
            if !g.cb_queue.is_empty() && !g.cb_worker_running {
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    g.cb_worker_running = true;
                    rt.spawn(callbacks::deliver_loop(self.arc.clone()));
                }
            }
        }
    }
}

/// Everything of the simulated account.
#[derive(Default)]
pub(crate) struct OsInner {
    pub auth: auth::AuthState,
    pub packages: HashMap<String, state::Package>,
    /// Packages ever created (the soak test counts creates).
    pub created_total: u64,
    /// Creation order counter.
    pub seq: u64,
    /// Signing-session tokens of `/access?sessionToken=` → (package id, role id).
    pub sessions: HashMap<String, (String, String)>,
    /// Tokens from `/api/authenticationTokens/...`.
    pub auth_tokens: HashMap<String, packages::AuthToken>,
    pub callback: Option<callbacks::Registration>,
    /// Callback deliveries, oldest first (ids ascending).
    pub deliveries: Vec<callbacks::DeliveryRecord>,
    /// Ids of deliveries waiting to be sent, in order.
    pub cb_queue: VecDeque<u64>,
    pub cb_next_id: u64,
    pub cb_worker_running: bool,
}

impl OsInner {
    /// Queues callbacks for `events` of package `package_id` (audit entries are already recorded
    /// by the state machine).
    pub fn dispatch(&mut self, package_id: &str, events: Vec<state::Ev>) {
        for ev in events {
            callbacks::enqueue(self, package_id, &ev);
        }
    }

    /// The package `id` or a 404.
    pub fn package(&self, id: &str) -> Result<&state::Package, OsError> {
        self.packages
            .get(id)
            .ok_or_else(|| OsError::package_not_found(id))
    }

    /// The package `id` (mutable) or a 404.
    pub fn package_mut(&mut self, id: &str) -> Result<&mut state::Package, OsError> {
        self.packages
            .get_mut(id)
            .ok_or_else(|| OsError::package_not_found(id))
    }

    fn expire_due(&mut self, now: f64) {
        let due: Vec<String> = self
            .packages
            .values()
            .filter(|p| p.status == state::PkgStatus::Sent && p.due.is_some_and(|d| d <= now))
            .map(|p| p.id.clone())
            .collect();
        for id in due {
            let evs = match self.packages.get_mut(&id) {
                Some(p) => p.expire(now),
                None => continue,
            };
            if let Ok(evs) = evs {
                self.dispatch(&id, evs);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Routes

/// All OneSpan routes: `/api/...` behind the OneSpan authentication layer, the token endpoints,
/// the signing page, and the control API.
pub(crate) fn router(shared: AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/api/packages", post(packages::create).get(packages::list))
        .route(
            "/api/packages/{id}",
            get(packages::get_package)
                .put(packages::update)
                .post(packages::update)
                .delete(packages::delete_package),
        )
        .route(
            "/api/packages/{id}/documents",
            post(documents::add).delete(documents::delete_many),
        )
        .route("/api/packages/{id}/documents/zip", get(documents::zip))
        .route(
            "/api/packages/{id}/documents/{doc}",
            get(documents::get_document)
                .put(documents::update_document)
                .delete(documents::delete_document),
        )
        .route(
            "/api/packages/{id}/documents/{doc}/pdf",
            get(documents::pdf),
        )
        .route(
            "/api/packages/{id}/documents/{doc}/original",
            get(documents::original),
        )
        .route(
            "/api/packages/{id}/evidence/summary",
            get(documents::evidence_summary),
        )
        .route("/api/packages/{id}/audit", get(packages::audit))
        .route(
            "/api/packages/{id}/signingStatus",
            get(packages::signing_status),
        )
        .route(
            "/api/packages/{id}/roles",
            get(packages::roles)
                .post(packages::add_role)
                .put(packages::reorder_roles),
        )
        .route(
            "/api/packages/{id}/roles/{role}",
            get(packages::role)
                .put(packages::update_role)
                .delete(packages::delete_role),
        )
        .route(
            "/api/packages/{id}/roles/{role}/signingUrl",
            get(packages::signing_url),
        )
        .route(
            CALLBACK_PATH,
            post(callbacks::register)
                .put(callbacks::register)
                .get(callbacks::registration)
                .delete(callbacks::unregister),
        )
        .route("/api/authenticationTokens/user", post(packages::token_user))
        .route(
            "/api/authenticationTokens/sender",
            post(packages::token_sender),
        )
        .route(
            "/api/authenticationTokens/signer/multiUse",
            post(packages::token_signer_multi),
        )
        .route(
            "/api/authenticationTokens/signer/singleUse",
            post(packages::token_signer_single),
        )
        .route_layer(middleware::from_fn_with_state(shared, auth::authenticate));
    let open = Router::new()
        .route(CLIENT_APP_TOKEN_PATH, post(auth::client_app_token))
        .route(OAUTH_TOKEN_PATH, post(auth::oauth_token))
        .route(ACCESS_PATH, get(ui::page).post(ui::submit))
        .route("/access/documents/{doc}", get(ui::document))
        .route("/auth", get(ui::auth_redirect));
    let control = Router::new()
        .route(
            "/_sim/onespan/auth",
            get(auth::ctl_get_auth).put(auth::ctl_set_auth),
        )
        .route(
            "/_sim/onespan/auth/revoke_tokens",
            post(auth::ctl_revoke_tokens),
        )
        .route("/_sim/onespan/packages", get(control::list_packages))
        .route(
            "/_sim/onespan/packages/{id}/roles/{role}/sign",
            post(control::sign),
        )
        .route(
            "/_sim/onespan/packages/{id}/roles/{role}/decline",
            post(control::decline),
        )
        .route(
            "/_sim/onespan/packages/{id}/roles/{role}/opt_out",
            post(control::opt_out),
        )
        .route("/_sim/onespan/packages/{id}/expire", post(control::expire))
        .route(
            "/_sim/onespan/callbacks",
            get(control::callbacks).delete(control::clear_callbacks),
        )
        .route(
            "/_sim/onespan/callbacks/replay",
            post(control::replay_callbacks),
        );
    api.merge(open).merge(control)
}

/// True for request paths the OneSpan simulation answers (its error shape applies to unknown
/// routes there too).
pub(crate) fn owns_path(path: &str) -> bool {
    (path.starts_with("/api/") && !path.starts_with("/api/v5/"))
        || path == "/api"
        || path.starts_with("/apitoken/")
        || path.starts_with("/oauth2/")
        || path == ACCESS_PATH
        || path.starts_with("/access/")
        || path == "/auth"
        || path.starts_with("/_sim/onespan/")
}

/// The 404 for an unknown OneSpan route.
pub(crate) fn unknown_route(uri: &Uri) -> Response {
    OsError::not_found(
        "error.notFound.endpoint",
        format!("No such endpoint: {}", uri.path()),
    )
    .into_response()
}

/// The 405 for a known OneSpan route and a wrong method.
pub(crate) fn wrong_method(uri: &Uri) -> Response {
    OsError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "error.methodNotAllowed",
        format!("This method is not allowed on {}", uri.path()),
    )
    .into_response()
}

/// The answer of an injected `status` or `rate_limit` fault on a OneSpan path, in the §8 shape
/// (other fault kinds act on the real answer and return `None`).
pub(crate) fn fault_response(fault: &crate::state::Fault) -> Option<Response> {
    use crate::state::FaultKind;
    match fault.kind {
        FaultKind::Status => {
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(
                OsError::new(
                    status,
                    "error.simulator.injectedFault",
                    format!("Injected fault: HTTP {}", status.as_u16()),
                )
                .into_response(),
            )
        }
        FaultKind::RateLimit => {
            let mut resp = OsError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "error.tooManyRequests",
                "Rate limit exceeded, retry later.",
            )
            .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(fault.retry_after));
            Some(resp)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Errors (§8)

/// A OneSpan error: `{"code","name","messageKey","message","technical"}` with that status.
#[derive(Debug, Clone)]
pub(crate) struct OsError {
    pub status: StatusCode,
    pub key: String,
    pub message: String,
    pub technical: String,
}

impl OsError {
    pub fn new(status: StatusCode, key: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        OsError {
            status,
            key: key.to_owned(),
            technical: message.clone(),
            message,
        }
    }
    /// Sets the `technical` detail.
    pub fn technical(mut self, technical: impl Into<String>) -> Self {
        self.technical = technical.into();
        self
    }
    pub fn bad_request(key: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, key, message)
    }
    pub fn not_found(key: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, key, message)
    }
    pub fn unauthorised(key: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, key, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.internal.unexpected",
            message,
        )
    }
    pub fn package_not_found(id: &str) -> Self {
        Self::not_found(
            "error.notFound.packageNotFound",
            "The transaction was not found.",
        )
        .technical(format!(
            "No transaction with id '{id}' exists in this account."
        ))
    }
    pub fn document_not_found(id: &str) -> Self {
        Self::not_found(
            "error.notFound.documentNotFound",
            "The document was not found.",
        )
        .technical(format!(
            "No document with id '{id}' exists in this transaction."
        ))
    }
    pub fn role_not_found(id: &str) -> Self {
        Self::not_found("error.notFound.roleNotFound", "The role was not found.").technical(
            format!("No role or signer with id '{id}' exists in this transaction."),
        )
    }
    /// An edit of a package that is not a DRAFT.
    pub fn package_active(status: state::PkgStatus) -> Self {
        Self::bad_request(
            "error.validation.packageActive",
            "The transaction can only be changed while it is a DRAFT.",
        )
        .technical(format!(
            "The transaction is {}: move it back to DRAFT (PUT {{\"status\":\"DRAFT\"}}) before editing it.",
            status.as_str()
        ))
    }
    pub fn invalid_transition(from: &str, to: &str) -> Self {
        Self::bad_request(
            "error.validation.invalidStatusTransition",
            format!("A transaction that is {from} cannot become {to}."),
        )
    }
    /// A signing action on a package that is not in progress.
    pub fn package_not_active(status: &str) -> Self {
        Self::bad_request(
            "error.validation.packageNotActive",
            "The transaction is not in progress.",
        )
        .technical(format!(
            "Signing needs a SENT transaction (signing URLs also COMPLETED); this one is {status}."
        ))
    }
    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "error.validation.invalidJson",
            "The request body is not valid JSON.",
        )
        .technical(detail.to_string())
    }
}

impl IntoResponse for OsError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.status.as_u16(),
            "name": self.status.canonical_reason().unwrap_or("Error"),
            "messageKey": self.key,
            "message": self.message,
            "technical": self.technical,
        });
        (self.status, Json200(body)).into_response()
    }
}

pub(crate) type OsResult = Result<Response, OsError>;

/// 200 with a JSON body.
pub(crate) fn ok_json(v: Value) -> OsResult {
    Ok(Json200(v).into_response())
}

// ---------------------------------------------------------------------------------------------
// Extractors that answer with OneSpan errors

/// `Path<T>` whose rejection is a OneSpan error (segments are percent-decoded).
pub(crate) struct OsPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for OsPath<T> {
    type Rejection = OsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(OsPath(v)),
            Err(e) => Err(OsError::bad_request(
                "error.validation.invalidPath",
                "The request path is not valid.",
            )
            .technical(e.body_text())),
        }
    }
}

/// The request body as bytes, with a OneSpan error when it is too large or unreadable.
pub(crate) struct OsBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for OsBody {
    type Rejection = OsError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        read_body(req.into_body()).await.map(OsBody)
    }
}

pub(crate) async fn read_body(body: axum::body::Body) -> Result<Bytes, OsError> {
    axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|e| {
        OsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "error.validation.requestTooLarge",
            format!("The request body could not be read (at most {BODY_LIMIT} bytes)."),
        )
        .technical(e.to_string())
    })
}

/// Query pairs of a URI (decoded), in order.
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first query value named `name`.
pub(crate) fn query_get(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

// ---------------------------------------------------------------------------------------------
// JSON bodies

/// Decodes a JSON body sent as UTF-8 (with or without BOM), or UTF-16LE/BE (with or without
/// BOM: the .NET SDK sends UTF-16LE without one, §3.2).
pub(crate) fn decode_text(body: &[u8]) -> Result<String, OsError> {
    let bad = |what: &str| {
        OsError::bad_request(
            "error.validation.invalidEncoding",
            "The request body is not valid text.",
        )
        .technical(format!("The body is not valid {what}."))
    };
    let utf16 = |bytes: &[u8], le: bool| -> Result<String, OsError> {
        if bytes.len() % 2 != 0 {
            return Err(bad("UTF-16"));
        }
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| bad("UTF-16"))
    };
    if let Some(rest) = body.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).map_err(|_| bad("UTF-8"));
    }
    if let Some(rest) = body.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = body.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    if body.len() >= 2 && body[1] == 0 && body[0] != 0 {
        return utf16(body, true);
    }
    if body.len() >= 2 && body[0] == 0 && body[1] != 0 {
        return utf16(body, false);
    }
    String::from_utf8(body.to_vec()).map_err(|_| bad("UTF-8"))
}

/// Parses a JSON body (any of the encodings of [`decode_text`]); an empty body is `null`.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, OsError> {
    let text = decode_text(body)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(OsError::invalid_json)
}

/// Parses a JSON object body; anything else is a 400 naming `what`.
pub(crate) fn parse_object(
    body: &[u8],
    what: &str,
) -> Result<serde_json::Map<String, Value>, OsError> {
    match parse_json(body)? {
        Value::Object(o) => Ok(o),
        _ => Err(OsError::invalid_json(format!(
            "The body must be a JSON object ({what})."
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Identifiers and time

/// `n` random bytes from the system generator.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if ring::rand::SystemRandom::new().fill(&mut buf).is_err() {
        // The system generator does not fail on supported platforms; fall back to UUIDs.
        for chunk in buf.chunks_mut(16) {
            let u = uuid::Uuid::new_v4();
            chunk.copy_from_slice(&u.as_bytes()[..chunk.len()]);
        }
    }
    buf
}

/// A package or document id: base64 (URL-safe alphabet, `=` kept) of 20 random bytes, 28
/// characters, e.g. `xT9OeZ-j2jIynQBaLeLdgp9CtZk=`.
pub(crate) fn new_id() -> String {
    base64::engine::general_purpose::URL_SAFE.encode(random_bytes(20))
}

/// A 12-character alphanumeric id (signers, roles, approvals, fields), e.g. `8QS1yr3q8DEZ`.
pub(crate) fn short_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes(12)
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// An opaque secret token (URL-safe, no padding).
pub(crate) fn new_token(bytes: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// Simulated Unix seconds → `2019-10-09T19:32:12.255Z`.
pub(crate) fn iso_millis(t: f64) -> String {
    let ms = (t * 1000.0).floor() as i64;
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses `yyyy-MM-dd'T'HH:mm:ss[.SSS][Z|±hh:mm]` (no zone = UTC, §2) or `yyyy-MM-dd` into Unix
/// seconds.
pub(crate) fn parse_datetime(s: &str) -> Option<f64> {
    let s = s.trim();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, "00:00:00"),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (clock, offset) = if let Some(t) = time.strip_suffix(['Z', 'z']) {
        (t, 0i64)
    } else if let Some(i) = time.rfind(['+', '-']).filter(|i| *i >= 5) {
        let (t, z) = time.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let z = &z[1..];
        let (hh, mm) = z.split_once(':').unwrap_or((z.get(..2)?, z.get(2..)?));
        let off = hh.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60;
        (t, sign * off)
    } else {
        (time, 0)
    };
    let mut tp = clock.split(':');
    let hh: i64 = tp.next()?.parse().ok()?;
    let mm: i64 = tp.next()?.parse().ok()?;
    let ss: f64 = tp.next().unwrap_or("0").parse().ok()?;
    if tp.next().is_some() || hh > 23 || mm > 59 || !(0.0..61.0).contains(&ss) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    Some((days * 86_400 + hh * 3600 + mm * 60 - offset) as f64 + ss)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Date and time of Unix seconds `t` (UTC): (year, month, day, hour, minute, second).
pub(crate) fn civil_time(t: f64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = t.floor() as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

// ---------------------------------------------------------------------------------------------
// Downloads

/// RFC 5987 `filename*=UTF-8''...` percent-encoding (attr-char kept).
pub(crate) fn percent_encode_filename(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A binary download: `Content-Disposition: attachment; filename*=UTF-8''<name>`.
pub(crate) fn download(content_type: &'static str, filename: &str, data: Bytes) -> Response {
    let mut resp = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        data,
    )
        .into_response();
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode_filename(filename)
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The base URL of the listener a request came to (the mTLS one has its own).
pub(crate) fn listener_base(shared: &Shared, parts: &axum::http::Extensions) -> String {
    parts
        .get::<crate::ConnInfo>()
        .map(|c| c.base_url.to_string())
        .unwrap_or_else(|| shared.base_url.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_datetime("2019-10-09T19:32:12.255Z").expect("parse");
        assert_eq!(iso_millis(t), "2019-10-09T19:32:12.255Z");
        let plain = parse_datetime("2019-10-09T19:32:12").expect("parse");
        assert_eq!(iso_millis(plain), "2019-10-09T19:32:12.000Z");
        let off = parse_datetime("2019-10-09T21:32:12+02:00").expect("parse");
        assert_eq!(off, plain);
        assert!(parse_datetime("2019-13-09T19:32:12").is_none());
        assert!(parse_datetime("yesterday").is_none());
    }

    #[test]
    fn ids_have_the_observed_shape() {
        let id = new_id();
        assert_eq!(id.len(), 28);
        assert!(id.ends_with('='));
        assert!(!id.contains(['+', '/']));
        assert_eq!(short_id().len(), 12);
    }

    #[test]
    fn utf16_bodies_decode() {
        let text = r#"{"a":"b"}"#;
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode_text(&le).expect("le"), text);
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode_text(&be).expect("be"), text);
        assert_eq!(decode_text(text.as_bytes()).expect("utf8"), text);
    }

    #[test]
    fn filename_encoding() {
        assert_eq!(percent_encode_filename("a b.pdf"), "a%20b.pdf");
        assert_eq!(percent_encode_filename("Å.pdf"), "%C3%85.pdf");
    }
}
