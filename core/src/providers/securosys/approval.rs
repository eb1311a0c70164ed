//! The approval workflow (contract §7, approver role): list an approver's pending tasks, approve
//! or reject them. The approver proves possession of its key by signing a timestamp; approvals
//! are signatures over the task's `approvalToBeSigned` bytes.

use std::fmt;

use http::Method;
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair as _};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::api::{b64, b64_decode};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::providers::{check_id, IdSyntax};
use crate::transport::Request;

/// An approver's key: signs timestamps and approvals. Implement it to keep the key elsewhere
/// (a smart card, another HSM); [`ApproverKey`] holds a PKCS#8 key in memory.
pub trait ApproverSigner: Send + Sync {
    /// The public key, DER SubjectPublicKeyInfo (as in the key's policy).
    fn public_key_der(&self) -> Vec<u8>;
    /// The digest algorithm name sent with signatures (`SHA-256`; `EdDSA` for Ed25519).
    fn digest_algorithm(&self) -> &str;
    /// Sign `data` (the signature scheme hashes it itself).
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>>;
}

enum KeyKind {
    Ecdsa(signature::EcdsaKeyPair, &'static str),
    Ed25519(signature::Ed25519KeyPair),
    Rsa(signature::RsaKeyPair),
}

/// An in-memory approver key: ECDSA P-256 / P-384, Ed25519 or RSA, from PKCS#8.
pub struct ApproverKey {
    kind: KeyKind,
    spki: Vec<u8>,
    /// The PKCS#8 it was read from, for [`ApproverKey::pkcs8_pem`].
    pkcs8: secrecy::SecretSlice<u8>,
}

impl fmt::Debug for ApproverKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = match self.kind {
            KeyKind::Ecdsa(..) => "ECDSA",
            KeyKind::Ed25519(_) => "Ed25519",
            KeyKind::Rsa(_) => "RSA",
        };
        f.debug_struct("ApproverKey")
            .field("kind", &k)
            .field("private_key", &"[REDACTED]")
            .finish()
    }
}

const SPKI_P256: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
const SPKI_P384: &[u8] = &[
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
    0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];
const SPKI_ED25519: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const RSA_ALG_ID: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

fn der_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

fn rsa_spki(rsa_public_key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(rsa_public_key);
    let mut seq = RSA_ALG_ID.to_vec();
    seq.extend(der(0x03, &bits));
    der(0x30, &seq)
}

impl ApproverKey {
    /// Load a PKCS#8 private key (DER).
    pub fn from_pkcs8_der(pkcs8: &[u8]) -> Result<ApproverKey> {
        let rng = SystemRandom::new();
        for (alg, prefix, digest) in [
            (
                &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                SPKI_P256,
                "SHA-256",
            ),
            (
                &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                SPKI_P384,
                "SHA-384",
            ),
        ] {
            if let Ok(k) = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8, &rng) {
                let mut spki = prefix.to_vec();
                spki.extend_from_slice(k.public_key().as_ref());
                return Ok(ApproverKey {
                    kind: KeyKind::Ecdsa(k, digest),
                    spki,
                    pkcs8: pkcs8.to_vec().into(),
                });
            }
        }
        if let Ok(k) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8) {
            let mut spki = SPKI_ED25519.to_vec();
            spki.extend_from_slice(k.public_key().as_ref());
            return Ok(ApproverKey {
                kind: KeyKind::Ed25519(k),
                spki,
                pkcs8: pkcs8.to_vec().into(),
            });
        }
        if let Ok(k) = signature::RsaKeyPair::from_pkcs8(pkcs8) {
            let spki = rsa_spki(k.public().as_ref());
            return Ok(ApproverKey {
                kind: KeyKind::Rsa(k),
                spki,
                pkcs8: pkcs8.to_vec().into(),
            });
        }
        Err(Error::invalid_argument(
            "the approver key is not a usable PKCS#8 private key (ECDSA P-256/P-384, Ed25519 or \
             RSA)",
        ))
    }

    /// Load a PKCS#8 private key from PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &str) -> Result<ApproverKey> {
        match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
            Ok(PrivateKeyDer::Pkcs8(k)) => ApproverKey::from_pkcs8_der(k.secret_pkcs8_der()),
            Ok(_) => Err(Error::invalid_argument(
                "the approver key must be PKCS#8 (-----BEGIN PRIVATE KEY-----); convert it with \
                 `openssl pkcs8 -topk8 -nocrypt`",
            )),
            Err(_) => Err(Error::invalid_argument(
                "the approver key is not PEM (expected -----BEGIN PRIVATE KEY-----)",
            )),
        }
    }

    /// A new random ECDSA P-256 approver key (for tests and tooling) and its PKCS#8 DER.
    pub fn generate_p256() -> Result<(ApproverKey, Vec<u8>)> {
        let rng = SystemRandom::new();
        let doc = signature::EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &rng,
        )
        .map_err(|_| Error::internal("could not generate a P-256 key"))?;
        let der = doc.as_ref().to_vec();
        Ok((ApproverKey::from_pkcs8_der(&der)?, der))
    }

    /// The public key as base64 DER SPKI, as a policy's approval `value` takes it.
    pub fn public_key_b64(&self) -> String {
        b64(&self.spki)
    }

    /// The private key as PKCS#8 PEM, as the operation table's `approver_key_pem` takes it (a
    /// wrapper passes a key object of its own as that field this way). A secret: never shown.
    pub fn pkcs8_pem(&self) -> secrecy::SecretString {
        use secrecy::ExposeSecret as _;
        super::api::pem("PRIVATE KEY", self.pkcs8.expose_secret()).into()
    }
}

