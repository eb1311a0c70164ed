//! The blocking API: each method runs the async operation of the same name on the shared
//! runtime ([`crate::runtime::block_on`]). Nothing here has logic of its own.
//!
//! Calling these from inside an async runtime fails with
//! [`ErrorCode::WrongContext`](crate::ErrorCode::WrongContext); use the async API there.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::config::Config;
use crate::error::Result;
use crate::providers::securosys::{
    ApprovalTask, ApproverSigner, CreateKey, KeyInfo, LicenseInfo, PayloadKind, RequestStatus,
    SecurosysClient, SignOptions, SignatureAlgorithm, TaskKind, VersionInfo,
};
use crate::providers::zignsec::{
    CreateSigning, Document, FileRef, SigningApi, SigningSession, SigningStatus, StartSigning,
    StartedSession, StartedSigning, UploadedFile,
};
use crate::runtime::block_on;
use crate::session::WaitOptions;

/// Blocking twin of [`crate::Client`].
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl Client {
    /// See [`crate::Client::new`].
    pub fn new(config: Config) -> Result<Client> {
        Ok(Client {
            inner: crate::Client::new(config)?,
        })
    }

    /// Wrap an async client (they share everything).
    pub fn from_async(inner: crate::Client) -> Client {
        Client { inner }
    }

    /// The async client behind this one.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Blocking BankID Norway signing through ZignSec.
    pub fn zignsec_signing(&self) -> Result<Signing> {
        Ok(Signing(self.inner.zignsec()?.signing()))
    }

    /// Blocking provider-neutral document signing (see [`crate::Client::signing`]).
    pub fn signing(&self) -> Result<SigningService> {
        Ok(SigningService(self.inner.signing()?))
    }

    /// Blocking provider-neutral document signing with `provider` (see
    /// [`crate::Client::signing_with`]).
    pub fn signing_with(&self, provider: crate::signing::Provider) -> Result<SigningService> {
        Ok(SigningService(self.inner.signing_with(provider)?))
    }

    /// The blocking Securosys Primus HSM client.
    pub fn securosys(&self) -> Result<Securosys> {
        Ok(Securosys(self.inner.securosys()?.clone()))
    }
}

/// Blocking twin of [`SecurosysClient`].
#[derive(Clone, Debug)]
pub struct Securosys(pub SecurosysClient);

impl Securosys {
    /// See [`SecurosysClient::version_info`].
    pub fn version_info(&self) -> Result<VersionInfo> {
        block_on(self.0.version_info())?
    }
    /// See [`SecurosysClient::license_info`].
    pub fn license_info(&self) -> Result<LicenseInfo> {
        block_on(self.0.license_info())?
    }
    /// See [`SecurosysClient::create_key`].
    pub fn create_key(&self, req: &CreateKey) -> Result<KeyInfo> {
        block_on(self.0.create_key(req))?
    }
    /// See [`SecurosysClient::get_key`].
    pub fn get_key(&self, label: &str) -> Result<KeyInfo> {
        block_on(self.0.get_key(label))?
    }
    /// See [`SecurosysClient::public_key`].
    pub fn public_key(&self, label: &str) -> Result<Vec<u8>> {
        block_on(self.0.public_key(label))?
    }
    /// See [`SecurosysClient::list_keys`].
    pub fn list_keys(&self) -> Result<Vec<String>> {
        block_on(self.0.list_keys())?
    }
    /// See [`SecurosysClient::delete_key`].
    pub fn delete_key(&self, label: &str) -> Result<()> {
        block_on(self.0.delete_key(label))?
    }
    /// See [`SecurosysClient::synchronous_sign`].
    pub fn synchronous_sign(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
    ) -> Result<Vec<u8>> {
        block_on(self.0.synchronous_sign(label, payload, kind, algorithm))?
    }
    /// See [`SecurosysClient::synchronous_sign_file`].
    pub fn synchronous_sign_file(
        &self,
        label: &str,
        path: impl AsRef<Path>,
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
    ) -> Result<Vec<u8>> {
        block_on(self.0.synchronous_sign_file(label, path, kind, algorithm))?
    }
    /// See [`SecurosysClient::verify`].
    pub fn verify(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        signature: &[u8],
    ) -> Result<bool> {
        block_on(self.0.verify(label, payload, kind, algorithm, signature))?
    }
    /// See [`SecurosysClient::verify_file`].
    pub fn verify_file(
        &self,
        label: &str,
        path: impl AsRef<Path>,
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        signature: &[u8],
    ) -> Result<bool> {
        block_on(self.0.verify_file(label, path, kind, algorithm, signature))?
    }
    /// See [`SecurosysClient::sign`].
    pub fn sign(
        &self,
        label: &str,
        payload: &[u8],
        kind: PayloadKind,
        algorithm: &SignatureAlgorithm,
        options: &SignOptions,
    ) -> Result<String> {
        block_on(self.0.sign(label, payload, kind, algorithm, options))?
    }
    /// See [`SecurosysClient::request_status`].
    pub fn request_status(&self, id: &str) -> Result<RequestStatus> {
        block_on(self.0.request_status(id))?
    }
    /// See [`SecurosysClient::cancel_request`].
    pub fn cancel_request(&self, id: &str) -> Result<()> {
        block_on(self.0.cancel_request(id))?
    }
    /// See [`SecurosysClient::wait_request`].
    pub fn wait_request(&self, id: &str, opts: &WaitOptions<RequestStatus>) -> Result<Vec<u8>> {
        block_on(self.0.wait_request(id, opts))?
    }
    /// See [`SecurosysClient::list_approval_tasks`].
    pub fn list_approval_tasks(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_size: u32,
    ) -> Result<Vec<ApprovalTask>> {
        block_on(self.0.list_approval_tasks(signer, kind, page_size))?
    }
    /// See [`SecurosysClient::approve`].
    pub fn approve(&self, signer: &dyn ApproverSigner, task: &ApprovalTask) -> Result<()> {
        block_on(self.0.approve(signer, task))?
    }
    /// See [`SecurosysClient::reject`].
    pub fn reject(&self, signer: &dyn ApproverSigner, task_id: &str) -> Result<()> {
        block_on(self.0.reject(signer, task_id))?
    }
}

