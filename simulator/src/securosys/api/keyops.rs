//! The key operation role beyond signing (contract §5, §6): encrypt, synchronous and
//! asynchronous decrypt, HMAC and its verification, random bytes, block/unblock (synchronous
//! and with approvals), wrap, synchronous and asynchronous unwrap. Real cryptography
//! ([`super::super::cipher`]); approvals go through the same request machinery as signing,
//! governed by `ruleUse` (decrypt, unwrap), `ruleBlock` and `ruleUnblock`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::cipher::{self, CipherAlg, CipherError, GCM_TAG_BITS};
use super::{
    b64_decode, check_password, key_not_found, ok_empty, ok_json, submit_request, AsyncOp, HsmKey,
    Token,
};
use crate::app::Json200;
use crate::securosys::crypto::{KeyKind, KeyMaterial};
use crate::securosys::{parse_body, AppState, SecError, SecInner, SecResult};

/// Longest `GET /v1/generateRandom/{length}` (PROPOSAL: the limit is not documented).
const MAX_RANDOM: usize = 65_536;

/// The routes of this module, added to the `/v1/` router before authentication is layered.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/encrypt", post(encrypt))
        .route("/v1/synchronousDecrypt", post(synchronous_decrypt))
        .route("/v1/decrypt", post(async_decrypt))
        .route("/v1/synchronousHmac", post(synchronous_hmac))
        .route("/v1/generateRandom/{length}", get(generate_random))
        .route("/v1/synchronousBlock", post(synchronous_block))
        .route("/v1/synchronousUnblock", post(synchronous_unblock))
        .route("/v1/block", post(async_block))
        .route("/v1/unblock", post(async_unblock))
        .route("/v1/wrap", post(super::wrap::wrap))
        .route(
            "/v1/synchronousUnwrap",
            post(super::wrap::synchronous_unwrap),
        )
        .route("/v1/unwrap", post(super::wrap::async_unwrap))
}

/// What an asynchronous key operation does once approved.
#[derive(Debug, Clone)]
pub(crate) enum Job {
    Decrypt(Decrypt),
    Block,
    Unblock,
    Unwrap(super::wrap::Unwrap),
    /// Replace the key's policy (`POST /v1/modify`).
    Modify(Value),
}

impl Job {
    /// The approval task kind (`filtered{Kind}ApprovalTask`).
    pub(super) fn task_kind(&self) -> &'static str {
        match self {
            Job::Decrypt(_) => "Decrypt",
            Job::Block => "BlockKey",
            Job::Unblock => "UnblockKey",
            Job::Unwrap(_) => "UnwrapKey",
            Job::Modify(_) => "ModifyKey",
        }
    }

    /// The policy rule that governs the job on `key`.
    pub(super) fn rule<'k>(&self, key: &'k HsmKey) -> &'k [Token] {
        match self {
            Job::Decrypt(_) | Job::Unwrap(_) => &key.rule_use,
            Job::Block => &key.rule_block,
            Job::Unblock => &key.rule_unblock,
            Job::Modify(_) => &key.rule_modify,
        }
    }
}

/// Runs an approved job on key `label`: its result bytes (the plaintext of a decrypt), or none.
pub(super) fn execute(
    sec: &mut SecInner,
    label: &str,
    job: &Job,
    now: f64,
) -> Result<Option<Vec<u8>>, String> {
    let key = sec
        .keys
        .get_mut(label)
        .ok_or_else(|| "the key no longer exists".to_owned())?;
    match job {
        Job::Decrypt(d) => decrypt_with(key, d).map(Some).map_err(|e| e.message),
        Job::Block => {
            key.blocked = true;
            Ok(None)
        }
        Job::Unblock => {
            key.blocked = false;
            Ok(None)
        }
        Job::Modify(policy) => super::manage::apply_policy(key, policy)
            .map(|_| None)
            .map_err(|e| e.message),
        Job::Unwrap(u) => super::wrap::unwrap_into(sec, label, u, now)
            .map(|_| None)
            .map_err(|e| e.message),
    }
}

/// 614 when the key is blocked.
pub(super) fn check_not_blocked(key: &HsmKey) -> Result<(), SecError> {
    if key.blocked {
        return Err(SecError::new(
            614,
            format!("Key {} is blocked: unblock it first", key.label),
        ));
    }
    Ok(())
}

pub(super) fn required<'a>(v: &'a Option<String>, field: &str) -> Result<&'a str, SecError> {
    v.as_deref()
        .ok_or_else(|| SecError::validation(format!("\"{field}\" is required")))
}

pub(super) fn label_of(v: &Option<String>, field: &str) -> Result<String, SecError> {
    v.clone()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| SecError::new(610, format!("\"{field}\" is required")))
}

