//! Bearer tokens from an OAuth2 client-credentials grant, shared by every provider that uses one.
//!
//! - The token endpoint is configured directly or read from an OpenID discovery document. A
//!   discovered endpoint must be on the discovery document's origin (the client secret is sent
//!   there); configure `token_url` explicitly to trust another host.
//! - Client authentication by HTTP Basic (default) or form body, per provider.
//! - Tokens are cached until `expires_in` (or the JWT `exp` claim) minus a margin (60 s, or a
//!   fifth of the lifetime for short-lived tokens).
//! - Refresh is single-flight: concurrent callers at expiry wait for one token request, and no
//!   lock is held across it (a `fork()` child never waits for its parent's request); a provider
//!   that rejects freshly issued tokens gets no new token request for a growing back-off (see
//!   [`super::token_cache`]).
//! - A 401 on an API call invalidates the token; the transport retries that call once.
//!
//! The same cache serves OneSpan's Client App tokens ([`ClientAppGrant`], a JSON request answered
//! with `accessToken` + `expiresAt`). Per-provider [`TokenOptions`] add form fields and headers to
//! the token request and choose whether a JWT's `exp` claim outranks `expires_in`.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::client_app::ClientAppGrant;
use super::token_cache::TokenCache;
use crate::error::{Error, ErrorCode, Result};
use crate::scrub::Scrubber;
use crate::transport::{Body, ErrorMapper, Request, Transport, TransportConfig};

/// How the client authenticates at the token endpoint.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)` (default).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// Where the token endpoint is.
#[derive(Debug, Clone)]
pub(crate) enum Endpoint {
    /// A fixed token URL.
    Fixed(Url),
    /// An OpenID configuration document naming the token endpoint.
    Discover(Url),
}

/// A client-credentials grant.
pub(crate) struct ClientCredentials {
    pub endpoint: Endpoint,
    pub client_id: String,
    pub client_secret: SecretString,
    pub auth: ClientAuth,
    pub scope: Option<String>,
}

pub(super) struct Cached {
    pub(super) value: SecretString,
    pub(super) refresh_at: Instant,
}

/// How a token is obtained.
enum Grant {
    /// OAuth2 client credentials.
    Credentials(ClientCredentials),
    /// A OneSpan Client App access token.
    ClientApp(ClientAppGrant),
}

/// Provider-specific details of token requests and their lifetime.
#[derive(Default)]
pub(crate) struct TokenOptions {
    /// Extra form fields of a client-credentials request (OneSpan `sender_id`, `delegator_id`).
    pub extra_form: Vec<(String, String)>,
    /// Extra headers of every token request (e.g. OneSpan's versioned `Accept`/`Content-Type`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Take the lifetime from the JWT's `exp` claim when the token has one, over `expires_in`.
    pub prefer_jwt_exp: bool,
    /// Refresh at least this long before expiry (the default margin rule may choose more).
    pub min_margin: Duration,
    /// HTTP Basic client authentication with the id and secret as they are
    /// (`base64(id:secret)`, `curl -u`: OneSpan's contract §3.3), not form-encoded first as
    /// RFC 6749 §2.3.1 asks.
    pub raw_basic: bool,
}

/// A cached, single-flight source of bearer tokens.
pub(crate) struct TokenSource {
    grant: Grant,
    transport: Transport,
    /// The discovered token endpoint (locked only to read or write it, never across I/O).
    token_url: Mutex<Option<Url>>,
    cache: TokenCache,
    options: TokenOptions,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.grant {
            Grant::Credentials(g) => f
                .debug_struct("TokenSource")
                .field("endpoint", &g.endpoint)
                .field("client_id", &g.client_id)
                .field("client_secret", &"[REDACTED]")
                .field("auth", &g.auth)
                .finish(),
            Grant::ClientApp(g) => f
                .debug_struct("TokenSource")
                .field("client_app", g)
                .finish(),
        }
    }
}

