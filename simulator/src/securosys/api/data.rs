//! Data objects: opaque values stored in the HSM under a label, key-management role
//! (seed 003 lists `/v1/dataObject` and `/v1/dataObject/**`). PROPOSAL: no public source shows
//! the bodies; the simulator serves `POST /v1/dataObject {"label","value":b64}` → 201
//! `{"label"}`, `GET /v1/dataObject/{label}` → `{"label","value"}`, `DELETE
//! /v1/dataObject/{label}` → 200, with the contract's codes 615 (exists), 616 (bad value) and
//! 653 (not found).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{ok_empty, ok_json};
use crate::app::Json200;
use crate::securosys::{parse_body, AppState, SecError, SecResult};

/// Largest value accepted (PROPOSAL; HSM object storage is small).
const MAX_VALUE: usize = 64 * 1024;

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/dataObject", post(create))
        .route("/v1/dataObject/{label}", get(read).delete(remove))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateBody {
    label: Option<String>,
    value: Option<String>,
}

fn not_found(label: &str) -> SecError {
    SecError::new(653, format!("Data object {label} does not exist"))
}

async fn create(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: CreateBody = parse_body(&body)?;
    let label = b
        .label
        .filter(|l| !l.trim().is_empty() && l.len() <= 256)
        .ok_or_else(|| SecError::new(610, "\"label\" is required (1-256 characters)"))?;
    let value = b
        .value
        .as_deref()
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .filter(|v| !v.is_empty() && v.len() <= MAX_VALUE)
        .ok_or_else(|| {
            SecError::new(
                616,
                format!("\"value\" must be base64 of 1 to {MAX_VALUE} bytes"),
            )
        })?;
    let mut sec = shared.securosys.lock();
    if sec.data_objects.contains_key(&label) {
        return Err(SecError::new(
            615,
            format!("A data object with label {label} already exists"),
        ));
    }
    sec.data_objects.insert(label.clone(), value);
    Ok((StatusCode::CREATED, Json200(json!({"label": label}))).into_response())
}

async fn read(State(shared): State<AppState>, Path(label): Path<String>) -> SecResult {
    let sec = shared.securosys.lock();
    let v = sec
        .data_objects
        .get(&label)
        .ok_or_else(|| not_found(&label))?;
    ok_json(json!({"label": label, "value": STANDARD.encode(v)}))
}

async fn remove(State(shared): State<AppState>, Path(label): Path<String>) -> SecResult {
    let mut sec = shared.securosys.lock();
    sec.data_objects
        .remove(&label)
        .ok_or_else(|| not_found(&label))?;
    ok_empty()
}
