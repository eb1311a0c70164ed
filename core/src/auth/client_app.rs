//! OneSpan Sign Client App access tokens (contract `onespan.md` §3.2).
//!
//! `POST {web}/apitoken/clientApp/accessToken` with the JSON body
//! `{"clientId","secret","type":"OWNER"|"SENDER","email"?}` and no `Authorization` header,
//! answered with `{"accessToken","expiresAt"}`. `expiresAt` is epoch milliseconds (the official
//! SDKs); a value below 10^12 is read as epoch seconds (some community clients). The token is
//! then sent as `Authorization: Bearer <accessToken>`, cached by [`super::TokenSource`] and
//! refreshed 60 s before `expiresAt` (a fifth of the lifetime for short-lived tokens), one
//! request however many callers wait.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use url::Url;

use super::token::{auth_setup_error, refresh_at, Cached, TokenOptions, DEFAULT_LIFETIME};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::{Body, Request, Transport};

/// Whom a Client App token acts as.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ClientAppType {
    /// The account owner (`"OWNER"`, default).
    #[default]
    #[serde(alias = "OWNER", alias = "Owner")]
    Owner,
    /// A sender of the account, named by `email` (`"SENDER"`).
    #[serde(alias = "SENDER", alias = "Sender")]
    Sender,
}

impl ClientAppType {
    /// The wire spelling (`OWNER` / `SENDER`).
    pub fn wire(self) -> &'static str {
        match self {
            ClientAppType::Owner => "OWNER",
            ClientAppType::Sender => "SENDER",
        }
    }
}

/// A Client App token grant: where to ask and with what.
pub(crate) struct ClientAppGrant {
    /// `{web}/apitoken/clientApp/accessToken`.
    pub url: Url,
    pub client_id: String,
    pub secret: SecretString,
    pub kind: ClientAppType,
    /// The sender to act as (`SENDER` only).
    pub email: Option<String>,
    /// The configuration field prefix named in errors (`onespan.client_app`).
    pub field: &'static str,
}

impl fmt::Debug for ClientAppGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAppGrant")
            .field("url", &self.url.as_str())
            .field("client_id", &self.client_id)
            .field("secret", &"[REDACTED]")
            .field("type", &self.kind)
            .field("email", &self.email)
            .finish()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessRequest<'a> {
    client_id: &'a str,
    secret: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessAnswer {
    access_token: String,
    #[serde(default)]
    expires_at: Option<f64>,
}

/// `expiresAt` values below this are epoch seconds, not milliseconds (10^12 ms is 2001-09-09).
const SECONDS_BELOW: f64 = 1e12;

