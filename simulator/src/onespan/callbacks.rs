//! Event notifications (§7): one callback registration per account (`/api/callback`), and the
//! delivery of every registered event as an `ESLProcessEvent` JSON POST with
//! `Authorization: Basic <key>` (the raw key). One attempt per event (PROPOSAL, KB0014510: no
//! automatic re-sending); results are recorded and failed ones can be replayed through the
//! control API. Deliveries go out in order, from one worker task, and only to plain-`http`
//! loopback receivers (the same rule as the ZignSec webhooks of `webhook.rs`).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::state::Ev;
use super::{
    iso_millis, lock_raw, ok_json, parse_object, AppState, OsBody, OsError, OsInner, OsResult,
};

/// Event names of §7 a registration may list.
pub(crate) const EVENTS: &[&str] = &[
    "PACKAGE_CREATE",
    "PACKAGE_ACTIVATE",
    "PACKAGE_DEACTIVATE",
    "PACKAGE_READY_FOR_COMPLETE",
    "PACKAGE_COMPLETE",
    "PACKAGE_EXPIRE",
    "PACKAGE_OPT_OUT",
    "PACKAGE_DECLINE",
    "PACKAGE_TRASH",
    "PACKAGE_RESTORE",
    "PACKAGE_DELETE",
    "PACKAGE_ARCHIVE",
    "PACKAGE_ATTACHMENT",
    "SIGNER_COMPLETE",
    "SIGNER_LOCKED",
    "DOCUMENT_SIGNED",
    "DOCUMENT_VIEWED",
    "ROLE_REASSIGN",
    "KBA_FAILURE",
    "EMAIL_BOUNCE",
    "TEMPLATE_CREATE",
    "COBROWSE_REQUEST",
];

/// Real-time limit of one delivery (connect, send, read the status line).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Delivery records kept; beyond this the oldest finished ones are dropped.
const MAX_RECORDS: usize = 20_000;

/// The account's callback registration.
pub(crate) struct Registration {
    pub url: String,
    /// Sent as `Authorization: Basic <key>`; never served back or printed.
    pub key: String,
    pub events: Vec<String>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .field("events", &self.events)
            .finish()
    }
}

impl Registration {
    fn to_json(&self) -> Value {
        // PROPOSAL: the key is write-only; GET shows whether one is set, never its value.
        json!({"url": self.url, "events": self.events, "keySet": !self.key.is_empty()})
    }
}

/// One callback delivery.
pub(crate) struct DeliveryRecord {
    pub id: u64,
    pub event: String,
    pub package_id: String,
    pub url: String,
    key: String,
    pub payload: Value,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub attempts: u32,
    pub pending: bool,
    pub at: f64,
}

impl DeliveryRecord {
    fn failed(&self) -> bool {
        !self.pending && !self.status.is_some_and(|s| (200..300).contains(&s))
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "event": self.event,
            "package_id": self.package_id,
            "url": self.url,
            "status": self.status,
            "attempts": self.attempts,
            "pending": self.pending,
            "created": iso_millis(self.at),
            "payload": self.payload,
        });
        if let (Some(e), Some(o)) = (&self.error, v.as_object_mut()) {
            o.insert("error".into(), json!(e));
        }
        v
    }
}

fn find_mut(os: &mut OsInner, id: u64) -> Option<&mut DeliveryRecord> {
    let i = os.deliveries.binary_search_by_key(&id, |r| r.id).ok()?;
    os.deliveries.get_mut(i)
}

/// Queues event `ev` of `package_id` when a registration lists it.
pub(crate) fn enqueue(os: &mut OsInner, package_id: &str, ev: &Ev) {
    let Some(reg) = &os.callback else { return };
    if !reg.events.iter().any(|e| e == ev.name) {
        return;
    }
    let payload = json!({
        "@class": "com.silanis.esl.packages.event.ESLProcessEvent",
        "name": ev.name,
        "sessionUser": ev.session_user,
        "packageId": package_id,
        "message": ev.message,
        "documentId": ev.document_id,
        "createdDate": iso_millis(ev.at),
    });
    let (url, key) = (reg.url.clone(), reg.key.clone());
    os.cb_next_id += 1;
    let id = os.cb_next_id;
    os.deliveries.push(DeliveryRecord {
        id,
        event: ev.name.to_owned(),
        package_id: package_id.to_owned(),
        url,
        key,
        payload,
        status: None,
        error: None,
        attempts: 0,
        pending: true,
        at: ev.at,
    });
    os.cb_queue.push_back(id);
    if os.deliveries.len() > MAX_RECORDS {
        let mut drop_n = os.deliveries.len() - MAX_RECORDS / 2;
        os.deliveries.retain(|r| {
            if drop_n > 0 && !r.pending {
                drop_n -= 1;
                false
            } else {
                true
            }
        });
    }
}

