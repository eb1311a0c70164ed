//! OneSpan API authentication (§3): API key (`Authorization: Basic <key>`), Client App tokens
//! (`POST /apitoken/clientApp/accessToken`) and OAuth 2.0 client credentials (`POST /oauth2/token`),
//! both used as `Authorization: Bearer`. Exactly one method is active per account; credentials of
//! another method get 401 `error.unauthorised.authMethodDisabled`. Token expiry follows the
//! simulated clock.

use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::state::{account_user, AccountUser, OWNER};
use super::{new_token, ok_json, parse_object, AppState, OsBody, OsError, OsResult};
use crate::app::Json200;

/// Default Client App token lifetime (seconds).
pub(crate) const CLIENT_APP_LIFETIME_S: u64 = 1800;
/// Default OAuth token lifetime (seconds): 5 minutes (§3.3).
pub(crate) const OAUTH_LIFETIME_S: u64 = 300;
/// Longest lifetime the control API accepts (one year).
const MAX_LIFETIME_S: u64 = 365 * 86_400;
/// The `aud` claim of OAuth tokens (PROPOSAL).
const AUDIENCE: &str = "onespan-sign-api";

/// The account's API authentication methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    ApiKey,
    ClientApp,
    OAuth2,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::ApiKey => "api_key",
            Method::ClientApp => "client_app",
            Method::OAuth2 => "oauth2",
        }
    }

    fn parse(s: &str) -> Option<Method> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "api_key" | "apikey" => Some(Method::ApiKey),
            "client_app" | "clientapp" | "apitoken" => Some(Method::ClientApp),
            "oauth2" | "oauth" => Some(Method::OAuth2),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Method::ApiKey => "API key",
            Method::ClientApp => "Client App",
            Method::OAuth2 => "OAuth 2.0",
        }
    }
}

/// An issued bearer token.
pub(crate) struct TokenInfo {
    pub kind: Method,
    pub expires_at: f64,
    pub user: &'static AccountUser,
}

/// Authentication settings, issued tokens and counters.
pub(crate) struct AuthState {
    pub method: Method,
    pub client_app_lifetime_s: u64,
    pub oauth_lifetime_s: u64,
    pub client_app_issued: u64,
    pub oauth_issued: u64,
    /// Issued bearer tokens (Client App tokens and OAuth JWTs) → their data.
    pub tokens: HashMap<String, TokenInfo>,
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            method: Method::ApiKey,
            client_app_lifetime_s: CLIENT_APP_LIFETIME_S,
            oauth_lifetime_s: OAUTH_LIFETIME_S,
            client_app_issued: 0,
            oauth_issued: 0,
            tokens: HashMap::new(),
        }
    }
}

impl AuthState {
    fn insert(&mut self, token: String, info: TokenInfo, now: f64) {
        // Forget tokens that expired more than a day ago (simulated).
        self.tokens.retain(|_, t| t.expires_at > now - 86_400.0);
        self.tokens.insert(token, info);
    }
}

/// Who an authenticated `/api` request acts as (request extension).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Principal {
    pub user: &'static AccountUser,
}

fn disabled(presented: Method, active: Method) -> OsError {
    OsError::unauthorised(
        "error.unauthorised.authMethodDisabled",
        format!(
            "{} authentication is disabled for this account.",
            presented.label()
        ),
    )
    .technical(format!(
        "Only one API authentication method is active per account; the active one is {}.",
        active.label()
    ))
}

/// Checks the `Authorization` header of an `/api` request.
fn check(shared: &AppState, headers: &HeaderMap) -> Result<Principal, OsError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(OsError::unauthorised(
            "error.unauthorised.noAuthorization",
            "Missing credentials: send Authorization: Basic <API key> or Authorization: Bearer <access token>.",
        ));
    };
    let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value.as_str(), ""));
    let rest = rest.trim();
    let now = shared.now();
    let os = shared.onespan.lock();
    let active = os.auth.method;
    if scheme.eq_ignore_ascii_case("basic") {
        if rest != crate::ONESPAN_API_KEY {
            return Err(OsError::unauthorised(
                "error.unauthorised.invalidApiKey",
                "The API key is not valid.",
            ));
        }
        if active != Method::ApiKey {
            return Err(disabled(Method::ApiKey, active));
        }
        return Ok(Principal { user: &OWNER });
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let Some(t) = os.auth.tokens.get(rest) else {
            return Err(OsError::unauthorised(
                "error.unauthorised.invalidToken",
                "The access token is not valid.",
            )
            .technical("Unknown or revoked access token: request a new one."));
        };
        if now >= t.expires_at {
            return Err(OsError::unauthorised(
                "error.unauthorised.tokenExpired",
                "The access token has expired.",
            )
            .technical("Request a new access token."));
        }
        if t.kind != active {
            return Err(disabled(t.kind, active));
        }
        return Ok(Principal { user: t.user });
    }
    Err(OsError::unauthorised(
        "error.unauthorised.unsupportedScheme",
        "Unsupported Authorization scheme: use Basic <API key> or Bearer <access token>.",
    ))
}