/// The time left until `expires_at` (epoch ms, or epoch s below 10^12) seen at `now_ms`.
pub(crate) fn lifetime_from_expires_at(expires_at: f64, now_ms: f64) -> Duration {
    let at_ms = if expires_at < SECONDS_BELOW {
        expires_at * 1000.0
    } else {
        expires_at
    };
    let left = (at_ms - now_ms) / 1000.0;
    if left.is_finite() && left > 0.0 {
        Duration::from_secs_f64(left.min(super::token::MAX_LIFETIME_S))
    } else {
        Duration::ZERO
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

impl ClientAppGrant {
    pub(crate) fn check(&self) -> Result<()> {
        if self.client_id.trim().is_empty() {
            return Err(Error::new(
                ErrorCode::AuthConfigMissing,
                format!(
                    "{}.client_id is empty; give the Client App id from the OneSpan admin pages \
                     (Admin > API Access)",
                    self.field
                ),
            ));
        }
        match (self.kind, &self.email) {
            (ClientAppType::Sender, None) => Err(Error::invalid_config(format!(
                "{0}.type is \"sender\" but {0}.email is missing; give the email of the sender \
                 to act as",
                self.field
            ))),
            (ClientAppType::Owner, Some(_)) => Err(Error::invalid_config(format!(
                "{0}.email is only used with {0}.type \"sender\"; remove it or set the type",
                self.field
            ))),
            _ => Ok(()),
        }
    }

    /// Ask for a new token.
    pub(super) async fn fetch(
        &self,
        transport: &Transport,
        options: &TokenOptions,
    ) -> Result<Cached> {
        let body = serde_json::to_vec(&AccessRequest {
            client_id: &self.client_id,
            secret: self.secret.expose_secret(),
            kind: self.kind.wire(),
            email: self.email.as_deref(),
        })
        .map_err(|e| Error::internal(format!("could not encode the token request: {e}")))?;
        let req = Request {
            method: http::Method::POST,
            url: self.url.clone(),
            body: Body::Json(Bytes::from(body)),
            // Asking for a token twice is harmless.
            idempotent: true,
            what: "request a Client App access token",
            headers: options.headers.clone(),
            role: None,
        };
        let started = Instant::now();
        let resp = transport.send(req).await.map_err(|e| self.token_error(e))?;
        let answer: AccessAnswer = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::protocol(format!(
                "the Client App token endpoint's answer has no accessToken ({})",
                crate::scrub::answer_error(&e)
            ))
        })?;
        if answer.access_token.is_empty()
            || HeaderValue::from_str(&format!("Bearer {}", answer.access_token)).is_err()
        {
            return Err(Error::protocol(
                "the Client App token endpoint issued a token that cannot be sent in a header",
            ));
        }
        let lifetime = match answer.expires_at.filter(|v| v.is_finite()) {
            Some(at) => lifetime_from_expires_at(at, now_ms()),
            None => {
                tracing::warn!("Client App token without expiresAt; assuming 5 minutes");
                DEFAULT_LIFETIME
            }
        };
        tracing::debug!(lifetime_s = lifetime.as_secs(), "Client App token issued");
        Ok(Cached {
            value: SecretString::from(answer.access_token),
            refresh_at: refresh_at(started, lifetime, options.min_margin),
        })
    }

    fn token_error(&self, e: Error) -> Error {
        if !matches!(
            e.code(),
            ErrorCode::Auth | ErrorCode::Forbidden | ErrorCode::Provider | ErrorCode::NotFound
        ) {
            return auth_setup_error(e, "the Client App token endpoint");
        }
        let said = e
            .provider_description()
            .or(e.provider_code())
            .unwrap_or("no error details in the answer");
        let mut out = Error::new(
            ErrorCode::Auth,
            format!(
                "the Client App token endpoint refused the credentials ({said}); check {0}.client_id, \
                 {0}.secret, {0}.type and {0}.email, and that Client App tokens are the API \
                 authentication method enabled for the account (only one is active at a time)",
                self.field
            ),
        )
        .with_provider(
            e.provider_code().map(str::to_string),
            e.provider_description().map(str::to_string),
        );
        if let Some(s) = e.http_status() {
            out = out.with_http_status(s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_at_in_milliseconds_or_seconds() {
        let now = 1_700_000_000_000.0;
        // Milliseconds: 30 minutes ahead.
        let l = lifetime_from_expires_at(now + 1_800_000.0, now);
        assert_eq!(l.as_secs(), 1800);
        // Seconds: the same instant.
        let l = lifetime_from_expires_at((now + 1_800_000.0) / 1000.0, now);
        assert_eq!(l.as_secs(), 1800);
        // Already past: zero (refreshed on the next call).
        assert_eq!(lifetime_from_expires_at(now - 1.0, now), Duration::ZERO);
        assert_eq!(lifetime_from_expires_at(1.0, now), Duration::ZERO);
    }

    #[test]
    fn request_body_and_debug() {
        let g = ClientAppGrant {
            url: Url::parse("https://sandbox.esignlive.com/apitoken/clientApp/accessToken")
                .expect("url"),
            client_id: "app".into(),
            secret: SecretString::from("s3cr3t-value".to_string()),
            kind: ClientAppType::Sender,
            email: Some("a@example.com".into()),
            field: "onespan.client_app",
        };
        assert!(g.check().is_ok());
        let d = format!("{g:?}");
        assert!(!d.contains("s3cr3t-value"), "{d}");
        let body = serde_json::to_value(AccessRequest {
            client_id: "app",
            secret: "x",
            kind: g.kind.wire(),
            email: g.email.as_deref(),
        })
        .expect("json");
        assert_eq!(
            body,
            serde_json::json!({"clientId":"app","secret":"x","type":"SENDER","email":"a@example.com"})
        );
        let owner = serde_json::to_value(AccessRequest {
            client_id: "app",
            secret: "x",
            kind: ClientAppType::Owner.wire(),
            email: None,
        })
        .expect("json");
        assert!(owner.get("email").is_none());
        let no_email = ClientAppGrant { email: None, ..g };
        assert_eq!(
            no_email.check().err().map(|e| e.code()),
            Some(ErrorCode::InvalidConfig)
        );
    }
}
