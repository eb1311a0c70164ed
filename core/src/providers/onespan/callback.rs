//! OneSpan callbacks (event notifications, contract §7): authenticating and parsing a delivery.
//!
//! OneSpan posts a JSON event to the registered URL with `Authorization: Basic <callback key>`,
//! the key exactly as registered (not base64 of anything). [`CallbackVerifier::verify`] checks
//! that header in constant time, then parses the body:
//!
//! - a missing or different key → [`ErrorCode::WebhookInvalid`] (answer HTTP 401);
//! - a body that is not a JSON event with a `name` → [`ErrorCode::Protocol`] (answer HTTP 400).
//!
//! OneSpan does not re-send a failed delivery (it emails the sender instead), and events carry
//! only ids: fetch the package ([`super::OnespanClient::get_package`]) to act on one. Deliveries
//! carry no timestamp signature, so there is no replay window to check; make your handler
//! idempotent per (`name`, `package_id`, `created_date`).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{nd, open_enum};
use crate::error::{Error, ErrorCode, Result};

open_enum! {
    /// A callback event name (contract §7).
    CallbackEventName {
        /// A package was created.
        PackageCreate = "PACKAGE_CREATE",
        /// A package was sent.
        PackageActivate = "PACKAGE_ACTIVATE",
        /// A sent package went back to draft.
        PackageDeactivate = "PACKAGE_DEACTIVATE",
        /// Every signer is done; the sender must complete it (autocomplete off).
        PackageReadyForComplete = "PACKAGE_READY_FOR_COMPLETE",
        /// The package is complete.
        PackageComplete = "PACKAGE_COMPLETE",
        /// The package expired.
        PackageExpire = "PACKAGE_EXPIRE",
        /// A signer opted out.
        PackageOptOut = "PACKAGE_OPT_OUT",
        /// A signer declined.
        PackageDecline = "PACKAGE_DECLINE",
        /// The package was moved to the trash.
        PackageTrash = "PACKAGE_TRASH",
        /// The package was restored from the trash.
        PackageRestore = "PACKAGE_RESTORE",
        /// The package was deleted.
        PackageDelete = "PACKAGE_DELETE",
        /// The package was archived.
        PackageArchive = "PACKAGE_ARCHIVE",
        /// A signer uploaded an attachment.
        PackageAttachment = "PACKAGE_ATTACHMENT",
        /// A signer finished signing.
        SignerComplete = "SIGNER_COMPLETE",
        /// A signer was locked out.
        SignerLocked = "SIGNER_LOCKED",
        /// A document was signed.
        DocumentSigned = "DOCUMENT_SIGNED",
        /// A document was viewed.
        DocumentViewed = "DOCUMENT_VIEWED",
        /// A role was reassigned.
        RoleReassign = "ROLE_REASSIGN",
        /// Knowledge-based authentication failed.
        KbaFailure = "KBA_FAILURE",
        /// An email bounced.
        EmailBounce = "EMAIL_BOUNCE",
        /// A template was created.
        TemplateCreate = "TEMPLATE_CREATE",
    }
}

/// An authenticated callback delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallbackEvent {
    /// What happened.
    pub name: CallbackEventName,
    /// The package it happened to.
    pub package_id: Option<String>,
    /// The sender id (sender events) or signer id (signer events).
    pub session_user: Option<String>,
    /// The decline or opt-out reason, when there is one.
    pub message: Option<String>,
    /// The document, for document events.
    pub document_id: Option<String>,
    /// When (ISO 8601, UTC), as OneSpan wrote it.
    pub created_date: Option<String>,
    /// The whole payload.
    pub raw: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    name: Option<String>,
    #[serde(default, deserialize_with = "nd")]
    package_id: Option<String>,
    #[serde(default, deserialize_with = "nd")]
    session_user: Option<String>,
    #[serde(default, deserialize_with = "nd")]
    message: Option<String>,
    #[serde(default, deserialize_with = "nd")]
    document_id: Option<String>,
    #[serde(default, deserialize_with = "nd")]
    created_date: Option<String>,
}

