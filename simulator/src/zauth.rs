//! How the simulated ZignSec gateway authenticates a call (contract §2; seeds 000 and 001), and
//! the opt-in leniencies a test may switch on (`PUT /_sim/zignsec/lenient`, each off by default:
//! the simulator refuses what the service would refuse).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use crate::app::{parse_json, ApiError, Json200};

type AppState = std::sync::Arc<crate::state::Shared>;

/// Leniencies beyond the contract, each an explicit opt-in of a test.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Leniency {
    /// Accept the subscription key in `Zs-Product-Key` (or a bearer token) on document URLs
    /// (`/folders/…`). Seed 001: "You **must use** Authorization header with your Subscription
    /// key" — off by default.
    pub media_any_header: bool,
    /// Accept the legacy `Authorization: <key>` on the products seed 000 lists under the new
    /// scheme (`/api/v5/sessions/{bankidno,scanning-dp50,mitid,watchlist}/…`, `/mobilesdk/`),
    /// which take only `Zs-Product-Key` (+ bearer). Off by default.
    pub legacy_on_new_apis: bool,
    /// Accept a JSON API body without `Content-Type: application/json`. Seed 001's header
    /// table: "Set to application/json if JSON object", required. Off by default.
    pub any_content_type: bool,
}

/// Paths of the gateway that need a subscription key.
pub(crate) fn needs_auth(path: &str) -> bool {
    path.starts_with("/api/v5/")
        || path.starts_with("/folders/")
        || path.starts_with("/core/api/")
        || path.starts_with("/mobilesdk/")
}

/// Whether `path` belongs to a product seed 000 lists under the new (openapi) scheme.
fn new_scheme_product(path: &str) -> bool {
    const PRODUCTS: [&str; 4] = ["bankidno", "scanning-dp50", "mitid", "watchlist"];
    path.starts_with("/mobilesdk/")
        || PRODUCTS.iter().any(|p| {
            path.starts_with(&format!("/api/v5/sessions/{p}/"))
                || path.starts_with(&format!("/api/v5/openapi/{p}/"))
        })
}

/// The authentication step of the front middleware.
pub(crate) async fn authorized(shared: &AppState, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if needs_auth(path) {
        if let Err(e) = check_auth(shared, path, req.headers()) {
            return e.into_response();
        }
        let lenient = shared.lock().lenient.any_content_type;
        if !lenient {
            if let Err(e) = check_json_body(&req) {
                return e.into_response();
            }
        }
    }
    next.run(req).await
}

/// A JSON API call with a body must say `Content-Type: application/json` (seed 001); uploads
/// (`…/files`, multipart or a raw PDF) are exempt.
fn check_json_body(req: &Request) -> Result<(), ApiError> {
    use axum::http::{header, Method};
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        || req.uri().path().ends_with("/files")
    {
        return Ok(());
    }
    let h = req.headers();
    let empty = h.get(header::TRANSFER_ENCODING).is_none()
        && h.get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.trim() == "0");
    let json = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if empty || json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "A JSON body needs Content-Type: application/json",
        ))
    }
}

fn check_auth(shared: &AppState, path: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let header_values = |name: &'static str| {
        headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
            .collect::<Vec<String>>()
    };
    let product_keys = header_values("zs-product-key");
    let authorization = header_values("authorization");
    let bearer = authorization
        .iter()
        .find_map(|v| crate::oauth::bearer_jwt(v).map(str::to_owned));
    let inner = shared.lock();
    let lenient = inner.lenient;
    let valid = |k: &String| inner.keys.iter().any(|v| v == k);
    if path.starts_with("/folders/") && !lenient.media_any_header {
        // Seed 001, GET document: the subscription key in Authorization, nothing else.
        let raw: Vec<&String> = authorization
            .iter()
            .filter(|v| crate::oauth::bearer_jwt(v).is_none() && !v.is_empty())
            .collect();
        if raw.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Documents must be fetched with the subscription key in the Authorization \
                 header (Authorization: <key>)",
            ));
        }
        return if raw.into_iter().any(valid) {
            Ok(())
        } else {
            Err(forbidden())
        };
    }
    if let Some(token) = bearer {
        // OAuth2 (contract §2.2): a valid token AND a valid Zs-Product-Key.
        let now = shared.now_secs();
        if let Err(e) = shared.jwt.verify(&token, &shared.issuers, now) {
            return Err(ApiError::bearer(e.description()));
        }
        if product_keys.iter().all(String::is_empty) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Missing subscription key: a bearer token must be sent with the Zs-Product-Key header",
            ));
        }
        return if product_keys.iter().any(valid) {
            Ok(())
        } else {
            Err(forbidden())
        };
    }
    if inner.oauth.require_bearer {
        return Err(ApiError::bearer_missing(
            "Missing bearer token: send Authorization: Bearer <access token> and Zs-Product-Key",
        ));
    }
    let legacy_ok = !new_scheme_product(path) || lenient.legacy_on_new_apis;
    let presented: Vec<String> = if legacy_ok {
        product_keys.into_iter().chain(authorization).collect()
    } else {
        product_keys
    };
    if presented.is_empty() || presented.iter().all(String::is_empty) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            if legacy_ok {
                "Missing subscription key: send it in the Zs-Product-Key header"
            } else {
                "Missing subscription key: this product takes it only in the Zs-Product-Key \
                 header (the legacy Authorization scheme is not supported here)"
            },
        ));
    }
    if presented.iter().any(valid) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
        "The subscription key is not valid for this product",
    )
}

/// `PUT /_sim/zignsec/lenient {"media_any_header": true, ...}`: switch leniencies on or off
/// (keys left out are off); `GET` shows them.
pub(crate) async fn ctl_set_lenient(
    State(shared): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let l: Leniency = parse_json(&body)?;
    shared.lock().lenient = l;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /_sim/zignsec/lenient`.
pub(crate) async fn ctl_get_lenient(State(shared): State<AppState>) -> Response {
    let l = shared.lock().lenient;
    Json200(json!(l)).into_response()
}
