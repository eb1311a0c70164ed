//! The operations: service information, keys, synchronous and asynchronous signing, requests.

use std::path::Path;

use base64::Engine as _;
use http::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::model::{
    CreateKey, KeyInfo, LicenseInfo, PayloadKind, RequestState, RequestStatus, SignOptions,
    SignatureAlgorithm, VersionInfo,
};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, ErrorCode, Result};
use crate::polling::{poll_until, WaitOptions};
use crate::providers::{check_id, IdSyntax};
use crate::transport::{Request, Response};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Decode standard base64 from the TSB (`field` names it in errors).
pub(crate) fn b64_decode(s: &str, field: &str) -> Result<Vec<u8>> {
    B64.decode(s.trim())
        .map_err(|e| Error::protocol(format!("the TSB's {field} is not valid base64 ({e})")))
}

/// Encode as standard base64.
pub(crate) fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

/// PEM armour with 64-column lines.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A key label: 1–256 characters, no control characters.
pub(crate) fn check_label(label: &str) -> Result<()> {
    if label.is_empty() || label.len() > 256 || label.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "key label {label:?} is not valid: expected 1-256 characters without control \
             characters"
        )));
    }
    Ok(())
}

pub(super) fn parse<T: DeserializeOwned>(resp: &Response, what: &str) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
        .with_http_status(resp.status.as_u16())
    })
}

/// A key answer: `{"json": {...}, "xml": ..., ...}` (or the bare `json` object).
pub(super) fn parse_key(resp: &Response, what: &str) -> Result<KeyInfo> {
    let v: serde_json::Value = parse(resp, what)?;
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
}

pub(super) fn check_request_id(id: &str) -> Result<()> {
    check_id("request id", id, IdSyntax::Plain)
}

impl SecurosysClient {
    pub(super) fn url(&self, path: &str) -> Result<url::Url> {
        self.inner.transport.url(path)
    }

    /// `base/v1/key/{label}{suffix}` with the label escaped as one path segment.
    fn key_url(&self, label: &str, suffix: &[&str]) -> Result<url::Url> {
        check_label(label)?;
        let mut url = self.url("v1/key/")?;
        {
            let mut seg = url
                .path_segments_mut()
                .map_err(|_| Error::internal("the base URL cannot have path segments"))?;
            seg.pop_if_empty().push(label);
            for s in suffix {
                seg.push(s);
            }
        }
        Ok(url)
    }

    pub(super) async fn send(&self, req: Request) -> Result<Response> {
        self.inner.transport.send(req).await
    }

    // ---- service (serviceToken) -------------------------------------------------------------

    /// The TSB version (`GET /v1/versionInfo`, service role).
    pub async fn version_info(&self) -> Result<VersionInfo> {
        let what = "read TSB version";
        let req = Request::get(self.url("v1/versionInfo")?, what).with_role(Role::Service);
        parse(&self.send(req).await?, what)
    }

    /// The licensed features (`GET /v1/licenseInfo`, service role).
    pub async fn license_info(&self) -> Result<LicenseInfo> {
        let what = "read TSB license";
        let req = Request::get(self.url("v1/licenseInfo")?, what).with_role(Role::Service);
        parse(&self.send(req).await?, what)
    }

    // ---- keys (keyManagementToken) ----------------------------------------------------------