/// Middleware of every `/api` route.
pub(crate) async fn authenticate(
    State(shared): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    match check(&shared, req.headers()) {
        Ok(p) => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

fn str_field(o: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// `POST /apitoken/clientApp/accessToken` (§3.2). The body may be UTF-8 or UTF-16LE.
pub(crate) async fn client_app_token(
    State(shared): State<AppState>,
    OsBody(body): OsBody,
) -> OsResult {
    let o = parse_object(&body, "an access token request")?;
    let missing = |k: &str| {
        OsError::bad_request(
            "error.validation.missingField",
            format!("The access token request needs {k}."),
        )
    };
    let client_id = str_field(&o, "clientId").ok_or_else(|| missing("clientId"))?;
    let secret = o
        .get("secret")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("secret"))?;
    let kind = str_field(&o, "type")
        .unwrap_or_else(|| "OWNER".to_owned())
        .to_ascii_uppercase();
    if client_id != crate::ONESPAN_CLIENT_APP_ID || secret != crate::ONESPAN_CLIENT_APP_SECRET {
        return Err(OsError::unauthorised(
            "error.unauthorised.invalidClientCredentials",
            "Unable to create an access token: the client id or secret is wrong.",
        ));
    }
    let user = match kind.as_str() {
        "OWNER" => &OWNER,
        "SENDER" => {
            let email = str_field(&o, "email").ok_or_else(|| {
                OsError::bad_request(
                    "error.validation.emailRequired",
                    "A SENDER access token needs the sender's email.",
                )
            })?;
            account_user(&email).ok_or_else(|| {
                OsError::unauthorised(
                    "error.unauthorised.unknownSender",
                    "The email is not a sender of this account.",
                )
            })?
        }
        other => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                format!("type must be OWNER or SENDER, not {other:?}."),
            ))
        }
    };
    let now = shared.now();
    let mut os = shared.onespan.lock();
    if os.auth.method != Method::ClientApp {
        return Err(disabled(Method::ClientApp, os.auth.method));
    }
    let token = new_token(32);
    let expires_at = now + os.auth.client_app_lifetime_s as f64;
    os.auth.insert(
        token.clone(),
        TokenInfo {
            kind: Method::ClientApp,
            expires_at,
            user,
        },
        now,
    );
    os.auth.client_app_issued += 1;
    drop(os);
    ok_json(json!({
        "accessToken": token,
        "expiresAt": (expires_at * 1000.0).floor() as i64,
    }))
}

// ---------------------------------------------------------------------------------------------
// OAuth 2.0

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = (
        status,
        Json200(json!({"error": error, "error_description": description})),
    )
        .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"onespan\""),
        );
    }
    resp
}