/// The largest margin before expiry at which a token is refreshed.
const MAX_MARGIN: Duration = Duration::from_secs(60);
/// Longest token lifetime believed, in seconds (~31 years); a larger one (`expires_in: 1e20`)
/// is ignored like a missing one: it would overflow `Duration` / `Instant` arithmetic.
pub(super) const MAX_LIFETIME_S: f64 = 1e9;
/// Lifetime assumed when the token endpoint says nothing about it.
pub(super) const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// When to refresh a token of `lifetime` issued at `started`: a margin of 60 s, or a fifth of
/// the lifetime for short-lived tokens, but at least `min_margin`.
pub(super) fn refresh_at(started: Instant, lifetime: Duration, min_margin: Duration) -> Instant {
    let margin = MAX_MARGIN.min(lifetime / 5).max(min_margin);
    started + lifetime.saturating_sub(margin)
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct Discovery {
    token_endpoint: String,
}

#[derive(Deserialize, Default)]
struct OAuthError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl TokenSource {
    pub(crate) fn new(
        grant: ClientCredentials,
        transport: &TransportConfig,
        identity: Option<&crate::auth::ClientIdentity>,
    ) -> Result<TokenSource> {
        if grant.client_id.trim().is_empty() {
            return Err(Error::new(
                ErrorCode::AuthConfigMissing,
                "oauth2.client_id is empty; give the client id your provider issued",
            ));
        }
        let base = match &grant.endpoint {
            Endpoint::Fixed(u) | Endpoint::Discover(u) => u.clone(),
        };
        let mut secrets = Scrubber::new();
        secrets.client_secret(&grant.client_id, grant.client_secret.expose_secret());
        let transport = Transport::new(base, None, transport, identity)?.with_secrets(&secrets);
        Ok(TokenSource {
            grant: Grant::Credentials(grant),
            transport,
            token_url: Mutex::new(None),
            cache: TokenCache::default(),
            options: TokenOptions::default(),
        })
    }

    /// A source of OneSpan Client App access tokens.
    pub(crate) fn client_app(
        grant: ClientAppGrant,
        transport: &TransportConfig,
        identity: Option<&crate::auth::ClientIdentity>,
    ) -> Result<TokenSource> {
        grant.check()?;
        let mut secrets = Scrubber::new();
        secrets.client_secret(&grant.client_id, grant.secret.expose_secret());
        let transport =
            Transport::new(grant.url.clone(), None, transport, identity)?.with_secrets(&secrets);
        Ok(TokenSource {
            grant: Grant::ClientApp(grant),
            transport,
            token_url: Mutex::new(None),
            cache: TokenCache::default(),
            options: TokenOptions::default(),
        })
    }

    /// Teach `scrub` the secrets this source sends to its token endpoint.
    pub(crate) fn scrub_into(&self, scrub: &mut Scrubber) {
        scrub.extend(self.transport.scrubber());
    }

    /// The same source with provider-specific request details and lifetime rules.
    pub(crate) fn with_options(mut self, options: TokenOptions) -> TokenSource {
        self.options = options;
        self
    }

    /// Map the token endpoint's error answers with `mapper` (its provider's error shape).
    pub(crate) fn with_error_mapper(mut self, mapper: ErrorMapper) -> TokenSource {
        self.transport = self.transport.with_error_mapper(mapper);
        self
    }

    /// A valid token: the cached one, or a new one (one request however many callers wait).
    pub(crate) async fn token(&self) -> Result<SecretString> {
        self.cache.get(|| self.fetch()).await
    }

    /// Forget `rejected` (if it is still the cached token) so the next call fetches a new one.
    pub(crate) fn invalidate(&self, rejected: &SecretString) {
        self.cache.invalidate(rejected);
    }

    /// The provider rejected `rejected`, fetched to retry a call it had refused: hold token
    /// requests back for a while (see [`super::token_cache`]).
    pub(crate) fn rejected_fresh(&self, rejected: &SecretString) {
        self.cache.rejected_fresh(rejected);
    }

    /// The provider accepted `token`.
    pub(crate) fn accepted(&self, token: &SecretString) {
        self.cache.accepted(token);
    }

    async fn endpoint(&self, grant: &ClientCredentials) -> Result<Url> {
        let discovery = match &grant.endpoint {
            Endpoint::Fixed(u) => return Ok(u.clone()),
            Endpoint::Discover(u) => u.clone(),
        };
        if let Some(u) = self.lock_token_url().as_ref() {
            return Ok(u.clone());
        }
        let resp = self
            .transport
            .send(Request::get(
                discovery.clone(),
                "read the OpenID configuration",
            ))
            .await
            .map_err(|e| {
                if e.code() == crate::ErrorCode::NotFound {
                    // A 404 here is a wrong address, not an unknown session or file.
                    return Error::new(
                        crate::ErrorCode::InvalidConfig,
                        format!(
                            "no OpenID configuration at {}; give the issuer (oauth2.issuer) or \
                             its /.well-known/openid-configuration URL (oauth2.discovery_url), \
                             or the token endpoint (oauth2.token_url)",
                            crate::transport::shown_url(&discovery)
                        ),
                    )
                    .with_http_status(404);
                }
                auth_setup_error(e, "the OpenID configuration")
            })?;
        let doc: Discovery = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::protocol(format!(
                "the OpenID configuration at {discovery} has no usable token_endpoint ({})",
                crate::scrub::answer_error(&e)
            ))
        })?;
        let url = Url::parse(&doc.token_endpoint).map_err(|e| {
            Error::protocol(format!("the discovered token_endpoint is not a URL: {e}"))
        })?;
        if url.origin() != discovery.origin() {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                format!(
                    "the discovered token endpoint {url} is not on the discovery document's \
                     origin; the client secret is only sent there if you configure it as \
                     oauth2.token_url explicitly"
                ),
            ));
        }
        *self.lock_token_url() = Some(url.clone());
        Ok(url)
    }

    fn lock_token_url(&self) -> std::sync::MutexGuard<'_, Option<Url>> {
        self.token_url.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(&self) -> Result<Cached> {
        let g = match &self.grant {
            Grant::Credentials(g) => g,
            Grant::ClientApp(g) => return g.fetch(&self.transport, &self.options).await,
        };
        let url = self.endpoint(g).await?;
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        if let Some(s) = &g.scope {
            form.push(("scope", s));
        }
        for (k, v) in &self.options.extra_form {
            form.push((k, v));
        }
        let mut headers = self.options.headers.clone();
        match g.auth {
            ClientAuth::Basic => {
                // RFC 6749 §2.3.1: form-encode id and secret before joining them (unless the
                // provider documents them as they are).
                let raw = if self.options.raw_basic {
                    format!("{}:{}", g.client_id, g.client_secret.expose_secret())
                } else {
                    format!(
                        "{}:{}",
                        form_encode(&g.client_id),
                        form_encode(g.client_secret.expose_secret())
                    )
                };
                let mut v = HeaderValue::from_str(&format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ))
                .map_err(|_| {
                    Error::invalid_config("oauth2 client credentials are not header-safe")
                })?;
                v.set_sensitive(true);
                headers.push((http::header::AUTHORIZATION, v));
            }
            ClientAuth::Post => {
                form.push(("client_id", &g.client_id));
                form.push(("client_secret", g.client_secret.expose_secret()));
            }
        }
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request {
            method: http::Method::POST,
            url: url.clone(),
            body: Body::Form(Bytes::from(body)),
            // Asking for a token twice is harmless.
            idempotent: true,
            what: "request an access token",
            headers,
            role: None,
        };
        let started = Instant::now();
        let resp = self.transport.send(req).await.map_err(token_error)?;
        let answer: TokenAnswer = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::protocol(format!(
                "the token endpoint's answer has no access_token ({})",
                crate::scrub::answer_error(&e)
            ))
        })?;
        if let Some(t) = &answer.token_type {
            if !t.eq_ignore_ascii_case("bearer") {
                return Err(Error::protocol(format!(
                    "the token endpoint issued a \"{}\" token; only Bearer tokens are supported",
                    self.transport.scrubber().text(t)
                )));
            }
        }
        if HeaderValue::from_str(&format!("Bearer {}", answer.access_token)).is_err() {
            return Err(Error::protocol(
                "the issued access token cannot be sent in a header",
            ));
        }
        let lifetime = token_lifetime(
            answer.expires_in,
            &answer.access_token,
            self.options.prefer_jwt_exp,
        );
        tracing::debug!(lifetime_s = lifetime.as_secs(), "access token issued");
        Ok(Cached {
            value: SecretString::from(answer.access_token),
            refresh_at: refresh_at(started, lifetime, self.options.min_margin),
        })
    }

    /// The `Authorization: Bearer` header for `token`.
    pub(crate) fn header(token: &SecretString) -> Option<(HeaderName, HeaderValue)> {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).ok()?;
        v.set_sensitive(true);
        Some((http::header::AUTHORIZATION, v))
    }
}

