//! One HTTP exchange on reqwest: send the request, read the answer within its time limit (which
//! grows with the bytes a transfer needs), into memory or into a download sink.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use super::body::FileSink;
use super::client::FirstExchange;
use super::errors::{diagnose_tls, timeout_error, transport_error};
use super::request::Response;
use crate::error::{Error, ErrorCode};

/// Largest answer body accepted in memory (a document downloaded into memory), to bound memory
/// when a server misbehaves.
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// Largest JSON answer accepted (`Content-Type: application/json` or `+json`): parsed into
/// values, a JSON body takes many times its size in memory (`[0,0,…]` ~16×).
pub(crate) const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;

/// How much of an error answer (non-2xx) is read: enough for any provider's error JSON; the
/// rest is not read (the connection is closed), so an error body never costs more.
pub(crate) const MAX_ERROR_BYTES: u64 = 64 * 1024;

/// Largest answer streamed into a file ([`super::Transport::download_to_file`]), to bound the
/// disk space a misbehaving server can fill.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The outcome of one exchange: the answer (and the sink it was written to), or the error with
/// whether the request certainly never reached the server.
pub(crate) type Outcome = std::result::Result<(Response, Option<FileSink>), (Error, bool)>;

/// The time limits of one exchange (see [`super::TransportConfig`]).
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub request_timeout: Duration,
    pub min_rate: u64,
    /// Bytes of the request body.
    pub sent: u64,
    /// Longest pause between two pieces of the answer's body.
    pub idle: Duration,
}

impl Limits {
    /// The time `bytes` need at the minimum transfer rate.
    fn allowance(&self, bytes: u64) -> Duration {
        Duration::from_secs_f64(bytes as f64 / self.min_rate as f64)
    }

    /// When an exchange started at `start` times out, `received` bytes of the answer received
    /// (what has arrived, never what the server announced).
    pub(crate) fn deadline(
        &self,
        start: tokio::time::Instant,
        received: u64,
    ) -> tokio::time::Instant {
        start + self.request_timeout + self.allowance(self.sent.saturating_add(received))
    }
}

/// No byte of the answer for `idle`: the server stalled.
fn idle_error(what: &str, url: &Url, idle: Duration, received: u64) -> Error {
    Error::new(
        ErrorCode::Timeout,
        format!(
            "{what}: the server at {} sent nothing for {} ms after {received} bytes of its \
             answer (transport.read_idle_timeout_ms)",
            super::shown_url(url),
            idle.as_millis()
        ),
    )
}

/// What an exchange needs besides the request.
pub(crate) struct Exchange {
    pub client: reqwest::Client,
    /// The client's TLS configuration, to diagnose a closed connection.
    pub tls: Arc<rustls::ClientConfig>,
    pub what: &'static str,
    pub url: Url,
    pub limits: Limits,
    /// `host:port` of the proxy the connection goes through, if any.
    pub proxy: Option<String>,
}

/// Aborts the spawned exchange when the caller stops waiting for it.
pub(crate) struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::future::Future for AbortOnDrop<Outcome> {
    type Output = Outcome;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|r| match r {
            Ok(v) => v,
            Err(e) => Err((
                Error::new(
                    if e.is_panic() {
                        ErrorCode::Panic
                    } else {
                        ErrorCode::Aborted
                    },
                    format!("the HTTP exchange task ended early: {e}"),
                ),
                false,
            )),
        })
    }
}

