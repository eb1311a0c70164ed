//! The key operation role beyond signing (contract §5, §6): encrypt and decrypt
//! (RSA-OAEP/PKCS#1, AES-GCM), HMAC, random bytes, blocking and unblocking a key, and wrapping
//! and unwrapping keys — each synchronous, and with approvals where the TSB has an asynchronous
//! form (`POST /v1/decrypt`, `/v1/block`, `/v1/unblock`, `/v1/unwrap`: a request id for
//! [`SecurosysClient::wait_request`] or [`SecurosysClient::wait_request_done`]).
//!
//! Every call here sends only the key operation role's API key (`keyOperationToken`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::api::{acted, b64, b64_decode, check_label, check_request_id, metadata, parse};
use super::model::{
    open_enum, KeyAttributes, KeyInfo, Policy, RequestState, RequestStatus, SignOptions,
};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, ErrorCode, Result};
use crate::polling::{poll_until, WaitOptions};
use crate::transport::Request;

open_enum! {
    /// An encryption algorithm (`cipherAlgorithm`, contract §12).
    CipherAlgorithm {
        /// RSA-OAEP with SHA-1 (and MGF1-SHA-1).
        RsaOaep = "RSA_PADDING_OAEP",
        /// RSA-OAEP with SHA-224.
        RsaOaepSha224 = "RSA_PADDING_OAEP_WITH_SHA224",
        /// RSA-OAEP with SHA-256.
        RsaOaepSha256 = "RSA_PADDING_OAEP_WITH_SHA256",
        /// RSA-OAEP with SHA-384.
        RsaOaepSha384 = "RSA_PADDING_OAEP_WITH_SHA384",
        /// RSA-OAEP with SHA-512.
        RsaOaepSha512 = "RSA_PADDING_OAEP_WITH_SHA512",
        /// RSA PKCS#1 v1.5 encryption.
        RsaPkcs1 = "RSA_PADDING_PKCS",
        /// RSA without padding.
        RsaNoPadding = "RSA_NO_PADDING",
        /// AES-GCM (authenticated; 12-byte IV, tag appended to the ciphertext).
        AesGcm = "AES_GCM",
        /// AES-CBC without padding.
        AesCbcNoPadding = "AES_CBC_NO_PADDING",
        /// AES-CTR.
        AesCtr = "AES_CTR",
        /// AES-ECB.
        AesEcb = "AES_ECB",
        /// ChaCha20-Poly1305.
        ChaCha20Aead = "CHACHA20_AEAD",
    }
}

open_enum! {
    /// How a key is wrapped (`wrapMethod`, contract §12).
    WrapMethod {
        /// AES key wrap, RFC 3394 (secret keys of a multiple of 8 bytes).
        AesWrap = "AES_WRAP",
        /// AES key wrap with padding, RFC 5649 (secret keys).
        AesWrapPad = "AES_WRAP_PAD",
        /// RFC 5649 over an RSA private key (PKCS#8).
        AesWrapPadRsa = "AES_WRAP_PAD_RSA",
        /// RFC 5649 over an EC private key (PKCS#8).
        AesWrapPadEc = "AES_WRAP_PAD_EC",
        /// RFC 5649 over an EdDSA private key.
        AesWrapPadEd = "AES_WRAP_PAD_ED",
        /// RSA-OAEP key transport.
        RsaWrapOaep = "RSA_WRAP_OAEP",
        /// RSA PKCS#1 key transport.
        RsaWrapPad = "RSA_WRAP_PAD",
    }
}

/// Options of an encryption or decryption.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CipherOptions {
    /// AES-GCM: the tag length in bits (96, 104, 112, 120 or 128; default 128).
    pub tag_length: Option<u32>,
    /// AES-GCM: additional authenticated data (authenticated, not encrypted).
    pub additional_authentication_data: Option<Vec<u8>>,
}

/// The result of [`SecurosysClient::encrypt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// The ciphertext (for AES-GCM: with the tag appended, as decrypt takes it).
    pub ciphertext: Vec<u8>,
    /// AES-GCM: the IV the HSM chose (needed to decrypt).
    pub initialization_vector: Option<Vec<u8>>,
    /// AES-GCM: the tag alone.
    pub tag: Option<Vec<u8>>,
}

