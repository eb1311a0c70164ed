//! File encryption, key-operation role: `POST /v1/fileEncrypt` and
//! `POST /v1/synchronousFileDecrypt` (seed 003 lists both; no public source shows their bodies).
//!
//! PROPOSAL wire: `{"fileEncryptRequest":{"encryptKeyName","keyPassword"?,"fileName","payload":
//! b64}}` → 200 `{"encryptedFile": b64}`; `{"fileDecryptRequest":{"decryptKeyName",
//! "keyPassword"?,"encryptedFile": b64}}` → 200 `{"fileName","payload": b64}`.
//!
//! PROPOSAL file format (opaque to clients): `"TSBF"`, version byte 1, a big-endian u32 header
//! length, the JSON header `{"keyName","fileName","contentAlgorithm":"AES_GCM","iv":b64,
//! "keyTransport":"DIRECT"|"RSA_PADDING_OAEP_WITH_SHA256","wrappedKey":b64|null}`, then the
//! AES-GCM ciphertext with its 128-bit tag; the magic, version, length and header are the
//! additional authenticated data. An AES key encrypts the content directly; an RSA key wraps
//! a fresh AES-256 content key with RSA-OAEP (SHA-256). Errors: 623 `invalid.file.header` (not
//! such a file, or made for another key), 410 `decrypt.failed` (altered), 613 (an EC/ED key),
//! 614 (no `encrypt`/`decrypt` attribute, blocked), 401 (a key whose use needs approvals).

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::keyops::{label_of, no_approvals_needed, required, usable};
use super::{b64_decode, ok_json};
use crate::securosys::cipher::{self, RsaScheme};
use crate::securosys::crypto::KeyMaterial;
use crate::securosys::{parse_body, AppState, SecError, SecResult};