/// `POST /oauth2/token` (§3.3): client credentials only in `Authorization: Basic`.
pub(crate) async fn oauth_token(State(shared): State<AppState>, req: Request) -> Response {
    let base = super::listener_base(&shared, req.extensions());
    let (parts, body) = req.into_parts();
    let body = match super::read_body(body).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    if field("client_id").is_some() || field("client_secret").is_some() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client credentials must be sent in the Authorization header",
        );
    }
    let basic = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned());
    let Some(basic) = basic else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication required: send Authorization: Basic base64(client_id:client_secret)",
        );
    };
    let creds = basic
        .split_once(' ')
        .filter(|(s, _)| s.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b)| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((id, secret)) = creds.as_deref().and_then(|c| c.split_once(':')) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "malformed client authentication: send Authorization: Basic base64(client_id:client_secret)",
        );
    };
    // Contract §3.3: `Authorization: Basic base64(clientId:clientSecret)` with the credentials as
    // they are (`curl -u`), not URL-decoded: a form-encoded secret is a different secret.
    let id_ok = id == crate::ONESPAN_OAUTH_CLIENT_ID;
    let secret_ok = secret == crate::ONESPAN_OAUTH_CLIENT_SECRET;
    if !(id_ok && secret_ok) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client credentials",
        );
    }
    match field("grant_type").as_deref() {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing parameter: grant_type",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported",
            )
        }
    }
    let sender_id = field("sender_id").filter(|s| !s.is_empty());
    let delegator_id = field("delegator_id").filter(|s| !s.is_empty());
    let user = match &sender_id {
        None => &OWNER,
        Some(s) => match account_user(s) {
            Some(u) => u,
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "sender_id is not a user of this account",
                )
            }
        },
    };
    if let Some(d) = &delegator_id {
        if account_user(d).is_none() {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "delegator_id is not a user of this account",
            );
        }
    }
    let scope = field("scope")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "esl_api".to_owned());
    let now = shared.now();
    let mut os = shared.onespan.lock();
    if os.auth.method != Method::OAuth2 {
        let active = os.auth.method.label();
        drop(os);
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            &format!(
                "OAuth 2.0 is not the active API authentication method of this account (active: {active})"
            ),
        );
    }
    let lifetime = os.auth.oauth_lifetime_s;
    let iat = now.floor() as i64;
    let exp = iat.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
    let mut claims = json!({
        "iss": format!("{base}/oauth2"),
        "sub": crate::ONESPAN_OAUTH_CLIENT_ID,
        "aud": AUDIENCE,
        "client_id": crate::ONESPAN_OAUTH_CLIENT_ID,
        "iat": iat,
        "exp": exp,
        "jti": new_token(16),
        "scope": scope,
        "user_id": user.id,
    });
    if let Some(obj) = claims.as_object_mut() {
        if let Some(s) = &sender_id {
            obj.insert("sender_id".into(), json!(s));
        }
        if let Some(d) = &delegator_id {
            obj.insert("delegator_id".into(), json!(d));
        }
    }
    let Ok(jwt) = shared.jwt.sign(&claims) else {
        drop(os);
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "cannot sign the token",
        );
    };
    os.auth.insert(
        jwt.clone(),
        TokenInfo {
            kind: Method::OAuth2,
            expires_at: exp as f64,
            user,
        },
        now,
    );
    os.auth.oauth_issued += 1;
    drop(os);
    let mut resp = Json200(json!({
        "access_token": jwt,
        "token_type": "Bearer",
        "expires_in": lifetime.saturating_sub(1).max(1),
        "scope": scope,
    }))
    .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

// ---------------------------------------------------------------------------------------------
// Control API

fn auth_json(shared: &AppState) -> Value {
    let os = shared.onespan.lock();
    json!({
        "method": os.auth.method.as_str(),
        "client_app_lifetime_s": os.auth.client_app_lifetime_s,
        "oauth_lifetime_s": os.auth.oauth_lifetime_s,
        "client_app_tokens_issued": os.auth.client_app_issued,
        "oauth_tokens_issued": os.auth.oauth_issued,
        // Every token still known (Client App tokens are opaque): the secret-hygiene suite
        // scans all output for each.
        "tokens": os.auth.tokens.keys().collect::<Vec<_>>(),
    })
}

/// `GET /_sim/onespan/auth`
pub(crate) async fn ctl_get_auth(State(shared): State<AppState>) -> OsResult {
    ok_json(auth_json(&shared))
}

/// `PUT /_sim/onespan/auth {"method", "token_lifetime_s", "client_app_lifetime_s", "oauth_lifetime_s"}`
pub(crate) async fn ctl_set_auth(State(shared): State<AppState>, OsBody(body): OsBody) -> OsResult {
    let o = match super::parse_json(&body)? {
        Value::Object(o) => o,
        Value::Null => serde_json::Map::new(),
        _ => return Err(OsError::invalid_json("The body must be a JSON object.")),
    };
    let method = match o.get("method") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Method::parse(s).ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidValue",
                format!("method must be \"api_key\", \"client_app\" or \"oauth2\", not {s:?}."),
            )
        })?),
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                "method must be a string.",
            ))
        }
    };
    let lifetime = |key: &str| -> Result<Option<u64>, OsError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if (1..=MAX_LIFETIME_S).contains(&n) => Ok(Some(n)),
                _ => Err(OsError::bad_request(
                    "error.validation.invalidValue",
                    format!("{key} must be an integer from 1 to {MAX_LIFETIME_S}."),
                )),
            },
        }
    };
    let both = lifetime("token_lifetime_s")?;
    let client_app = lifetime("client_app_lifetime_s")?;
    let oauth = lifetime("oauth_lifetime_s")?;
    {
        let mut os = shared.onespan.lock();
        if let Some(m) = method {
            os.auth.method = m;
        }
        if let Some(n) = client_app.or(both) {
            os.auth.client_app_lifetime_s = n;
        }
        if let Some(n) = oauth.or(both) {
            os.auth.oauth_lifetime_s = n;
        }
    }
    ok_json(auth_json(&shared))
}

/// `POST /_sim/onespan/auth/revoke_tokens`: every issued token stops working.
pub(crate) async fn ctl_revoke_tokens(State(shared): State<AppState>) -> OsResult {
    let mut os = shared.onespan.lock();
    let n = os.auth.tokens.len();
    os.auth.tokens.clear();
    drop(os);
    ok_json(json!({"revoked": n}))
}