/// `POST /v1/synchronousUnwrap` / `/v1/unwrap`: a wrapped key to import under a new label.
#[derive(Debug, Clone, PartialEq)]
pub struct UnwrapKey {
    /// The new key's label.
    pub label: String,
    /// The AES key that unwraps it (needs the `unwrap` attribute).
    pub unwrap_key_name: String,
    /// The wrapped key bytes (from [`SecurosysClient::wrap_key`] or another HSM).
    pub wrapped_key: Vec<u8>,
    /// How it was wrapped.
    pub wrap_method: WrapMethod,
    /// The new key's attributes (`sign`, `decrypt` and `unwrap` must be set).
    pub attributes: KeyAttributes,
    /// An approval policy for the new key, if any.
    pub policy: Option<Policy>,
}

impl UnwrapKey {
    fn validate(&self) -> Result<()> {
        check_label(&self.label)?;
        check_label(&self.unwrap_key_name)?;
        if self.wrapped_key.is_empty() {
            return Err(Error::invalid_argument("the wrapped key is empty"));
        }
        if self.attributes.sign.is_none()
            || self.attributes.decrypt.is_none()
            || self.attributes.unwrap.is_none()
        {
            return Err(Error::invalid_argument(
                "attributes.sign, attributes.decrypt and attributes.unwrap must be set",
            ));
        }
        if let Some(p) = &self.policy {
            p.validate()?;
        }
        Ok(())
    }

    fn inner(&self, meta: Option<String>) -> Value {
        let mut v = json!({
            "wrappedKey": b64(&self.wrapped_key),
            "label": self.label,
            "unwrapKeyName": self.unwrap_key_name,
            "wrapMethod": self.wrap_method,
            "attributes": self.attributes,
            "policy": self.policy,
        });
        if let Some(m) = meta {
            v["metaData"] = json!(m);
            v["metaDataSignature"] = Value::Null;
        }
        v
    }
}

/// One request of [`SecurosysClient::filtered_requests`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequestSummary {
    /// The request id.
    pub id: String,
    /// Its state.
    pub status: RequestState,
}

/// The longest random string [`SecurosysClient::generate_random`] asks for at once.
pub const MAX_RANDOM_BYTES: usize = 65_536;

fn nonempty(data: &[u8], what: &str) -> Result<()> {
    if data.is_empty() {
        return Err(Error::invalid_argument(format!("the {what} is empty")));
    }
    Ok(())
}

fn gcm_fields(body: &mut Value, opts: &CipherOptions) -> Result<()> {
    if let Some(t) = opts.tag_length {
        if ![96, 104, 112, 120, 128].contains(&t) {
            return Err(Error::invalid_argument(format!(
                "tag_length {t} is not supported: use 96, 104, 112, 120 or 128 bits"
            )));
        }
        body["tagLength"] = json!(t);
    }
    if let Some(aad) = &opts.additional_authentication_data {
        body["additionalAuthenticationData"] = json!(b64(aad));
    }
    Ok(())
}

/// Read a request id field of a 201 answer.
fn request_id_of(resp: &crate::transport::Response, what: &str, field: &str) -> Result<String> {
    let v: Value = parse(resp, what)?;
    let id = v
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::protocol(format!("the answer to {what} has no {field}")))?;
    check_request_id(id).map_err(|e| Error::protocol(e.message()))?;
    Ok(id.to_string())
}

impl SecurosysClient {
    async fn key_op(&self, path: &str, body: &Value, what: &'static str) -> Result<Value> {
        let r = Request::post_json(self.url(path)?, body, what)?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        parse(&self.send(r).await?, what)
    }