/// The key `label`, its password checked, not blocked, with attribute `attr`.
pub(super) fn usable<'s>(
    sec: &'s SecInner,
    label: &str,
    password: &Option<Value>,
    attr: &str,
) -> Result<&'s HsmKey, SecError> {
    let key = sec.keys.get(label).ok_or_else(|| key_not_found(label))?;
    check_password(key, password)?;
    check_not_blocked(key)?;
    if !key.can(attr) {
        return Err(SecError::new(
            614,
            format!("Key {label} does not have the {attr} attribute"),
        ));
    }
    Ok(key)
}

/// 401 when `rule` needs approvals (the synchronous forms).
pub(super) fn no_approvals_needed(
    rule: &[Token],
    label: &str,
    use_instead: &str,
) -> Result<(), SecError> {
    if rule.is_empty() {
        return Ok(());
    }
    Err(SecError::new(
        401,
        format!("Key {label} needs approvals: use POST {use_instead}"),
    ))
}

fn cipher_alg(name: Option<&str>) -> Result<CipherAlg, SecError> {
    let name = name.ok_or_else(|| SecError::validation("\"cipherAlgorithm\" is required"))?;
    CipherAlg::parse(name).map_err(|e| match e {
        CipherError::Unsupported => SecError::new(
            629,
            format!("cipherAlgorithm {name} is not supported by the simulator"),
        ),
        CipherError::Unknown => SecError::new(501, format!("unknown cipherAlgorithm {name}")),
    })
}

fn tag_bits(v: Option<u32>) -> Result<u32, SecError> {
    let bits = v.unwrap_or(128);
    if !GCM_TAG_BITS.contains(&bits) {
        return Err(SecError::new(
            624,
            format!("tagLength {bits} is not supported: use 96, 104, 112, 120 or 128"),
        ));
    }
    Ok(bits)
}

fn mismatch(label: &str, alg: CipherAlg) -> SecError {
    SecError::new(
        607,
        format!("cipherAlgorithm {alg:?} cannot be used with key {label}"),
    )
}

// ---- encrypt / decrypt --------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EncryptInner {
    payload: Option<String>,
    encrypt_key_name: Option<String>,
    key_password: Option<Value>,
    cipher_algorithm: Option<String>,
    tag_length: Option<u32>,
    additional_authentication_data: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EncryptEnvelope {
    encrypt_request: Option<EncryptInner>,
}

async fn encrypt(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: EncryptEnvelope = parse_body(&body)?;
    let r = env
        .encrypt_request
        .ok_or_else(|| SecError::validation("\"encryptRequest\" is required"))?;
    let label = label_of(&r.encrypt_key_name, "encryptKeyName")?;
    let payload = b64_decode("payload", required(&r.payload, "payload")?)?;
    let alg = cipher_alg(r.cipher_algorithm.as_deref())?;
    let aad = match &r.additional_authentication_data {
        Some(a) => b64_decode("additionalAuthenticationData", a)?,
        None => Vec::new(),
    };
    let sec = shared.securosys.lock();
    let key = usable(&sec, &label, &r.key_password, "encrypt")?;
    match (alg, &*key.material) {
        (CipherAlg::Rsa(scheme), KeyMaterial::Rsa(k)) => {
            let ct = cipher::rsa_encrypt(&k.to_public_key(), scheme, &payload)
                .map_err(|e| SecError::new(612, e))?;
            ok_json(json!({
                "encryptedPayload": STANDARD.encode(ct),
                "encryptedPayloadWithoutMessageAuthenticationCode": null,
                "initializationVector": null,
                "messageAuthenticationCode": null,
            }))
        }
        (CipherAlg::AesGcm, KeyMaterial::Secret(k)) if matches!(key.kind, KeyKind::Aes(_)) => {
            let bits = tag_bits(r.tag_length)?;
            let (iv, ct) =
                cipher::gcm_encrypt(k, bits, &aad, &payload).map_err(|e| SecError::new(701, e))?;
            let split = ct.len() - (bits / 8) as usize;
            ok_json(json!({
                "encryptedPayload": STANDARD.encode(&ct),
                "encryptedPayloadWithoutMessageAuthenticationCode": STANDARD.encode(&ct[..split]),
                "initializationVector": STANDARD.encode(iv),
                "messageAuthenticationCode": STANDARD.encode(&ct[split..]),
            }))
        }
        _ => Err(mismatch(&label, alg)),
    }
}