impl ApproverSigner for ApproverKey {
    fn public_key_der(&self) -> Vec<u8> {
        self.spki.clone()
    }

    fn digest_algorithm(&self) -> &str {
        match self.kind {
            KeyKind::Ed25519(_) => "EdDSA",
            KeyKind::Ecdsa(_, digest) => digest,
            KeyKind::Rsa(_) => "SHA-256",
        }
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        let failed = |_| Error::internal("the approver key could not sign");
        match &self.kind {
            KeyKind::Ecdsa(k, _) => Ok(k.sign(&rng, data).map_err(failed)?.as_ref().to_vec()),
            KeyKind::Ed25519(k) => Ok(k.sign(data).as_ref().to_vec()),
            KeyKind::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, data, &mut sig)
                    .map_err(failed)?;
                Ok(sig)
            }
        }
    }
}

/// Which tasks to list (`POST /v1/filtered{Kind}ApprovalTask`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Sign requests.
    #[default]
    Sign,
    /// Decrypt requests.
    Decrypt,
    /// Policy modifications.
    ModifyKey,
    /// Block requests.
    BlockKey,
    /// Unblock requests.
    UnblockKey,
    /// Unwrap requests.
    UnwrapKey,
    /// Every kind (TSB ≥ 2.0.1).
    All,
}

impl TaskKind {
    fn path(self) -> &'static str {
        match self {
            TaskKind::Sign => "v1/filteredSignApprovalTask",
            TaskKind::Decrypt => "v1/filteredDecryptApprovalTask",
            TaskKind::ModifyKey => "v1/filteredModifyKeyApprovalTask",
            TaskKind::BlockKey => "v1/filteredBlockKeyApprovalTask",
            TaskKind::UnblockKey => "v1/filteredUnblockKeyApprovalTask",
            TaskKind::UnwrapKey => "v1/filteredUnwrapKeyApprovalTask",
            TaskKind::All => "v1/filteredAllApprovalTask",
        }
    }
}

/// The most pages [`SecurosysClient::all_approval_tasks`] reads.
pub const MAX_TASK_PAGES: u32 = 10_000;

/// The order of listed approval tasks (`paging.sortOrder`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskOrder {
    /// Oldest request first (default).
    #[default]
    CreationDateAsc,
    /// Newest request first.
    CreationDateDesc,
    /// Least recently fetched first.
    LastFetchedDateAsc,
    /// Most recently fetched first.
    LastFetchedDateDesc,
}

impl TaskOrder {
    /// The wire spelling (`CREATION_DATE_ASC`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskOrder::CreationDateAsc => "CREATION_DATE_ASC",
            TaskOrder::CreationDateDesc => "CREATION_DATE_DESC",
            TaskOrder::LastFetchedDateAsc => "LAST_FETCHED_DATE_ASC",
            TaskOrder::LastFetchedDateDesc => "LAST_FETCHED_DATE_DESC",
        }
    }
}

/// A pending approval task of one approver. Read from the TSB's camelCase, written in
/// snake_case; both spellings are read (a task listed by `securosys.list_approval_tasks` can be
/// given back to `securosys.approve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all(serialize = "snake_case", deserialize = "camelCase"))]
pub struct ApprovalTask {
    /// Task id.
    pub id: String,
    /// What the approver signs to approve (base64, opaque).
    #[serde(alias = "approval_to_be_signed")]
    pub approval_to_be_signed: String,
    /// The approver's public key (base64).
    #[serde(default)]
    #[serde(alias = "approver_public_key")]
    pub approver_public_key: Option<String>,
    /// The request's metadata (base64 JSON).
    #[serde(default)]
    #[serde(alias = "meta_data")]
    pub meta_data: Option<String>,
    /// The payload to be signed (base64).
    #[serde(default)]
    pub payload: Option<String>,
    /// The payload type.
    #[serde(default)]
    #[serde(alias = "payload_type")]
    pub payload_type: Option<String>,
}

