//! Key attestation: the HSM's signed statement of a key's attributes, checked here.
//! Key-management role (`/v1/attestation/**`, seed 003).
//!
//! PROPOSAL: no public source shows the attestation path or body. The client asks
//! `GET /v1/attestation/key/{label}` and reads `{"xml","xmlSignature","attestationKeyName",
//! "attestationCertificate"}` (the simulator serves this): the key's attribute document and an
//! ECDSA P-256 / SHA-256 signature over it by the HSM's attestation key, whose certificate
//! comes along. [`KeyAttestation::verify`] checks the signature; whether that certificate is
//! the HSM's is for the caller to decide (compare it with the one you trust).

use der::Decode as _;
use serde_json::Value;

use super::api::{b64_decode, check_label, parse};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Request;

/// A key's attestation as the HSM gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttestation {
    /// The attested attribute document (XML text).
    pub xml: String,
    /// The attestation key's signature over `xml` (ECDSA P-256 SHA-256, DER).
    pub signature: Vec<u8>,
    /// The attestation key's certificate (DER).
    pub certificate_der: Vec<u8>,
    /// The HSM's name for the attestation key.
    pub attestation_key_name: Option<String>,
}

impl KeyAttestation {
    /// Checks the signature over the document with the certificate's key: `Ok` or
    /// [`ErrorCode::Integrity`].
    pub fn verify(&self) -> Result<()> {
        let cert = x509_cert::Certificate::from_der(&self.certificate_der).map_err(|e| {
            Error::protocol(format!(
                "the attestation certificate is not DER X.509 ({e})"
            ))
        })?;
        let point = cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_ASN1,
            point,
        );
        key.verify(self.xml.as_bytes(), &self.signature)
            .map_err(|_| {
                Error::new(
                    ErrorCode::Integrity,
                    "the key attestation's signature does not match its document and \
                     certificate",
                )
            })
    }
}

impl SecurosysClient {
    /// The attestation of key `label` (`GET /v1/attestation/key/{label}`, key-management
    /// role; PROPOSAL path), its signature checked ([`KeyAttestation::verify`]).
    pub async fn key_attestation(&self, label: &str) -> Result<KeyAttestation> {
        check_label(label)?;
        let mut url = self.url("v1/attestation/key/")?;
        url.path_segments_mut()
            .map_err(|_| Error::internal("the base URL cannot have path segments"))?
            .pop_if_empty()
            .push(label);
        let what = "read key attestation";
        let r = Request::get(url, what).with_role(Role::KeyManagement);
        let v: Value = parse(&self.send(r).await?, what)?;
        let text = |f: &str| -> Result<&str> {
            v.get(f)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::protocol(format!("the answer to {what} has no {f}")))
        };
        let a = KeyAttestation {
            xml: text("xml")?.to_string(),
            signature: b64_decode(text("xmlSignature")?, "xmlSignature")?,
            certificate_der: b64_decode(text("attestationCertificate")?, "attestationCertificate")?,
            attestation_key_name: v
                .get("attestationKeyName")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        a.verify()?;
        Ok(a)
    }
}
