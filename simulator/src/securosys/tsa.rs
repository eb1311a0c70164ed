//! RFC 3161 time stamps by the simulator's TSA: `POST /v1/createRfcTimestamp`
//! (key-operation role) with `{"payload": b64, "hashAlgorithm": "SHA256"}` answers
//! `{"timestamp": b64}`, a TimeStampToken (CMS SignedData over a TSTInfo, RFC 3161 §2.4.2)
//! signed by a TSA certificate with the critical timeStamping extended key usage and the ESS
//! signing-certificate-v2 attribute, so `openssl ts -verify` accepts it.
//!
//! PROPOSAL: the contract gives only the field names; `payload` is taken as the message
//! imprint (the digest of the data, its length matching `hashAlgorithm`) and `timestamp` as the
//! token (not a whole TimeStampResp). The TSA's root and certificate are served at
//! `GET /_sim/securosys/tsa.pem` (root first). Keys are derived from fixed labels: the same TSA
//! on every run.

use std::str::FromStr as _;
use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Any, Decode as _, Encode as _, EncodePem as _, Sequence};
use p256::ecdsa::{DerSignature, SigningKey};
use serde::Deserialize;
use serde_json::json;
use spki::{AlgorithmIdentifierOwned, EncodePublicKey as _, SubjectPublicKeyInfoOwned};
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use super::{parse_body, AppState, SecError, SecResult};
use crate::app::Json200;

const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// The TSA's policy (PROPOSAL: a private arc for the simulator).
const TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55555.26.1");

/// The routes: the endpoint and the TSA's certificates.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/createRfcTimestamp", post(create))
}

/// The control route serving the TSA's root and certificate (PEM, root first).
pub(crate) fn control(r: Router<AppState>) -> Router<AppState> {
    r.route("/_sim/securosys/tsa.pem", get(certificates))
}

struct Tsa {
    root: Certificate,
    cert: Certificate,
    key: SigningKey,
}

#[derive(Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: SerialNumber,
    gen_time: GeneralizedTime,
}

fn e<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> String + '_ {
    move |err| format!("TSA {what}: {err}")
}

fn spki_of(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, String> {
    let der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|err| format!("TSA key: {err}"))?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(e("key"))
}

fn validity() -> Result<Validity, String> {
    // 2020-01-01 to 2045-01-01, as the simulator's other test PKIs.
    let at = |secs: u64| {
        x509_cert::time::Time::try_from(std::time::UNIX_EPOCH + Duration::from_secs(secs))
            .map_err(e("validity"))
    };
    Ok(Validity {
        not_before: at(1_577_836_800)?,
        not_after: at(2_366_841_600)?,
    })
}

fn make_tsa() -> Result<Tsa, String> {
    let root_key = crate::pades::pki::derive_key("securosys/tsa/root");
    let key = crate::pades::pki::derive_key("securosys/tsa/leaf");
    let root_name = Name::from_str("CN=signbridge-sim Securosys TSA root,O=signbridge-sim")
        .map_err(e("name"))?;
    let root = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::new(&[0x26, 0x01]).map_err(e("serial"))?,
        validity()?,
        root_name.clone(),
        spki_of(&root_key)?,
        &root_key,
    )
    .map_err(|err| format!("TSA root: {err}"))?
    .build::<DerSignature>()
    .map_err(|err| format!("TSA root: {err}"))?;
    let mut leaf = CertificateBuilder::new(
        Profile::Leaf {
            issuer: root_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::new(&[0x26, 0x02]).map_err(e("serial"))?,
        validity()?,
        Name::from_str("CN=signbridge-sim Securosys TSA,O=signbridge-sim").map_err(e("name"))?,
        spki_of(&key)?,
        &root_key,
    )
    .map_err(|err| format!("TSA certificate: {err}"))?;
    // Critical (no anyExtendedKeyUsage): RFC 3161 §2.3 requires it.
    leaf.add_extension(&ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]))
        .map_err(|err| format!("TSA certificate: {err}"))?;
    let cert = leaf
        .build::<DerSignature>()
        .map_err(|err| format!("TSA certificate: {err}"))?;
    Ok(Tsa { root, cert, key })
}