/// A decryption, checked and ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Decrypt {
    label: String,
    alg: CipherAlg,
    ciphertext: Vec<u8>,
    iv: Vec<u8>,
    tag_bits: u32,
    aad: Vec<u8>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DecryptInner {
    encrypted_payload: Option<String>,
    decrypt_key_name: Option<String>,
    key_password: Option<Value>,
    cipher_algorithm: Option<String>,
    initialization_vector: Option<String>,
    tag_length: Option<u32>,
    additional_authentication_data: Option<String>,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
    signed_approvals: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DecryptEnvelope {
    decrypt_request: Option<DecryptInner>,
}

fn prepare_decrypt(sec: &SecInner, r: &DecryptInner) -> Result<Decrypt, SecError> {
    let label = label_of(&r.decrypt_key_name, "decryptKeyName")?;
    let ciphertext = b64_decode(
        "encryptedPayload",
        required(&r.encrypted_payload, "encryptedPayload")?,
    )?;
    let alg = cipher_alg(r.cipher_algorithm.as_deref())?;
    let key = usable(sec, &label, &r.key_password, "decrypt")?;
    let (iv, tag_bits) = match (alg, key.kind) {
        (CipherAlg::Rsa(_), KeyKind::Rsa(_)) => (Vec::new(), 0),
        (CipherAlg::AesGcm, KeyKind::Aes(_)) => (
            b64_decode(
                "initializationVector",
                required(&r.initialization_vector, "initializationVector")?,
            )?,
            tag_bits(r.tag_length)?,
        ),
        _ => return Err(mismatch(&label, alg)),
    };
    let aad = match &r.additional_authentication_data {
        Some(a) => b64_decode("additionalAuthenticationData", a)?,
        None => Vec::new(),
    };
    Ok(Decrypt {
        label,
        alg,
        ciphertext,
        iv,
        tag_bits,
        aad,
    })
}

fn decrypt_with(key: &HsmKey, d: &Decrypt) -> Result<Vec<u8>, SecError> {
    let out = match (d.alg, &*key.material) {
        (CipherAlg::Rsa(scheme), KeyMaterial::Rsa(k)) => {
            cipher::rsa_decrypt(k, scheme, &d.ciphertext)
        }
        (CipherAlg::AesGcm, KeyMaterial::Secret(k)) => {
            cipher::gcm_decrypt(k, d.tag_bits, &d.iv, &d.aad, &d.ciphertext)
        }
        _ => return Err(mismatch(&d.label, d.alg)),
    };
    out.map_err(|e| SecError::new(410, e))
}

async fn synchronous_decrypt(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: DecryptEnvelope = parse_body(&body)?;
    let r = env
        .decrypt_request
        .ok_or_else(|| SecError::validation("\"decryptRequest\" is required"))?;
    let sec = shared.securosys.lock();
    let d = prepare_decrypt(&sec, &r)?;
    let key = sec
        .keys
        .get(&d.label)
        .ok_or_else(|| key_not_found(&d.label))?;
    if r.signed_approvals.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(SecError::new(
            101,
            "signedApprovals are not supported by the simulator: use POST /v1/decrypt",
        ));
    }
    no_approvals_needed(&key.rule_use, &d.label, "/v1/decrypt")?;
    let payload = decrypt_with(key, &d)?;
    ok_json(json!({"payload": STANDARD.encode(payload)}))
}

pub(super) fn created(id_field: &str, id: uuid::Uuid) -> SecResult {
    Ok((StatusCode::CREATED, Json200(json!({ id_field: id }))).into_response())
}

async fn async_decrypt(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: DecryptEnvelope = parse_body(&body)?;
    let r = env
        .decrypt_request
        .ok_or_else(|| SecError::validation("\"decryptRequest\" is required"))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let d = prepare_decrypt(&sec, &r)?;
    let (label, shown) = (d.label.clone(), d.ciphertext.clone());
    let op = AsyncOp::Key(Job::Decrypt(d));
    let id = submit_request(
        &mut sec,
        now,
        &label,
        op,
        shown,
        "UNSPECIFIED".to_owned(),
        r.meta_data,
        r.meta_data_signature,
    )?;
    created("decryptRequestId", id)
}

// ---- HMAC and random ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct HmacInner {
    key_name: Option<String>,
    key_password: Option<Value>,
    payload: Option<String>,
    signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct HmacEnvelope {
    hmac_request: Option<HmacInner>,
}

/// The secret and payload of an HMAC request: the key must be an `HMACSHA256` or AES key with
/// the sign attribute (PROPOSAL: which key types the TSB accepts is not documented).
fn hmac_key(sec: &SecInner, r: &HmacInner) -> Result<(Vec<u8>, Vec<u8>), SecError> {
    let label = label_of(&r.key_name, "keyName")?;
    let payload = b64_decode("payload", required(&r.payload, "payload")?)?;
    let key = usable(sec, &label, &r.key_password, "sign")?;
    match &*key.material {
        KeyMaterial::Secret(k) => Ok((k.clone(), payload)),
        _ => Err(SecError::new(
            613,
            format!("Key {label} is not a secret key: HMAC needs an HMACSHA256 or AES key"),
        )),
    }
}