    /// Create a key (`POST /v1/key`, key-management role). Checked locally first (label,
    /// algorithm parameters, required attributes, policy times multiples of 60).
    pub async fn create_key(&self, req: &CreateKey) -> Result<KeyInfo> {
        req.validate()?;
        let what = "create key";
        let r = Request::post_json(self.url("v1/key")?, &req.wire(), what)?
            .with_role(Role::KeyManagement);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || parse_key(&resp, what))
    }

    /// A key's description and public key (`POST /v1/key/attributes`, key-management role).
    /// An unknown label fails with [`ErrorCode::NotFound`].
    pub async fn get_key(&self, label: &str) -> Result<KeyInfo> {
        check_label(label)?;
        let what = "read key attributes";
        let r = Request::post_json(
            self.url("v1/key/attributes")?,
            &json!({"label": label, "password": null}),
            what,
        )?
        .idempotent(true)
        .with_role(Role::KeyManagement);
        parse_key(&self.send(r).await?, what)
    }

    /// The key's public key, DER SubjectPublicKeyInfo (see [`KeyInfo::public_key_pem`]).
    pub async fn public_key(&self, label: &str) -> Result<Vec<u8>> {
        self.get_key(label).await?.public_key_der()
    }

    /// The labels of all keys (`GET /v1/key`, key-management role).
    pub async fn list_keys(&self) -> Result<Vec<String>> {
        let what = "list keys";
        let r = Request::get(self.url("v1/key")?, what).with_role(Role::KeyManagement);
        parse(&self.send(r).await?, what)
    }

    /// Delete a key (`DELETE /v1/key/{label}`, key-management role). Its pending requests
    /// become CANCELLED.
    pub async fn delete_key(&self, label: &str) -> Result<()> {
        let what = "delete key";
        let r = Request::json::<()>(Method::DELETE, self.key_url(label, &[])?, None, what)?
            .with_role(Role::KeyManagement);
        self.send(r).await?;
        Ok(())
    }

    // ---- synchronous operations (keyOperationToken) -----------------------------------------

    /// Sign `payload` with key `label` now (`POST /v1/synchronousSign`, key-operation role) and
    /// return the signature (DER for RSA/ECDSA, 64 bytes for Ed25519). `kind` says whether
    /// `payload` is the data or a digest (see [`SignatureAlgorithm::for_payload`]). Keys with
    /// an approval policy need [`SecurosysClient::sign`] instead.
    pub async fn synchronous_sign(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
    ) -> Result<Vec<u8>> {
        check_label(label)?;
        let alg = algorithm.for_payload(kind, payload)?;
        let what = "sign synchronously";
        let body = json!({"signRequest": {
            "payload": b64(payload),
            "payloadType": "UNSPECIFIED",
            "signKeyName": label,
            "signatureAlgorithm": alg,
            "signatureType": "DER",
        }});
        // Signing again changes nothing at the TSB: safe to repeat.
        let r = Request::post_json(self.url("v1/synchronousSign")?, &body, what)?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        #[derive(Deserialize)]
        struct Answer {
            signature: String,
        }
        let a: Answer = parse(&self.send(r).await?, what)?;
        b64_decode(&a.signature, "signature")
    }

    /// [`SecurosysClient::synchronous_sign`] over the contents of a file.
    pub async fn synchronous_sign_file(
        &self,
        label: &str,
        path: impl AsRef<Path>,
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
    ) -> Result<Vec<u8>> {
        let data = read_file(path.as_ref()).await?;
        self.synchronous_sign(label, &data, kind, algorithm).await
    }

    /// Verify `signature` over `payload` with key `label` (`POST /v1/verify`, key-operation
    /// role). `Ok(false)` when the signature does not match.
    pub async fn verify(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        signature: &[u8],
    ) -> Result<bool> {
        check_label(label)?;
        if signature.is_empty() {
            return Err(Error::invalid_argument("the signature to verify is empty"));
        }
        let alg = algorithm.for_payload(kind, payload)?;
        let what = "verify signature";
        let body = json!({"verifySignatureRequest": {
            "signKeyName": label,
            "signatureAlgorithm": alg,
            "payload": b64(payload),
            "signature": b64(signature),
        }});
        let r = Request::post_json(self.url("v1/verify")?, &body, what)?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            signature_valid: bool,
        }
        let a: Answer = parse(&self.send(r).await?, what)?;
        Ok(a.signature_valid)
    }

    /// [`SecurosysClient::verify`] over the contents of a file.
    pub async fn verify_file(
        &self,
        label: &str,
        path: impl AsRef<Path>,
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        signature: &[u8],
    ) -> Result<bool> {
        let data = read_file(path.as_ref()).await?;
        self.verify(label, &data, kind, algorithm, signature).await
    }

    // ---- asynchronous signing with approvals (keyOperationToken) ----------------------------

    /// Submit a sign request that waits for the key's approvals (`POST /v1/sign`, key-operation
    /// role) and return its request id, for [`SecurosysClient::wait_request`].
    pub async fn sign(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        options: &SignOptions,
    ) -> Result<String> {
        check_label(label)?;
        let alg = algorithm.for_payload(kind, payload)?;
        let meta = metadata(options, "Sign")?;
        let what = "submit sign request";
        let body = json!({"signRequest": {
            "payload": b64(payload),
            "payloadType": options.payload_type.as_deref().unwrap_or("UNSPECIFIED"),
            "signKeyName": label,
            "signatureAlgorithm": alg,
            "signatureType": "DER",
            "metaData": meta,
            "metaDataSignature": null,
        }, "requestSignature": null});
        let r =
            Request::post_json(self.url("v1/sign")?, &body, what)?.with_role(Role::KeyOperation);
        let resp = self.send(r).await?;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            sign_request_id: String,
        }
        acted(what, resp.status.as_u16(), || {
            let a: Answer = parse(&resp, what)?;
            check_request_id(&a.sign_request_id).map_err(|e| Error::protocol(e.message()))?;
            Ok(a.sign_request_id)
        })
    }

    /// [`SecurosysClient::sign`] over the contents of a file.
    pub async fn sign_file(
        &self,
        label: &str,
        path: impl AsRef<Path>,
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        options: &SignOptions,
    ) -> Result<String> {
        let data = read_file(path.as_ref()).await?;
        self.sign(label, &data, kind, algorithm, options).await
    }

    /// The state of an asynchronous request (`GET /v1/request/{id}`, key-operation role).
    pub async fn request_status(&self, id: &str) -> Result<RequestStatus> {
        check_request_id(id)?;
        let what = "read request status";
        let r = Request::get(self.url(&format!("v1/request/{id}"))?, what)
            .with_role(Role::KeyOperation);
        parse(&self.send(r).await?, what)
    }

    /// Cancel a pending request (`DELETE /v1/request/{id}`, key-operation role).
    pub async fn cancel_request(&self, id: &str) -> Result<()> {
        check_request_id(id)?;
        let what = "cancel request";
        let r = Request::json::<()>(
            Method::DELETE,
            self.url(&format!("v1/request/{id}"))?,
            None,
            what,
        )?
        .with_role(Role::KeyOperation);
        self.send(r).await?;
        Ok(())
    }

    /// Poll a request with the shared wait engine (interval, deadline, cancel) until it is
    /// final, and return its result (the signature of a sign request). REJECTED →
    /// [`ErrorCode::Rejected`], EXPIRED → [`ErrorCode::SessionExpired`], FAILED →
    /// [`ErrorCode::SigningFailed`], CANCELLED → [`ErrorCode::Cancelled`].
    pub async fn wait_request(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<Vec<u8>> {
        check_request_id(id)?;
        let what = format!("Securosys request {id}");
        let state = poll_until(opts, &what, || self.request_status(id), |s| s.is_final()).await?;
        request_outcome(&state)
    }
}

