//! Approver management and onboarding (contract §10), as far as the contract
//! documents them: `POST|PUT /v1/approverManagement/create`, `…/renewOneTimeCode`,
//! `GET …/onboarding/status`, `DELETE …/delete/{approverName}` (approverKeyManagementToken) and
//! `POST /v1/approver/onboard` (approverToken). `restoreFromBackup` is not built.
//!
//! The HSM makes the approver's key pair (EC P-256 or RSA-2048) and a self-signed certificate
//! (CN = approver name); onboarding hands them over once, as a PKCS#12 file encrypted with
//! AES-GCM (128-bit tag) under the transport password.
//!
//! PROPOSAL (not in the contract): the AES key is the transport password's UTF-8 bytes (16 →
//! AES-128, 32 → AES-256), the PKCS#12 password is the transport password too, the one-time
//! code is 6 digits valid for 3 wrong tries; bodies of renew `{"approverName"}` →
//! `{"oneTimeCode"}`, status `GET …/onboarding/status?approverName=…` → `{"approverName",
//! "status":"PENDING"|"ONBOARDED","publicKey"}`, delete → 200. Errors: 412
//! `invalid.onetimepassword`, 413 `approver.not.existent`, 414 `approver.not.onboarded` (not
//! used by these endpoints), 632 `approver.already.existing`, 603 (key size), 600.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use super::{ok_empty, ok_json, password_of};
use crate::securosys::cipher;
use crate::securosys::{parse_body, AppState, SecError, SecResult};

/// Wrong one-time codes tolerated before the code is void (PROPOSAL).
const MAX_OTP_TRIES: u8 = 3;

/// An approver the HSM made.
pub(crate) struct Approver {
    /// PKCS#8 DER of the approver's private key (handed over once, at onboarding).
    key_der: Arc<Vec<u8>>,
    /// DER of the self-signed certificate.
    cert_der: Vec<u8>,
    /// DER SubjectPublicKeyInfo.
    spki: Vec<u8>,
    /// The current one-time code, `None` once used up.
    otp: Option<String>,
    /// Wrong codes so far.
    tries: u8,
    onboarded: bool,
}

impl std::fmt::Debug for Approver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approver")
            .field("onboarded", &self.onboarded)
            .finish_non_exhaustive()
    }
}

impl Approver {
    /// The approver's public key (SPKI DER), for `onboarded_approver_certificate` approvals.
    pub fn spki(&self) -> Option<&[u8]> {
        self.onboarded.then_some(self.spki.as_slice())
    }
}

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/approverManagement/create", post(create).put(create))
        .route("/v1/approverManagement/renewOneTimeCode", post(renew))
        .route("/v1/approverManagement/onboarding/status", get(status))
        .route("/v1/approverManagement/delete/{name}", delete(remove))
        .route("/v1/approver/onboard", post(onboard))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct CreateBody {
    approver_name: Option<String>,
    algorithm: Option<String>,
    key_size: Option<u64>,
    backup_password: Option<serde_json::Value>,
    validity: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct NameBody {
    approver_name: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct OnboardBody {
    approver_name: Option<String>,
    one_time_code: Option<serde_json::Value>,
    transport_password: Option<serde_json::Value>,
}

fn name_of(v: Option<String>) -> Result<String, SecError> {
    v.filter(|n| !n.trim().is_empty() && n.len() <= 256 && !n.chars().any(char::is_control))
        .ok_or_else(|| {
            SecError::new(
                633,
                "\"approverName\" is required (1-256 characters, e.g. the approver's e-mail)",
            )
        })
}

fn unknown(name: &str) -> SecError {
    SecError::new(413, format!("Approver {name} does not exist"))
}

fn one_time_code() -> Result<String, SecError> {
    let mut b = [0u8; 4];
    cipher::random_fill(&mut b).map_err(|e| SecError::new(701, e))?;
    Ok(format!("{:06}", u32::from_be_bytes(b) % 1_000_000))
}

/// (PKCS#8 DER of the private key, certificate DER, SPKI DER).
type Identity = (Vec<u8>, Vec<u8>, Vec<u8>);

/// A fresh key pair and self-signed certificate.
fn make_identity(name: &str, rsa: bool, validity_days: u64, now: f64) -> Result<Identity, String> {
    use rcgen::{CertificateParams, DnType, KeyPair, PublicKeyData as _};
    let key = if rsa {
        use rsa::pkcs8::EncodePrivateKey as _;
        let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
            .map_err(|e| format!("RSA key generation failed: {e}"))?;
        let der = k
            .to_pkcs8_der()
            .map_err(|e| format!("RSA key encoding failed: {e}"))?;
        KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls_pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(|e| format!("RSA key: {e}"))?
    } else {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| format!("EC key generation failed: {e}"))?
    };
    let mut params = CertificateParams::new(Vec::<String>::new())
        .map_err(|e| format!("certificate parameters: {e}"))?;
    params.distinguished_name.push(DnType::CommonName, name);
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let start = (now.max(0.0).floor() as u64).saturating_sub(300);
    params.not_before = epoch + std::time::Duration::from_secs(start);
    params.not_after =
        epoch + std::time::Duration::from_secs(start + validity_days.clamp(1, 36_500) * 86_400);
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("certificate: {e}"))?;
    Ok((
        key.serialize_der(),
        cert.der().to_vec(),
        key.subject_public_key_info(),
    ))
}

