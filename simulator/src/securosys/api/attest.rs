//! Key attestation, key-management role (`/v1/attestation/**`, seed 003).
//!
//! PROPOSAL: no public source shows the path or body. The simulator serves
//! `GET /v1/attestation/key/{label}` → `{"label","xml","xmlSignature","attestationKeyName",
//! "attestationCertificate"}`: the key's attribute document (the `xml` of a key answer)
//! signed with ECDSA P-256 / SHA-256 (DER) by the simulated HSM's attestation key, whose
//! self-signed certificate (the same on every run) is included and served at
//! `GET /_sim/securosys/attestation.pem`.

use std::str::FromStr as _;
use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::{Decode as _, Encode as _, EncodePem as _};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::json;
use spki::{EncodePublicKey as _, SubjectPublicKeyInfoOwned};
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use super::{key_not_found, ok_json};
use crate::securosys::{AppState, SecError, SecResult};

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/attestation/key/{label}", get(attest))
}

/// The control route serving the attestation certificate (PEM).
pub(crate) fn control(r: Router<AppState>) -> Router<AppState> {
    r.route("/_sim/securosys/attestation.pem", get(certificate))
}

struct Attester {
    key: SigningKey,
    cert: Certificate,
}

fn make() -> Result<Attester, String> {
    let key = crate::pades::pki::derive_key("securosys/attestation");
    let spki_der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| format!("attestation key: {e}"))?;
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())
        .map_err(|e| format!("attestation key: {e}"))?;
    let at = |secs: u64| {
        x509_cert::time::Time::try_from(std::time::UNIX_EPOCH + Duration::from_secs(secs))
            .map_err(|e| format!("attestation validity: {e}"))
    };
    let validity = Validity {
        not_before: at(1_577_836_800)?,
        not_after: at(2_366_841_600)?,
    };
    let name = Name::from_str("CN=signbridge-sim HSM attestation key,O=signbridge-sim")
        .map_err(|e| format!("attestation name: {e}"))?;
    let serial = SerialNumber::new(&[0x26, 0x03]).map_err(|e| format!("serial: {e}"))?;
    let cert = CertificateBuilder::new(Profile::Root, serial, validity, name, spki, &key)
        .map_err(|e| format!("attestation certificate: {e}"))?
        .build::<DerSignature>()
        .map_err(|e| format!("attestation certificate: {e}"))?;
    Ok(Attester { key, cert })
}

fn attester() -> Result<&'static Attester, SecError> {
    static A: OnceLock<Result<Attester, String>> = OnceLock::new();
    A.get_or_init(make)
        .as_ref()
        .map_err(|e| SecError::new(701, e.clone()))
}

async fn certificate() -> Response {
    match attester().and_then(|a| {
        a.cert
            .to_pem(der::pem::LineEnding::LF)
            .map_err(|e| SecError::new(701, e.to_string()))
    }) {
        Ok(p) => p.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn attest(State(shared): State<AppState>, Path(label): Path<String>) -> SecResult {
    let a = attester()?;
    let doc = {
        let sec = shared.securosys.lock();
        sec.keys
            .get(&label)
            .ok_or_else(|| key_not_found(&label))?
            .to_json()
    };
    let xml = doc["xml"].as_str().unwrap_or_default().to_owned();
    let sig: DerSignature = a.key.sign(xml.as_bytes());
    let cert = a
        .cert
        .to_der()
        .map_err(|e| SecError::new(701, e.to_string()))?;
    ok_json(json!({
        "label": label,
        "xml": xml,
        "xmlSignature": STANDARD.encode(sig.as_bytes()),
        "attestationKeyName": "attestation-key",
        "attestationCertificate": STANDARD.encode(cert),
    }))
}
