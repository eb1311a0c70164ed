//! Client certificates for mutual TLS, as users hold them: a PEM chain with its PEM private key
//! (PKCS#8, PKCS#1 or SEC1; an encrypted PKCS#8 key with its password), or a PKCS#12 file
//! (`.p12`/`.pfx`, what CAs, admin consoles, Java and .NET hand out) with its password.

use std::fmt;
use std::path::PathBuf;

use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::SecretSource;
use crate::error::{Error, Result};
use crate::transport::ClientIdentity;

/// A client certificate in configuration: either `cert` (PEM chain, value or `{"file": ...}`)
/// with `key` (PEM private key; may be omitted when `cert` holds both), or `pkcs12` (a
/// `.p12`/`.pfx` file: `{"file": ...}`, or its bytes in base64). `password` opens an encrypted
/// PEM key or the PKCS#12 file: the value, `{"file": ...}` or `{"env": "VARIABLE"}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientCertConfig {
    /// The certificate chain, PEM (leaf first). Not with `pkcs12`.
    #[serde(default)]
    pub cert: Option<SecretSource>,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1; `ENCRYPTED PRIVATE KEY` with `password`).
    /// Omit when `cert` contains it.
    #[serde(default)]
    pub key: Option<SecretSource>,
    /// A PKCS#12 file holding the certificate chain and the key (instead of `cert`/`key`).
    #[serde(default)]
    pub pkcs12: Option<Pkcs12Source>,
    /// The password of an encrypted PEM key or of the PKCS#12 file.
    #[serde(default)]
    pub password: Option<SecretSource>,
}

/// Where a PKCS#12 file comes from: `{"file": "/path/client.p12"}`, or its bytes in base64.
#[derive(Clone, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Pkcs12Source {
    /// A file holding the PKCS#12 (DER) bytes.
    File {
        /// Path of the file.
        file: PathBuf,
    },
    /// The PKCS#12 bytes, base64.
    Base64(#[schemars(with = "String")] SecretString),
}

impl fmt::Debug for Pkcs12Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkcs12Source::File { file } => write!(f, "Pkcs12Source::File({})", file.display()),
            Pkcs12Source::Base64(_) => f.write_str("Pkcs12Source::Base64([REDACTED])"),
        }
    }
}

impl ClientIdentity {
    /// Load from configuration. `field` names it in errors.
    pub fn load(cfg: &ClientCertConfig, field: &str) -> Result<ClientIdentity> {
        let password = cfg
            .password
            .as_ref()
            .map(|p| p.resolve(&format!("{field}.password")))
            .transpose()?;
        match (&cfg.pkcs12, &cfg.cert) {
            (Some(p12), None) => {
                if cfg.key.is_some() {
                    return Err(Error::invalid_config(format!(
                        "{field} has pkcs12 and key; the PKCS#12 file holds the key, leave key out"
                    )));
                }
                load_pkcs12(p12, password.as_ref(), field)
            }
            (None, Some(cert)) => load_pem(cert, cfg.key.as_ref(), password.as_ref(), field),
            (Some(_), Some(_)) => Err(Error::invalid_config(format!(
                "{field} has both cert and pkcs12; give the PEM certificate (cert, key) or the \
                 PKCS#12 file (pkcs12, password)"
            ))),
            (None, None) => Err(Error::invalid_config(format!(
                "{field} needs cert (a PEM certificate, with key) or pkcs12 (a .p12/.pfx file, \
                 with password)"
            ))),
        }
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

fn load_pem(
    cert: &SecretSource,
    key: Option<&SecretSource>,
    password: Option<&SecretString>,
    field: &str,
) -> Result<ClientIdentity> {
    let cert_pem = cert.resolve(&format!("{field}.cert"))?;
    if !cert_pem.expose_secret().contains("-----BEGIN") {
        return Err(Error::invalid_config(format!(
            "{field}.cert is not PEM text (no -----BEGIN CERTIFICATE-----); a binary .p12/.pfx \
             file goes in {field}.pkcs12 with its password"
        )));
    }
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert_pem.expose_secret().as_bytes())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::invalid_config(format!("{field}.cert is not readable PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::invalid_config(format!(
            "{field}.cert holds no certificate (expected -----BEGIN CERTIFICATE-----)"
        )));
    }
    let key_pem = match key {
        Some(k) => k.resolve(&format!("{field}.key"))?,
        None => cert_pem,
    };
    let text = key_pem.expose_secret();
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Ok(ClientIdentity {
            certs,
            key: decrypt_pkcs8(text, password, field)?,
        });
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(Error::invalid_config(format!(
            "{field}.key is encrypted in the legacy OpenSSL format (Proc-Type: 4,ENCRYPTED), \
             which is not supported; convert it to PKCS#8 with `openssl pkcs8 -topk8 -v2 aes256 \
             -in key.pem -out key-pkcs8.pem` and set {field}.password"
        )));
    }
    let key = PrivateKeyDer::from_pem_slice(text.as_bytes()).map_err(|_| {
        Error::invalid_config(format!(
            "{field}.key holds no usable private key (PKCS#8, PKCS#1 or SEC1 PEM, or an \
             ENCRYPTED PRIVATE KEY with {field}.password)"
        ))
    })?;
    Ok(ClientIdentity { certs, key })
}