/// A token's lifetime from `expires_in` and the JWT `exp` claim, in the order `prefer_jwt` says;
/// [`DEFAULT_LIFETIME`] when neither tells.
fn token_lifetime(expires_in: Option<f64>, token: &str, prefer_jwt: bool) -> Duration {
    let expires_in = expires_in
        .filter(|s| s.is_finite() && *s > 0.0 && *s < MAX_LIFETIME_S)
        .map(Duration::from_secs_f64);
    if prefer_jwt {
        jwt_lifetime(token).or(expires_in)
    } else {
        expires_in.or_else(|| jwt_lifetime(token))
    }
    .unwrap_or(DEFAULT_LIFETIME)
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The remaining lifetime from a JWT's `exp` claim (not verified: the client only needs to know
/// when to refresh).
fn jwt_lifetime(token: &str) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = v.get("exp")?.as_f64()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    (exp > now && exp - now < MAX_LIFETIME_S).then(|| Duration::from_secs_f64(exp - now))
}

fn token_error(e: Error) -> Error {
    if matches!(
        e.code(),
        ErrorCode::Auth | ErrorCode::Provider | ErrorCode::Forbidden
    ) {
        let pe: OAuthError = e
            .provider_code()
            .map(|c| OAuthError {
                error: Some(c.to_string()),
                error_description: e.provider_description().map(str::to_string),
            })
            .unwrap_or_default();
        let what = match (&pe.error, &pe.error_description) {
            (Some(c), Some(d)) => format!("{c}: {d}"),
            (Some(c), None) => c.clone(),
            _ => e.message().to_string(),
        };
        let mut out = Error::new(
            ErrorCode::Auth,
            format!(
                "the token endpoint refused the client credentials ({what}); check \
                 oauth2.client_id and oauth2.client_secret"
            ),
        )
        .with_provider(pe.error, pe.error_description);
        if let Some(s) = e.http_status() {
            out = out.with_http_status(s);
        }
        return out;
    }
    auth_setup_error(e, "the token endpoint")
}