async fn synchronous_hmac(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: HmacEnvelope = parse_body(&body)?;
    let r = env
        .hmac_request
        .ok_or_else(|| SecError::validation("\"hmacRequest\" is required"))?;
    let (key, payload) = hmac_key(&shared.securosys.lock(), &r)?;
    ok_json(json!({"keyedHash": STANDARD.encode(cipher::hmac_sha256(&key, &payload))}))
}

/// `POST /v1/verify` with a `verifyHmacRequest`.
pub(super) fn verify_hmac(shared: &AppState, body: Value) -> SecResult {
    let r: HmacInner = serde_json::from_value(body)
        .map_err(|e| SecError::validation(format!("Invalid verifyHmacRequest: {e}")))?;
    let given = b64_decode("signature", required(&r.signature, "signature")?)?;
    let (key, payload) = hmac_key(&shared.securosys.lock(), &r)?;
    ok_json(json!({"signatureValid": cipher::hmac_sha256_verify(&key, &payload, &given)}))
}

async fn generate_random(Path(length): Path<String>) -> SecResult {
    let n: usize = length
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_RANDOM).contains(n))
        .ok_or_else(|| {
            SecError::new(
                619,
                format!("length must be a number from 1 to {MAX_RANDOM}"),
            )
        })?;
    let mut buf = vec![0u8; n];
    cipher::random_fill(&mut buf).map_err(|e| SecError::new(701, e))?;
    ok_json(json!({"random": STANDARD.encode(buf)}))
}

// ---- block / unblock ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct BlockInner {
    block_key_name: Option<String>,
    unblock_key_name: Option<String>,
    key_password: Option<Value>,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct BlockEnvelope {
    block_request: Option<BlockInner>,
    unblock_request: Option<BlockInner>,
}

/// The key a block (`block = true`) or unblock request names, checked: it must be an SKA key
/// (PROPOSAL: a key without a policy has no key status to change).
fn block_target(
    sec: &SecInner,
    body: &Bytes,
    block: bool,
) -> Result<(String, BlockInner), SecError> {
    let env: BlockEnvelope = parse_body(body)?;
    let (inner, env_name, name_field) = if block {
        (env.block_request, "blockRequest", "blockKeyName")
    } else {
        (env.unblock_request, "unblockRequest", "unblockKeyName")
    };
    let r = inner.ok_or_else(|| SecError::validation(format!("\"{env_name}\" is required")))?;
    let name = if block {
        &r.block_key_name
    } else {
        &r.unblock_key_name
    };
    let label = label_of(name, name_field)?;
    let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
    check_password(key, &r.key_password)?;
    if key.policy.is_null() {
        return Err(SecError::new(
            614,
            format!("Key {label} has no policy: only Smart Key Attribute keys can be blocked"),
        ));
    }
    Ok((label, r))
}

fn synchronous_block_or_unblock(shared: &AppState, body: &Bytes, block: bool) -> SecResult {
    let mut sec = shared.securosys.lock();
    let (label, _) = block_target(&sec, body, block)?;
    let key = sec
        .keys
        .get_mut(&label)
        .ok_or_else(|| key_not_found(&label))?;
    let (rule, path) = if block {
        (&key.rule_block, "/v1/block")
    } else {
        (&key.rule_unblock, "/v1/unblock")
    };
    no_approvals_needed(rule, &label, path)?;
    key.blocked = block;
    ok_empty()
}

async fn synchronous_block(State(shared): State<AppState>, body: Bytes) -> SecResult {
    synchronous_block_or_unblock(&shared, &body, true)
}

async fn synchronous_unblock(State(shared): State<AppState>, body: Bytes) -> SecResult {
    synchronous_block_or_unblock(&shared, &body, false)
}

fn async_block_or_unblock(shared: &AppState, body: &Bytes, block: bool) -> SecResult {
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let (label, r) = block_target(&sec, body, block)?;
    let (job, field) = if block {
        (Job::Block, "blockKeyRequestId")
    } else {
        (Job::Unblock, "unblockKeyRequestId")
    };
    let id = submit_request(
        &mut sec,
        now,
        &label,
        AsyncOp::Key(job),
        label.clone().into_bytes(),
        "UNSPECIFIED".to_owned(),
        r.meta_data,
        r.meta_data_signature,
    )?;
    created(field, id)
}

async fn async_block(State(shared): State<AppState>, body: Bytes) -> SecResult {
    async_block_or_unblock(&shared, &body, true)
}

async fn async_unblock(State(shared): State<AppState>, body: Bytes) -> SecResult {
    async_block_or_unblock(&shared, &body, false)
}