/// The base64 `metaData` of an asynchronous request: the caller's object, or
/// `{"app":"signbridge","type":<kind>}`.
pub(super) fn metadata(options: &SignOptions, kind: &str) -> Result<String> {
    let metadata = match &options.metadata {
        Some(m) if m.is_object() => m.clone(),
        Some(_) => return Err(Error::invalid_argument("metadata must be a JSON object")),
        None => json!({"app": "signbridge", "type": kind}),
    };
    let meta =
        serde_json::to_vec(&metadata).map_err(|e| Error::internal(format!("metadata: {e}")))?;
    Ok(b64(&meta))
}

/// What a final request state means for the caller.
pub(crate) fn request_outcome(state: &RequestStatus) -> Result<Vec<u8>> {
    let (code, how) = match &state.status {
        RequestState::Executed => {
            return state.result_bytes()?.ok_or_else(|| {
                Error::protocol(format!(
                    "request {} was executed without a result",
                    state.id
                ))
            })
        }
        RequestState::Rejected => (ErrorCode::Rejected, "was rejected by an approver"),
        RequestState::Expired => (
            ErrorCode::SessionExpired,
            "expired before enough approvals arrived",
        ),
        RequestState::Failed => (ErrorCode::SigningFailed, "failed in the HSM"),
        RequestState::Cancelled => (ErrorCode::Cancelled, "was cancelled"),
        other => {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!("request {} is still {other}", state.id),
            ))
        }
    };
    let mut msg = format!("Securosys request {} {how}", state.id);
    if !state.rejected_by.is_empty() {
        msg.push_str(&format!(" ({} rejection(s))", state.rejected_by.len()));
    }
    Err(Error::new(code, msg).with_provider(Some(state.status.as_str().to_string()), None))
}

/// [`crate::providers::acted`] for the TSB: look it up by label.
pub(super) fn acted<T>(what: &str, status: u16, parse: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::providers::acted(
        "the TSB",
        "look it up (list_keys, get_key)",
        what,
        status,
        parse,
    )
}

async fn read_file(path: &Path) -> Result<Vec<u8>> {
    tokio::fs::read(path)
        .await
        .map_err(|e| Error::io("read", path, e))
}
