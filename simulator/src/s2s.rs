//! The two-way TLS example of seed 000: `POST /core/api/sessions/bankidse/auth` with
//! `{"personalNumber": "198001011234", "endUserIp": "192.168.1.1"}` (a server-to-server BankID
//! Sweden authentication). The seed shows the request only; the answer is a PROPOSAL modelled on
//! the legacy S2S API (`orderRef`, `autoStartToken`, contract §9): 201
//! `{"id", "status": "Pending", "orderRef", "autoStartToken"}`.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{ApiError, Json200, BODY_LIMIT};

/// `POST /core/api/sessions/bankidse/auth`.
pub(crate) async fn bankidse_auth(req: Request) -> Result<Response, ApiError> {
    let json_body = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Send the body as Content-Type: application/json",
        ));
    }
    let body = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .map_err(|e| ApiError::validation(format!("Cannot read body: {e}")))?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::validation(format!("Invalid JSON body: {e}")))?;
    let pnr = v["personalNumber"].as_str().unwrap_or_default();
    if pnr.len() != 12 || !pnr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(
            "\"personalNumber\" must be a Swedish personal number of 12 digits (YYYYMMDDNNNN)",
        ));
    }
    let ip = v["endUserIp"].as_str().unwrap_or_default();
    if ip.parse::<std::net::IpAddr>().is_err() {
        return Err(ApiError::validation(
            "\"endUserIp\" must be the end user's IP address",
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json200(json!({
            "id": Uuid::new_v4(),
            "status": "Pending",
            "orderRef": Uuid::new_v4(),
            "autoStartToken": Uuid::new_v4(),
        })),
    )
        .into_response())
}
