//! The client certificate a TLS connection presents (mutual TLS). Loading it from files or a
//! PKCS#12 archive is the credentials' business ([`crate::auth::ClientCertConfig`]); the
//! transport only presents it.

use std::fmt;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

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