/// Blocking twin of [`SigningApi`].
#[derive(Clone, Debug)]
pub struct Signing(pub SigningApi);

impl Signing {
    /// See [`SigningApi::create`].
    pub fn create(&self, req: &CreateSigning) -> Result<SigningSession> {
        block_on(self.0.create(req))?
    }
    /// See [`SigningApi::upload_bytes`].
    pub fn upload_bytes(
        &self,
        session_id: &str,
        name: &str,
        data: impl Into<Bytes>,
    ) -> Result<UploadedFile> {
        block_on(self.0.upload_bytes(session_id, name, data))?
    }
    /// See [`SigningApi::upload_path`].
    pub fn upload_path(&self, session_id: &str, path: impl AsRef<Path>) -> Result<UploadedFile> {
        block_on(self.0.upload_path(session_id, path))?
    }
    /// See [`SigningApi::start`].
    pub fn start(&self, session_id: &str, req: &StartSigning) -> Result<StartedSigning> {
        block_on(self.0.start(session_id, req))?
    }
    /// See [`SigningApi::sign_documents`].
    pub fn sign_documents(
        &self,
        create: &CreateSigning,
        documents: &[Document],
    ) -> Result<StartedSession> {
        block_on(self.0.sign_documents(create, documents))?
    }
    /// See [`SigningApi::status`].
    pub fn status(&self, session_id: &str) -> Result<SigningStatus> {
        block_on(self.0.status(session_id))?
    }
    /// See [`SigningApi::wait`].
    pub fn wait(
        &self,
        session_id: &str,
        opts: &WaitOptions<SigningStatus>,
    ) -> Result<SigningStatus> {
        block_on(self.0.wait(session_id, opts))?
    }
    /// See [`SigningApi::download`].
    pub fn download(&self, file: &FileRef) -> Result<Bytes> {
        block_on(self.0.download(file))?
    }
    /// See [`SigningApi::download_file`].
    pub fn download_file(&self, session_id: &str, file_id: &str) -> Result<Bytes> {
        block_on(self.0.download_file(session_id, file_id))?
    }
    /// See [`SigningApi::download_to`].
    pub fn download_to(&self, file: &FileRef, path: impl AsRef<Path>) -> Result<u64> {
        block_on(self.0.download_to(file, path))?
    }
    /// See [`SigningApi::save_signed_files`].
    pub fn save_signed_files(
        &self,
        state: &SigningStatus,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<PathBuf>> {
        block_on(self.0.save_signed_files(state, dir))?
    }
}

/// Read a document from a file (blocking twin of [`Document::from_path`]).
pub fn document_from_path(
    path: impl AsRef<Path>,
    placement: Option<crate::providers::zignsec::Placement>,
) -> Result<Document> {
    block_on(Document::from_path(path, placement))?
}

// ---------------------------------------------------------------------------------------------
// Provider-neutral signing sessions

/// Blocking twin of [`crate::signing::SigningService`].
#[derive(Clone, Debug)]
pub struct SigningService(pub crate::signing::SigningService);

impl SigningService {
    /// See [`crate::signing::SigningService::provider`].
    pub fn provider(&self) -> crate::signing::Provider {
        self.0.provider()
    }
    /// See [`crate::signing::SigningService::start`].
    pub fn start(
        &self,
        session: &crate::signing::NewSession,
    ) -> Result<crate::signing::StartedSession> {
        block_on(self.0.start(session))?
    }
    /// See [`crate::signing::SigningService::status`].
    pub fn status(
        &self,
        session: &crate::signing::SessionRef,
    ) -> Result<crate::signing::SessionState> {
        block_on(self.0.status(session))?
    }
    /// See [`crate::signing::SigningService::wait`].
    pub fn wait(
        &self,
        session: &crate::signing::SessionRef,
        opts: &WaitOptions<crate::signing::SessionState>,
    ) -> Result<crate::signing::CompletedSession> {
        block_on(self.0.wait(session, opts))?
    }
    /// See [`crate::signing::SigningService::result`].
    pub fn result(
        &self,
        session: &crate::signing::SessionRef,
    ) -> Result<crate::signing::CompletedSession> {
        block_on(self.0.result(session))?
    }
    /// See [`crate::signing::SigningService::download`].
    pub fn download(
        &self,
        session: &crate::signing::SessionRef,
        document_id: &str,
    ) -> Result<Bytes> {
        block_on(self.0.download(session, document_id))?
    }
    /// See [`crate::signing::SigningService::save_all`].
    pub fn save_all(
        &self,
        done: &crate::signing::CompletedSession,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<PathBuf>> {
        block_on(self.0.save_all(done, dir))?
    }
    /// See [`crate::signing::SigningService::cancel`].
    pub fn cancel(&self, session: &crate::signing::SessionRef) -> Result<()> {
        block_on(self.0.cancel(session))?
    }
}