async fn create(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: CreateBody = parse_body(&body)?;
    let name = name_of(b.approver_name)?;
    let rsa = match (
        b.algorithm
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref(),
        b.key_size,
    ) {
        (None | Some("EC"), None | Some(256)) => false,
        (Some("RSA"), None | Some(2048)) => true,
        (Some("RSA"), Some(other)) => {
            return Err(SecError::new(
                603,
                format!("keySize {other}: the simulated HSM makes RSA-2048 approvers"),
            ))
        }
        (None | Some("EC"), Some(other)) => {
            return Err(SecError::new(
                603,
                format!("keySize {other}: EC approvers are P-256"),
            ))
        }
        (Some(other), _) => {
            return Err(SecError::new(
                601,
                format!("algorithm {other}: approvers are RSA or EC"),
            ))
        }
    };
    if password_of(&b.backup_password)?.is_some_and(|p| p.chars().count() < 8) {
        return Err(SecError::validation(
            "\"backupPassword\" needs at least 8 characters",
        ));
    }
    if shared.securosys.lock().approvers.contains_key(&name) {
        return Err(SecError::new(
            632,
            format!("Approver {name} already exists"),
        ));
    }
    let validity = b.validity.unwrap_or(3650);
    let (n, v, now) = (name.clone(), validity, shared.now());
    let (key_der, cert_der, spki) =
        tokio::task::spawn_blocking(move || make_identity(&n, rsa, v, now))
            .await
            .map_err(|e| SecError::new(701, format!("approver key generation failed: {e}")))?
            .map_err(|e| SecError::new(701, e))?;
    let otp = one_time_code()?;
    let mut sec = shared.securosys.lock();
    if sec.approvers.contains_key(&name) {
        return Err(SecError::new(
            632,
            format!("Approver {name} already exists"),
        ));
    }
    sec.approvers.insert(
        name,
        Approver {
            key_der: Arc::new(key_der),
            cert_der,
            spki,
            otp: Some(otp.clone()),
            tries: 0,
            onboarded: false,
        },
    );
    ok_json(json!({"oneTimeCode": otp}))
}

async fn renew(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: NameBody = parse_body(&body)?;
    let name = name_of(b.approver_name)?;
    let otp = one_time_code()?;
    let mut sec = shared.securosys.lock();
    let a = sec.approvers.get_mut(&name).ok_or_else(|| unknown(&name))?;
    if a.onboarded {
        return Err(SecError::new(
            412,
            format!(
                "Approver {name} is onboarded already: a new one-time code needs restoreFromBackup"
            ),
        ));
    }
    a.otp = Some(otp.clone());
    a.tries = 0;
    ok_json(json!({"oneTimeCode": otp}))
}

async fn status(State(shared): State<AppState>, Query(q): Query<NameBody>) -> SecResult {
    let name = name_of(q.approver_name)?;
    let sec = shared.securosys.lock();
    let a = sec.approvers.get(&name).ok_or_else(|| unknown(&name))?;
    ok_json(json!({
        "approverName": name,
        "status": if a.onboarded { "ONBOARDED" } else { "PENDING" },
        "publicKey": STANDARD.encode(&a.spki),
    }))
}

