//! In-memory state of the simulator: sessions, keys, faults, the request log, the test clock and
//! the webhook queue.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use md5::{Digest as _, Md5};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::clock::SimClock;
use crate::eid::EidSession;
use crate::oauth::{JwtKey, OAuthState};
use crate::webhook::{WebhookQueue, WebhookScheme};

/// Sessions and their files live this long (simulated seconds): the contract's 48 hours.
pub(crate) const SESSION_TTL_SECS: f64 = 48.0 * 3600.0;

/// A test user of the hosted signing page (seed 001).
pub(crate) struct TestUser {
    pub name: &'static str,
    pub personal_number: &'static str,
}

/// The BankID Norway test users documented by ZignSec.
pub(crate) const TEST_USERS: [TestUser; 4] = [
    TestUser {
        name: "Aksel Herseth",
        personal_number: "06046517928",
    },
    TestUser {
        name: "Ole Bramserud",
        personal_number: "11920287974",
    },
    TestUser {
        name: "Sanna Hansen",
        personal_number: "12829025475",
    },
    TestUser {
        name: "Test Testsen",
        personal_number: "20872329758",
    },
];

/// Entry passcode of every test user.
pub(crate) const TEST_OTP: &str = "otp";
/// Personal password of every test user.
pub(crate) const TEST_PASSWORD: &str = "qwer1234";

pub(crate) fn find_user(personal_number: &str) -> Option<&'static TestUser> {
    TEST_USERS
        .iter()
        .find(|u| u.personal_number == personal_number.trim())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Status {
    Created,
    Pending,
    Finished,
    Cancelled,
    Failed,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "Created",
            Status::Pending => "Pending",
            Status::Finished => "Finished",
            Status::Cancelled => "Cancelled",
            Status::Failed => "Failed",
            Status::Expired => "Expired",
        }
    }

    /// True for the states a session never leaves (except into `Expired` by the control API).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Finished | Status::Cancelled | Status::Failed | Status::Expired
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub id: Uuid,
    pub name: String,
    pub data: Bytes,
    pub md5: String,
}

impl StoredFile {
    pub fn new(name: String, data: Bytes) -> StoredFile {
        let md5 = md5_b64(&data);
        StoredFile {
            id: Uuid::new_v4(),
            name,
            data,
            md5,
        }
    }
}

/// Base64 of the 16-byte MD5 digest (the format in the provider's example).
pub(crate) fn md5_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(data))
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub page: u32,
    pub x: f64,
    pub y: f64,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            page: 1,
            x: 50.0,
            y: 50.0,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Signer {
    pub name: String,
    pub personal_number: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub id: Uuid,
    pub status: Status,
    pub locale: Option<String>,
    pub redirect_success: Option<String>,
    pub redirect_failure: Option<String>,
    pub relay_state: Option<String>,
    pub input_files: Vec<StoredFile>,
    pub to_sign: Vec<(Uuid, Placement)>,
    pub signed_files: Vec<StoredFile>,
    pub errors: Vec<Value>,
    pub signer: Option<Signer>,
    pub webhook: Option<String>,
    /// Simulated Unix time of creation.
    pub created_at: f64,
}

impl Session {
    pub fn new(id: Uuid, created_at: f64) -> Session {
        Session {
            id,
            webhook: None,
            created_at,
            status: Status::Created,
            locale: None,
            redirect_success: None,
            redirect_failure: None,
            relay_state: None,
            input_files: Vec::new(),
            to_sign: Vec::new(),
            signed_files: Vec::new(),
            errors: Vec::new(),
            signer: None,
        }
    }

    pub fn find_file(&self, file_id: Uuid) -> Option<&StoredFile> {
        self.input_files
            .iter()
            .chain(self.signed_files.iter())
            .find(|f| f.id == file_id)
    }

    /// True once the session and its files are older than the 48-hour retention.
    pub fn is_stale(&self, now: f64) -> bool {
        now >= self.created_at + SESSION_TTL_SECS
    }

    /// The webhook body for `event` (contract §6).
    pub fn webhook_payload(&self, event: &str, media_base: &str) -> Value {
        let specific = if event == "session_created" {
            json!({})
        } else {
            self.to_json(media_base)["result"].clone()
        };
        json!({
            "event": event,
            "id": self.id,
            "integration_id": "Zignsec.v5.signing",
            "relay_state": self.relay_state,
            "result": {
                "errors": self.errors,
                "status": self.status.as_str(),
                "eventSpecificData": specific,
            },
            "workflow_session_id": null,
        })
    }