/// Send `request` and read its answer; a 2xx answer's body goes to `sink` when there is one.
/// `first`: this is the first exchange with its origin; others wait until its answer's head
/// arrives (see [`super::client::Origin::first`]).
pub(crate) async fn exchange(
    x: Exchange,
    request: reqwest::Request,
    mut sink: Option<FileSink>,
    first: Option<FirstExchange>,
) -> Outcome {
    let Exchange {
        client,
        tls,
        what,
        url,
        limits,
        proxy,
    } = x;
    let start = tokio::time::Instant::now();
    // One timer for the whole exchange, moved later as the answer's size becomes known.
    let timer = tokio::time::sleep_until(limits.deadline(start, 0));
    tokio::pin!(timer);
    let sent = tokio::select! {
        biased;
        r = client.execute(request) => r,
        () = &mut timer => return Err((timeout_error(what, &url, start.elapsed()), false)),
    };
    // The answer's head (or the failure) is here: the calls waiting for this one may go.
    if let Some(f) = first {
        f.done();
    }
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let (err, never_sent) = transport_error(&e, false, proxy.as_deref(), what, &url);
            if url.scheme() == "https" && proxy.is_none() && err.code() == ErrorCode::Network {
                // Boxed: only this error path needs the (large) handshake future.
                if let Some(reason) = Box::pin(diagnose_tls(tls, &url)).await {
                    // The TLS layer refused us: the request was never processed.
                    let hint = super::errors::tls_hint(&reason).unwrap_or(
                        "if it requires two-way TLS, configure the client certificate it \
                         trusts (client_cert), and check transport.ca_file for the server's CA",
                    );
                    return Err((
                        Error::new(
                            ErrorCode::Tls,
                            format!(
                                "{what}: the TLS server refused the connection ({reason}); {hint}"
                            ),
                        ),
                        true,
                    ));
                }
            }
            return Err((err, never_sent));
        }
    };
    let status = resp.status();
    let headers = std::mem::take(resp.headers_mut());
    if status.is_redirection() {
        return Err((
            Error::protocol(format!(
                "{what} was answered with a redirect (HTTP {}); redirects are not followed so \
                 credentials cannot leak; check the configured base URL",
                status.as_u16()
            ))
            .with_http_status(status.as_u16()),
            false,
        ));
    }
    // Only a successful answer goes to the file; an error answer is read for its details.
    let to_file = status.is_success() && sink.is_some();
    let is_json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    // An error answer is cut at MAX_ERROR_BYTES (read no further), not refused: its status
    // still says what happened.
    let error_cut = (!status.is_success()).then_some(MAX_ERROR_BYTES);
    let limit = if to_file {
        MAX_FILE_BYTES
    } else if is_json {
        MAX_JSON_BYTES
    } else {
        MAX_BODY_BYTES
    };
    // The length as hyper frames the body (a Content-Length header beside chunked encoding, or
    // on an answer without a body, is not the length).
    let expected = resp.content_length();
    if let Some(len) = expected.filter(|_| error_cut.is_none()) {
        if len > limit {
            return Err((
                Error::protocol(format!(
                    "the answer to {what} is {len} bytes, more than the {limit} accepted"
                )),
                false,
            ));
        }
    }
    // A small answer usually arrives as one chunk: it is kept as is, not copied.
    let mut first: Option<Bytes> = None;
    let mut body = Vec::new();
    let mut received = 0u64;
    loop {
        // Time for the bytes that arrived, never for those announced (a server declaring a huge
        // length and trickling bytes must not hold the call for hours).
        let deadline = limits.deadline(start, received);
        // The timer's resolution is a millisecond: smaller moves are not worth a reset.
        if deadline >= timer.deadline() + Duration::from_millis(1) {
            timer.as_mut().reset(deadline);
        }
        let chunk = tokio::select! {
            biased;
            c = resp.chunk() => c,
            () = &mut timer => return Err((timeout_error(what, &url, start.elapsed()), false)),
            () = tokio::time::sleep(limits.idle) => {
                return Err((idle_error(what, &url, limits.idle, received), false))
            }
        };
        let chunk = match chunk {
            Ok(Some(data)) => data,
            Ok(None) => break,
            Err(e) => {
                let (err, _) = transport_error(&e, true, None, what, &url);
                return Err((err, false));
            }
        };
        received += chunk.len() as u64;
        if let Some(cut) = error_cut {
            let room = cut.saturating_sub(received - chunk.len() as u64) as usize;
            if chunk.len() >= room {
                body.extend_from_slice(first.take().as_deref().unwrap_or_default());
                body.extend_from_slice(&chunk[..room]);
                break;
            }
        }
        if received > limit {
            return Err((
                Error::protocol(format!("the answer to {what} exceeds {limit} bytes")),
                false,
            ));
        }
        match (&mut sink, to_file) {
            (Some(s), true) => s.write(&chunk).await.map_err(|e| (e, false))?,
            _ => match first.take() {
                None if body.is_empty() => first = Some(chunk),
                None => body.extend_from_slice(&chunk),
                Some(f) => {
                    body.reserve(f.len() + chunk.len());
                    body.extend_from_slice(&f);
                    body.extend_from_slice(&chunk);
                }
            },
        }
    }
    let body = match first {
        Some(f) => f,
        None => Bytes::from(body),
    };
    Ok((
        Response {
            status,
            headers,
            body,
        },
        sink.filter(|_| to_file),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_adds_time_at_the_minimum_rate() {
        let limits = Limits {
            request_timeout: Duration::from_secs(60),
            min_rate: 100_000,
            sent: 50_000_000,
            idle: Duration::from_secs(30),
        };
        let t0 = tokio::time::Instant::now();
        assert_eq!(limits.deadline(t0, 0), t0 + Duration::from_secs(560));
        assert_eq!(
            limits.deadline(t0, 10_000_000),
            t0 + Duration::from_secs(660)
        );
        let small = Limits { sent: 0, ..limits };
        assert_eq!(small.deadline(t0, 0), t0 + Duration::from_secs(60));
    }
}