async fn remove(State(shared): State<AppState>, Path(name): Path<String>) -> SecResult {
    let mut sec = shared.securosys.lock();
    sec.approvers.remove(&name).ok_or_else(|| unknown(&name))?;
    ok_empty()
}

/// The PKCS#12 file of the approver's key and certificate under `password`.
fn pkcs12(key_der: &[u8], cert_der: &[u8], password: &str) -> Result<Vec<u8>, String> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let key = PrivateKey::from_der(key_der).map_err(|e| e.to_string())?;
    let cert = Certificate::from_der(cert_der).map_err(|e| e.to_string())?;
    let mut id = [0u8; 20];
    cipher::random_fill(&mut id)?;
    let mut store = KeyStore::new();
    store.add_entry(
        "approver",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(id.to_vec(), key, [cert])),
    );
    store.writer(password).write().map_err(|e| e.to_string())
}

async fn onboard(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: OnboardBody = parse_body(&body)?;
    let name = name_of(b.approver_name)?;
    let code = password_of(&b.one_time_code)?
        .ok_or_else(|| SecError::validation("\"oneTimeCode\" is required"))?;
    let transport = password_of(&b.transport_password)?.unwrap_or_default();
    if !matches!(transport.len(), 16 | 32) || !transport.is_ascii() {
        return Err(SecError::validation(
            "\"transportPassword\" must be 16 or 32 ASCII characters",
        ));
    }
    let (key_der, cert_der) = {
        let mut sec = shared.securosys.lock();
        let a = sec.approvers.get_mut(&name).ok_or_else(|| unknown(&name))?;
        match &a.otp {
            Some(otp) if *otp == code => {}
            Some(_) => {
                a.tries += 1;
                if a.tries >= MAX_OTP_TRIES {
                    a.otp = None;
                }
                return Err(SecError::new(412, "The one-time code is not valid"));
            }
            None => {
                return Err(SecError::new(
                    412,
                    "The one-time code is used up: renew it (renewOneTimeCode)",
                ))
            }
        }
        a.otp = None;
        a.onboarded = true;
        (a.key_der.clone(), a.cert_der.clone())
    };
    let p12 = pkcs12(&key_der, &cert_der, &transport).map_err(|e| SecError::new(701, e))?;
    let (iv, ct) = cipher::gcm_encrypt(transport.as_bytes(), 128, &[], &p12)
        .map_err(|e| SecError::new(701, e))?;
    ok_json(json!({
        "encryptedPayload": STANDARD.encode(ct),
        "initializationVector": STANDARD.encode(iv),
    }))
}

/// `policy` with every `onboarded_approver_certificate` approval replaced by the onboarded
/// approver's public key (`public_key`), for the rule parser. An approver not made is 413, one
/// not onboarded yet 414.
pub(crate) fn resolve_onboarded(
    sec: &crate::securosys::SecInner,
    policy: &serde_json::Value,
) -> Result<serde_json::Value, SecError> {
    let mut out = policy.clone();
    for rule in ["ruleUse", "ruleBlock", "ruleUnblock", "ruleModify"] {
        let Some(tokens) = out
            .get_mut(rule)
            .and_then(|r| r.get_mut("tokens"))
            .and_then(serde_json::Value::as_array_mut)
        else {
            continue;
        };
        for token in tokens {
            let groups = token
                .get_mut("groups")
                .and_then(serde_json::Value::as_array_mut);
            for group in groups.into_iter().flatten() {
                let approvals = group
                    .get_mut("approvals")
                    .and_then(serde_json::Value::as_array_mut);
                for a in approvals.into_iter().flatten() {
                    if a["type"] != "onboarded_approver_certificate" {
                        continue;
                    }
                    let name = a["name"].as_str().unwrap_or_default().to_owned();
                    let approver = sec.approvers.get(&name).ok_or_else(|| unknown(&name))?;
                    let spki = approver.spki().ok_or_else(|| {
                        SecError::new(414, format!("Approver {name} is not onboarded yet"))
                    })?;
                    *a =
                        json!({"type": "public_key", "name": name, "value": STANDARD.encode(spki)});
                }
            }
        }
    }
    Ok(out)
}