    /// The session as served by `GET /api/v5/sessions/signing/{id}`.
    pub fn to_json(&self, media_base: &str) -> Value {
        let file_json = |f: &StoredFile| {
            json!({
                "id": f.id,
                "name": f.name,
                "url": format!("{media_base}/folders/{}/media/{}", self.id, f.id),
                "mimeType": "application/pdf",
                "md5": f.md5,
            })
        };
        let mut result = json!({
            "inputFiles": self.input_files.iter().map(file_json).collect::<Vec<_>>(),
            "signedFiles": self.signed_files.iter().map(file_json).collect::<Vec<_>>(),
        });
        if let (Some(signer), Some(obj)) = (&self.signer, result.as_object_mut()) {
            obj.insert(
                "signer".to_owned(),
                json!({"name": signer.name, "personalNumber": signer.personal_number}),
            );
        }
        json!({
            "id": self.id,
            "status": self.status.as_str(),
            "relay_state": self.relay_state,
            "errors": self.errors,
            "result": result,
        })
    }

    /// Finishes a pending session as signed by `user`, producing one signed PDF per selected file.
    pub fn finish(&mut self, user: &TestUser) -> Result<(), String> {
        let signed_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let mut signed = Vec::with_capacity(self.to_sign.len());
        for (file_id, placement) in &self.to_sign {
            let Some(input) = self.input_files.iter().find(|f| f.id == *file_id) else {
                continue;
            };
            let bytes = crate::pades::sign_bankid(
                &input.data,
                placement.page,
                placement.x,
                placement.y,
                user.name,
                user.personal_number,
                signed_at,
            )?;
            signed.push(StoredFile::new(input.name.clone(), Bytes::from(bytes)));
        }
        self.signed_files = signed;
        self.signer = Some(Signer {
            name: user.name.to_owned(),
            personal_number: user.personal_number.to_owned(),
        });
        self.errors.clear();
        self.status = Status::Finished;
        Ok(())
    }

    pub fn cancel(&mut self) {
        self.status = Status::Cancelled;
        self.signed_files.clear();
        self.errors = vec![error_item(
            "CANCELLED_BY_USER",
            "Signing cancelled by the end-user",
            410,
        )];
    }

    pub fn fail(&mut self) {
        self.status = Status::Failed;
        self.signed_files.clear();
        self.errors = vec![error_item(
            "SIGNING_FAILED",
            "The signing process failed at the identity provider",
            500,
        )];
    }

    pub fn expire(&mut self) {
        self.status = Status::Expired;
        self.errors = vec![error_item(
            "SESSION_EXPIRED",
            "The signing session has expired",
            410,
        )];
    }
}

pub(crate) fn error_item(code: &str, description: &str, status: u16) -> Value {
    json!({"code": code, "description": description, "statusCode": status})
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    Status,
    RateLimit,
    Delay,
    Drop,
    /// Handle the request (the server acts), then drop the connection without answering.
    DropAfter,
    /// Handle the request, then send only the first half of the body and break the connection.
    Truncate,
    Corrupt,
    Malformed,
    /// Answer with an error whose text reflects the request's headers and body (a gateway or
    /// WAF that echoes what it refused).
    Echo,
}

#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub kind: FaultKind,
    pub remaining: u32,
    pub path_prefix: Option<String>,
    pub method: Option<String>,
    pub status: u16,
    pub retry_after: u64,
    pub delay_ms: u64,
    /// The Securosys `errorCode` of an echo answer (`None`: one that fits the status).
    pub error_code: Option<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<String>,
    /// True when the request came over the mutual-TLS listener.
    pub mtls: bool,
    /// Subject DN of the verified client certificate (mTLS listener only).
    pub client_cert_subject: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub sessions: HashMap<Uuid, Session>,
    pub eid_sessions: HashMap<Uuid, EidSession>,
    pub keys: Vec<String>,
    pub media_base: Option<String>,
    pub faults: VecDeque<Fault>,
    pub requests: Vec<RecordedRequest>,
    pub webhook_secret: String,
    pub webhook_scheme: WebhookScheme,
    pub webhooks: WebhookQueue,
    pub oauth: OAuthState,
    /// Opt-in leniencies beyond the contract (all off by default).
    pub lenient: crate::zauth::Leniency,
}

impl Inner {
    /// Takes one use of the first queued fault matching this request.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let idx = self.faults.iter().position(|f| {
            f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = self.faults.get_mut(idx)?;
        let taken = fault.clone();
        fault.remaining = fault.remaining.saturating_sub(1);
        if fault.remaining == 0 {
            self.faults.remove(idx);
        }
        Some(taken)
    }
}

/// State shared by all handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub base_url: String,
    pub quiet: bool,
    /// Token-signing key of the OAuth endpoints (fixed for the simulator's lifetime).
    pub jwt: JwtKey,
    /// Accepted `iss` values: one per listener (plain HTTP, and mTLS when enabled).
    pub issuers: Vec<String>,
    inner: Mutex<Inner>,
    /// The test clock. Lock order: `inner` before `clock`.
    clock: Mutex<SimClock>,
    /// Wakes the webhook worker (new delivery, clock change).
    pub wake: tokio::sync::Notify,
    /// The Securosys TSB simulation (its own lock; never taken while holding `inner`).
    pub securosys: crate::securosys::SecurosysState,
    /// The OneSpan Sign simulation (its own lock; may be taken while holding `inner`, never the
    /// other way round).
    pub onespan: crate::onespan::OneSpanState,
    /// The TLS listener: handshakes completed, and whether HTTP/2 is offered (ALPN).
    pub tls_stats: Arc<crate::TlsStats>,
}

