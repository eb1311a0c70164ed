//! The table itself: one entry per operation. Each entry names the operation, documents it,
//! gives its request and result types and the one line that runs it on the client. The models
//! live beside it, by provider: `ops_securosys_models.rs`, `ops_signing.rs` (neutral signing and
//! `pdf.verify`), `ops_zignsec.rs`, `ops_onespan.rs`, `ops_eid.rs`; here only the fieldless ones.

use serde::{Deserialize, Serialize};

use super::ops_eid::*;
use super::ops_onespan::*;
use super::ops_securosys::*;
use super::ops_securosys_local::*;
use super::ops_securosys_models::*;
use super::ops_signing::*;
use super::ops_zignsec::*;
use super::wire::{Base64, WaitFields};
use super::{request, CallContext, Operation, RunFuture, TypedResult};
use crate::client::Client;
use crate::error::Result;
use crate::providers::securosys::{ApproverKey, KeyInfo, LicenseInfo, RequestStatus, VersionInfo};
use crate::providers::zignsec::{CreateSigning, SigningSession, SigningStatus};
use crate::signing::{CompletedSession, NewSession, SessionRef, SessionState, StartedSession};

/// Declares the table: `name (Request) -> Result [long_running]: |client, req, ctx| body`.
/// `body` is an expression evaluated in an async block (it may `.await` and use `?`).
macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])+
        $id:ident $name:literal ($req:ty) -> $res:ty $([$long:ident])? :
            |$c:ident, $r:ident, $x:ident| $body:expr;
    )*) => {
        $(
            #[allow(unused_variables)]
            fn $id<'a>(client: &'a Client, value: serde_json::Value, ctx: &'a CallContext)
                -> RunFuture<'a>
            {
                Box::pin(async move {
                    let $r: $req = request($name, value)?;
                    let $c = client;
                    let $x = ctx;
                    let out: $res = $body;
                    Ok(Box::new(out) as Box<dyn TypedResult>)
                })
            }
        )*
        /// Every operation, in the order of the documentation.
        pub static OPERATIONS: &[Operation] = &[$(
            Operation {
                name: $name,
                doc: concat!($($doc, "\n"),+),
                request: stringify!($req),
                result: stringify!($res),
                request_schema: || schemars::schema_for!($req),
                result_schema: super::result_schema::<$res>,
                long_running: operations!(@long $($long)?),
                run: $id,
            },
        )*];
    };
    (@long long_running) => { true };
    (@long) => { false };
}

/// A request without fields.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// A result without fields (`{}`).
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Done {}

fn wait<T: Serialize + Send + Sync + 'static>(
    op: &str,
    interval_ms: Option<u64>,
    timeout_ms: Option<u64>,
    ctx: &CallContext,
) -> Result<crate::session::WaitOptions<T>> {
    WaitFields {
        interval_ms,
        timeout_ms,
    }
    .options(op, ctx)
}

fn approver(pem: &secrecy::SecretString) -> Result<ApproverKey> {
    use secrecy::ExposeSecret as _;
    ApproverKey::from_pem(pem.expose_secret())
}

/// The signing service that runs `session`: its provider's, whatever the configuration chose
/// for new sessions (`SB_ERR_AUTH_CONFIG_MISSING` when that provider is not configured).
fn signing_of(c: &Client, session: &SessionRef) -> Result<crate::signing::SigningService> {
    c.signing_with(session.provider())
}

fn paths(list: Vec<std::path::PathBuf>) -> Saved {
    Saved {
        paths: list.into_iter().map(|p| p.display().to_string()).collect(),
        reports: None,
    }
}