/// The magic of an encrypted file.
const MAGIC: &[u8; 4] = b"TSBF";
/// The format version.
const VERSION: u8 = 1;
/// The largest file accepted (PROPOSAL).
pub(crate) const MAX_FILE: usize = 8 * 1024 * 1024;
/// The largest header accepted.
const MAX_HEADER: usize = 4096;

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/fileEncrypt", post(file_encrypt))
        .route("/v1/synchronousFileDecrypt", post(synchronous_file_decrypt))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EncryptInner {
    encrypt_key_name: Option<String>,
    key_password: Option<Value>,
    file_name: Option<String>,
    payload: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EncryptEnvelope {
    file_encrypt_request: Option<EncryptInner>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DecryptInner {
    decrypt_key_name: Option<String>,
    key_password: Option<Value>,
    encrypted_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DecryptEnvelope {
    file_decrypt_request: Option<DecryptInner>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    key_name: String,
    file_name: String,
    content_algorithm: String,
    iv: String,
    key_transport: String,
    wrapped_key: Option<String>,
}

fn wrong_key_type(label: &str) -> SecError {
    SecError::new(
        613,
        format!("Key {label} cannot encrypt files: use an AES or RSA key"),
    )
}

fn bad_file(why: &str) -> SecError {
    SecError::new(623, format!("Not a file encrypted by this HSM: {why}"))
}

async fn file_encrypt(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: EncryptEnvelope = parse_body(&body)?;
    let r = env
        .file_encrypt_request
        .ok_or_else(|| SecError::validation("\"fileEncryptRequest\" is required"))?;
    let label = label_of(&r.encrypt_key_name, "encryptKeyName")?;
    let file_name = r
        .file_name
        .clone()
        .filter(|n| !n.is_empty() && n.len() <= 255 && !n.chars().any(char::is_control))
        .ok_or_else(|| {
            SecError::validation("\"fileName\" is required (1-255 characters, no controls)")
        })?;
    let payload = b64_decode("payload", required(&r.payload, "payload")?)?;
    if payload.len() > MAX_FILE {
        return Err(SecError::new(
            612,
            format!("a file to encrypt has at most {MAX_FILE} bytes"),
        ));
    }
    let sec = shared.securosys.lock();
    let key = usable(&sec, &label, &r.key_password, "encrypt")?;
    let (content_key, transport, wrapped) = match &*key.material {
        KeyMaterial::Secret(k) if matches!(key.kind, super::KeyKind::Aes(_)) => {
            (k.clone(), "DIRECT", None)
        }
        KeyMaterial::Rsa(k) => {
            let mut ck = vec![0u8; 32];
            cipher::random_fill(&mut ck).map_err(|e| SecError::new(701, e))?;
            let wrapped = cipher::rsa_encrypt(&k.to_public_key(), RsaScheme::Oaep(256), &ck)
                .map_err(|e| SecError::new(701, e))?;
            (
                ck,
                "RSA_PADDING_OAEP_WITH_SHA256",
                Some(STANDARD.encode(wrapped)),
            )
        }
        _ => return Err(wrong_key_type(&label)),
    };
    drop(sec);
    let mut iv = vec![0u8; 12];
    cipher::random_fill(&mut iv).map_err(|e| SecError::new(701, e))?;
    let header = json!({
        "keyName": label,
        "fileName": file_name,
        "contentAlgorithm": "AES_GCM",
        "iv": STANDARD.encode(&iv),
        "keyTransport": transport,
        "wrappedKey": wrapped,
    })
    .to_string();
    let mut file = MAGIC.to_vec();
    file.push(VERSION);
    file.extend_from_slice(&(header.len() as u32).to_be_bytes());
    file.extend_from_slice(header.as_bytes());
    let ct = cipher::gcm_encrypt_with_iv(&content_key, &iv, &file, &payload)
        .map_err(|e| SecError::new(701, e))?;
    file.extend_from_slice(&ct);
    ok_json(json!({"encryptedFile": STANDARD.encode(file)}))
}

/// Splits a file into (authenticated prefix, header, ciphertext).
fn parse_file(file: &[u8]) -> Result<(&[u8], Header, &[u8]), SecError> {
    if file.len() < 9 || &file[..4] != MAGIC {
        return Err(bad_file("no TSBF header"));
    }
    if file[4] != VERSION {
        return Err(bad_file(&format!("unknown version {}", file[4])));
    }
    let len = u32::from_be_bytes([file[5], file[6], file[7], file[8]]) as usize;
    if len > MAX_HEADER || file.len() < 9 + len + 16 {
        return Err(bad_file("truncated header"));
    }
    let header: Header =
        serde_json::from_slice(&file[9..9 + len]).map_err(|_| bad_file("unreadable header"))?;
    if header.content_algorithm != "AES_GCM" {
        return Err(bad_file("unknown content algorithm"));
    }
    Ok((&file[..9 + len], header, &file[9 + len..]))
}

async fn synchronous_file_decrypt(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: DecryptEnvelope = parse_body(&body)?;
    let r = env
        .file_decrypt_request
        .ok_or_else(|| SecError::validation("\"fileDecryptRequest\" is required"))?;
    let label = label_of(&r.decrypt_key_name, "decryptKeyName")?;
    let file = b64_decode(
        "encryptedFile",
        required(&r.encrypted_file, "encryptedFile")?,
    )?;
    let (aad, header, ct) = parse_file(&file)?;
    if header.key_name != label {
        return Err(bad_file(&format!(
            "it was encrypted for key {}, not {label}",
            header.key_name
        )));
    }
    let iv = b64_decode("iv", &header.iv).map_err(|_| bad_file("bad IV"))?;
    let sec = shared.securosys.lock();
    let key = usable(&sec, &label, &r.key_password, "decrypt")?;
    no_approvals_needed(&key.rule_use, &label, "/v1/decrypt")?;
    let content_key = match (&*key.material, header.key_transport.as_str()) {
        (KeyMaterial::Secret(k), "DIRECT") if matches!(key.kind, super::KeyKind::Aes(_)) => {
            k.clone()
        }
        (KeyMaterial::Rsa(k), "RSA_PADDING_OAEP_WITH_SHA256") => {
            let wrapped = header
                .wrapped_key
                .as_deref()
                .and_then(|w| STANDARD.decode(w).ok())
                .ok_or_else(|| bad_file("no wrapped content key"))?;
            cipher::rsa_decrypt(k, RsaScheme::Oaep(256), &wrapped)
                .map_err(|e| SecError::new(410, e))?
        }
        (KeyMaterial::Secret(_) | KeyMaterial::Rsa(_), _) => {
            return Err(bad_file("made with another kind of key"))
        }
        _ => return Err(wrong_key_type(&label)),
    };
    drop(sec);
    let plain =
        cipher::gcm_decrypt(&content_key, 128, &iv, aad, ct).map_err(|e| SecError::new(410, e))?;
    ok_json(json!({"fileName": header.file_name, "payload": STANDARD.encode(plain)}))
}
