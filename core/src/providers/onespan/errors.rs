//! OneSpan error answers (contract §8) mapped onto the error table.
//!
//! Body: `{"code": <status>, "name": "<reason>", "messageKey": "error.<...>", "message": "<text>",
//! "technical": "<detail>"}`. The `messageKey` is kept as the provider code, `message` (plus
//! `technical` when it adds something) as the provider description.
//!
//! | answer | code |
//! |---|---|
//! | 400 with `messageKey` `error.validation.packageActive`, `error.validation.invalidStatusTransition`, `error.validation.packageNotActive` (or 409) | [`ErrorCode::InvalidState`] |
//! | other 400 with an `error.validation.*` key | [`ErrorCode::InvalidArgument`] (the request's content was refused) |
//! | other 400, 406, 422 | [`ErrorCode::Provider`] |
//! | 401 | [`ErrorCode::Auth`] |
//! | 403 | [`ErrorCode::Forbidden`] |
//! | 404 | [`ErrorCode::NotFound`] |
//! | 429 | [`ErrorCode::RateLimited`] (with `Retry-After`) |
//! | 5xx | [`ErrorCode::ProviderUnavailable`] |
//!
//! A body that is not OneSpan's error JSON (an HTML page from a proxy, say) keeps its HTTP status
//! and says so. OAuth token endpoints answer `{"error", "error_description"}`, read the same way.

use serde::Deserialize;

use crate::auth::Role;
use crate::error::{Error, ErrorCode};
use crate::scrub::Scrubber;
use crate::transport::Response;

/// `messageKey`s that mean "not in a state that allows this".
pub(crate) const INVALID_STATE_KEYS: &[&str] = &[
    "error.validation.packageActive",
    "error.validation.invalidStatusTransition",
    "error.validation.packageNotActive",
];

/// OneSpan's error JSON (and the OAuth2 error shape).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub message_key: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub technical: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, rename = "error_description")]
    pub error_description: Option<String>,
}

impl ErrorBody {
    /// The body, when it is a JSON object (fields of unexpected types are ignored).
    pub(crate) fn parse(body: &[u8]) -> Option<ErrorBody> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let obj = v.as_object()?;
        let s = |k: &str| {
            obj.get(k)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(ErrorBody {
            name: s("name"),
            message_key: s("messageKey"),
            message: s("message"),
            technical: s("technical"),
            error: s("error"),
            error_description: s("error_description"),
        })
    }

    /// The provider code: `messageKey`, or the OAuth `error`.
    pub(crate) fn code(&self) -> Option<String> {
        self.message_key.clone().or_else(|| self.error.clone())
    }

    /// The provider description: `message` (with `technical` when it adds something), or the
    /// OAuth `error_description`.
    pub(crate) fn description(&self) -> Option<String> {
        match (&self.message, &self.technical) {
            (Some(m), Some(t)) if t != m => Some(format!("{m} ({t})")),
            (Some(m), _) => Some(m.clone()),
            (None, Some(t)) => Some(t.clone()),
            (None, None) => self.error_description.clone().or_else(|| self.name.clone()),
        }
    }
}

/// The error code for an answer with `status` and `message_key`.
pub(crate) fn code_for(status: u16, message_key: Option<&str>) -> ErrorCode {
    match (status, message_key) {
        (400, Some(k)) if INVALID_STATE_KEYS.contains(&k) => ErrorCode::InvalidState,
        (400, Some(k)) if k.starts_with("error.validation.") => ErrorCode::InvalidArgument,
        (401, _) => ErrorCode::Auth,
        (403, _) => ErrorCode::Forbidden,
        (404, _) => ErrorCode::NotFound,
        (409, _) => ErrorCode::InvalidState,
        (429, _) => ErrorCode::RateLimited,
        (500..=599, _) => ErrorCode::ProviderUnavailable,
        _ => ErrorCode::Provider,
    }
}

/// Map a non-2xx answer of OneSpan (API or token endpoint); its texts are scrubbed with
/// `scrub`.
pub(crate) fn map_error(
    resp: &Response,
    what: &str,
    _role: Option<Role>,
    scrub: &Scrubber,
) -> Error {
    let status = resp.status.as_u16();
    let mut err = match ErrorBody::parse(&resp.body) {
        Some(body) => {
            // The code is chosen from the raw key; what is stored and shown is scrubbed.
            let code = code_for(status, body.message_key.as_deref());
            let key = scrub.opt(body.code().as_deref());
            let description = scrub.opt(body.description().as_deref());
            let detail = match (&key, &description) {
                (Some(k), Some(d)) => format!("{k}: {d}"),
                (Some(k), None) => k.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => "no error details in the answer".to_string(),
            };
            let mut msg = format!(
                "{what} failed with HTTP {status} ({detail}); {}",
                code.message()
            );
            if code == ErrorCode::Auth {
                msg.push_str(AUTH_HINT);
            }
            Error::new(code, msg).with_provider(key, description)
        }
        None => {
            let code = code_for(status, None);
            let ctype = resp
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "no content type".to_string(), |v| scrub.text(v));
            let mut msg = format!(
                "{what} failed with HTTP {status}, and the answer is not OneSpan's error JSON \
                 ({ctype}, {} bytes; typically a page from a proxy or load balancer in front of \
                 the service); {}",
                resp.body.len(),
                code.message()
            );
            if code == ErrorCode::Auth {
                msg.push_str(AUTH_HINT);
            }
            Error::new(code, msg)
        }
    }
    .with_http_status(status);
    if let Some(after) = retry_after(&resp.headers) {
        err = err.with_retry_after(after);
    }
    err
}

const AUTH_HINT: &str = " (check the configured onespan.api_key, onespan.client_app or \
                         onespan.oauth2 credential, and that it is the API authentication method \
                         enabled for the account: OneSpan allows one at a time)";

fn retry_after(headers: &http::HeaderMap) -> Option<std::time::Duration> {
    headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(std::time::Duration::from_secs)
}
