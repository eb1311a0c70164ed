//! ZignSec OAuth2 / OIDC (contract §2.2, a Keycloak-style PROPOSAL): discovery, the
//! client-credentials token endpoint, the JWKS, and verification of the bearer tokens it issues.
//!
//! Tokens are compact JWS (ES256, ECDSA P-256 with SHA-256) signed with a key pair generated when
//! the simulator starts. `iat`/`exp` are on the simulated clock, so tests can jump past `exp`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use bytes::Bytes;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::app::{non_empty, parse_json, ApiError, Json200};
use crate::state::Shared;

type AppState = Arc<Shared>;

/// Path of the realm every OAuth endpoint lives under.
pub(crate) const REALM_PATH: &str = "/auth/realms/zignsec";
/// The `aud` claim of issued tokens (PROPOSAL: the real audience is unknown).
pub(crate) const AUDIENCE: &str = "zignsec-gateway";
/// The JWS algorithm of issued tokens.
pub(crate) const ALG: &str = "ES256";

/// Longest token lifetime the control API accepts (one year).
const MAX_LIFETIME_S: u64 = 365 * 86_400;

/// The simulator's token-signing key (generated at start, never written anywhere).
pub(crate) struct JwtKey {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    /// RFC 7638 JWK thumbprint of the public key.
    pub kid: String,
    /// Base64url of the affine x coordinate.
    pub x: String,
    /// Base64url of the affine y coordinate.
    pub y: String,
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKey")
            .field("alg", &ALG)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a bearer token was refused (the text goes into the 401 `description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    Algorithm,
    Signature,
    Issuer,
    Expired,
    NotYetValid,
}

impl TokenError {
    pub fn description(self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed token",
            TokenError::Algorithm => "unsupported token algorithm",
            TokenError::Signature => "invalid token signature",
            TokenError::Issuer => "invalid token issuer",
            TokenError::Expired => "token expired",
            TokenError::NotYetValid => "token not yet valid",
        }
    }
}

impl JwtKey {
    /// Generates a fresh P-256 key pair.
    pub fn generate() -> std::io::Result<JwtKey> {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng)
            .map_err(|_| std::io::Error::other("cannot generate the token-signing key"))?;
        let key = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
            .map_err(|e| std::io::Error::other(format!("token-signing key rejected: {e}")))?;
        // Uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
        let point = key.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            return Err(std::io::Error::other("unexpected public key encoding"));
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
        let thumb_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumb_input.as_bytes()));
        Ok(JwtKey {
            key,
            rng,
            kid,
            x,
            y,
        })
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kid": self.kid,
            "kty": "EC",
            "alg": ALG,
            "use": "sig",
            "crv": "P-256",
            "x": self.x,
            "y": self.y,
        })
    }

    /// Signs `claims` as a compact JWS.
    pub fn sign(&self, claims: &Value) -> Result<String, ApiError> {
        let header = json!({"alg": ALG, "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self.key.sign(&self.rng, input.as_bytes()).map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "cannot sign the token",
            )
        })?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref())))
    }

    /// Verifies a token: ES256 signature by this key, `iss` one of `issuers`, `exp` (and `nbf`
    /// when present) against `now` (simulated Unix seconds). Returns the claims.
    pub fn verify(&self, token: &str, issuers: &[String], now: i64) -> Result<Value, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode_json = |seg: &str| -> Result<Value, TokenError> {
            let raw = URL_SAFE_NO_PAD
                .decode(seg)
                .map_err(|_| TokenError::Malformed)?;
            serde_json::from_slice(&raw).map_err(|_| TokenError::Malformed)
        };
        let header = decode_json(h)?;
        let claims = decode_json(p)?;
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| TokenError::Malformed)?;
        if header["alg"] != ALG {
            return Err(TokenError::Algorithm);
        }
        let public = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            self.key.public_key().as_ref(),
        );
        public
            .verify(format!("{h}.{p}").as_bytes(), &sig)
            .map_err(|_| TokenError::Signature)?;
        let iss = claims["iss"].as_str().unwrap_or_default();
        if !issuers.iter().any(|i| i == iss) {
            return Err(TokenError::Issuer);
        }
        let exp = claims["exp"].as_i64().ok_or(TokenError::Malformed)?;
        if now >= exp {
            return Err(TokenError::Expired);
        }
        if claims["nbf"].as_i64().is_some_and(|nbf| now < nbf) {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

/// Run-time OAuth settings and counters (in `Inner`).
#[derive(Debug, Clone)]
pub(crate) struct OAuthState {
    pub clients: Vec<(String, String)>,
    pub token_lifetime_s: u64,
    pub tokens_issued: u64,
    pub require_bearer: bool,
}

/// True when `value` (an `Authorization` header value) is `Bearer <three dot-separated parts>`.
pub(crate) fn bearer_jwt(value: &str) -> Option<&str> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim();
    let looks_like_jws = token.split('.').count() == 3
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    looks_like_jws.then_some(token)
}

/// The issuer URL for a listener base URL.
pub(crate) fn issuer_for(base_url: &str) -> String {
    format!("{base_url}{REALM_PATH}")
}

/// The base URL of the listener a request came to.
fn listener_base(shared: &Shared, req: &Request) -> String {
    req.extensions()
        .get::<crate::ConnInfo>()
        .map(|c| c.base_url.to_string())
        .unwrap_or_else(|| shared.base_url.clone())
}

// ---------------------------------------------------------------------------------------------
// OAuth2 error bodies

/// An OAuth2 error response (RFC 6749 §5.2): `{"error","error_description"}`.
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    basic_challenge: bool,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }
    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    fn invalid_client(description: impl Into<String>, basic: bool) -> Self {
        OAuthError {
            basic_challenge: basic,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            no_store(),
            Json200(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        if self.basic_challenge {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"zignsec\""),
            );
        }
        resp
    }
}

fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// `GET /auth/realms/zignsec/.well-known/openid-configuration`
pub(crate) async fn discovery(State(shared): State<AppState>, req: Request) -> Response {
    let issuer = issuer_for(&listener_base(&shared, &req));
    Json200(json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": [ALG],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }))
    .into_response()
}

/// `GET /auth/realms/zignsec/protocol/openid-connect/certs`
pub(crate) async fn certs(State(shared): State<AppState>) -> Response {
    Json200(json!({"keys": [shared.jwt.jwk()]})).into_response()
}

/// Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: each part form-urlencoded
/// before base64), if that header is present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Err(OAuthError::invalid_client(
            "Unsupported Authorization header: use Basic client authentication",
            true,
        ));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "Unsupported Authorization scheme: use Basic client authentication",
            true,
        ));
    }
    let decoded = STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| OAuthError::invalid_client("Malformed Basic credentials", true))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| OAuthError::invalid_client("Malformed Basic credentials", true))?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// `POST /auth/realms/zignsec/protocol/openid-connect/token`
pub(crate) async fn token(State(shared): State<AppState>, req: Request) -> Response {
    match issue_token(&shared, req).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn issue_token(shared: &AppState, req: Request) -> Result<Response, OAuthError> {
    let issuer = issuer_for(&listener_base(shared, &req));
    let (parts, body) = req.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let body = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| OAuthError::invalid_request("Cannot read the request body"))?;
    let mut form: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        if form.iter().any(|(seen, _)| *seen == k) {
            return Err(OAuthError::invalid_request(format!(
                "Parameter {k:?} is repeated"
            )));
        }
        form.push((k.into_owned(), v.into_owned()));
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let grant_type = field("grant_type")
        .filter(|g| !g.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("Missing parameter: grant_type"))?;

    let basic = basic_credentials(&parts.headers)?;
    let (client_id, secret, by_basic) = match basic {
        Some((id, secret)) => {
            if field("client_secret").is_some() {
                return Err(OAuthError::invalid_request(
                    "Use one client authentication method: HTTP Basic or client_secret in the body",
                ));
            }
            if field("client_id").is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the Basic credentials",
                ));
            }
            (id, secret, true)
        }
        None => {
            let id = field("client_id")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| OAuthError::invalid_request("Missing parameter: client_id"))?;
            let secret = field("client_secret")
                .ok_or_else(|| OAuthError::invalid_request("Missing parameter: client_secret"))?;
            (id, secret, false)
        }
    };

    let mut inner = shared.lock();
    let known = inner.oauth.clients.iter().find(|(id, _)| *id == client_id);
    match known {
        None => {
            return Err(OAuthError::invalid_client(
                "Invalid client credentials",
                by_basic,
            ))
        }
        Some((_, valid)) if *valid != secret => {
            return Err(OAuthError::invalid_client(
                "Invalid client credentials",
                by_basic,
            ))
        }
        Some(_) => {}
    }
    if grant_type != "client_credentials" {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant_type {grant_type:?}: only client_credentials is supported"),
        ));
    }
    let scope = field("scope").unwrap_or_default();
    let lifetime = inner.oauth.token_lifetime_s;
    let now = shared.now_secs();
    let claims = json!({
        "iss": issuer,
        "sub": client_id,
        "aud": AUDIENCE,
        "azp": client_id,
        "iat": now,
        "exp": now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX)),
        "jti": Uuid::new_v4(),
        "typ": "Bearer",
        "scope": scope,
    });
    let access_token = shared.jwt.sign(&claims).map_err(|_| {
        OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "cannot sign the token",
        )
    })?;
    inner.oauth.tokens_issued += 1;
    drop(inner);
    Ok((
        StatusCode::OK,
        no_store(),
        Json200(json!({
            "access_token": access_token,
            "expires_in": lifetime,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": scope,
        })),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Control API

fn oauth_json(shared: &AppState) -> Value {
    let inner = shared.lock();
    json!({
        "tokens_issued": inner.oauth.tokens_issued,
        "token_lifetime_s": inner.oauth.token_lifetime_s,
        "clients": inner.oauth.clients.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        "require_bearer": inner.oauth.require_bearer,
    })
}

/// `GET /_sim/oauth`
pub(crate) async fn ctl_get(State(shared): State<AppState>) -> Response {
    Json200(oauth_json(&shared)).into_response()
}

/// `DELETE /_sim/oauth`: resets the `tokens_issued` counter.
pub(crate) async fn ctl_reset(State(shared): State<AppState>) -> StatusCode {
    shared.lock().oauth.tokens_issued = 0;
    StatusCode::NO_CONTENT
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClientIn {
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OAuthRequest {
    token_lifetime_s: Option<u64>,
    clients: Option<Vec<ClientIn>>,
}

/// `PUT /_sim/oauth {"token_lifetime_s": 2, "clients": [{"client_id","client_secret"}]}`
pub(crate) async fn ctl_set(
    State(shared): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: OAuthRequest = parse_json(&body)?;
    if let Some(l) = req.token_lifetime_s {
        if !(1..=MAX_LIFETIME_S).contains(&l) {
            return Err(ApiError::validation(format!(
                "token_lifetime_s must be an integer in [1, {MAX_LIFETIME_S}]"
            )));
        }
    }
    let clients = match req.clients {
        None => None,
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for c in list {
                let (Some(id), Some(secret)) = (non_empty(c.client_id), c.client_secret) else {
                    return Err(ApiError::validation(
                        "each client needs a non-empty client_id and a client_secret",
                    ));
                };
                out.push((id, secret));
            }
            Some(out)
        }
    };
    let mut inner = shared.lock();
    if let Some(l) = req.token_lifetime_s {
        inner.oauth.token_lifetime_s = l;
    }
    if let Some(c) = clients {
        inner.oauth.clients = c;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuthRequest {
    require_bearer: Option<bool>,
}

/// `PUT /_sim/zignsec/auth {"require_bearer": true}`
pub(crate) async fn ctl_set_auth(
    State(shared): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: AuthRequest = parse_json(&body)?;
    let flag = req
        .require_bearer
        .ok_or_else(|| ApiError::validation("Missing \"require_bearer\" (true or false)"))?;
    shared.lock().oauth.require_bearer = flag;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /_sim/zignsec/auth`
pub(crate) async fn ctl_get_auth(State(shared): State<AppState>) -> Response {
    let flag = shared.lock().oauth.require_bearer;
    Json200(json!({"require_bearer": flag})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let key = JwtKey::generate().expect("key");
        let iss = vec!["http://x/auth/realms/zignsec".to_owned()];
        let tok = key
            .sign(&json!({"iss": iss[0], "exp": 100, "sub": "c"}))
            .map_err(|_| ())
            .expect("sign");
        assert_eq!(bearer_jwt(&format!("Bearer {tok}")), Some(tok.as_str()));
        assert!(key.verify(&tok, &iss, 99).is_ok());
        assert_eq!(key.verify(&tok, &iss, 100), Err(TokenError::Expired));
        assert_eq!(
            key.verify(&tok, &["other".to_owned()], 99),
            Err(TokenError::Issuer)
        );
        let other = JwtKey::generate().expect("key");
        assert_eq!(other.verify(&tok, &iss, 99), Err(TokenError::Signature));
        assert_eq!(key.verify("a.b", &iss, 0), Err(TokenError::Malformed));
        assert_eq!(bearer_jwt("Bearer 5f1c7a2e-0d3b"), None);
    }
}