pub(super) fn auth_setup_error(e: Error, what: &str) -> Error {
    let code = e.code();
    let mut out = Error::new(
        code,
        format!("could not get an access token from {what}: {}", e.message()),
    );
    if let Some(s) = e.http_status() {
        out = out.with_http_status(s);
    }
    if let Some(r) = e.retry_after() {
        out = out.with_retry_after(r);
    }
    out.with_provider(
        e.provider_code().map(str::to_string),
        e.provider_description().map(str::to_string),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_margin_rules() {
        let t = Instant::now();
        let s = Duration::from_secs;
        // Five-minute tokens: 60 s early, whatever the minimum.
        assert_eq!(refresh_at(t, s(300), Duration::ZERO), t + s(240));
        assert_eq!(refresh_at(t, s(300), s(10)), t + s(240));
        // Short tokens: a fifth of the lifetime, but at least the minimum (OneSpan's 10 s).
        assert_eq!(refresh_at(t, s(30), Duration::ZERO), t + s(24));
        assert_eq!(refresh_at(t, s(30), s(10)), t + s(20));
        // Shorter than the margin: refreshed on the next call.
        assert_eq!(refresh_at(t, s(5), s(10)), t);
    }

    #[test]
    fn jwt_exp_gives_the_lifetime() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"exp\":{}}}", now + 300));
        let token = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
        let l = jwt_lifetime(&token).expect("lifetime");
        assert!(l <= Duration::from_secs(300) && l >= Duration::from_secs(290));
        assert!(jwt_lifetime("opaque-token").is_none());
    }

    #[test]
    fn jwt_exp_can_outrank_expires_in() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"exp\":{}}}", now + 120));
        let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
        // expires_in says 300 s, the JWT says 120 s.
        let preferred = token_lifetime(Some(300.0), &jwt, true);
        assert!(preferred <= Duration::from_secs(120) && preferred >= Duration::from_secs(110));
        assert_eq!(
            token_lifetime(Some(300.0), &jwt, false),
            Duration::from_secs(300)
        );
        assert_eq!(
            token_lifetime(Some(300.0), "opaque", true),
            Duration::from_secs(300)
        );
        assert_eq!(token_lifetime(None, "opaque", true), DEFAULT_LIFETIME);
    }
}
