//! Operation-table entries of the Securosys key operation role beyond signing:
//! encrypt/decrypt, HMAC, random, block/unblock, wrap/unwrap. They are registered in the same
//! [`super::OPERATIONS`] table as every other operation: `ops.rs` invokes
//! [`securosys_key_operations!`] with its own entries, which appends these and expands
//! `operations!` once (so the table stays one static slice, declared once per operation).

use serde::{Deserialize, Serialize};

pub(super) use super::ops_securosys_keys::*;
use super::wire::Base64;
use crate::error::Result;
use crate::providers::securosys::{
    CipherAlgorithm, CipherOptions, KeyAttributes, Policy, SignOptions, UnwrapKey, WrapMethod,
};

/// Data to encrypt with an HSM key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptRequest {
    /// The key's label (it needs the `encrypt` attribute).
    pub label: String,
    /// The data, base64.
    pub payload_base64: Base64,
    /// `RSA_PADDING_OAEP_WITH_SHA256`, `AES_GCM`, …
    pub algorithm: CipherAlgorithm,
    /// AES-GCM tag length in bits (default 128).
    #[serde(default)]
    pub tag_length: Option<u32>,
    /// AES-GCM additional authenticated data, base64.
    #[serde(default)]
    pub additional_authentication_data_base64: Option<Base64>,
}

impl EncryptRequest {
    /// The cipher options of the request.
    pub fn options(&self) -> CipherOptions {
        CipherOptions {
            tag_length: self.tag_length,
            additional_authentication_data: self
                .additional_authentication_data_base64
                .as_ref()
                .map(|b| b.0.clone()),
        }
    }
}

/// A ciphertext.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Ciphertext {
    /// The ciphertext (AES-GCM: with the tag appended), base64.
    pub ciphertext_base64: Base64,
    /// AES-GCM: the IV, base64 (decryption needs it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initialization_vector_base64: Option<Base64>,
    /// AES-GCM: the tag alone, base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_base64: Option<Base64>,
}

/// A ciphertext to decrypt with an HSM key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecryptRequest {
    /// The key's label (it needs the `decrypt` attribute).
    pub label: String,
    /// The ciphertext (AES-GCM: with the tag appended), base64.
    pub ciphertext_base64: Base64,
    /// The algorithm it was encrypted with.
    pub algorithm: CipherAlgorithm,
    /// AES-GCM: the IV encryption returned, base64.
    #[serde(default)]
    pub initialization_vector_base64: Option<Base64>,
    /// AES-GCM tag length in bits (default 128).
    #[serde(default)]
    pub tag_length: Option<u32>,
    /// AES-GCM additional authenticated data, base64.
    #[serde(default)]
    pub additional_authentication_data_base64: Option<Base64>,
    /// For the approval variant: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

impl DecryptRequest {
    /// The cipher options of the request.
    pub fn options(&self) -> CipherOptions {
        CipherOptions {
            tag_length: self.tag_length,
            additional_authentication_data: self
                .additional_authentication_data_base64
                .as_ref()
                .map(|b| b.0.clone()),
        }
    }

    /// The IV, if given.
    pub fn iv(&self) -> Option<&[u8]> {
        self.initialization_vector_base64
            .as_ref()
            .map(|b| b.0.as_slice())
    }
}

/// A plaintext.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Plaintext {
    /// The decrypted data, base64.
    pub payload_base64: Base64,
}

/// Data to authenticate with an HSM secret key (or an HMAC to check).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HmacRequest {
    /// The secret key's label (`HMACSHA256` or AES, with the `sign` attribute).
    pub label: String,
    /// The data, base64.
    pub payload_base64: Base64,
    /// For verification: the HMAC to check, base64.
    #[serde(default)]
    pub mac_base64: Option<Base64>,
}

/// An HMAC.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Mac {
    /// The HMAC-SHA-256, base64.
    pub mac_base64: Base64,
}

/// Random bytes wanted.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomRequest {
    /// How many bytes (1 to 65536).
    pub length: usize,
}

