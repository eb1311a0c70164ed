//! Verifying and parsing pushed results (webhooks), so a receiving handler in any language
//! authenticates a delivery with one call.
//!
//! ZignSec v5 (contract §6): header `X-ZignSec-Hmac-SHA256: t=<unix seconds>,v1=<hex>` where
//! `v1 = hex(HMAC-SHA256(secret, t + "." + raw_body))`. Only `v1` is a live scheme; other
//! `vN=` entries are ignored. The legacy v2 scheme is `hex(HMAC-SHA256(secret, raw_body))`.
//!
//! The verifier:
//! - compares in constant time (`hmac`'s `verify_slice`);
//! - accepts several secrets at once, so a secret can be rotated without dropping deliveries;
//! - refuses a timestamp further than the tolerance (default 5 minutes) from now;
//! - refuses a `(t, v1)` pair it already accepted (a replay). Each redelivery is signed anew with
//!   its own timestamp, so a legitimate retry after your handler failed is not a replay. The
//!   legacy scheme has no timestamp: deduplicate its deliveries by event id yourself.
//!
//! Verify the raw body bytes exactly as received, before any JSON parsing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, ErrorCode, Result};
use crate::providers::zignsec::{Identity, ProviderErrorItem};
use crate::replay::{replay_store_from_url, MemoryReplayStore, ReplayStore};
use crate::session::SessionStatus;

/// The header ZignSec signs deliveries with.
pub const SIGNATURE_HEADER: &str = "X-ZignSec-Hmac-SHA256";

/// Default tolerance between a delivery's timestamp and now.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The largest tolerance a verifier accepts (24 hours). A delivery is signed anew at every
/// attempt, so the tolerance only has to cover clock skew and delivery delay; a longer one
/// would let an old delivery be replayed long after it was sent.
pub const MAX_TOLERANCE: Duration = Duration::from_secs(24 * 3600);

/// A verified delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEvent {
    /// The event name (`session_created`, `session_finished`, `session_updated`…).
    pub event: String,
    /// The session id.
    pub session_id: Option<String>,
    /// The product that sent it (`Zignsec.v5.…`).
    pub integration_id: Option<String>,
    /// Your `relay_state`, echoed.
    pub relay_state: Option<String>,
    /// The session's status, when the event carries one.
    pub status: Option<SessionStatus>,
    /// Errors reported with the event.
    pub errors: Vec<ProviderErrorItem>,
    /// The identified person, when the event carries one.
    pub identity: Option<Identity>,
    /// The workflow session id, for workflow products.
    pub workflow_session_id: Option<String>,
    /// The whole payload.
    pub raw: serde_json::Value,
}

#[derive(Deserialize)]
struct WirePayload {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    integration_id: Option<String>,
    #[serde(default, alias = "relayState", alias = "relaystate")]
    relay_state: Option<String>,
    #[serde(default)]
    workflow_session_id: Option<String>,
    #[serde(default)]
    status: Option<serde_json::Value>,
    #[serde(default)]
    errors: Option<Vec<ProviderErrorItem>>,
    #[serde(default)]
    identity: Option<Identity>,
    #[serde(default)]
    result: Option<WirePayloadResult>,
}

#[derive(Deserialize, Default)]
struct WirePayloadResult {
    #[serde(default)]
    status: Option<SessionStatus>,
    #[serde(default)]
    errors: Option<Vec<ProviderErrorItem>>,
    #[serde(default, rename = "eventSpecificData", alias = "event_specific_data")]
    event_specific_data: Option<serde_json::Value>,
    #[serde(default)]
    identity: Option<Identity>,
}

