//! How failures become errors: a failed exchange (network, TLS, timeout, proxy) and a
//! provider's error answer, mapped onto the error table.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde::Deserialize;
use url::Url;

use super::proxy;
use super::request::Response;
use crate::error::{Error, ErrorCode};
use crate::scrub::Scrubber;

pub(crate) fn timeout_error(what: &str, url: &Url, after: Duration) -> Error {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    Error::new(
        ErrorCode::Timeout,
        format!(
            "{what}: timed out after {:.1} s ({host}:{port}); allow more time with \
             transport.request_timeout_ms (or, for large transfers, a lower \
             transport.min_transfer_bytes_per_s)",
            after.as_secs_f64()
        ),
    )
}

/// A non-idempotent request failed after it may have reached the provider: resending could
/// create a second resource, so the caller must look first.
pub(crate) fn outcome_unknown(err: Error, what: &str) -> Error {
    Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "{what}: the request may or may not have been carried out ({}); it was not resent \
             so nothing is created twice. Look it up (e.g. by your relay_state) before trying again",
            err.message()
        ),
    )
}

/// The error of a failed exchange (`e`, from reqwest): `body` when the answer broke off while it
/// was being read; `proxy` the proxy the connection went through, if any. Also says whether the
/// request certainly never reached the server (no connection was made).
pub(crate) fn transport_error(
    e: &reqwest::Error,
    body: bool,
    proxy: Option<&str>,
    what: &str,
    url: &Url,
) -> (Error, bool) {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    // Only the causes, never reqwest's own text (it names the URL), and TLS only where it is
    // spoken at all: an id or path with "tls" or "certificate" in it must not turn a reset into
    // a TLS error.
    let causes = std::error::Error::source(e)
        .map(error_chain)
        .unwrap_or_default();
    let connect = e.is_connect();
    let timed_out = e.is_timeout()
        || std::iter::successors(std::error::Error::source(e), |e| e.source()).any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        });
    if let (Some(p), true) = (proxy, connect) {
        return (
            proxy::failure(p, &causes, timed_out, what, host, port),
            true,
        );
    }
    let (code, kind) = if timed_out && connect {
        (
            ErrorCode::Timeout,
            "connecting (name resolution, TCP and TLS) took longer than \
             transport.connect_timeout_ms",
        )
    } else if timed_out {
        (ErrorCode::Timeout, "timed out")
    } else if url.scheme() == "https" && looks_like_tls(&causes) {
        (ErrorCode::Tls, "TLS handshake failed")
    } else if connect {
        (ErrorCode::Network, "could not connect")
    } else if body || e.is_body() || e.is_decode() {
        (
            ErrorCode::Network,
            "connection broke while reading the answer",
        )
    } else {
        (ErrorCode::Network, "request failed")
    };
    let detail = if causes.is_empty() {
        String::new()
    } else {
        format!(": {causes}")
    };
    let hint = if code == ErrorCode::Tls {
        tls_hint(&causes)
            .map(|h| format!("; {h}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    (
        Error::new(
            code,
            format!("{what}: {kind} ({host}:{port}){detail}{hint}"),
        ),
        connect,
    )
}

/// What to set when a TLS handshake fails, from the causes rustls gives: the configuration
/// field to look at and the likely reason. Verification is never switched off; the fix is
/// always to trust the right CA or present the right certificate.
pub(crate) fn tls_hint(causes: &str) -> Option<&'static str> {
    let c = causes.to_ascii_lowercase();
    Some(
        if c.contains("unknownissuer") || c.contains("unknown issuer") {
            "the server's certificate is not issued by a CA this client trusts: set \
         transport.ca_file (or transport.ca_pem) to the CA that issued it, e.g. the test CA of \
         a test environment"
        } else if c.contains("notvalidforname") || c.contains("not valid for name") {
            "the server's certificate is not for this host name: check the base URL's host"
        } else if c.contains("expired") || c.contains("notvalidyet") {
            "a certificate is outside its validity period: check the server's certificate, the \
         client certificate and this machine's clock"
        } else if c.contains("certificaterequired")
            || c.contains("certificate required")
            || c.contains("badcertificate")
            || c.contains("bad certificate")
            || c.contains("unknownca")
            || c.contains("unknown ca")
            || c.contains("handshakefailure")
        {
            "the server refused the client certificate (or wanted one): set the provider's \
         client_cert (cert_file and key_file, or a PKCS#12 file) to the certificate the \
         provider issued for this environment"
        } else {
            return None;
        },
    )
}

pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    // Causes below reqwest's error never carry the URL; ours carry no credentials anyway (no
    // userinfo, no query keys: see `check_base_url`).
    parts.join(": ")
}

fn looks_like_tls(chain: &str) -> bool {
    let c = chain.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalid peer",
        "unknownissuer",
        "alert",
    ]
    .iter()
    .any(|w| c.contains(w))
}

/// Find out why a TLS server closed the connection without answering. Under TLS 1.3 a server
/// that refuses the client certificate says so with an alert after the handshake, which the HTTP
/// layer only reports as "connection closed". A fresh handshake plus a short read surfaces the
/// alert (or a handshake error) so the caller gets SB_ERR_TLS with the real reason.
///
/// reqwest does not expose this (its error says only that the connection closed), so a direct
/// connection is opened here with the client's own TLS configuration; connections through a
/// proxy are not diagnosed.
pub(crate) async fn diagnose_tls(tls: Arc<rustls::ClientConfig>, url: &Url) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default()?;
    let name = rustls_pki_types::ServerName::try_from(host.clone()).ok()?;
    let fut = async move {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .ok()?;
        let connector = tokio_rustls::TlsConnector::from(tls);
        let mut stream = match connector.connect(name, tcp).await {
            Ok(s) => s,
            Err(e) => return Some(e.to_string()),
        };
        let mut buf = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(1500), stream.read(&mut buf)).await {
            Ok(Err(e)) => Some(e.to_string()),
            _ => None,
        }
    };
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .ok()
        .flatten()
}