/// The delivery worker: sends queued deliveries one by one until the queue is empty.
pub(crate) async fn deliver_loop(state: Arc<Mutex<OsInner>>) {
    loop {
        let (id, url, key, body) = {
            let mut g = lock_raw(&state);
            loop {
                let Some(id) = g.cb_queue.pop_front() else {
                    g.cb_worker_running = false;
                    return;
                };
                if let Some(r) = find_mut(&mut g, id) {
                    let body = serde_json::to_vec(&r.payload).unwrap_or_default();
                    break (id, r.url.clone(), r.key.clone(), body);
                }
            }
        };
        let (status, error) =
            match tokio::time::timeout(ATTEMPT_TIMEOUT, post(&url, &key, &body)).await {
                Ok(r) => r,
                Err(_) => (None, Some("timed out waiting for the receiver".to_owned())),
            };
        let mut g = lock_raw(&state);
        if let Some(r) = find_mut(&mut g, id) {
            r.pending = false;
            r.attempts += 1;
            r.status = status;
            r.error = error;
        }
    }
}

/// POSTs `body` to a plain-HTTP loopback URL; returns the status or why it failed.
async fn post(url: &str, key: &str, body: &[u8]) -> (Option<u16>, Option<String>) {
    let fail = |e: String| (None, Some(e));
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return fail(format!("invalid callback URL: {e}")),
    };
    if parsed.scheme() != "http" {
        return fail(format!(
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
        return fail("not delivered: the simulator only delivers to loopback addresses".to_owned());
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
        return fail(last_err);
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
    let auth = if key.is_empty() {
        String::new()
    } else {
        format!("Authorization: Basic {key}\r\n")
    };
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: signbridge-sim-onespan-callbacks\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n",
        body.len()
    );
    if let Err(e) = stream.write_all(head.as_bytes()).await {
        return fail(format!("send: {e}"));
    }
    if let Err(e) = stream.write_all(body).await {
        return fail(format!("send: {e}"));
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(line_end) = answer.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&answer[..line_end]).into_owned();
            let mut parts = line.split_whitespace();
            let proto = parts.next().unwrap_or("");
            return match parts.next().and_then(|s| s.parse::<u16>().ok()) {
                Some(status) if proto.starts_with("HTTP/") => (Some(status), None),
                _ => fail(format!("bad status line {line:?}")),
            };
        }
        if answer.len() > 16 * 1024 {
            return fail("no status line in the answer".to_owned());
        }
        match stream.read(&mut buf).await {
            Ok(0) => return fail("connection closed without an answer".to_owned()),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return fail(format!("read: {e}")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Registration endpoints

/// `POST|PUT /api/callback {"url","key","events":[...]}` — replaces the registration.
pub(crate) async fn register(State(shared): State<AppState>, OsBody(body): OsBody) -> OsResult {
    let o = parse_object(&body, "a Callback")?;
    let url = o
        .get("url")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let valid_url = url::Url::parse(&url)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid_url {
        return Err(OsError::bad_request(
            "error.validation.callbackUrl",
            "The callback url must be an absolute http(s) URL.",
        ));
    }
    let key = match o.get("key") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                "The callback key must be a string.",
            ))
        }
    };
    let mut events = Vec::new();
    match o.get("events") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for e in a {
                let name = e.as_str().unwrap_or_default().trim().to_ascii_uppercase();
                if !EVENTS.contains(&name.as_str()) {
                    return Err(OsError::bad_request(
                        "error.validation.unknownEvent",
                        format!("Unknown callback event {e}."),
                    )
                    .technical(format!("Known events: {}", EVENTS.join(", "))));
                }
                if !events.contains(&name) {
                    events.push(name);
                }
            }
        }
        Some(_) => {
            return Err(OsError::bad_request(
                "error.validation.invalidValue",
                "events must be an array of event names.",
            ))
        }
    }
    let reg = Registration { url, key, events };
    let out = reg.to_json();
    shared.onespan.lock().callback = Some(reg);
    ok_json(out)
}

/// `GET /api/callback` — the registration without its key.
pub(crate) async fn registration(State(shared): State<AppState>) -> OsResult {
    let os = shared.onespan.lock();
    match &os.callback {
        Some(r) => ok_json(r.to_json()),
        None => Err(OsError::not_found(
            "error.notFound.callbackNotFound",
            "No callback is registered for this account.",
        )),
    }
}

/// `DELETE /api/callback`
pub(crate) async fn unregister(State(shared): State<AppState>) -> OsResult {
    shared.onespan.lock().callback = None;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------------
// Control

/// The delivery log as JSON.
pub(crate) fn log_json(os: &OsInner) -> Value {
    Value::Array(os.deliveries.iter().map(DeliveryRecord::to_json).collect())
}

/// Re-queues every failed delivery; returns how many.
pub(crate) fn replay(os: &mut OsInner) -> usize {
    let ids: Vec<u64> = os
        .deliveries
        .iter()
        .filter(|r| r.failed())
        .map(|r| r.id)
        .collect();
    for id in &ids {
        if let Some(r) = find_mut(os, *id) {
            r.pending = true;
        }
        os.cb_queue.push_back(*id);
    }
    ids.len()
}

/// Forgets finished deliveries.
pub(crate) fn clear(os: &mut OsInner) {
    os.deliveries.retain(|r| r.pending);
}