/// Parse a delivery's JSON body (after verification) into a typed event.
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent> {
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::protocol(format!(
            "the webhook body is not JSON ({})",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let w: WirePayload = serde_json::from_value(raw.clone()).map_err(|e| {
        Error::protocol(format!(
            "the webhook body does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let result = w.result.unwrap_or_default();
    let identity = result
        .identity
        .or_else(|| {
            result
                .event_specific_data
                .as_ref()
                .and_then(|d| d.get("identity"))
                .and_then(|i| serde_json::from_value(i.clone()).ok())
        })
        .or(w.identity);
    // Product events may put a product status (e.g. SMS "dispatched") at the top level.
    let status = result.status.or_else(|| {
        w.status
            .as_ref()
            .and_then(|s| s.as_str())
            .map(SessionStatus::parse)
    });
    Ok(WebhookEvent {
        event: w.event.unwrap_or_else(|| "result".to_string()),
        session_id: w.id,
        integration_id: w.integration_id,
        relay_state: w.relay_state,
        status,
        errors: result.errors.or(w.errors).unwrap_or_default(),
        identity,
        workflow_session_id: w.workflow_session_id,
        raw,
    })
}

/// Verifies deliveries against one or more secrets. Share one verifier per endpoint (it
/// remembers accepted signatures to refuse replays); it is `Send + Sync`. Several instances
/// behind a load balancer share a replay store ([`with_replay_store_url`](Self::with_replay_store_url)).
pub struct WebhookVerifier {
    secrets: Vec<SecretString>,
    tolerance: Duration,
    store: Arc<dyn ReplayStore>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier accepting any of `secrets` (give old and new during a rotation).
    pub fn new(secrets: Vec<SecretString>) -> Result<WebhookVerifier> {
        if secrets.is_empty() || secrets.iter().any(|s| s.expose_secret().is_empty()) {
            return Err(Error::new(
                ErrorCode::AuthConfigMissing,
                "a webhook verifier needs at least one non-empty secret",
            ));
        }
        Ok(WebhookVerifier {
            secrets,
            tolerance: DEFAULT_TOLERANCE,
            store: Arc::new(MemoryReplayStore::new()),
        })
    }

    /// Remember accepted deliveries in `store` instead of this process's memory.
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> WebhookVerifier {
        self.store = store;
        self
    }

    /// Remember accepted deliveries in the store `url` names (`memory:`, or
    /// `redis://[:password@]host[:port][/db]` shared by every instance: see
    /// [`crate::replay`]). A bad URL is [`ErrorCode::InvalidConfig`] (never showing the URL).
    pub fn with_replay_store_url(self, url: &str) -> Result<WebhookVerifier> {
        Ok(self.with_replay_store(replay_store_from_url(url)?))
    }

    /// Change the accepted distance between a delivery's timestamp and now (at most
    /// [`MAX_TOLERANCE`]; more is an [`ErrorCode::InvalidArgument`] error).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Result<WebhookVerifier> {
        if tolerance > MAX_TOLERANCE {
            return Err(Error::invalid_argument(format!(
                "a webhook tolerance of {} s is more than the {} s (24 h) allowed: the tolerance \
                 covers clock skew and delivery delay (each redelivery is signed anew), and a \
                 longer one would accept replays of old deliveries; give a few minutes \
                 (default {} s)",
                tolerance.as_secs(),
                MAX_TOLERANCE.as_secs(),
                DEFAULT_TOLERANCE.as_secs()
            )));
        }
        self.tolerance = tolerance;
        Ok(self)
    }

    /// Verify a v5 delivery (`X-ZignSec-Hmac-SHA256: t=…,v1=…`) against the current time and
    /// parse it.
    pub fn verify(&self, signature_header: &str, body: &[u8]) -> Result<WebhookEvent> {
        self.verify_at(signature_header, body, SystemTime::now())
    }

    /// [`verify`](Self::verify) with an explicit "now" (for tests and replays of logs).
    pub fn verify_at(
        &self,
        signature_header: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent> {
        let (t, candidates) = parse_header(signature_header)?;
        let now_s = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let age = now_s.abs_diff(t);
        if age > self.tolerance.as_secs() {
            return Err(Error::new(
                ErrorCode::WebhookReplay,
                format!(
                    "the delivery's timestamp is {age} s away from now (tolerance {} s): too \
                     old to trust; reject it",
                    self.tolerance.as_secs()
                ),
            ));
        }
        let mut signed = Vec::with_capacity(body.len() + 24);
        signed.extend_from_slice(t.to_string().as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(body);
        let matched = candidates
            .iter()
            .find(|sig| self.any_secret_matches(&signed, sig))
            .ok_or_else(bad_signature)?;
        self.remember(t, now_s, &hex_encode(matched))?;
        parse_event(body)
    }

    /// Verify a legacy (v2) delivery whose header is `hex(HMAC-SHA256(secret, body))`, and parse
    /// it. There is no timestamp, so no replay check: deduplicate by event id.
    pub fn verify_legacy(&self, signature_header: &str, body: &[u8]) -> Result<WebhookEvent> {
        if signature_header.trim().is_empty() {
            return Err(missing_header());
        }
        let sig = hex_decode(signature_header.trim()).ok_or_else(|| {
            Error::new(
                ErrorCode::WebhookInvalid,
                "the legacy signature header is not hex; reject the delivery",
            )
        })?;
        if !self.any_secret_matches(body, &sig) {
            return Err(bad_signature());
        }
        parse_event(body)
    }

    fn any_secret_matches(&self, data: &[u8], sig: &[u8]) -> bool {
        // Check every secret (no early exit) so timing does not reveal which one matched.
        let mut ok = false;
        for s in &self.secrets {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(s.expose_secret().as_bytes()) else {
                continue;
            };
            mac.update(data);
            ok |= mac.verify_slice(sig).is_ok();
        }
        ok
    }

    fn remember(&self, t: u64, now: u64, sig_hex: &str) -> Result<()> {
        let key = format!("{t}.{sig_hex}");
        // A delivery is accepted while its timestamp is within the tolerance of now: remember
        // it until then (checked arithmetic: the tolerance is bounded, but an overflow would
        // silently forget it).
        let expires_at = t
            .saturating_add(self.tolerance.as_secs())
            .saturating_add(1)
            .max(now.saturating_add(1));
        if !self.store.remember(&key, now, expires_at)? {
            return Err(Error::new(
                ErrorCode::WebhookReplay,
                "this delivery (same timestamp and signature) was already accepted: a replay; \
                 reject it",
            ));
        }
        Ok(())
    }
}

fn bad_signature() -> Error {
    Error::new(
        ErrorCode::WebhookInvalid,
        "the delivery's signature matches none of the configured webhook secrets (tampered \
         body or wrong secret); reject it with HTTP 401",
    )
}

/// A delivery without the signature header (or with an empty one).
fn missing_header() -> Error {
    Error::new(
        ErrorCode::WebhookInvalid,
        format!(
            "the {SIGNATURE_HEADER} header is missing: this request was not signed by the \
             gateway (or a proxy dropped the header); reject it with HTTP 401"
        ),
    )
}

fn parse_header(h: &str) -> Result<(u64, Vec<Vec<u8>>)> {
    if h.trim().is_empty() {
        return Err(missing_header());
    }
    let malformed = |why: &str| {
        Error::new(
            ErrorCode::WebhookInvalid,
            format!(
                "the {SIGNATURE_HEADER} header is malformed ({why}); expected t=<unix \
                 seconds>,v1=<hex>"
            ),
        )
    };
    let mut t = None;
    let mut sigs = Vec::new();
    for part in h.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "t" => {
                t = Some(
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| malformed("t is not a number"))?,
                )
            }
            "v1" => {
                if let Some(b) = hex_decode(v.trim()) {
                    sigs.push(b);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or_else(|| malformed("no t="))?;
    if sigs.is_empty() {
        return Err(malformed("no v1= signature"));
    }
    Ok((t, sigs))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    // Only hex digits: `from_str_radix` alone would also take a sign ("+3").
    if s.len() % 2 != 0 || s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Sign a body the way ZignSec v5 does (for tests and for simulators of your own).
pub fn sign_v5(secret: &str, t: u64, body: &[u8]) -> String {
    let mut data = t.to_string().into_bytes();
    data.push(b'.');
    data.extend_from_slice(body);
    format!("t={t},v1={}", hmac_hex(secret, &data))
}

/// Sign a body the way the legacy v2 scheme does.
pub fn sign_legacy(secret: &str, body: &[u8]) -> String {
    hmac_hex(secret, body)
}

fn hmac_hex(secret: &str, data: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(data);
            hex_encode(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_missing_header_is_called_missing_not_malformed() {
        let v = WebhookVerifier::new(vec![SecretString::from("s".to_string())]).expect("verifier");
        for h in ["", "   "] {
            let e = v.verify(h, b"{}").expect_err("missing");
            assert_eq!(e.code(), ErrorCode::WebhookInvalid);
            assert!(e.message().contains("header is missing"), "{e}");
            let e = v.verify_legacy(h, b"{}").expect_err("missing");
            assert!(e.message().contains("header is missing"), "{e}");
        }
        let e = v.verify("v1=00", b"{}").expect_err("malformed");
        assert!(e.message().contains("malformed (no t=)"), "{e}");
    }

    use super::*;

    const BODY: &[u8] = br#"{"event":"session_finished","id":"s1","integration_id":"Zignsec.v5.bankid_se","relay_state":"order-7","result":{"errors":[],"status":"Finished","eventSpecificData":{"identity":{"fullName":"Astrid Lindqvist","personalNumber":"199001011234","countryCode":"SE"}}},"workflow_session_id":null}"#;

    fn at(t: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(t)
    }

    fn verifier(secrets: &[&str]) -> WebhookVerifier {
        WebhookVerifier::new(
            secrets
                .iter()
                .map(|s| SecretString::from(s.to_string()))
                .collect(),
        )
        .expect("verifier")
    }

    #[test]
    fn an_absurd_tolerance_is_refused_and_the_largest_still_refuses_replays() {
        // A tolerance whose double overflows used to wrap (release) or panic (debug) when the
        // first delivery was remembered; now it is refused with a clear error.
        for huge in [
            Duration::from_secs(u64::MAX / 2 + 1),
            Duration::MAX,
            MAX_TOLERANCE + Duration::from_secs(1),
        ] {
            let e = verifier(&["s"]).with_tolerance(huge).expect_err("refused");
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
            assert!(e.message().contains("86400"), "{}", e.message());
        }
        // The largest tolerance: an old delivery is accepted once, and still refused as a
        // replay after newer deliveries were accepted.
        let v = verifier(&["s"])
            .with_tolerance(MAX_TOLERANCE)
            .expect("24 h");
        let now = 1_700_000_000;
        let old = sign_v5("s", now - 20 * 3600, BODY);
        v.verify_at(&old, BODY, at(now))
            .expect("an old delivery within 24 h");
        for i in 1..=3 {
            let newer = sign_v5("s", now + i, BODY);
            v.verify_at(&newer, BODY, at(now + i)).expect("newer");
        }
        let e = v.verify_at(&old, BODY, at(now + 10)).expect_err("replay");
        assert_eq!(e.code(), ErrorCode::WebhookReplay);
        assert!(verifier(&["s"]).with_tolerance(Duration::ZERO).is_ok());
    }

    #[test]
    fn valid_delivery_parses() {
        let v = verifier(&["old", "new"]);
        let h = sign_v5("new", 1_700_000_000, BODY);
        let e = v.verify_at(&h, BODY, at(1_700_000_010)).expect("valid");
        assert_eq!(e.event, "session_finished");
        assert_eq!(e.relay_state.as_deref(), Some("order-7"));
        assert_eq!(e.status, Some(SessionStatus::Finished));
        assert_eq!(
            e.identity.and_then(|i| i.full_name).as_deref(),
            Some("Astrid Lindqvist")
        );
    }

    #[test]
    fn tampered_wrong_secret_stale_and_replayed_are_refused() {
        let v = verifier(&["s3cret"]);
        let t = 1_700_000_000;
        let h = sign_v5("s3cret", t, BODY);
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        let code = |r: Result<WebhookEvent>| r.err().map(|e| e.code());
        assert_eq!(
            code(v.verify_at(&h, &tampered, at(t))),
            Some(ErrorCode::WebhookInvalid)
        );
        let wrong = sign_v5("other", t, BODY);
        assert_eq!(
            code(v.verify_at(&wrong, BODY, at(t))),
            Some(ErrorCode::WebhookInvalid)
        );
        assert_eq!(
            code(v.verify_at(&h, BODY, at(t + 301))),
            Some(ErrorCode::WebhookReplay)
        );
        assert_eq!(
            code(v.verify_at(&h, BODY, at(t - 301))),
            Some(ErrorCode::WebhookReplay)
        );
        assert!(v.verify_at(&h, BODY, at(t + 5)).is_ok());
        assert_eq!(
            code(v.verify_at(&h, BODY, at(t + 6))),
            Some(ErrorCode::WebhookReplay)
        );
        // A redelivery signed anew is not a replay.
        let again = sign_v5("s3cret", t + 30, BODY);
        assert!(v.verify_at(&again, BODY, at(t + 31)).is_ok());
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "garbage"] {
            assert_eq!(
                code(v.verify_at(bad, BODY, at(t))),
                Some(ErrorCode::WebhookInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn legacy_scheme() {
        let v = verifier(&["token"]);
        let h = sign_legacy("token", BODY);
        assert!(v.verify_legacy(&h, BODY).is_ok());
        assert_eq!(
            v.verify_legacy(&sign_legacy("nope", BODY), BODY)
                .err()
                .map(|e| e.code()),
            Some(ErrorCode::WebhookInvalid)
        );
        assert_eq!(
            v.verify_legacy("zz", BODY).err().map(|e| e.code()),
            Some(ErrorCode::WebhookInvalid)
        );
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let v = verifier(&["very-secret-value"]);
        assert!(!format!("{v:?}").contains("very-secret-value"));
        assert!(WebhookVerifier::new(vec![]).is_err());
    }
}
