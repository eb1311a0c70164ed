//! Webhook deliveries (contract §6): the queue, the signature, the retry schedule and the small
//! HTTP/1.1 client that POSTs to the receivers.
//!
//! Deliveries are queued by the handlers (under the state lock) and sent by one worker task that
//! wakes at least every [`TICK`] of real time, so jumping the simulated clock forward releases due
//! retries promptly. Only plain `http://` receivers on a loopback address are contacted: the
//! simulator never sends a request off the machine.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac as _};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::state::Shared;

/// The header carrying the signature.
pub(crate) const SIGNATURE_HEADER: &str = "X-ZignSec-Hmac-SHA256";
/// Most delivery attempts per webhook (legacy docs: "20 times in 48 hours").
pub(crate) const MAX_ATTEMPTS: u32 = 20;
/// Retries stop when the next attempt would be later than this after the first one (48 h).
pub(crate) const RETRY_WINDOW_SECS: f64 = 48.0 * 3600.0;
/// Longest pause between two attempts (1 h).
pub(crate) const MAX_BACKOFF_SECS: f64 = 3600.0;
/// Real time between two checks of the queue and of session expiry.
pub(crate) const TICK: Duration = Duration::from_millis(25);
/// Real-time limit of one delivery attempt (connect, send, read the status line).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How deliveries are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WebhookScheme {
    /// `t=<unix secs>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
    V1,
    /// `<hex HMAC-SHA256(secret, body)>` (legacy v2).
    Legacy,
}

impl WebhookScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookScheme::V1 => "v1",
            WebhookScheme::Legacy => "legacy",
        }
    }
}

/// Lowercase hex of HMAC-SHA256(secret, data).
pub(crate) fn hmac_hex(secret: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `X-ZignSec-Hmac-SHA256` value for `body` sent at Unix second `t`.
pub(crate) fn signature(scheme: WebhookScheme, secret: &str, t: i64, body: &[u8]) -> String {
    match scheme {
        WebhookScheme::V1 => {
            let mut signed = format!("{t}.").into_bytes();
            signed.extend_from_slice(body);
            format!("t={t},v1={}", hmac_hex(secret.as_bytes(), &signed))
        }
        WebhookScheme::Legacy => hmac_hex(secret.as_bytes(), body),
    }
}

/// One queued webhook (all its attempts).
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub delivery_id: Uuid,
    pub session_id: Uuid,
    pub event: String,
    pub url: String,
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Simulated time of the first attempt (set when it is made).
    pub first_at: Option<f64>,
    /// Simulated time when the next attempt is due.
    pub next_at: f64,
    pub in_flight: bool,
    /// Queue order, so the events of one session go out in the order they happened.
    pub seq: u64,
}

/// One attempt, as listed by `GET /_sim/webhooks`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AttemptLog {
    pub delivery_id: Uuid,
    pub session_id: Uuid,
    pub event: String,
    pub url: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at: i64,
}

/// Queued deliveries and the attempt log.
#[derive(Debug, Default)]
pub(crate) struct WebhookQueue {
    pub pending: Vec<Delivery>,
    pub log: Vec<AttemptLog>,
    seq: u64,
}

impl WebhookQueue {
    /// Queues `payload` for `url`, due at once.
    pub fn enqueue(&mut self, now: f64, session_id: Uuid, url: &str, event: &str, payload: &Value) {
        self.seq += 1;
        self.pending.push(Delivery {
            delivery_id: Uuid::new_v4(),
            session_id,
            event: event.to_owned(),
            url: url.to_owned(),
            body: serde_json::to_vec(payload).unwrap_or_else(|_| b"{}".to_vec()),
            attempts: 0,
            first_at: None,
            next_at: now,
            in_flight: false,
            seq: self.seq,
        });
    }

    /// Marks due deliveries in flight and returns them. A delivery waits while an earlier one of
    /// the same session is in flight, so `session_created` reaches a receiver before
    /// `session_finished`.
    fn take_due(&mut self, now: f64) -> Vec<Delivery> {
        self.pending.sort_by_key(|d| d.seq);
        let mut busy: Vec<Uuid> = self
            .pending
            .iter()
            .filter(|d| d.in_flight)
            .map(|d| d.session_id)
            .collect();
        let mut due = Vec::new();
        for d in &mut self.pending {
            if d.in_flight || busy.contains(&d.session_id) {
                continue;
            }
            if d.next_at <= now {
                d.in_flight = true;
                busy.push(d.session_id);
                due.push(d.clone());
            } else if d.attempts == 0 {
                // Not yet tried: later events of the same session wait for it.
                busy.push(d.session_id);
            }
        }
        due
    }

    /// The earliest due time among deliveries not in flight.
    fn next_due(&self) -> Option<f64> {
        self.pending
            .iter()
            .filter(|d| !d.in_flight)
            .map(|d| d.next_at)
            .min_by(f64::total_cmp)
    }
}

/// Outcome of one HTTP attempt.
enum Outcome {
    /// The receiver answered with this status.
    Status(u16),
    /// Connection or protocol error: retried.
    Error(String),
    /// The URL cannot be delivered to by the simulator at all: not retried.
    Refused(String),
}