/// The provider's error item, in any of the shapes the contracts document.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct ProviderError {
    #[serde(default, alias = "error")]
    pub code: Option<String>,
    #[serde(
        default,
        alias = "message",
        alias = "messageKey",
        alias = "error_description"
    )]
    pub description: Option<String>,
}

pub(crate) fn parse_provider_error(body: &[u8]) -> Option<ProviderError> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let v = match v.get("data") {
        Some(d) if d.get("errors").is_some() => d.clone(),
        _ => v,
    };
    if let Some(first) = v
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
    {
        return serde_json::from_value(first.clone()).ok();
    }
    let pe: ProviderError = serde_json::from_value(v).ok()?;
    (pe.code.is_some() || pe.description.is_some()).then_some(pe)
}

/// The provider's error item with its texts scrubbed (see [`crate::scrub`]).
fn scrubbed_provider_error(body: &[u8], scrub: &Scrubber) -> ProviderError {
    let pe = parse_provider_error(body).unwrap_or_default();
    ProviderError {
        code: scrub.opt(pe.code.as_deref()),
        description: scrub.opt(pe.description.as_deref()),
    }
}

/// Map a non-2xx answer onto the error table; the provider's texts are scrubbed with `scrub`.
pub(crate) fn error_from_response(resp: &Response, what: &str, scrub: &Scrubber) -> Error {
    let status = resp.status.as_u16();
    let pe = scrubbed_provider_error(&resp.body, scrub);
    let code = match status {
        400 | 422 => ErrorCode::Provider,
        401 => ErrorCode::Auth,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::InvalidState,
        410 => ErrorCode::SessionExpired,
        415 => ErrorCode::InvalidDocument,
        429 => ErrorCode::RateLimited,
        500..=599 => ErrorCode::ProviderUnavailable,
        _ => ErrorCode::Provider,
    };
    let detail = match (&pe.code, &pe.description) {
        (Some(c), Some(d)) => format!("{c}: {d}"),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => "no error details in the answer".to_string(),
    };
    let mut err = Error::new(
        code,
        format!(
            "{what} failed with HTTP {status} ({detail}); {}",
            code.message()
        ),
    )
    .with_http_status(status)
    .with_provider(pe.code, pe.description);
    if let Some(after) = retry_after(&resp.headers) {
        err = err.with_retry_after(after);
    }
    err
}

pub(crate) fn auth_error(resp: &Response, keys: usize, what: &str, scrub: &Scrubber) -> Error {
    let status = resp.status.as_u16();
    let pe = scrubbed_provider_error(&resp.body, scrub);
    if let Some(reason) = bearer_challenge(&resp.headers, scrub) {
        // RFC 6750: the gateway refused the bearer token, not the key.
        return Error::new(
            ErrorCode::Auth,
            format!(
                "{what} was refused with HTTP {status}: the access token was rejected                  ({reason}), also after a fresh one was fetched. Check the OAuth2 client                  (oauth2.client_id, its token endpoint or issuer) is the one this gateway trusts"
            ),
        )
        .with_http_status(status)
        .with_provider(pe.code, pe.description);
    }
    let tried = match keys {
        0 => "no credentials were sent".to_string(),
        1 => "the configured key was rejected".to_string(),
        n => format!("all {n} configured keys were rejected"),
    };
    Error::new(
        ErrorCode::Auth,
        format!(
            "{what} was refused with HTTP {status} ({}): {tried}. Check SIGNBRIDGE_ZIGNSEC_KEY and \
             SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY (or the config's keys) against the pair the provider \
             issued for this environment, and the key header scheme",
            pe.code.as_deref().unwrap_or("no code")
        ),
    )
    .with_http_status(status)
    .with_provider(pe.code, pe.description)
}

/// The reason of a `WWW-Authenticate: Bearer ... error="..."` challenge (RFC 6750 §3), scrubbed
/// and capped: `invalid_token: <error_description>`. `None` without a bearer error.
fn bearer_challenge(headers: &http::HeaderMap, scrub: &Scrubber) -> Option<String> {
    let v = headers
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| {
            v.trim_start()
                .get(..6)
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
        })?;
    let param = |name: &str| {
        let at = v.find(&format!("{name}=\""))? + name.len() + 2;
        let rest = &v[at..];
        rest.find('"').map(|end| rest[..end].to_owned())
    };
    let error = param("error")?;
    Some(match param("error_description") {
        Some(d) => format!("{}: {}", scrub.text(&error), scrub.text(&d)),
        None => scrub.text(&error),
    })
}

/// The numeric `errorCode` of a JSON error body (`{"errorCode": 631, ...}`; a numeric string
/// is accepted too).
pub(crate) fn body_error_code(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    match v.get("errorCode")? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_error_shapes() {
        let e = parse_provider_error(
            br#"{"errors":[{"code":"NOT_FOUND","description":"x","statusCode":404}]}"#,
        )
        .expect("parsed");
        assert_eq!(e.code.as_deref(), Some("NOT_FOUND"));
        let e = parse_provider_error(br#"{"data":{"errors":[{"code":"A"}]}}"#).expect("parsed");
        assert_eq!(e.code.as_deref(), Some("A"));
        let e = parse_provider_error(br#"{"code":"X","message":"m"}"#).expect("parsed");
        assert_eq!(e.description.as_deref(), Some("m"));
        assert!(parse_provider_error(b"<html>").is_none());
    }
}