/// An `ENCRYPTED PRIVATE KEY` (PKCS#8, PBES2) opened with `password`.
fn decrypt_pkcs8(
    pem: &str,
    password: Option<&SecretString>,
    field: &str,
) -> Result<PrivateKeyDer<'static>> {
    let Some(password) = password else {
        return Err(Error::invalid_config(format!(
            "{field}.key is encrypted: set {field}.password (the value, {{\"file\": ...}} or \
             {{\"env\": \"VARIABLE\"}})"
        )));
    };
    let start = pem
        .find("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        .unwrap_or(0);
    let end_marker = "-----END ENCRYPTED PRIVATE KEY-----";
    let end = pem[start..]
        .find(end_marker)
        .map(|i| start + i + end_marker.len())
        .unwrap_or(pem.len());
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::invalid_config(format!(
            "{field}.key is not a readable ENCRYPTED PRIVATE KEY ({e})"
        ))
    };
    let (_, der) =
        pkcs8::der::SecretDocument::from_pem(&pem[start..end]).map_err(|e| unreadable(&e))?;
    let info =
        pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_bytes()).map_err(|e| unreadable(&e))?;
    let doc = info
        .decrypt(password.expose_secret().as_bytes())
        .map_err(|_| wrong_password(&format!("{field}.key"), field))?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        doc.as_bytes().to_vec(),
    )))
}

fn wrong_password(what: &str, field: &str) -> Error {
    Error::invalid_config(format!(
        "{what} could not be opened with {field}.password: the password is wrong (or the file \
         is damaged)"
    ))
}

fn load_pkcs12(
    src: &Pkcs12Source,
    password: Option<&SecretString>,
    field: &str,
) -> Result<ClientIdentity> {
    use p12_keystore::{error::Error as P12Error, KeyStore, Pkcs12ImportPolicy};
    let what = format!("{field}.pkcs12");
    let data = match src {
        Pkcs12Source::File { file } => std::fs::read(file).map_err(|e| {
            Error::invalid_config(format!("{what}: cannot read {}: {e}", file.display()))
        })?,
        Pkcs12Source::Base64(b) => base64::engine::general_purpose::STANDARD
            .decode(b.expose_secret().trim())
            .map_err(|_| {
                Error::invalid_config(format!(
                    "{what} is neither {{\"file\": \"/path/client.p12\"}} nor base64 PKCS#12 bytes"
                ))
            })?,
    };
    // Many tools write PKCS#12 files with an empty password; that is the default here too.
    let pw = password
        .map(|p| p.expose_secret().to_owned())
        .unwrap_or_default();
    let store =
        KeyStore::from_pkcs12(&data, &pw, Pkcs12ImportPolicy::Relaxed).map_err(|e| match e {
            P12Error::MacError(_) | P12Error::UnpadError | P12Error::Pkcs5Error(_) => {
                if password.is_none() {
                    Error::invalid_config(format!(
                        "{what} is protected by a password: set {field}.password (the value, \
                         {{\"file\": ...}} or {{\"env\": \"VARIABLE\"}})"
                    ))
                } else {
                    wrong_password(&what, field)
                }
            }
            other => Error::invalid_config(format!(
                "{what} is not a readable PKCS#12 (.p12/.pfx) file ({other})"
            )),
        })?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(Error::invalid_config(format!(
            "{what} holds no private key with its certificate"
        )));
    };
    let certs: Vec<CertificateDer<'static>> = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    if certs.is_empty() {
        return Err(Error::invalid_config(format!(
            "{what} holds a private key but not its certificate"
        )));
    }
    Ok(ClientIdentity {
        certs,
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec())),
    })
}
