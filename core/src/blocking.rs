//! The blocking API: each method runs the async operation of the same name on the shared
//! runtime ([`crate::runtime::block_on`]). Nothing here has logic of its own.
//!
//! Calling these from inside an async runtime fails with
//! [`ErrorCode::WrongContext`](crate::ErrorCode::WrongContext); use the async API there.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::config::Config;
use crate::error::Result;
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