// The Securosys key-operation entries of `ops_securosys.rs` are appended to these.
securosys_key_operations! {
    // ---- Securosys Primus HSM ---------------------------------------------------------------

    /// The TSB's version (`GET /v1/versionInfo`).
    securosys_version_info "securosys.version_info" (Empty) -> VersionInfo:
        |c, r, x| c.securosys()?.version_info().await?;
    /// The HSM's licensed features (`GET /v1/licenseInfo`).
    securosys_license_info "securosys.license_info" (Empty) -> LicenseInfo:
        |c, r, x| c.securosys()?.license_info().await?;
    /// Create a key, optionally with an approval policy (`POST /v1/key`, key-management role).
    securosys_create_key "securosys.create_key" (NewKey) -> KeyInfo:
        |c, r, x| c.securosys()?.create_key(&r.build()?).await?;
    /// A key's attributes and public key (key-management role).
    securosys_get_key "securosys.get_key" (KeyLabel) -> KeyInfo:
        |c, r, x| c.securosys()?.get_key(&r.label).await?;
    /// A key's public key as SubjectPublicKeyInfo DER.
    securosys_public_key "securosys.public_key" (KeyLabel) -> PublicKey:
        |c, r, x| {
            let der = c.securosys()?.public_key(&r.label).await?;
            PublicKey {
                pem: crate::providers::securosys::public_key_pem(&der),
                der_base64: Base64(der),
            }
        };
    /// Every key's label (`GET /v1/key`, key-management role).
    securosys_list_keys "securosys.list_keys" (Empty) -> Labels:
        |c, r, x| Labels { labels: c.securosys()?.list_keys().await? };
    /// Delete a key; its pending requests are cancelled (key-management role).
    securosys_delete_key "securosys.delete_key" (KeyLabel) -> Done:
        |c, r, x| { c.securosys()?.delete_key(&r.label).await?; Done {} };
    /// Sign now, with a key that has no approval policy (`POST /v1/synchronousSign`).
    securosys_synchronous_sign "securosys.synchronous_sign" (SignRequest) -> Signature:
        |c, r, x| {
            let data = r.payload("securosys.synchronous_sign").await?;
            let sig = c.securosys()?.synchronous_sign(&r.label, &data, r.payload_kind, &r.algorithm).await?;
            Signature { signature_base64: Base64(sig) }
        };
    /// Verify a signature with an HSM key (`POST /v1/verify`).
    securosys_verify "securosys.verify" (SignRequest) -> Verified:
        |c, r, x| {
            let data = r.payload("securosys.verify").await?;
            let sig = r.signature("securosys.verify")?;
            Verified { valid: c.securosys()?.verify(&r.label, &data, r.payload_kind, &r.algorithm, sig).await? }
        };
    /// Ask for a signature that approvers must approve (`POST /v1/sign`): the request id.
    securosys_sign "securosys.sign" (SignRequest) -> Requested:
        |c, r, x| {
            let data = r.payload("securosys.sign").await?;
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.sign(&r.label, &data, r.payload_kind, &r.algorithm, &opts).await? }
        };
    /// An asynchronous request's state and approvals (`GET /v1/request/{id}`).
    securosys_request_status "securosys.request_status" (RequestId) -> RequestStatus:
        |c, r, x| c.securosys()?.request_status(&r.id).await?;
    /// Cancel a pending request (`DELETE /v1/request/{id}`).
    securosys_cancel_request "securosys.cancel_request" (RequestId) -> Done:
        |c, r, x| { c.securosys()?.cancel_request(&r.id).await?; Done {} };
    /// Wait until a request is executed, rejected or expired; its result bytes.
    securosys_wait_request "securosys.wait_request" (WaitRequest) -> RequestResult [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_request", r.interval_ms, r.timeout_ms, x)?;
            RequestResult { result_base64: Base64(c.securosys()?.wait_request(&r.id, &opts).await?) }
        };
    /// The approval tasks waiting for an approver (first page).
    securosys_list_approval_tasks "securosys.list_approval_tasks" (TasksRequest) -> Tasks:
        |c, r, x| {
            let key = approver(&r.approver_key_pem)?;
            Tasks::of(c.securosys()?.list_approval_tasks(&key, r.kind, r.page_size.unwrap_or(25)).await?)
        };
    /// Approve a task with an approver's key.
    securosys_approve "securosys.approve" (Decision) -> Done:
        |c, r, x| { c.securosys()?.approve(&approver(&r.approver_key_pem)?, &r.task).await?; Done {} };
    /// Reject a task with an approver's key.
    securosys_reject "securosys.reject" (Decision) -> Done:
        |c, r, x| { c.securosys()?.reject(&approver(&r.approver_key_pem)?, &r.task.id).await?; Done {} };
    /// A self-signed X.509 certificate for an HSM key.
    securosys_self_signed_certificate "securosys.self_signed_certificate" (CertificateFor) -> Pem:
        |c, r, x| {
            let cert = c.securosys()?.self_signed_certificate(&r.label, &r.certificate).await?;
            Pem { pem: cert.pem(), der_base64: Base64(cert.der) }
        };
    /// A PKCS#10 certificate signing request for an HSM key.
    securosys_certificate_signing_request "securosys.certificate_signing_request" (CsrFor) -> Pem:
        |c, r, x| {
            let csr = c.securosys()?.certificate_signing_request(&r.label, &r.csr).await?;
            Pem { pem: csr.pem(), der_base64: Base64(csr.der) }
        };

    /// Ask for a self-signed certificate that approvers must approve: the request id.
    securosys_request_self_signed_certificate "securosys.request_self_signed_certificate" (CertificateFor) -> Requested:
        |c, r, x| {
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.request_self_signed_certificate(&r.label, &r.certificate, &opts).await? }
        };
    /// Ask for a CSR that approvers must approve: the request id.
    securosys_request_certificate_signing_request "securosys.request_certificate_signing_request" (CsrFor) -> Requested:
        |c, r, x| {
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.request_certificate_signing_request(&r.label, &r.csr, &opts).await? }
        };
    /// Wait for an approved certificate request; the certificate.
    securosys_wait_certificate "securosys.wait_certificate" (WaitRequest) -> Pem [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_certificate", r.interval_ms, r.timeout_ms, x)?;
            let cert = c.securosys()?.wait_certificate(&r.id, &opts).await?;
            Pem { pem: cert.pem(), der_base64: Base64(cert.der) }
        };
    /// Wait for an approved CSR request; the CSR.
    securosys_wait_certificate_signing_request "securosys.wait_certificate_signing_request" (WaitRequest) -> Pem [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_certificate_signing_request", r.interval_ms, r.timeout_ms, x)?;
            let csr = c.securosys()?.wait_certificate_signing_request(&r.id, &opts).await?;
            Pem { pem: csr.pem(), der_base64: Base64(csr.der) }
        };
    /// A key type's `securosys.create_key` fields and usual signature algorithm (local).
    /// Nothing is sent; no client is needed.
    securosys_key_spec "securosys.key_spec" (KeySpecRequest) -> KeySpecFields:
        |c, r, x| r.run();
    /// A quorum approval policy for `securosys.create_key` (local).
    /// Nothing is sent; no client is needed. The quorum is checked when the key is created.
    securosys_quorum_policy "securosys.quorum_policy" (QuorumPolicyRequest) -> QuorumPolicy:
        |c, r, x| r.run();
    /// An approver's key pair, new (ECDSA P-256) or read from PKCS#8 PEM or DER (local).
    /// Nothing is sent; no client is needed.
    securosys_approver_key "securosys.approver_key" (ApproverKeyRequest) -> ApproverKeyPair:
        |c, r, x| r.run()?;

    // ---- provider-neutral signing -----------------------------------------------------------

    /// Start a signing session with the configured provider (ZignSec or OneSpan): documents,
    /// signers, redirects; the session reference and each signer's link.
    /// `provider` chooses it for this session (default: the configuration's `signing.provider`,
    /// or the only one configured); every later call goes to the provider of the reference.
    signing_start "signing.start" (NewSession) -> StartedSession:
        |c, r, x| match r.provider {
            Some(p) => c.signing_with(p)?.start(&r).await?,
            None => c.signing()?.start(&r).await?,
        };
    /// A session's state (one poll).
    signing_status "signing.status" (SessionId) -> SessionState:
        |c, r, x| signing_of(c, &r.session)?.status(&r.session).await?;
    /// Wait until a session is signed (or ends otherwise, as an error); the signed documents.
    signing_wait "signing.wait" (WaitSession) -> CompletedSession [long_running]:
        |c, r, x| {
            let opts = wait("signing.wait", r.interval_ms, r.timeout_ms, x)?;
            signing_of(c, &r.session)?.wait(&r.session, &opts).await?
        };
    /// A finished session's documents (no waiting).
    signing_result "signing.result" (SessionId) -> CompletedSession:
        |c, r, x| signing_of(c, &r.session)?.result(&r.session).await?;
    /// One signed document's bytes (with `verify`: only when its signatures verify against
    /// the given trust anchors, with the report).
    signing_download "signing.download" (DocumentOf) -> DocumentBytes:
        |c, r, x| match &r.verify {
            None => DocumentBytes { pdf_base64: Base64(signing_of(c, &r.session)?.download(&r.session, &r.document_id).await?.to_vec()), report: None },
            Some(v) => {
                let (data, report) = signing_of(c, &r.session)?.download_verified(&r.session, &r.document_id, &v.anchors()?).await?;
                DocumentBytes { pdf_base64: Base64(data.to_vec()), report: Some(report) }
            }
        };
    /// Save a finished session's documents into a directory (safe, distinct names; with
    /// `verify`: each verified against the given trust anchors first, refused when it does not).
    signing_save_all "signing.save_all" (SaveAll) -> Saved:
        |c, r, x| {
            let s = signing_of(c, &r.session)?;
            let done = s.result(&r.session).await?;
            match &r.verify {
                None => paths(s.save_all(&done, &r.dir).await?),
                Some(v) => {
                    let (files, reports): (Vec<_>, Vec<_>) = s.save_all_verified(&done, &r.dir, &v.anchors()?).await?.into_iter().unzip();
                    Saved { reports: Some(reports), ..paths(files) }
                }
            }
        };
    /// Cancel a session (OneSpan; ZignSec has no cancel call).
    signing_cancel "signing.cancel" (SessionId) -> Done:
        |c, r, x| { signing_of(c, &r.session)?.cancel(&r.session).await?; Done {} };

    // ---- signed documents -------------------------------------------------------------------

    /// Verify a signed PDF (bytes or path) against trust anchors: per signature the signer,
    /// signing time, algorithms, whether it is cryptographically valid, covers its revision,
    /// chains to an anchor at the signing time, and what was appended after it; and whether a
    /// given original is exactly the unsigned prefix.
    pdf_verify "pdf.verify" (VerifyRequest) -> crate::verify::VerifyReport:
        |c, r, x| r.run().await?;

    // ---- ZignSec BankID Norway signing ------------------------------------------------------

    /// Create a signing session (redirects, relay state, webhook, metadata).
    zignsec_create_signing "zignsec.create_signing" (CreateSigning) -> SigningSession:
        |c, r, x| c.zignsec()?.signing().create(&r).await?;
    /// Upload a PDF to a session (checked locally first: non-empty, `%PDF-`, `%%EOF`).
    zignsec_upload "zignsec.upload" (ZignsecUpload) -> crate::providers::zignsec::UploadedFile:
        |c, r, x| {
            let s = c.zignsec()?.signing();
            match (&r.path, &r.pdf_base64) {
                (Some(p), None) => s.upload_path(&r.session_id, p).await?,
                (None, Some(b)) => s.upload_bytes(&r.session_id, r.name.as_deref().unwrap_or("document.pdf"), b.0.clone()).await?,
                _ => return Err(crate::Error::new(crate::ErrorCode::InvalidArgument,
                    "zignsec.upload: give exactly one of request.path and request.pdf_base64")),
            }
        };
    /// Start signing the uploaded files (placements, redirects): the signer's URL.
    zignsec_start_signing "zignsec.start_signing" (ZignsecStart) -> crate::providers::zignsec::StartedSigning:
        |c, r, x| c.zignsec()?.signing().start(&r.session_id, &r.start).await?;
    /// A signing session's status (one poll).
    zignsec_signing_status "zignsec.signing_status" (ZignsecSession) -> SigningStatus:
        |c, r, x| c.zignsec()?.signing().status(&r.session_id).await?;
    /// Wait until a signing session is finished (or ends otherwise, as an error).
    zignsec_wait_signing "zignsec.wait_signing" (ZignsecWait) -> SigningStatus [long_running]:
        |c, r, x| {
            let opts = wait("zignsec.wait_signing", r.interval_ms, r.timeout_ms, x)?;
            c.zignsec()?.signing().wait(&r.session_id, &opts).await?
        };
    /// Save a finished session's signed files into a directory (md5 verified, atomic).
    zignsec_save_signed_files "zignsec.save_signed_files" (ZignsecSave) -> Saved:
        |c, r, x| {
            let s = c.zignsec()?.signing();
            let state = s.status(&r.session_id).await?;
            paths(s.save_signed_files(&state, &r.dir).await?)
        };
    /// Handle the signer's browser coming back to your redirect URL: a cancel or error in it
    /// (`errorCode`, `error=access_denied`, `error_description`) is its error without a request;
    /// a foreign relay state or session id is refused; else the finished session.
    zignsec_complete_signing_redirect "zignsec.complete_signing_redirect" (ZignsecRedirect) -> SigningStatus [long_running]:
        |c, r, x| c.zignsec()?.signing().complete_redirect(&r.session_id, &r.returned_url, r.expected_relay_state.as_deref()).await?;
    /// Create a signing session, upload every PDF (a path, or bytes with a name) and start it,
    /// in one request: the session, the signer's URL and the uploaded files. Every PDF is
    /// checked locally first.
    zignsec_sign_documents "zignsec.sign_documents" (ZignsecSignDocuments) -> crate::providers::zignsec::StartedSession:
        |c, r, x| {
            let mut docs = Vec::with_capacity(r.documents.len());
            for (i, d) in r.documents.iter().enumerate() {
                docs.push(d.read(i).await?);
            }
            c.zignsec()?.signing().sign_documents(&r.create, &docs).await?
        };
    /// Download a file of a session (from `input_files` or `signed_files`), checked against
    /// the md5 the gateway reported (`SB_ERR_INTEGRITY` on a mismatch).
    zignsec_download "zignsec.download" (ZignsecFile) -> FileBytes:
        |c, r, x| FileBytes { data_base64: Base64(c.zignsec()?.signing().download(&r.file).await?.to_vec()) };
    /// Download a file of a session to `path`, checked against the reported md5 and written
    /// atomically (beside it, then renamed): the number of bytes written.
    zignsec_download_to "zignsec.download_to" (ZignsecFileTo) -> Written:
        |c, r, x| Written { bytes: c.zignsec()?.signing().download_to(&r.file, &r.path).await? };
    /// Download a file by its session and file ids (no md5 to check it against).
    zignsec_download_file "zignsec.download_file" (ZignsecFileId) -> FileBytes:
        |c, r, x| FileBytes { data_base64: Base64(c.zignsec()?.signing().download_file(&r.session_id, &r.file_id).await?.to_vec()) };
    /// Call any product path of the gateway with any JSON body (e.g. the two-way TLS example
    /// `POST /core/api/sessions/bankidse/auth`), authenticated and error-mapped like the typed
    /// calls; the answer's JSON.
    zignsec_session_call "zignsec.session_call" (crate::providers::zignsec::SessionCall) -> serde_json::Value:
        |c, r, x| c.zignsec()?.session_call(&r).await?;

    // ---- OneSpan Sign -----------------------------------------------------------------------

    /// Create a transaction from its JSON description (documents by path or base64, signers,
    /// fields), in one request.
    onespan_create_package "onespan.create_package" (NewPackageJson) -> Created:
        |c, r, x| {
            let p = crate::providers::onespan::NewPackage::from_json(&r.0)
                .await
                .map_err(|e| in_request("onespan.create_package", "request", e))?;
            Created { package_id: c.onespan()?.create_package(&p).await? }
        };
    /// A transaction as OneSpan describes it.
    onespan_get_package "onespan.get_package" (PackageId) -> crate::providers::onespan::Package:
        |c, r, x| c.onespan()?.get_package(&r.package_id).await?;
    /// A transaction's status.
    onespan_status "onespan.status" (PackageId) -> PackageState:
        |c, r, x| PackageState { status: c.onespan()?.status(&r.package_id).await? };
    /// A signer's signing link.
    onespan_signing_url "onespan.signing_url" (SigningUrlRequest) -> Link:
        |c, r, x| Link { url: c.onespan()?.signing_url(&r.package_id, &r.role_id).await? };
    /// Send a draft transaction to its signers.
    onespan_send "onespan.send" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.send(&r.package_id).await?; Done {} };
    /// Move a transaction to the trash.
    onespan_trash "onespan.trash" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.trash(&r.package_id).await?; Done {} };
    /// Restore a transaction from the trash.
    onespan_restore "onespan.restore" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.restore(&r.package_id).await?; Done {} };
    /// Archive a completed transaction.
    onespan_archive "onespan.archive" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.archive(&r.package_id).await?; Done {} };
    /// Delete a transaction.
    onespan_delete "onespan.delete" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.delete(&r.package_id).await?; Done {} };
    /// Wait until a transaction is completed (or ends otherwise, as an error).
    onespan_wait "onespan.wait" (PackageWait) -> crate::providers::onespan::Package [long_running]:
        |c, r, x| {
            let opts = wait("onespan.wait", r.interval_ms, r.timeout_ms, x)?;
            c.onespan()?.wait(&r.package_id, &opts).await?
        };
}