fn tsa() -> Result<&'static Tsa, SecError> {
    static TSA: OnceLock<Result<Tsa, String>> = OnceLock::new();
    TSA.get_or_init(make_tsa)
        .as_ref()
        .map_err(|err| SecError::new(701, err.clone()))
}

async fn certificates() -> Response {
    let pem = tsa().map_err(|err| err.message.clone()).and_then(|t| {
        let a = t
            .root
            .to_pem(der::pem::LineEnding::LF)
            .map_err(|x| x.to_string())?;
        let b = t
            .cert
            .to_pem(der::pem::LineEnding::LF)
            .map_err(|x| x.to_string())?;
        Ok(format!("{a}{b}"))
    });
    match pem {
        Ok(p) => p.into_response(),
        Err(m) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, m).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TimestampBody {
    payload: Option<String>,
    hash_algorithm: Option<String>,
}

/// The token over `imprint` (a digest made with `hash`) at Unix time `now`.
fn token(
    t: &Tsa,
    hash: (ObjectIdentifier, usize),
    imprint: &[u8],
    now: f64,
    serial: u64,
) -> Result<Vec<u8>, String> {
    let gen_time = GeneralizedTime::from_unix_duration(Duration::from_secs(now.max(0.0) as u64))
        .map_err(e("time"))?;
    let tst = TstInfo {
        version: 1,
        policy: TSA_POLICY,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: hash.0,
                parameters: None,
            },
            hashed_message: OctetString::new(imprint).map_err(e("imprint"))?,
        },
        serial_number: SerialNumber::new(&serial.to_be_bytes()).map_err(e("serial"))?,
        gen_time,
    };
    let tst_der = tst.to_der().map_err(e("TSTInfo"))?;
    let content = EncapsulatedContentInfo {
        econtent_type: ID_CT_TST_INFO,
        econtent: Some(Any::new(der::Tag::OctetString, tst_der).map_err(e("content"))?),
    };
    let tbs = &t.cert.tbs_certificate;
    let ess_attr = crate::pades::cms::signing_certificate_v2(&t.cert).map_err(e("ESS"))?;
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let mut signer =
        SignerInfoBuilder::new(&t.key, sid, sha256.clone(), &content, None).map_err(e("signer"))?;
    signer.add_signed_attribute(ess_attr).map_err(e("signer"))?;
    let mut builder = SignedDataBuilder::new(&content);
    builder.add_digest_algorithm(sha256).map_err(e("digest"))?;
    builder
        .add_certificate(CertificateChoices::Certificate(t.cert.clone()))
        .map_err(e("certificates"))?;
    builder
        .add_signer_info::<_, DerSignature>(signer)
        .map_err(e("signature"))?;
    builder
        .build()
        .map_err(e("SignedData"))?
        .to_der()
        .map_err(e("encoding"))
}

async fn create(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: TimestampBody = parse_body(&body)?;
    let hash = match b.hash_algorithm.as_deref().unwrap_or("SHA256") {
        "SHA256" | "SHA-256" => (ID_SHA256, 32),
        "SHA384" | "SHA-384" => (ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2"), 48),
        "SHA512" | "SHA-512" => (ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3"), 64),
        other => return Err(SecError::new(501, format!("unknown hashAlgorithm {other}"))),
    };
    let imprint = b
        .payload
        .as_deref()
        .and_then(|p| STANDARD.decode(p.trim()).ok())
        .ok_or_else(|| SecError::validation("\"payload\" must be standard base64"))?;
    if imprint.len() != hash.1 {
        return Err(SecError::new(
            612,
            format!(
                "the payload must be the {}-byte digest of the data for this hashAlgorithm, got {} bytes",
                hash.1,
                imprint.len()
            ),
        ));
    }
    let t = tsa()?;
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let der = token(t, hash, &imprint, shared.now(), serial).map_err(|m| SecError::new(701, m))?;
    Ok(Json200(json!({"timestamp": STANDARD.encode(der)})).into_response())
}
