//! The blocking API: each method runs the async operation of the same name to completion,
//! blocking the calling thread ([`crate::runtime::block_on`]: the future is polled on the calling
//! thread, its connections are the process's one pool on the one shared runtime). Nothing here
//! has logic of its own.
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

    /// Run the operation called `name` of the operation table (see [`crate::api`]) with a JSON
    /// request; its JSON result.
    pub fn call(
        &self,
        name: &str,
        request: serde_json::Value,
        ctx: &crate::api::CallContext,
    ) -> Result<serde_json::Value> {
        block_on(self.inner.call(name, request, ctx))?
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
    /// See [`SigningApi::complete_redirect`].
    pub fn complete_redirect(
        &self,
        session_id: &str,
        returned_url: &str,
        expected_relay_state: Option<&str>,
    ) -> Result<SigningStatus> {
        block_on(
            self.0
                .complete_redirect(session_id, returned_url, expected_relay_state),
        )?
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

// ---- OneSpan Sign ------------------------------------------------------------------------------

impl Client {
    /// The blocking OneSpan Sign client.
    pub fn onespan(&self) -> Result<Onespan> {
        Ok(Onespan(self.inner.onespan()?.clone()))
    }
}

/// Blocking twin of [`crate::providers::onespan::OnespanClient`].
#[derive(Clone, Debug)]
pub struct Onespan(pub crate::providers::onespan::OnespanClient);

impl Onespan {
    /// See [`crate::providers::onespan::OnespanClient::create_package`].
    pub fn create_package(
        &self,
        package: &crate::providers::onespan::NewPackage,
    ) -> Result<String> {
        block_on(self.0.create_package(package))?
    }
    /// See [`crate::providers::onespan::OnespanClient::create_package_in_steps`].
    pub fn create_package_in_steps(
        &self,
        package: &crate::providers::onespan::NewPackage,
    ) -> Result<String> {
        block_on(self.0.create_package_in_steps(package))?
    }
    /// See [`crate::providers::onespan::OnespanClient::add_document`].
    pub fn add_document(
        &self,
        package_id: &str,
        document: &crate::providers::onespan::DocumentSpec,
    ) -> Result<crate::providers::onespan::Document> {
        block_on(self.0.add_document(package_id, document))?
    }
    /// See [`crate::providers::onespan::OnespanClient::get_package`].
    pub fn get_package(&self, package_id: &str) -> Result<crate::providers::onespan::Package> {
        block_on(self.0.get_package(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::status`].
    pub fn status(&self, package_id: &str) -> Result<crate::providers::onespan::PackageStatus> {
        block_on(self.0.status(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::signing_status`].
    pub fn signing_status(
        &self,
        package_id: &str,
        signer: Option<&str>,
        document: Option<&str>,
    ) -> Result<crate::providers::onespan::SigningStatus> {
        block_on(self.0.signing_status(package_id, signer, document))?
    }
    /// See [`crate::providers::onespan::OnespanClient::signing_url`].
    pub fn signing_url(&self, package_id: &str, role_id: &str) -> Result<String> {
        block_on(self.0.signing_url(package_id, role_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::audit`].
    pub fn audit(&self, package_id: &str) -> Result<crate::providers::onespan::Audit> {
        block_on(self.0.audit(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::update_package`].
    pub fn update_package(
        &self,
        package_id: &str,
        update: &crate::providers::onespan::PackageUpdate,
    ) -> Result<()> {
        block_on(self.0.update_package(package_id, update))?
    }
    /// See [`crate::providers::onespan::OnespanClient::send`].
    pub fn send(&self, package_id: &str) -> Result<()> {
        block_on(self.0.send(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::trash`].
    pub fn trash(&self, package_id: &str) -> Result<()> {
        block_on(self.0.trash(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::restore`].
    pub fn restore(&self, package_id: &str) -> Result<()> {
        block_on(self.0.restore(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::archive`].
    pub fn archive(&self, package_id: &str) -> Result<()> {
        block_on(self.0.archive(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::delete`].
    pub fn delete(&self, package_id: &str) -> Result<()> {
        block_on(self.0.delete(package_id))?
    }
    /// See [`crate::providers::onespan::OnespanClient::wait`].
    pub fn wait(
        &self,
        package_id: &str,
        opts: &WaitOptions<crate::providers::onespan::Package>,
    ) -> Result<crate::providers::onespan::Package> {
        block_on(self.0.wait(package_id, opts))?
    }
    /// See [`crate::providers::onespan::OnespanClient::outcome_error`].
    pub fn outcome_error(
        &self,
        package: &crate::providers::onespan::Package,
    ) -> Result<Option<crate::Error>> {
        block_on(self.0.outcome_error(package))
    }
    /// See [`crate::providers::onespan::OnespanClient::download`].
    pub fn download(
        &self,
        package_id: &str,
        kind: &crate::providers::onespan::DownloadKind,
    ) -> Result<crate::providers::onespan::Download> {
        block_on(self.0.download(package_id, kind))?
    }
    /// See [`crate::providers::onespan::OnespanClient::download_to`].
    pub fn download_to(
        &self,
        package_id: &str,
        kind: &crate::providers::onespan::DownloadKind,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        block_on(self.0.download_to(package_id, kind, path))?
    }
    /// See [`crate::providers::onespan::OnespanClient::download_into`].
    pub fn download_into(
        &self,
        package_id: &str,
        kind: &crate::providers::onespan::DownloadKind,
        dir: impl AsRef<Path>,
    ) -> Result<PathBuf> {
        block_on(self.0.download_into(package_id, kind, dir))?
    }
    /// Iterate over the packages `query` matches, fetching pages as needed (blocking twin of
    /// [`crate::providers::onespan::OnespanClient::list`]).
    pub fn list(&self, query: crate::providers::onespan::ListQuery) -> OnespanPackages {
        OnespanPackages {
            pager: self.0.list(query),
            buffered: std::collections::VecDeque::new(),
            failed: false,
        }
    }
    /// Every package `query` matches (all pages).
    pub fn list_all(
        &self,
        query: crate::providers::onespan::ListQuery,
    ) -> Result<Vec<crate::providers::onespan::Package>> {
        block_on(self.0.list(query).collect_all())?
    }
    /// See [`crate::providers::onespan::OnespanClient::register_callback`].
    pub fn register_callback(
        &self,
        url: &str,
        key: &str,
        events: &[crate::providers::onespan::CallbackEventName],
    ) -> Result<()> {
        block_on(self.0.register_callback(url, key, events))?
    }
    /// See [`crate::providers::onespan::OnespanClient::get_callback`].
    pub fn get_callback(&self) -> Result<crate::providers::onespan::Callback> {
        block_on(self.0.get_callback())?
    }
}

/// A blocking iterator over listed OneSpan packages: each item is a package, or the error that
/// ended the listing (after which it yields nothing). [`OnespanPackages::next_page`] reads page by
/// page instead.
#[derive(Debug)]
pub struct OnespanPackages {
    pager: crate::providers::onespan::PackagePager,
    buffered: std::collections::VecDeque<crate::providers::onespan::Package>,
    failed: bool,
}

impl OnespanPackages {
    /// The next whole page (packages not yet yielded by the iterator come first), or `None`
    /// after the last one.
    pub fn next_page(&mut self) -> Result<Option<Vec<crate::providers::onespan::Package>>> {
        if !self.buffered.is_empty() {
            return Ok(Some(self.buffered.drain(..).collect()));
        }
        Ok(block_on(self.pager.next_page())??.map(|p| p.packages))
    }

    /// The total number of matching packages, known after the first page.
    pub fn total(&self) -> Option<u64> {
        self.pager.total()
    }
}

impl Iterator for OnespanPackages {
    type Item = Result<crate::providers::onespan::Package>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(p) = self.buffered.pop_front() {
            return Some(Ok(p));
        }
        if self.failed {
            return None;
        }
        match block_on(self.pager.next_page()).and_then(|r| r) {
            Ok(Some(page)) => {
                self.buffered.extend(page.packages);
                self.buffered.pop_front().map(Ok)
            }
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Read a PDF document for OneSpan (blocking twin of
/// [`crate::providers::onespan::DocumentSpec::from_path`]).
pub fn onespan_document_from_path(
    path: impl AsRef<Path>,
) -> Result<crate::providers::onespan::DocumentSpec> {
    block_on(crate::providers::onespan::DocumentSpec::from_path(path))?
}

/// [`crate::api::call_standalone`], blocking: an operation that needs no client (`pdf.verify`).
pub fn call_standalone(name: &str, request: serde_json::Value) -> Result<serde_json::Value> {
    block_on(crate::api::call_standalone(name, request))?
}
