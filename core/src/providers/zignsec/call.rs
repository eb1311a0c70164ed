//! A call to any gateway product path with any JSON body (seed 000: the new-scheme products
//! bankidno, scanning-dp50, mobilesdk, mitid, watchlist, and the two-way TLS example
//! `POST /core/api/sessions/bankidse/auth` with `personalNumber` and `endUserIp`): authenticated,
//! retried and error-mapped like every typed call, for the products the SDK has no typed API
//! for.

use http::Method;
use serde::{Deserialize, Serialize};

use super::ZignsecClient;
use crate::error::{Error, Result};
use crate::transport::Request;

/// A call to a product path of the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCall {
    /// `GET`, `POST` (default), `PUT`, `PATCH` or `DELETE`.
    #[serde(default = "post")]
    pub method: String,
    /// The path under the gateway, e.g. `/core/api/sessions/bankidse/auth` or
    /// `/api/v5/sessions/mitid/auth` (letters, digits, `-`, `_`, `.` and `/`; no `..`).
    pub path: String,
    /// The JSON body, sent as is (`Content-Type: application/json`); none when absent.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

fn post() -> String {
    "POST".to_owned()
}

/// The gateway path of a [`SessionCall`], checked: relative to the gateway, no `..`, no query.
fn checked_path(raw: &str) -> Result<&str> {
    let p = raw.trim();
    let p = p.strip_prefix('/').unwrap_or(p);
    let ok = !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && p.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if ok {
        Ok(p)
    } else {
        Err(Error::invalid_argument(
            "path must be a product path under the gateway, e.g. \
             /core/api/sessions/bankidse/auth (letters, digits, -, _, . and /; no .., no empty \
             segment, no query)",
        ))
    }
}

impl ZignsecClient {
    /// Call any product path of the gateway with any JSON body: the configured credentials
    /// (subscription key with rotation, bearer token, client certificate), retries and error
    /// mapping apply as for the typed calls. A `POST` that may have reached the gateway is never
    /// repeated (an unreadable answer is [`crate::ErrorCode::OutcomeUnknown`]). Returns the
    /// answer's JSON (`null` for an empty answer).
    pub async fn session_call(&self, call: &SessionCall) -> Result<serde_json::Value> {
        let method = match call.method.trim().to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            other => {
                return Err(Error::invalid_argument(format!(
                    "method {:?} is not one of GET, POST, PUT, PATCH, DELETE",
                    crate::scrub::Scrubber::new().text(other)
                )))
            }
        };
        let t = &self.inner.transport;
        let url = t.url(checked_path(&call.path)?)?;
        let what = "product session call";
        let req = Request::json(method, url, call.body.as_ref(), what)?;
        let acted = !req.idempotent;
        let resp = t.send(req).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        let parse = || {
            serde_json::from_slice(&resp.body).map_err(|e| {
                Error::protocol(format!(
                    "the answer to {what} is not JSON ({})",
                    crate::scrub::answer_error(&e)
                ))
                .with_http_status(resp.status.as_u16())
            })
        };
        if acted {
            super::wire::acted(what, resp.status.as_u16(), parse)
        } else {
            parse()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_under_the_gateway() {
        for ok in [
            "/core/api/sessions/bankidse/auth",
            "api/v5/sessions/mitid/auth",
            "mobilesdk/sessions",
        ] {
            assert!(checked_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/",
            "https://evil.example/x",
            "//evil.example/x",
            "core/../x",
            "core/api?key=1",
            "core//api",
            "core/api/%2e%2e",
        ] {
            assert!(checked_path(bad).is_err(), "{bad}");
        }
    }
}