    async fn submit(
        &self,
        path: &str,
        body: &Value,
        what: &'static str,
        field: &str,
    ) -> Result<String> {
        let r = Request::post_json(self.url(path)?, body, what)?.with_role(Role::KeyOperation);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || {
            request_id_of(&resp, what, field)
        })
    }

    // ---- encrypt / decrypt ------------------------------------------------------------------

    /// Encrypt `payload` with key `label` (`POST /v1/encrypt`, key-operation role; the key
    /// needs the `encrypt` attribute). RSA algorithms encrypt with the public key (so
    /// `openssl pkeyutl -encrypt` with [`SecurosysClient::public_key`] gives the same kind of
    /// ciphertext); AES-GCM returns the HSM's IV and the tag.
    pub async fn encrypt(
        &self,
        label: &str,
        payload: &[u8],
        algorithm: &CipherAlgorithm,
        opts: &CipherOptions,
    ) -> Result<Encrypted> {
        check_label(label)?;
        let mut inner = json!({
            "payload": b64(payload),
            "encryptKeyName": label,
            "cipherAlgorithm": algorithm,
        });
        gcm_fields(&mut inner, opts)?;
        let what = "encrypt";
        let a = self
            .key_op("v1/encrypt", &json!({"encryptRequest": inner}), what)
            .await?;
        let field = |name: &str| -> Result<Option<Vec<u8>>> {
            match a.get(name).and_then(Value::as_str) {
                Some(s) => b64_decode(s, name).map(Some),
                None => Ok(None),
            }
        };
        Ok(Encrypted {
            ciphertext: field("encryptedPayload")?
                .ok_or_else(|| Error::protocol("the answer to encrypt has no encryptedPayload"))?,
            initialization_vector: field("initializationVector")?,
            tag: field("messageAuthenticationCode")?,
        })
    }

    fn decrypt_inner(
        label: &str,
        ciphertext: &[u8],
        algorithm: &CipherAlgorithm,
        iv: Option<&[u8]>,
        opts: &CipherOptions,
    ) -> Result<Value> {
        check_label(label)?;
        nonempty(ciphertext, "ciphertext")?;
        if *algorithm == CipherAlgorithm::AesGcm && iv.is_none_or(|v| v.is_empty()) {
            return Err(Error::invalid_argument(
                "AES_GCM decryption needs the initialization vector the encryption returned",
            ));
        }
        let mut inner = json!({
            "encryptedPayload": b64(ciphertext),
            "decryptKeyName": label,
            "cipherAlgorithm": algorithm,
            "initializationVector": iv.map(b64),
        });
        gcm_fields(&mut inner, opts)?;
        Ok(inner)
    }

    /// Decrypt now with key `label` (`POST /v1/synchronousDecrypt`, key-operation role; the key
    /// needs the `decrypt` attribute and no approval policy — else use
    /// [`SecurosysClient::decrypt`]). `iv` is required for AES-GCM. A ciphertext that does not
    /// decrypt (wrong key, tampered, wrong tag) fails with [`ErrorCode::Provider`] (TSB
    /// errorCode 410).
    pub async fn synchronous_decrypt(
        &self,
        label: &str,
        ciphertext: &[u8],
        algorithm: &CipherAlgorithm,
        iv: Option<&[u8]>,
        opts: &CipherOptions,
    ) -> Result<Vec<u8>> {
        let inner = Self::decrypt_inner(label, ciphertext, algorithm, iv, opts)?;
        let what = "decrypt synchronously";
        let a = self
            .key_op(
                "v1/synchronousDecrypt",
                &json!({"decryptRequest": inner}),
                what,
            )
            .await?;
        let p = a
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to decrypt has no payload"))?;
        b64_decode(p, "payload")
    }

    /// Submit a decryption that waits for the key's approvals (`POST /v1/decrypt`,
    /// key-operation role): the request id; [`SecurosysClient::wait_request`] gives the
    /// plaintext.
    pub async fn decrypt(
        &self,
        label: &str,
        ciphertext: &[u8],
        algorithm: &CipherAlgorithm,
        iv: Option<&[u8]>,
        opts: &CipherOptions,
        options: &SignOptions,
    ) -> Result<String> {
        let mut inner = Self::decrypt_inner(label, ciphertext, algorithm, iv, opts)?;
        inner["metaData"] = json!(metadata(options, "Decrypt")?);
        inner["metaDataSignature"] = Value::Null;
        let body = json!({"decryptRequest": inner, "requestSignature": null});
        self.submit(
            "v1/decrypt",
            &body,
            "submit decrypt request",
            "decryptRequestId",
        )
        .await
    }

    /// The asynchronous requests in any of `statuses` (all of them when empty), oldest first
    /// (`POST /v1/filteredRequests`, key-operation role; TSB ≥ 2.0.1).
    pub async fn filtered_requests(
        &self,
        statuses: &[RequestState],
    ) -> Result<Vec<RequestSummary>> {
        let list: Option<&[RequestState]> = if statuses.is_empty() {
            None
        } else {
            Some(statuses)
        };
        let body = json!({ "requestStatusList": list });
        let a = self
            .key_op("v1/filteredRequests", &body, "list requests")
            .await?;
        let requests = a
            .get("requests")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        serde_json::from_value(requests).map_err(|e| {
            Error::protocol(format!(
                "the answer to list requests does not have the documented shape ({})",
                crate::scrub::answer_error(&e)
            ))
        })
    }

    // ---- HMAC and random --------------------------------------------------------------------

    /// The HMAC-SHA-256 of `payload` with secret key `label` (`POST /v1/synchronousHmac`,
    /// key-operation role).
    pub async fn synchronous_hmac(&self, label: &str, payload: &[u8]) -> Result<Vec<u8>> {
        check_label(label)?;
        let body = json!({"hmacRequest": {"keyName": label, "payload": b64(payload)}});
        let a = self
            .key_op("v1/synchronousHmac", &body, "compute HMAC")
            .await?;
        let h = a
            .get("keyedHash")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to HMAC has no keyedHash"))?;
        b64_decode(h, "keyedHash")
    }

    /// Whether `mac` is the HMAC of `payload` with key `label` (`POST /v1/verify` with a
    /// `verifyHmacRequest`, key-operation role).
    pub async fn verify_hmac(&self, label: &str, payload: &[u8], mac: &[u8]) -> Result<bool> {
        check_label(label)?;
        nonempty(mac, "HMAC to verify")?;
        let body = json!({"verifyHmacRequest": {
            "keyName": label, "payload": b64(payload), "signature": b64(mac)}});
        let a = self.key_op("v1/verify", &body, "verify HMAC").await?;
        a.get("signatureValid")
            .and_then(Value::as_bool)
            .ok_or_else(|| Error::protocol("the answer to verify HMAC has no signatureValid"))
    }

    /// `length` random bytes from the HSM (`GET /v1/generateRandom/{length}`, key-operation
    /// role as seed 003 lists it); 1 to [`MAX_RANDOM_BYTES`].
    pub async fn generate_random(&self, length: usize) -> Result<Vec<u8>> {
        if !(1..=MAX_RANDOM_BYTES).contains(&length) {
            return Err(Error::invalid_argument(format!(
                "length must be between 1 and {MAX_RANDOM_BYTES} bytes, got {length}"
            )));
        }
        let what = "generate random";
        let r = Request::get(self.url(&format!("v1/generateRandom/{length}"))?, what)
            .with_role(Role::KeyOperation);
        let a: Value = parse(&self.send(r).await?, what)?;
        let s = a
            .get("random")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to generate random has no random"))?;
        let bytes = b64_decode(s, "random")?;
        if bytes.len() != length {
            return Err(Error::protocol(format!(
                "the TSB returned {} random bytes instead of {length}",
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    // ---- block / unblock --------------------------------------------------------------------

    fn block_body(label: &str, block: bool, meta: Option<String>) -> Result<Value> {
        check_label(label)?;
        let (env, name) = if block {
            ("blockRequest", "blockKeyName")
        } else {
            ("unblockRequest", "unblockKeyName")
        };
        let mut inner = json!({ name: label });
        if let Some(m) = meta {
            inner["metaData"] = json!(m);
            inner["metaDataSignature"] = Value::Null;
            return Ok(json!({ env: inner, "requestSignature": null }));
        }
        Ok(json!({ env: inner }))
    }

    /// Block a Smart Key Attributes key now (`POST /v1/synchronousBlock`, key-operation role):
    /// it refuses every operation until unblocked. Keys whose policy has a block rule need
    /// [`SecurosysClient::block`].
    pub async fn synchronous_block(&self, label: &str) -> Result<()> {
        let body = Self::block_body(label, true, None)?;
        let r = Request::post_json(self.url("v1/synchronousBlock")?, &body, "block key")?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        self.send(r).await?;
        Ok(())
    }

    /// Unblock a key now (`POST /v1/synchronousUnblock`, key-operation role).
    pub async fn synchronous_unblock(&self, label: &str) -> Result<()> {
        let body = Self::block_body(label, false, None)?;
        let r = Request::post_json(self.url("v1/synchronousUnblock")?, &body, "unblock key")?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        self.send(r).await?;
        Ok(())
    }

    /// Ask to block a key under its block rule's approvals (`POST /v1/block`): the request id
    /// for [`SecurosysClient::wait_request_done`].
    pub async fn block(&self, label: &str, options: &SignOptions) -> Result<String> {
        let body = Self::block_body(label, true, Some(metadata(options, "Block")?))?;
        self.submit(
            "v1/block",
            &body,
            "submit block request",
            "blockKeyRequestId",
        )
        .await
    }

    /// Ask to unblock a key under its unblock rule's approvals (`POST /v1/unblock`): the
    /// request id for [`SecurosysClient::wait_request_done`].
    pub async fn unblock(&self, label: &str, options: &SignOptions) -> Result<String> {
        let body = Self::block_body(label, false, Some(metadata(options, "Unblock")?))?;
        self.submit(
            "v1/unblock",
            &body,
            "submit unblock request",
            "unblockKeyRequestId",
        )
        .await
    }

    /// Wait (shared wait engine: interval, deadline, cancel) until a request that has no
    /// result bytes — block, unblock, unwrap — is executed; its final state. REJECTED,
    /// EXPIRED, FAILED and CANCELLED are errors as for [`SecurosysClient::wait_request`].
    pub async fn wait_request_done(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<RequestStatus> {
        check_request_id(id)?;
        let what = format!("Securosys request {id}");
        let state = poll_until(
            opts,
            &what,
            || self.request_status(id),
            |s| s.status.is_terminal(),
        )
        .await?;
        if state.status == RequestState::Executed {
            return Ok(state);
        }
        match super::api::request_outcome(&state) {
            Err(e) => Err(e),
            Ok(_) => Err(Error::new(
                ErrorCode::InvalidState,
                format!("request {id} ended {}", state.status),
            )),
        }
    }

    // ---- wrap / unwrap ----------------------------------------------------------------------

    /// Wrap (export encrypted) key `label` with AES key `wrap_key` (`POST /v1/wrap`,
    /// key-operation role). The wrapped key must be `extractable`, the wrapping key needs the
    /// `wrap` attribute.
    pub async fn wrap_key(
        &self,
        label: &str,
        wrap_key: &str,
        method: &WrapMethod,
    ) -> Result<Vec<u8>> {
        check_label(label)?;
        check_label(wrap_key)?;
        let body = json!({"wrapKeyRequest": {
            "keyToBeWrapped": label, "wrapKeyName": wrap_key, "wrapMethod": method}});
        let a = self.key_op("v1/wrap", &body, "wrap key").await?;
        let w = a
            .get("wrappedKey")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to wrap key has no wrappedKey"))?;
        b64_decode(w, "wrappedKey")
    }

    /// Unwrap (import) a wrapped key now (`POST /v1/synchronousUnwrap`, key-operation role):
    /// the new key. The unwrapping key must have no approval policy (else
    /// [`SecurosysClient::unwrap_key`]).
    pub async fn synchronous_unwrap_key(&self, req: &UnwrapKey) -> Result<KeyInfo> {
        req.validate()?;
        let what = "unwrap key";
        let body = json!({"unwrapKeyRequest": req.inner(None)});
        let r = Request::post_json(self.url("v1/synchronousUnwrap")?, &body, what)?
            .with_role(Role::KeyOperation);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || {
            let v: Value = parse(&resp, what)?;
            let inner = match v.get("json") {
                Some(j) if j.is_object() => j.clone(),
                _ => v,
            };
            serde_json::from_value(inner).map_err(|e| {
                Error::protocol(format!(
                    "the answer to {what} does not have the documented shape ({})",
                    crate::scrub::answer_error(&e)
                ))
            })
        })
    }

    /// Submit an unwrap that waits for the unwrapping key's approvals (`POST /v1/unwrap`):
    /// the request id for [`SecurosysClient::wait_request_done`]; the key exists afterwards.
    pub async fn unwrap_key(&self, req: &UnwrapKey, options: &SignOptions) -> Result<String> {
        req.validate()?;
        let body = json!({"unwrapKeyRequest": req.inner(Some(metadata(options, "Unwrap")?)),
                          "requestSignature": null});
        self.submit(
            "v1/unwrap",
            &body,
            "submit unwrap request",
            "unwrapRequestId",
        )
        .await
    }
}