/// Random bytes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RandomBytes {
    /// The bytes, base64.
    pub random_base64: Base64,
}

/// A key to block or unblock under its policy's approvals.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// The key's label.
    pub label: String,
    /// Shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

/// A key to wrap.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WrapRequest {
    /// The label of the key to wrap (it must be `extractable`).
    pub label: String,
    /// The AES key that wraps it (`wrap` attribute).
    pub wrap_key_name: String,
    /// `AES_WRAP`, `AES_WRAP_PAD`, `AES_WRAP_PAD_RSA`, …
    pub wrap_method: WrapMethod,
}

/// A wrapped key.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Wrapped {
    /// The wrapped key bytes, base64.
    pub wrapped_key_base64: Base64,
}

/// A wrapped key to unwrap (import) under a new label.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnwrapRequest {
    /// The new key's label.
    pub label: String,
    /// The AES key that unwraps it (`unwrap` attribute).
    pub unwrap_key_name: String,
    /// The wrapped key, base64.
    pub wrapped_key_base64: Base64,
    /// How it was wrapped.
    pub wrap_method: WrapMethod,
    /// The new key's attributes (`sign`, `decrypt`, `unwrap` required).
    pub attributes: KeyAttributes,
    /// An approval policy for the new key.
    #[serde(default)]
    pub policy: Option<Policy>,
    /// For the approval variant: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

impl UnwrapRequest {
    /// The client's request.
    pub fn unwrap_key(&self) -> UnwrapKey {
        UnwrapKey {
            label: self.label.clone(),
            unwrap_key_name: self.unwrap_key_name.clone(),
            wrapped_key: self.wrapped_key_base64.0.clone(),
            wrap_method: self.wrap_method.clone(),
            attributes: self.attributes.clone(),
            policy: self.policy.clone(),
        }
    }
}

/// One page of an approver's tasks.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TasksPageRequest {
    /// The approver's private key, PEM (PKCS#8); never shown in `Debug` output.
    #[schemars(with = "String")]
    pub approver_key_pem: secrecy::SecretString,
    /// Which tasks (default: sign).
    #[serde(default)]
    pub kind: crate::providers::securosys::TaskKind,
    /// The page, from 0.
    #[serde(default)]
    pub page_number: u32,
    /// How many per page (default 25).
    pub page_size: Option<u32>,
    /// `creation_date_asc` (default), `creation_date_desc`, `last_fetched_date_asc`,
    /// `last_fetched_date_desc`.
    #[serde(default)]
    pub order: crate::providers::securosys::TaskOrder,
}

/// The key store's statistics.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Statistics {
    /// As the TSB words them.
    pub statistics: String,
}

/// The HSM log, whole or one page.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogRequest {
    /// With `page_size`: the page, from 0 (PROPOSAL `GET /v1/hsm/log/{page}/{size}`).
    pub page_number: Option<u32>,
    /// With `page_number`: lines per page.
    pub page_size: Option<u32>,
}

/// HSM log text.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HsmLog {
    /// The log lines (empty past the last page).
    pub log: String,
}

/// Run a log request.
pub(super) async fn hsm_log(c: &crate::client::Client, r: &LogRequest) -> Result<HsmLog> {
    let hsm = c.securosys()?;
    let log = match (r.page_number, r.page_size) {
        (None, None) => hsm.hsm_log().await?,
        (Some(n), Some(s)) => hsm.hsm_log_page(n, s).await?,
        _ => {
            return Err(crate::Error::invalid_argument(
                "securosys.hsm_log: give both request.page_number and request.page_size, or \
                 neither for the whole log",
            ))
        }
    };
    Ok(HsmLog { log })
}

/// A new policy for a key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyRequest {
    /// The key's label (a Smart Key Attributes key).
    pub label: String,
    /// The new policy (the TSB's camelCase: `ruleUse`, `ruleBlock`, …).
    pub policy: Policy,
    /// For the approval variant: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

