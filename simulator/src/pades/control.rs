//! `GET /_sim/pki/{service}/root.pem` and `…/issuing.pem`: the test PKIs' CA certificates, for
//! tests and users to trust (`service`: `bankid` or `onespan`).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use der::EncodePem as _;

use super::pki::Pki;

/// The routes.
pub(crate) fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/_sim/pki/{service}/{file}", get(pem))
}

async fn pem(Path((service, file)): Path<(String, String)>) -> Response {
    let Some(pki) = Pki::for_service(&service) else {
        return (
            StatusCode::NOT_FOUND,
            "unknown service: give bankid or onespan\n",
        )
            .into_response();
    };
    let cert = match file.as_str() {
        "root.pem" => pki.root(),
        "issuing.pem" => pki.issuing(),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "unknown file: give root.pem or issuing.pem\n",
            )
                .into_response()
        }
    };
    match cert.to_pem(der::pem::LineEnding::LF) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/x-pem-file")], text).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}
