//! Client certificates for mutual TLS.

use std::fmt;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::SecretSource;
use crate::error::{Error, Result};

/// A client certificate in configuration: `cert` (PEM chain, value or `{"file": ...}`) and
/// `key` (PEM private key, value or file; may be omitted when `cert` holds both).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertConfig {
    /// The certificate chain, PEM (leaf first).
    pub cert: SecretSource,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1). Omit when `cert` contains it.
    #[serde(default)]
    pub key: Option<SecretSource>,
}

/// A loaded client certificate chain and private key.
pub struct ClientIdentity {
    pub(crate) certs: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certs", &self.certs.len())
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl Clone for ClientIdentity {
    fn clone(&self) -> Self {
        ClientIdentity {
            certs: self.certs.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl ClientIdentity {
    /// Load from configuration. `field` names it in errors.
    pub fn load(cfg: &ClientCertConfig, field: &str) -> Result<ClientIdentity> {
        let cert_pem = cfg.cert.resolve(&format!("{field}.cert"))?;
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(cert_pem.expose_secret().as_bytes())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| {
                    Error::invalid_config(format!("{field}.cert is not readable PEM: {e}"))
                })?;
        if certs.is_empty() {
            return Err(Error::invalid_config(format!(
                "{field}.cert holds no certificate (expected -----BEGIN CERTIFICATE-----)"
            )));
        }
        let key_pem = match &cfg.key {
            Some(k) => k.resolve(&format!("{field}.key"))?,
            None => cert_pem,
        };
        let key =
            PrivateKeyDer::from_pem_slice(key_pem.expose_secret().as_bytes()).map_err(|_| {
                Error::invalid_config(format!(
                "{field}.key holds no usable private key (PKCS#8, PKCS#1 or SEC1 PEM; encrypted \
                 keys are not supported)"
            ))
            })?;
        Ok(ClientIdentity { certs, key })
    }

    /// A stable fingerprint for client caching (not secret-revealing: a hash).
    pub(crate) fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for c in &self.certs {
            c.as_ref().hash(h);
        }
        self.key.secret_der().hash(h);
    }
}