/// A data object to store.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataObjectRequest {
    /// The object's label.
    pub label: String,
    /// Its value, base64.
    pub value_base64: Base64,
}

/// A data object's value.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DataObject {
    /// The value, base64.
    pub value_base64: Base64,
}

/// Requests wanted, by state.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsFilter {
    /// `PENDING`, `APPROVED`, `EXECUTED`, `FAILED`, `EXPIRED`, `REJECTED`, `CANCELLED`;
    /// empty or absent: every request.
    #[serde(default)]
    pub statuses: Vec<crate::providers::securosys::RequestState>,
}

/// Requests found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Requests {
    /// Id and state of each, oldest first.
    pub requests: Vec<crate::providers::securosys::RequestSummary>,
}

/// Data to time-stamp.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimestampRequest {
    /// The data, base64 (hashed locally; only the digest is sent).
    pub data_base64: Base64,
    /// `SHA256` (default), `SHA384` or `SHA512`.
    #[serde(default)]
    pub hash_algorithm: crate::providers::securosys::TimestampHash,
}

/// An RFC 3161 time-stamp token.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TimestampToken {
    /// The token (CMS SignedData over a TSTInfo), DER in base64.
    pub token_base64: Base64,
}

/// A key's attestation (its signature already checked).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Attestation {
    /// The attested attribute document.
    pub xml: String,
    /// The attestation key's signature over `xml` (ECDSA P-256 SHA-256, DER), base64.
    pub signature_base64: Base64,
    /// The attestation key's certificate, DER in base64.
    pub certificate_der_base64: Base64,
    /// The HSM's name for the attestation key.
    pub attestation_key_name: Option<String>,
}

/// `options` or the default.
pub(super) fn opts(o: &Option<SignOptions>) -> SignOptions {
    o.clone().unwrap_or_default()
}

/// Missing `mac_base64`.
pub(super) fn mac_of(r: &HmacRequest) -> Result<&[u8]> {
    r.mac_base64
        .as_ref()
        .map(|m| m.0.as_slice())
        .ok_or_else(|| {
            crate::Error::invalid_argument("securosys.verify_hmac: request.mac_base64 is missing")
        })
}

