//! Role-based API keys (Securosys seed 003): each key belongs to one role, a request carries only
//! the key of the role that protects its endpoint, and several keys per role allow rollover.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::SecretSource;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Role;

/// The header that carries a role's API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The `api_keys` object of a provider's configuration: a list of keys per role (first key first;
/// the others are tried in order when the provider says a key is invalid). Each key is the value
/// or `{"file": "/path"}`. Roles left out have no key: calls that need them fail before sending.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleKeysConfig {
    /// `keyManagementToken` keys.
    #[serde(default)]
    pub key_management: Vec<SecretSource>,
    /// `keyOperationToken` keys.
    #[serde(default)]
    pub key_operation: Vec<SecretSource>,
    /// `approverToken` keys.
    #[serde(default)]
    pub approver: Vec<SecretSource>,
    /// `serviceToken` keys.
    #[serde(default)]
    pub service: Vec<SecretSource>,
    /// `approverKeyManagementToken` keys.
    #[serde(default)]
    pub approver_key_management: Vec<SecretSource>,
}

impl RoleKeysConfig {
    /// The configured keys of `role`.
    pub fn keys(&self, role: Role) -> &[SecretSource] {
        match role {
            Role::KeyManagement => &self.key_management,
            Role::KeyOperation => &self.key_operation,
            Role::Approver => &self.approver,
            Role::Service => &self.service,
            Role::ApproverKeyManagement => &self.approver_key_management,
        }
    }
}

struct RoleRing {
    keys: Vec<SecretString>,
    active: AtomicUsize,
}

/// Loaded role keys: for each role its keys and which one is in use (the last one accepted).
/// Key values never appear in Debug output, logs or errors.
pub struct RoleKeys {
    rings: [RoleRing; 5],
    /// Configuration path of the `api_keys` object, for messages (`securosys.api_keys`).
    field: String,
}

impl RoleKeys {
    /// Teach `scrub` every key of every role.
    pub(crate) fn scrub_into(&self, scrub: &mut crate::scrub::Scrubber) {
        for ring in &self.rings {
            for k in &ring.keys {
                scrub.secret(k.expose_secret());
            }
        }
    }

    /// Load every key of `cfg` (reading files). `field` names the object in errors
    /// (`securosys.api_keys`).
    pub fn load(cfg: &RoleKeysConfig, field: &str) -> Result<RoleKeys> {
        let mut rings = Vec::with_capacity(5);
        for role in Role::ALL {
            let mut keys = Vec::new();
            for (i, k) in cfg.keys(role).iter().enumerate() {
                let name = format!("{field}.{}[{i}]", role.config_name());
                let v = k.resolve(&name)?;
                let s = v.expose_secret();
                if HeaderValue::from_str(s).is_err() || s.trim() != s || s.is_empty() {
                    return Err(Error::invalid_config(format!(
                        "{name} contains characters that cannot be sent in a header \
                         (whitespace or control characters)"
                    )));
                }
                keys.push(v);
            }
            rings.push(RoleRing {
                keys,
                active: AtomicUsize::new(0),
            });
        }
        let rings: [RoleRing; 5] = rings
            .try_into()
            .map_err(|_| Error::internal("role key table has the wrong size"))?;
        Ok(RoleKeys {
            rings,
            field: field.to_string(),
        })
    }

    fn ring(&self, role: Role) -> &RoleRing {
        &self.rings[role.index()]
    }

    /// How many keys `role` has.
    pub fn count(&self, role: Role) -> usize {
        self.ring(role).keys.len()
    }

    /// The configuration field of `role` (`securosys.api_keys.key_operation`).
    pub fn field(&self, role: Role) -> String {
        format!("{}.{}", self.field, role.config_name())
    }

    /// The error of a call that needs `role` when no key of that role is configured.
    pub(crate) fn missing(&self, role: Role, what: &str) -> Error {
        Error::new(
            ErrorCode::AuthConfigMissing,
            format!(
                "{what} needs an API key of role {role} ({}), and none is configured; add one to \
                 {} (nothing was sent: a key of another role is never used instead)",
                role.securosys_name(),
                self.field(role)
            ),
        )
    }