impl ApprovalTask {
    /// The request's metadata decoded as JSON, when present and readable.
    pub fn metadata(&self) -> Option<serde_json::Value> {
        let raw = b64_decode(self.meta_data.as_deref()?, "metaData").ok()?;
        serde_json::from_slice(&raw).ok()
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SS+00:00`.
pub(crate) fn utc_timestamp(unix_s: u64) -> String {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn proof(signer: &dyn ApproverSigner) -> Result<serde_json::Value> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| Error::internal("the system clock is before 1970"))?
        .as_secs();
    let ts = utc_timestamp(now);
    let sig = signer.sign(ts.as_bytes())?;
    Ok(json!({
        "timestamp": ts,
        "timestampSignature": b64(&sig),
        "approverPublicKey": b64(&signer.public_key_der()),
        "approverCertificate": null,
        "timestampDigestAlgorithm": signer.digest_algorithm(),
    }))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

impl SecurosysClient {
    /// The pending tasks of the approver `signer` (`POST /v1/filtered…ApprovalTask`, approver
    /// role), first page of up to `page_size` tasks, oldest first.
    pub async fn list_approval_tasks(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_size: u32,
    ) -> Result<Vec<ApprovalTask>> {
        self.approval_tasks_page(signer, kind, 0, page_size, TaskOrder::default())
            .await
    }

    /// One page of the approver's pending tasks of `kind`: page `page_number` (from 0) of
    /// `page_size` tasks in `order` (`paging` of `POST /v1/filtered…ApprovalTask`).
    pub async fn approval_tasks_page(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_number: u32,
        page_size: u32,
        order: TaskOrder,
    ) -> Result<Vec<ApprovalTask>> {
        if page_size == 0 {
            return Err(Error::invalid_argument("page_size must be at least 1"));
        }
        let what = "list approval tasks";
        let body = merge(
            proof(signer)?,
            json!({"detailLevel": "level2", "id": null, "requestId": null,
                   "paging": {"pageNumber": page_number, "pageSize": page_size,
                              "sortOrder": order.as_str()}}),
        );
        let r = Request::post_json(self.inner.transport.url(kind.path())?, &body, what)?
            .idempotent(true)
            .with_role(Role::Approver);
        let resp = self.inner.transport.send(r).await?;
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            tasks: Vec<ApprovalTask>,
        }
        let a: Answer = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::protocol(format!(
                "the answer to {what} does not have the documented shape ({})",
                crate::scrub::answer_error(&e)
            ))
        })?;
        Ok(a.tasks)
    }

    /// Every pending task of the approver of `kind`, oldest first: pages of `page_size` read
    /// until a short page, at most [`MAX_TASK_PAGES`] pages (a TSB that keeps answering full
    /// pages is an error rather than an endless loop). A task listed twice (tasks created while
    /// paging shift the pages) is kept once.
    pub async fn all_approval_tasks(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_size: u32,
    ) -> Result<Vec<ApprovalTask>> {
        let mut all: Vec<ApprovalTask> = Vec::new();
        for page in 0..MAX_TASK_PAGES {
            let tasks = self
                .approval_tasks_page(signer, kind, page, page_size, TaskOrder::CreationDateAsc)
                .await?;
            let short = (tasks.len() as u64) < u64::from(page_size);
            for t in tasks {
                if !all.iter().any(|a| a.id == t.id) {
                    all.push(t);
                }
            }
            if short {
                return Ok(all);
            }
        }
        Err(Error::protocol(format!(
            "the TSB still returned full pages of approval tasks after {MAX_TASK_PAGES} pages \
             of {page_size}"
        )))
    }

    /// Approve `task` as `signer` (`POST /v1/approval`, approver role): signs the task's
    /// `approvalToBeSigned` bytes.
    pub async fn approve(&self, signer: &dyn ApproverSigner, task: &ApprovalTask) -> Result<()> {
        let data = b64_decode(&task.approval_to_be_signed, "approvalToBeSigned")
            .map_err(|e| Error::invalid_argument(e.message()))?;
        let sig = signer.sign(&data)?;
        let what = "approve task";
        let body = json!({
            "id": task.id,
            "approvalToBeSigned": task.approval_to_be_signed,
            "signature": b64(&sig),
            "approvalDigestAlgorithm": signer.digest_algorithm(),
            "approverPublicKey": b64(&signer.public_key_der()),
        });
        let r = Request::post_json(self.inner.transport.url("v1/approval")?, &body, what)?
            .with_role(Role::Approver);
        self.inner.transport.send(r).await?;
        Ok(())
    }

    /// Reject task `task_id` as `signer` (`DELETE /v1/task`, approver role).
    pub async fn reject(&self, signer: &dyn ApproverSigner, task_id: &str) -> Result<()> {
        check_id("task id", task_id, IdSyntax::Plain)?;
        let what = "reject task";
        let body = merge(proof(signer)?, json!({"id": task_id}));
        let r = Request::json(
            Method::DELETE,
            self.inner.transport.url("v1/task")?,
            Some(&body),
            what,
        )?
        .idempotent(false)
        .with_role(Role::Approver);
        self.inner.transport.send(r).await?;
        Ok(())
    }
}

#[cfg(test)]
mod pem_tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    #[test]
    fn the_pkcs8_pem_reads_back_as_the_same_key_and_is_never_shown() {
        let (key, der) = ApproverKey::generate_p256().expect("key");
        let pem = key.pkcs8_pem();
        assert!(pem
            .expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = ApproverKey::from_pem(pem.expose_secret()).expect("pem");
        assert_eq!(again.public_key_b64(), key.public_key_b64());
        let body = b64(&der);
        assert!(!format!("{key:?}").contains(&body[..20]));
    }
}