/// The worker: sends due deliveries, expires sessions, until `stop` turns true or closes.
pub(crate) async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut attempts: JoinSet<()> = JoinSet::new();
    loop {
        let wait = {
            let mut inner = shared.lock();
            shared.sweep_expired(&mut inner);
            let now = shared.now();
            for d in inner.webhooks.take_due(now) {
                attempts.spawn(attempt(shared.clone(), d));
            }
            match inner.webhooks.next_due() {
                Some(at) => shared.real_until(at).min(TICK),
                None => TICK,
            }
        };
        while attempts.try_join_next().is_some() {}
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    attempts.shutdown().await;
}

async fn attempt(shared: Arc<Shared>, d: Delivery) {
    let (t, header) = {
        let inner = shared.lock();
        let t = shared.now_secs();
        (
            t,
            signature(inner.webhook_scheme, &inner.webhook_secret, t, &d.body),
        )
    };
    let outcome = match tokio::time::timeout(ATTEMPT_TIMEOUT, post(&d.url, &header, &d.body)).await
    {
        Ok(o) => o,
        Err(_) => Outcome::Error("timed out waiting for the receiver".to_owned()),
    };
    let mut inner = shared.lock();
    let now = shared.now();
    let attempt_no = d.attempts + 1;
    let (status, error, done) = match outcome {
        Outcome::Status(s) => (Some(s), None, (200..300).contains(&s)),
        Outcome::Error(e) => (None, Some(e), false),
        Outcome::Refused(e) => (None, Some(e), true),
    };
    inner.webhooks.log.push(AttemptLog {
        delivery_id: d.delivery_id,
        session_id: d.session_id,
        event: d.event.clone(),
        url: d.url.clone(),
        attempt: attempt_no,
        status,
        error,
        at: t,
    });
    let Some(pos) = inner
        .webhooks
        .pending
        .iter()
        .position(|p| p.delivery_id == d.delivery_id)
    else {
        return; // cleared meanwhile
    };
    let first_at = d.first_at.unwrap_or(t as f64);
    let backoff = 2f64.powi(attempt_no.saturating_sub(1).min(30) as i32);
    let next_at = now + backoff.min(MAX_BACKOFF_SECS);
    if done || attempt_no >= MAX_ATTEMPTS || next_at > first_at + RETRY_WINDOW_SECS {
        inner.webhooks.pending.remove(pos);
    } else if let Some(p) = inner.webhooks.pending.get_mut(pos) {
        p.attempts = attempt_no;
        p.first_at = Some(first_at);
        p.next_at = next_at;
        p.in_flight = false;
    }
    drop(inner);
    shared.wake.notify_one();
}

/// POSTs `body` to a plain-HTTP loopback URL and returns the answer's status.
async fn post(url: &str, signature: &str, body: &[u8]) -> Outcome {
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Outcome::Refused(format!("invalid webhook URL: {e}")),
    };
    if parsed.scheme() != "http" {
        return Outcome::Refused(format!(
            "not delivered: the simulator only delivers to http:// loopback receivers (got {}://)",
            parsed.scheme()
        ));
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => vec![
            SocketAddr::from(([127, 0, 0, 1], port)),
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
        ],
        _ => Vec::new(),
    };
    if addrs.is_empty() || !addrs.iter().all(|a| a.ip().is_loopback()) {
        return Outcome::Refused(
            "not delivered: the simulator only delivers to loopback addresses".to_owned(),
        );
    }
    let mut stream = None;
    let mut last_err = String::new();
    for addr in &addrs {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_err = format!("connect {addr}: {e}"),
        }
    }
    let Some(mut stream) = stream else {
        return Outcome::Error(last_err);
    };
    let mut target = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match parsed.port() {
        Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or("localhost")),
        None => parsed.host_str().unwrap_or("localhost").to_owned(),
    };
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: signbridge-sim-webhooks\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{SIGNATURE_HEADER}: {signature}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    if let Err(e) = stream.write_all(head.as_bytes()).await {
        return Outcome::Error(format!("send: {e}"));
    }
    if let Err(e) = stream.write_all(body).await {
        return Outcome::Error(format!("send: {e}"));
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(line_end) = answer.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&answer[..line_end]).into_owned();
            let mut parts = line.split_whitespace();
            let proto = parts.next().unwrap_or("");
            return match parts.next().and_then(|s| s.parse::<u16>().ok()) {
                Some(status) if proto.starts_with("HTTP/") => Outcome::Status(status),
                _ => Outcome::Error(format!("bad status line {line:?}")),
            };
        }
        if answer.len() > 16 * 1024 {
            return Outcome::Error("no status line in the answer".to_owned());
        }
        match stream.read(&mut buf).await {
            Ok(0) => {
                return Outcome::Error("connection closed without an answer".to_owned());
            }
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return Outcome::Error(format!("read: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn header_formats() {
        let v1 = signature(WebhookScheme::V1, "Jefe", 10, b"x");
        assert_eq!(v1, format!("t=10,v1={}", hmac_hex(b"Jefe", b"10.x")));
        assert_eq!(
            signature(WebhookScheme::Legacy, "Jefe", 10, b"x"),
            hmac_hex(b"Jefe", b"x")
        );
    }

    #[test]
    fn events_of_a_session_go_in_order() {
        let mut q = WebhookQueue::default();
        let s = Uuid::new_v4();
        q.enqueue(
            0.0,
            s,
            "http://127.0.0.1:1/",
            "session_created",
            &Value::Null,
        );
        q.enqueue(
            0.0,
            s,
            "http://127.0.0.1:1/",
            "session_finished",
            &Value::Null,
        );
        let due = q.take_due(1.0);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].event, "session_created");
        assert!(q.take_due(1.0).is_empty());
    }
}