    /// The key index to start a request of `role` with, or the missing-key error.
    pub(crate) fn first(&self, role: Role, what: &str) -> Result<usize> {
        let r = self.ring(role);
        if r.keys.is_empty() {
            return Err(self.missing(role, what));
        }
        Ok(r.active.load(Ordering::Relaxed) % r.keys.len())
    }

    /// The next key of `role` after `rejected`, unless `tried` keys have been tried already.
    pub(crate) fn next(&self, role: Role, rejected: usize, tried: usize) -> Option<usize> {
        let n = self.count(role);
        if tried >= n {
            return None;
        }
        Some((rejected + 1) % n)
    }

    /// Remember that key `idx` of `role` was accepted, so later requests start with it.
    pub(crate) fn promote(&self, role: Role, idx: usize) {
        let before = self.ring(role).active.swap(idx, Ordering::Relaxed);
        if before != idx {
            tracing::info!(
                role = role.config_name(),
                key = idx,
                "API key rolled over: the previous key was invalid, this one is used from now on"
            );
        }
    }

    /// The `X-API-KEY` header with key `idx` of `role` (marked sensitive).
    pub(crate) fn header(&self, role: Role, idx: usize) -> Option<(HeaderName, HeaderValue)> {
        let key = self.ring(role).keys.get(idx)?;
        let mut v = HeaderValue::from_str(key.expose_secret()).ok()?;
        v.set_sensitive(true);
        Some((HeaderName::from_static(API_KEY_HEADER), v))
    }
}

impl fmt::Debug for RoleKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RoleKeys");
        for role in Role::ALL {
            d.field(
                role.config_name(),
                &format_args!("[{} redacted]", self.count(role)),
            );
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(json: &str) -> Result<RoleKeys> {
        let cfg: RoleKeysConfig = serde_json::from_str(json).expect("json");
        RoleKeys::load(&cfg, "securosys.api_keys")
    }

    #[test]
    fn roles_are_separate_and_redacted() {
        let k = keys(r#"{"key_operation":["op-secret-1","op-secret-2"],"service":["svc-secret"]}"#)
            .expect("keys");
        assert_eq!(k.count(Role::KeyOperation), 2);
        assert_eq!(k.count(Role::KeyManagement), 0);
        let (name, v) = k.header(Role::Service, 0).expect("header");
        assert_eq!(name.as_str(), "x-api-key");
        assert_eq!(v.to_str().ok(), Some("svc-secret"));
        assert!(v.is_sensitive());
        let e = k
            .first(Role::KeyManagement, "create key")
            .expect_err("missing");
        assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
        assert!(e.message().contains("key_management"), "{}", e.message());
        assert!(e.message().contains("securosys.api_keys.key_management"));
        assert!(e.message().contains("keyManagementToken"));
        let dbg = format!("{k:?}");
        assert!(!dbg.contains("secret"), "{dbg}");
        assert!(dbg.contains("key_operation: [2 redacted]"), "{dbg}");
    }

    #[test]
    fn rollover_order_is_remembered() {
        let k = keys(r#"{"key_operation":["a","b","c"]}"#).expect("keys");
        assert_eq!(k.first(Role::KeyOperation, "x").ok(), Some(0));
        assert_eq!(k.next(Role::KeyOperation, 0, 1), Some(1));
        assert_eq!(k.next(Role::KeyOperation, 1, 2), Some(2));
        assert_eq!(k.next(Role::KeyOperation, 2, 3), None);
        k.promote(Role::KeyOperation, 2);
        assert_eq!(k.first(Role::KeyOperation, "x").ok(), Some(2));
        assert_eq!(k.next(Role::KeyOperation, 2, 1), Some(0));
    }

    #[test]
    fn bad_keys_are_refused_without_echo() {
        let e = keys(r#"{"approver":["bad key\n"]}"#).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains("securosys.api_keys.approver[0]"));
        assert!(!e.message().contains("bad key"));
        let e = keys(r#"{"approver":[""]}"#).expect_err("empty");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(serde_json::from_str::<RoleKeysConfig>(r#"{"approvers":["x"]}"#).is_err());
    }
}
