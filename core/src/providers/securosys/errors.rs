//! Securosys error bodies (contract §11) mapped onto the error table. The provider's own code
//! (`errorCode`, or `reason` when there is no number) is kept as the provider code, its
//! `message` as the provider description.

use serde::Deserialize;

use crate::auth::Role;
use crate::error::{Error, ErrorCode};
use crate::scrub::Scrubber;
use crate::transport::Response;

/// `{"errorCode": 608, "reason": "res.error.key.already.existing", "message": "..."}`; some
/// paths send only `message`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub error_code: Option<serde_json::Value>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default, alias = "error")]
    pub message: Option<String>,
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> ErrorBody {
        serde_json::from_slice(body).unwrap_or_default()
    }

    pub(crate) fn code_number(&self) -> Option<i64> {
        match self.error_code.as_ref()? {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Our code for a Securosys `errorCode`, when the number says more than the HTTP status.
pub(crate) fn code_for(error_code: i64) -> Option<ErrorCode> {
    Some(match error_code {
        // missing/invalid access token or API key, insufficient login information
        406 | 416 | 617 | 618 | 631 => ErrorCode::Auth,
        // security.not.allowed, timestamp/request signer not allowed, subscription, licensing
        400 | 405 | 415 | 450 | 451 => ErrorCode::Forbidden,
        // approver / key / request / task / data object not existent
        413 | 650..=653 => ErrorCode::NotFound,
        // technical, connectivity, init, config, subsystem, HSM, IO
        1 | 2 | 200..=399 | 700..=799 => ErrorCode::ProviderUnavailable,
        // everything else: the request was refused
        100..=199 | 401..=699 => ErrorCode::Provider,
        _ => return None,
    })
}

/// What a Securosys "not existent" code means for the caller (contract §11), instead of the
/// table's generic sentence about sessions and files.
fn not_found_hint(error_code: i64) -> Option<&'static str> {
    Some(match error_code {
        650 => "the HSM has no key with this label: check the label (list_keys shows them)",
        651 => "the HSM does not know this request id (finished long ago, or never made)",
        652 => "the HSM does not know this approval task (already decided, or another approver's)",
        653 => "the HSM has no data object with this label",
        413 => "the HSM has no approver of this name (approver_status shows one)",
        _ => return None,
    })
}

fn code_for_status(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Auth,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        500..=599 => ErrorCode::ProviderUnavailable,
        _ => ErrorCode::Provider,
    }
}

/// Map a non-2xx answer of the TSB; its `reason` and `message` are scrubbed with `scrub`.
pub(crate) fn map_error(
    resp: &Response,
    what: &str,
    role: Option<Role>,
    scrub: &Scrubber,
) -> Error {
    let status = resp.status.as_u16();
    let mut body = ErrorBody::parse(&resp.body);
    body.reason = scrub.opt(body.reason.as_deref());
    body.message = scrub.opt(body.message.as_deref());
    let number = body.code_number();
    let code = number
        .and_then(code_for)
        .unwrap_or_else(|| code_for_status(status));
    let provider_code = number
        .map(|n| n.to_string())
        .or_else(|| body.reason.clone());
    let mut detail = String::new();
    if let Some(n) = number {
        detail.push_str(&format!("errorCode {n}"));
    }
    if let Some(r) = &body.reason {
        if !detail.is_empty() {
            detail.push(' ');
        }
        detail.push_str(r);
    }
    if let Some(m) = &body.message {
        if !detail.is_empty() {
            detail.push_str(": ");
        }
        detail.push_str(m);
    }
    if detail.is_empty() {
        detail.push_str("no error details in the answer");
    }
    let advice = number
        .and_then(not_found_hint)
        .unwrap_or_else(|| code.message());
    let mut msg = format!("{what} failed with HTTP {status} ({detail}); {advice}");
    if let (Some(role), ErrorCode::Auth | ErrorCode::Forbidden) = (role, code) {
        msg.push_str(&format!(
            " (the call used the API key of role {role}, {}, as configured in \
             securosys.api_keys.{role})",
            role.securosys_name()
        ));
    }
    let description = body.message.or(body.reason.filter(|_| number.is_some()));
    Error::new(code, msg)
        .with_http_status(status)
        .with_provider(provider_code, description)
}
