//! Subscription key pairs with zero-downtime rotation (ZignSec seed 000).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::CredentialSlot;
use crate::error::{Error, Result};

/// Which header carries a subscription key.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum KeyHeader {
    /// `Zs-Product-Key: <key>` — the scheme of all new ZignSec APIs (default).
    #[default]
    ProductKey,
    /// `Authorization: <key>` (no `Bearer`) — the legacy scheme older products still accept.
    #[serde(alias = "legacy-authorization", alias = "legacy")]
    Authorization,
}

impl KeyHeader {
    /// Parse `product-key` / `authorization` (as environment variables spell it).
    pub fn parse(s: &str) -> Option<KeyHeader> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "product-key" | "zs-product-key" => Some(KeyHeader::ProductKey),
            "authorization" | "legacy-authorization" | "legacy" => Some(KeyHeader::Authorization),
            _ => None,
        }
    }

    fn header_name(self) -> HeaderName {
        match self {
            KeyHeader::ProductKey => HeaderName::from_static("zs-product-key"),
            KeyHeader::Authorization => http::header::AUTHORIZATION,
        }
    }
}

/// Up to two active subscription keys (primary, secondary). A request starts with the key that
/// last worked; on 401/403 it is retried once with the other key, which then becomes the one
/// used from then on. The key values never appear in Debug output, logs or errors.
pub struct KeyRing {
    keys: Vec<SecretString>,
    header: KeyHeader,
    active: AtomicUsize,
}

impl KeyRing {
    /// A key ring over `keys` (primary first). Fails when there is no key, more than two, or a
    /// key that cannot be sent in an HTTP header.
    pub fn new(keys: Vec<SecretString>, header: KeyHeader) -> Result<KeyRing> {
        if keys.is_empty() {
            return Err(Error::new(
                crate::ErrorCode::AuthConfigMissing,
                "no subscription key configured; set a primary key (and optionally a secondary \
                 key) in the configuration or in SIGNBRIDGE_ZIGNSEC_KEY",
            ));
        }
        if keys.len() > 2 {
            return Err(Error::invalid_config(
                "at most two subscription keys (primary and secondary) can be active at once",
            ));
        }
        for (i, k) in keys.iter().enumerate() {
            let v = k.expose_secret();
            if v.trim().is_empty() {
                return Err(Error::invalid_config(format!(
                    "subscription key #{} is empty",
                    i + 1
                )));
            }
            if HeaderValue::from_str(v).is_err() || v.trim() != v {
                return Err(Error::invalid_config(format!(
                    "subscription key #{} contains characters that cannot be sent in a header \
                     (whitespace or control characters)",
                    i + 1
                )));
            }
        }
        Ok(KeyRing {
            keys,
            header,
            active: AtomicUsize::new(0),
        })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring holds no key (never true for a ring built with [`KeyRing::new`]).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The header scheme.
    pub fn header(&self) -> KeyHeader {
        self.header
    }

    /// Teach `scrub` every key.
    pub(crate) fn scrub_into(&self, scrub: &mut crate::scrub::Scrubber) {
        for k in &self.keys {
            scrub.secret(k.expose_secret());
        }
    }

    pub(crate) fn active_slot(&self) -> CredentialSlot {
        CredentialSlot(self.active.load(Ordering::Relaxed) % self.keys.len())
    }

    pub(crate) fn next_slot(
        &self,
        rejected: CredentialSlot,
        tried: usize,
    ) -> Option<CredentialSlot> {
        if tried >= self.keys.len() {
            return None;
        }
        Some(CredentialSlot((rejected.0 + 1) % self.keys.len()))
    }

    pub(crate) fn promote(&self, slot: CredentialSlot) {
        let before = self.active.swap(slot.0, Ordering::Relaxed);
        if before != slot.0 {
            tracing::info!(
                key = if slot.0 == 0 { "primary" } else { "secondary" },
                "subscription key rotated: the other key was rejected, this one is used from now on"
            );
        }
    }

    pub(crate) fn headers(&self, slot: CredentialSlot) -> Vec<(HeaderName, HeaderValue)> {
        let Some(key) = self.keys.get(slot.0) else {
            return Vec::new();
        };
        // Validated in `new`, so this cannot fail; an empty list would make the provider answer 401.
        match HeaderValue::from_str(key.expose_secret()) {
            Ok(mut v) => {
                v.set_sensitive(true);
                vec![(self.header.header_name(), v)]
            }
            Err(_) => Vec::new(),
        }
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("header", &self.header)
            .field("active", &self.active.load(Ordering::Relaxed))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(keys: &[&str]) -> Result<KeyRing> {
        KeyRing::new(
            keys.iter()
                .map(|k| SecretString::from(k.to_string()))
                .collect(),
            KeyHeader::ProductKey,
        )
    }

    #[test]
    fn rotation_order_and_debug_redaction() {
        let r = ring(&["primary-secret-1", "secondary-secret-2"]).expect("ring");
        assert_eq!(r.active_slot(), CredentialSlot(0));
        assert_eq!(r.next_slot(CredentialSlot(0), 1), Some(CredentialSlot(1)));
        assert_eq!(r.next_slot(CredentialSlot(1), 2), None);
        r.promote(CredentialSlot(1));
        assert_eq!(r.active_slot(), CredentialSlot(1));
        let dbg = format!("{r:?}");
        assert!(
            !dbg.contains("secret-1") && !dbg.contains("secret-2"),
            "{dbg}"
        );
        let h = r.headers(CredentialSlot(1));
        assert!(h[0].1.is_sensitive());
        assert_eq!(h[0].0.as_str(), "zs-product-key");
    }

    #[test]
    fn bad_key_sets_are_refused() {
        assert_eq!(
            ring(&[]).err().map(|e| e.code()),
            Some(crate::ErrorCode::AuthConfigMissing)
        );
        assert_eq!(
            ring(&["a", "b", "c"]).err().map(|e| e.code()),
            Some(crate::ErrorCode::InvalidConfig)
        );
        let e = ring(&["bad\nkey"]).expect_err("refused");
        assert!(!e.message().contains("bad\nkey"));
    }

    #[test]
    fn header_names_parse() {
        assert_eq!(KeyHeader::parse("legacy"), Some(KeyHeader::Authorization));
        assert_eq!(KeyHeader::parse("Product_Key"), Some(KeyHeader::ProductKey));
        assert_eq!(KeyHeader::parse("x"), None);
    }
}