impl Shared {
    pub fn new(
        base_url: String,
        tls_base_url: Option<&str>,
        keys: Vec<String>,
        quiet: bool,
        webhook_secret: String,
        oauth: OAuthState,
    ) -> std::io::Result<Shared> {
        let mut issuers = vec![crate::oauth::issuer_for(&base_url)];
        issuers.extend(tls_base_url.map(crate::oauth::issuer_for));
        Ok(Shared {
            jwt: JwtKey::generate()?,
            issuers,
            base_url,
            quiet,
            inner: Mutex::new(Inner {
                sessions: HashMap::new(),
                eid_sessions: HashMap::new(),
                keys,
                media_base: None,
                faults: VecDeque::new(),
                requests: Vec::new(),
                webhook_secret,
                webhook_scheme: WebhookScheme::V1,
                webhooks: WebhookQueue::default(),
                oauth,
                lenient: crate::zauth::Leniency::default(),
            }),
            clock: Mutex::new(SimClock::new()),
            wake: tokio::sync::Notify::new(),
            securosys: crate::securosys::SecurosysState::default(),
            onespan: crate::onespan::OneSpanState::default(),
            tls_stats: Arc::default(),
        })
    }

    /// Locks the test clock.
    pub fn clock(&self) -> MutexGuard<'_, SimClock> {
        self.clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Current simulated time, fractional Unix seconds.
    pub fn now(&self) -> f64 {
        self.clock().now()
    }

    /// Current simulated time, whole Unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.clock().now_secs()
    }

    /// Real time until simulated time `at`.
    pub fn real_until(&self, at: f64) -> Duration {
        self.clock().real_until(at)
    }

    /// Queues a webhook for a session that registered one, and wakes the worker.
    pub fn webhook(
        &self,
        inner: &mut Inner,
        session_id: Uuid,
        url: Option<&str>,
        event: &str,
        payload: &Value,
    ) {
        let Some(url) = url else { return };
        let now = self.now();
        inner.webhooks.enqueue(now, session_id, url, event, payload);
        self.wake.notify_one();
    }

    /// After a signing session changed: `session_finished` when it just reached a final state.
    pub fn signing_changed(&self, inner: &mut Inner, id: Uuid, before: Status) {
        if before.is_final() {
            return;
        }
        let media_base = self.media_base(inner);
        let Some(s) = inner.sessions.get(&id) else {
            return;
        };
        if !s.status.is_final() {
            return;
        }
        let (url, payload) = (
            s.webhook.clone(),
            s.webhook_payload("session_finished", &media_base),
        );
        self.webhook(inner, id, url.as_deref(), "session_finished", &payload);
    }

    /// After an eID session changed: `session_finished` when it just reached a final state.
    pub fn eid_changed(&self, inner: &mut Inner, id: Uuid, was_final: bool) {
        if was_final {
            return;
        }
        let Some(s) = inner.eid_sessions.get(&id) else {
            return;
        };
        if !s.status.is_final() {
            return;
        }
        let (url, payload) = (s.webhook.clone(), s.webhook_payload("session_finished"));
        self.webhook(inner, id, url.as_deref(), "session_finished", &payload);
    }

    /// Expires every session that is not final and older than 48 h (simulated), sending its
    /// `session_finished` webhook.
    pub fn sweep_expired(&self, inner: &mut Inner) {
        let now = self.now();
        self.onespan.sweep(now);
        let stale: Vec<Uuid> = inner
            .sessions
            .values()
            .filter(|s| !s.status.is_final() && s.is_stale(now))
            .map(|s| s.id)
            .collect();
        for id in stale {
            if let Some(s) = inner.sessions.get_mut(&id) {
                let before = s.status;
                s.expire();
                self.signing_changed(inner, id, before);
            }
        }
        let stale: Vec<Uuid> = inner
            .eid_sessions
            .values()
            .filter(|s| !s.status.is_final() && s.is_stale(now))
            .map(|s| s.id)
            .collect();
        for id in stale {
            if let Some(s) = inner.eid_sessions.get_mut(&id) {
                s.expire();
                self.eid_changed(inner, id, false);
            }
        }
    }

    /// Locks the state; a poisoned lock is recovered (handlers never leave it inconsistent).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn media_base(&self, inner: &Inner) -> String {
        inner
            .media_base
            .clone()
            .unwrap_or_else(|| self.base_url.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_is_base64() {
        assert_eq!(md5_b64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }
}