/// Appends this file's entries to the table entries it is given and declares the table.
macro_rules! securosys_key_operations {
    ($($rest:tt)*) => {
        super::ops_securosys_keys::securosys_key_management_operations! {
            $($rest)*

            // ---- Securosys key operation role beyond signing ---------------------

            /// Encrypt with an HSM key (`POST /v1/encrypt`, key-operation role): RSA-OAEP /
            /// PKCS#1 with the public key, or AES-GCM (the IV and tag are returned).
            securosys_encrypt "securosys.encrypt" (EncryptRequest) -> Ciphertext:
                |c, r, x| {
                    let e = c.securosys()?.encrypt(&r.label, &r.payload_base64.0, &r.algorithm, &r.options()).await?;
                    Ciphertext {
                        ciphertext_base64: Base64(e.ciphertext),
                        initialization_vector_base64: e.initialization_vector.map(Base64),
                        tag_base64: e.tag.map(Base64),
                    }
                };
            /// Decrypt now, with a key that has no approval policy (`POST /v1/synchronousDecrypt`).
            securosys_synchronous_decrypt "securosys.synchronous_decrypt" (DecryptRequest) -> Plaintext:
                |c, r, x| {
                    let p = c.securosys()?.synchronous_decrypt(&r.label, &r.ciphertext_base64.0, &r.algorithm, r.iv(), &r.options()).await?;
                    Plaintext { payload_base64: Base64(p) }
                };
            /// Ask for a decryption that approvers must approve (`POST /v1/decrypt`): the
            /// request id (`securosys.wait_request` gives the plaintext).
            securosys_decrypt "securosys.decrypt" (DecryptRequest) -> Requested:
                |c, r, x| Requested { id: c.securosys()?.decrypt(&r.label, &r.ciphertext_base64.0, &r.algorithm, r.iv(), &r.options(), &opts(&r.options)).await? };
            /// HMAC-SHA-256 with an HSM secret key (`POST /v1/synchronousHmac`).
            securosys_synchronous_hmac "securosys.synchronous_hmac" (HmacRequest) -> Mac:
                |c, r, x| Mac { mac_base64: Base64(c.securosys()?.synchronous_hmac(&r.label, &r.payload_base64.0).await?) };
            /// Check an HMAC with an HSM secret key (`POST /v1/verify`, `verifyHmacRequest`).
            securosys_verify_hmac "securosys.verify_hmac" (HmacRequest) -> Verified:
                |c, r, x| Verified { valid: c.securosys()?.verify_hmac(&r.label, &r.payload_base64.0, mac_of(&r)?).await? };
            /// Random bytes from the HSM (`GET /v1/generateRandom/{length}`).
            securosys_generate_random "securosys.generate_random" (RandomRequest) -> RandomBytes:
                |c, r, x| RandomBytes { random_base64: Base64(c.securosys()?.generate_random(r.length).await?) };
            /// Block a Smart Key Attributes key now (`POST /v1/synchronousBlock`).
            securosys_synchronous_block "securosys.synchronous_block" (KeyLabel) -> Done:
                |c, r, x| { c.securosys()?.synchronous_block(&r.label).await?; Done {} };
            /// Unblock a key now (`POST /v1/synchronousUnblock`).
            securosys_synchronous_unblock "securosys.synchronous_unblock" (KeyLabel) -> Done:
                |c, r, x| { c.securosys()?.synchronous_unblock(&r.label).await?; Done {} };
            /// Ask to block a key under its block rule's approvals (`POST /v1/block`): the
            /// request id (`securosys.wait_request_done`).
            securosys_block "securosys.block" (BlockRequest) -> Requested:
                |c, r, x| Requested { id: c.securosys()?.block(&r.label, &opts(&r.options)).await? };
            /// Ask to unblock a key under its unblock rule's approvals (`POST /v1/unblock`).
            securosys_unblock "securosys.unblock" (BlockRequest) -> Requested:
                |c, r, x| Requested { id: c.securosys()?.unblock(&r.label, &opts(&r.options)).await? };
            /// Wait until a request without result bytes (block, unblock, unwrap) is executed;
            /// its final state.
            securosys_wait_request_done "securosys.wait_request_done" (WaitRequest) -> RequestStatus [long_running]:
                |c, r, x| {
                    let opts = wait("securosys.wait_request_done", r.interval_ms, r.timeout_ms, x)?;
                    c.securosys()?.wait_request_done(&r.id, &opts).await?
                };
            /// Wrap an extractable key with an AES key (`POST /v1/wrap`).
            securosys_wrap_key "securosys.wrap_key" (WrapRequest) -> Wrapped:
                |c, r, x| Wrapped { wrapped_key_base64: Base64(c.securosys()?.wrap_key(&r.label, &r.wrap_key_name, &r.wrap_method).await?) };
            /// Unwrap (import) a wrapped key now (`POST /v1/synchronousUnwrap`): the new key.
            securosys_synchronous_unwrap_key "securosys.synchronous_unwrap_key" (UnwrapRequest) -> KeyInfo:
                |c, r, x| c.securosys()?.synchronous_unwrap_key(&r.unwrap_key()).await?;
            /// Ask for an unwrap that approvers must approve (`POST /v1/unwrap`): the request id.
            securosys_unwrap_key "securosys.unwrap_key" (UnwrapRequest) -> Requested:
                |c, r, x| Requested { id: c.securosys()?.unwrap_key(&r.unwrap_key(), &opts(&r.options)).await? };

            // ---- approvals with paging, service role ----------------------------

            /// One page of an approver's tasks of one kind, in a chosen order.
            securosys_approval_tasks_page "securosys.approval_tasks_page" (TasksPageRequest) -> Tasks:
                |c, r, x| {
                    let key = approver(&r.approver_key_pem)?;
                    Tasks::of(c.securosys()?.approval_tasks_page(&key, r.kind, r.page_number, r.page_size.unwrap_or(25), r.order).await?)
                };
            /// Every pending task of an approver of one kind (all pages, oldest first).
            securosys_all_approval_tasks "securosys.all_approval_tasks" (TasksRequest) -> Tasks:
                |c, r, x| {
                    let key = approver(&r.approver_key_pem)?;
                    Tasks::of(c.securosys()?.all_approval_tasks(&key, r.kind, r.page_size.unwrap_or(25)).await?)
                };
            /// Replace a key's approval policy now (`POST /v1/synchronousModify`,
            /// key-management role).
            securosys_synchronous_modify "securosys.synchronous_modify" (ModifyRequest) -> Done:
                |c, r, x| { c.securosys()?.synchronous_modify(&r.label, &r.policy).await?; Done {} };
            /// Ask to replace a key's policy under its modify rule's approvals
            /// (`POST /v1/modify`): the request id (`securosys.wait_request_done`).
            securosys_modify "securosys.modify" (ModifyRequest) -> Requested:
                |c, r, x| Requested { id: c.securosys()?.modify(&r.label, &r.policy, &opts(&r.options)).await? };
            /// Store a value in the HSM as a data object (key-management role; PROPOSAL body).
            securosys_create_data_object "securosys.create_data_object" (DataObjectRequest) -> Done:
                |c, r, x| { c.securosys()?.create_data_object(&r.label, &r.value_base64.0).await?; Done {} };
            /// A data object's value (`GET /v1/dataObject/{label}`).
            securosys_read_data_object "securosys.read_data_object" (KeyLabel) -> DataObject:
                |c, r, x| DataObject { value_base64: Base64(c.securosys()?.read_data_object(&r.label).await?) };
            /// Delete a data object (`DELETE /v1/dataObject/{label}`).
            securosys_delete_data_object "securosys.delete_data_object" (KeyLabel) -> Done:
                |c, r, x| { c.securosys()?.delete_data_object(&r.label).await?; Done {} };
            /// The asynchronous requests in the given states (`POST /v1/filteredRequests`).
            securosys_filtered_requests "securosys.filtered_requests" (RequestsFilter) -> Requests:
                |c, r, x| Requests { requests: c.securosys()?.filtered_requests(&r.statuses).await? };
            /// An RFC 3161 time-stamp token over data (`POST /v1/createRfcTimestamp`,
            /// key-operation role; PROPOSAL body: the data's digest is sent).
            securosys_create_rfc_timestamp "securosys.create_rfc_timestamp" (TimestampRequest) -> TimestampToken:
                |c, r, x| TimestampToken { token_base64: Base64(c.securosys()?.create_rfc_timestamp(&r.data_base64.0, r.hash_algorithm).await?) };
            /// A key's attestation, its signature checked (key-management role; PROPOSAL path).
            securosys_key_attestation "securosys.key_attestation" (KeyLabel) -> Attestation:
                |c, r, x| {
                    let a = c.securosys()?.key_attestation(&r.label).await?;
                    Attestation {
                        xml: a.xml,
                        signature_base64: Base64(a.signature),
                        certificate_der_base64: Base64(a.certificate_der),
                        attestation_key_name: a.attestation_key_name,
                    }
                };
            /// The key store's statistics (`GET /v1/keystore/statistics`, service role).
            securosys_keystore_statistics "securosys.keystore_statistics" (Empty) -> Statistics:
                |c, r, x| Statistics { statistics: c.securosys()?.keystore_statistics().await? };
            /// The HSM log, whole (`GET /v1/hsm/log`) or one page (service role).
            securosys_hsm_log "securosys.hsm_log" (LogRequest) -> HsmLog:
                |c, r, x| hsm_log(c, &r).await?;
        }
    };
}
pub(super) use securosys_key_operations;
