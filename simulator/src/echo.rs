//! The `echo` fault: an error answer that reflects the request — its request line, every header
//! (credentials included) and its body — into the provider's error text, the way a misconfigured
//! gateway, WAF or debug endpoint does. Clients must not let any of it reach their errors or
//! logs unscrubbed; opt-in only (`POST /_sim/faults {"kind": "echo", ...}`).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::Json200;
use crate::state::Fault;

/// Largest body reflected (the simulator accepts bigger uploads).
const MAX_ECHOED_BODY: usize = 1024 * 1024;

/// The request as text: `METHOD URI`, one `name: value` line per header, a blank line, the body
/// (lossy UTF-8).
fn echo_text(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut t = format!("{} {}\n", parts.method, parts.uri);
    for (name, value) in &parts.headers {
        t.push_str(name.as_str());
        t.push_str(": ");
        t.push_str(&String::from_utf8_lossy(value.as_bytes()));
        t.push('\n');
    }
    t.push('\n');
    t.push_str(&String::from_utf8_lossy(
        &body[..body.len().min(MAX_ECHOED_BODY)],
    ));
    t
}

/// The Securosys `errorCode` an echo answer carries: the fault's, or one that fits the status.
fn securosys_code(fault: &Fault) -> u16 {
    fault.error_code.unwrap_or(match fault.status {
        401 => 617,
        403 => 400,
        404 => 650,
        500..=599 => 700,
        _ => 600,
    })
}

/// The echo answer to `req`, in the error shape of the provider that owns its path.
pub(crate) async fn answer(fault: &Fault, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, crate::onespan::BODY_LIMIT)
        .await
        .unwrap_or_default();
    let text = echo_text(&parts, &body);
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::BAD_REQUEST);
    let path = parts.uri.path();
    if path == crate::TOKEN_PATH || path == crate::onespan::OAUTH_TOKEN_PATH {
        // An OAuth2 token endpoint (RFC 6749 §5.2).
        let error = if status == StatusCode::UNAUTHORIZED {
            "invalid_client"
        } else {
            "invalid_request"
        };
        return (
            status,
            Json200(json!({"error": error, "error_description": text})),
        )
            .into_response();
    }
    if crate::onespan::owns_path(path) {
        return crate::onespan::OsError::new(status, "error.simulator.echo", text).into_response();
    }
    if path.starts_with("/v1/") {
        return crate::securosys::SecError::with_status(status, securosys_code(fault), text)
            .into_response();
    }
    crate::app::ApiError::new(status, crate::app::status_code_name(status), text).into_response()
}