/// Parse a delivery's body once it is authenticated (use [`CallbackVerifier::verify`] for the
/// `Basic <key>` scheme; call this directly when the callback is authenticated otherwise, e.g.
/// by OneSpan's OAuth 2.0 callback option checked by your own middleware).
pub fn parse_event(body: &[u8]) -> Result<CallbackEvent> {
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::protocol(format!(
            "the callback body is not JSON ({}); answer HTTP 400",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let w: Wire = serde_json::from_value(raw.clone()).map_err(|e| {
        Error::protocol(format!(
            "the callback body is not a OneSpan event ({}); answer HTTP 400",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let name = w
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::protocol("the callback body has no event name; answer HTTP 400"))?;
    let opt = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    Ok(CallbackEvent {
        name: CallbackEventName::parse(&name),
        package_id: opt(w.package_id),
        session_user: opt(w.session_user),
        message: opt(w.message),
        document_id: opt(w.document_id),
        created_date: opt(w.created_date),
        raw,
    })
}

/// Authenticates and parses callback deliveries. Thread-safe and cheap to share.
///
/// ```
/// use signbridge::providers::onespan::{CallbackEventName, CallbackVerifier};
///
/// let verifier = CallbackVerifier::new("my-callback-key");
/// let body = br#"{"name":"PACKAGE_COMPLETE","packageId":"abc=","sessionUser":"u1"}"#;
/// let event = verifier.verify(Some("Basic my-callback-key"), body).unwrap();
/// assert_eq!(event.name, CallbackEventName::PackageComplete);
/// assert!(verifier.verify(Some("Basic guess"), body).is_err());
/// ```
pub struct CallbackVerifier {
    /// SHA-256 of each accepted key (compared in constant time).
    keys: Vec<[u8; 32]>,
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("keys", &self.keys.len())
            .finish()
    }
}

fn digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Constant-time equality of two digests.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

impl CallbackVerifier {
    /// A verifier accepting deliveries that carry `key` (the key registered with
    /// [`super::OnespanClient::register_callback`]).
    pub fn new(key: impl Into<SecretString>) -> CallbackVerifier {
        let key: SecretString = key.into();
        CallbackVerifier {
            keys: vec![digest(key.expose_secret().as_bytes())],
        }
    }

    /// Also accept `key` (rotate a callback key without refusing deliveries in flight).
    pub fn with_key(mut self, key: impl Into<SecretString>) -> CallbackVerifier {
        let key: SecretString = key.into();
        self.keys.push(digest(key.expose_secret().as_bytes()));
        self
    }

    /// Check a delivery's `Authorization` header value (`Basic <key>`; `None` when the request
    /// had none) and parse its raw body. See the module docs for the error codes.
    pub fn verify(&self, authorization: Option<&str>, body: &[u8]) -> Result<CallbackEvent> {
        let presented = authorization
            .map(str::trim)
            .and_then(|h| {
                let (scheme, rest) = h.split_once(' ')?;
                scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::WebhookInvalid,
                    "the callback has no \"Authorization: Basic <key>\" header; answer HTTP 401 \
                     (is the callback key registered with OneSpan?)",
                )
            })?;
        let d = digest(presented.as_bytes());
        // Compare with every key, without stopping early.
        let ok = self.keys.iter().fold(false, |acc, k| same(k, &d) | acc);
        if !ok {
            return Err(Error::new(
                ErrorCode::WebhookInvalid,
                "the callback's key does not match the configured callback key; answer HTTP 401 \
                 and check the key registered with OneSpan",
            ));
        }
        parse_event(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"@class":"com.silanis.esl.packages.event.ESLProcessEvent","name":"PACKAGE_DECLINE","sessionUser":"8QS1yr3q8DEZ","packageId":"xT9OeZ-j2jIynQBaLeLdgp9CtZk=","message":"wrong amount","documentId":null,"createdDate":"2019-10-09T19:32:12.255Z","extra":1}"#;

    #[test]
    fn verifies_and_parses() {
        let v = CallbackVerifier::new("k-123");
        let e = v.verify(Some("Basic k-123"), BODY).expect("ok");
        assert_eq!(e.name, CallbackEventName::PackageDecline);
        assert_eq!(
            e.package_id.as_deref(),
            Some("xT9OeZ-j2jIynQBaLeLdgp9CtZk=")
        );
        assert_eq!(e.session_user.as_deref(), Some("8QS1yr3q8DEZ"));
        assert_eq!(e.message.as_deref(), Some("wrong amount"));
        assert_eq!(e.document_id, None);
        assert_eq!(e.created_date.as_deref(), Some("2019-10-09T19:32:12.255Z"));
        // Scheme is case-insensitive, whitespace tolerated.
        assert!(v.verify(Some("  basic   k-123 "), BODY).is_ok());
        // Unknown events are kept.
        let e = v
            .verify(Some("Basic k-123"), br#"{"name":"COBROWSE_REQUEST"}"#)
            .expect("ok");
        assert_eq!(e.name, CallbackEventName::Other("COBROWSE_REQUEST".into()));
    }

    #[test]
    fn refuses_wrong_or_missing_keys_and_bad_bodies() {
        let v = CallbackVerifier::new("k-123").with_key("k-456");
        assert!(v.verify(Some("Basic k-456"), BODY).is_ok());
        for h in [
            None,
            Some(""),
            Some("Basic"),
            Some("Basic k-12"),
            Some("Basic k-1234"),
            Some("Bearer k-123"),
            Some("k-123"),
        ] {
            let e = v.verify(h, BODY).expect_err("refused");
            assert_eq!(e.code(), ErrorCode::WebhookInvalid, "{h:?}");
            assert!(!e.message().contains("k-123"));
        }
        for body in [
            &b"not json"[..],
            b"[]",
            b"{}",
            br#"{"name":""}"#,
            br#"{"name":5}"#,
        ] {
            let e = v.verify(Some("Basic k-123"), body).expect_err("bad body");
            assert_eq!(e.code(), ErrorCode::Protocol);
        }
        assert!(!format!("{v:?}").contains("k-123"));
    }
}
