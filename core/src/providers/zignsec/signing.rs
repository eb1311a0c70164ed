//! BankID Norway signing through the ZignSec gateway (seed 001, contract §4).
//!
//! Flow: [`create`](SigningApi::create) → [`upload_path`](SigningApi::upload_path) /
//! [`upload_bytes`](SigningApi::upload_bytes) (one or more PDFs) → [`start`](SigningApi::start)
//! (placement per document, redirect URLs) → send the signer to `redirect_url` →
//! [`wait`](SigningApi::wait) or [`status`](SigningApi::status) → [`download`](SigningApi::download)
//! each signed file (md5-verified).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::model::{
    check_absolute_url, file_name_of, CreateSigning, Document, FileRef, FileToSign, SigningSession,
    SigningStatus, StartSigning, StartedSession, StartedSigning, UploadedFile,
};
use super::wire::{
    acted, from_value, parse_status, parse_upload, start_body, unwrap_data, verify_md5,
    verify_md5_digest,
};
use super::Inner;
use crate::error::{Error, ErrorCode, Result};
use crate::files::DEFAULT_DOCUMENT_NAME as DEFAULT_FILE_NAME;
use crate::pdf::validate_pdf;
use crate::polling::{poll_until, WaitOptions};
use crate::providers::{check_id, IdSyntax};
use crate::session::SessionStatus;
use crate::transport::{Body, Request};

/// BankID Norway signing operations. Cheap to clone; obtained from
/// [`ZignsecClient::signing`](super::ZignsecClient::signing).
#[derive(Clone, Debug)]
pub struct SigningApi {
    inner: Arc<Inner>,
}

impl SigningApi {
    pub(crate) fn new(inner: Arc<Inner>) -> SigningApi {
        SigningApi { inner }
    }

    /// Create a signing session (`POST /api/v5/sessions/signing/`).
    pub async fn create(&self, req: &CreateSigning) -> Result<SigningSession> {
        req.check_urls()?;
        let req = req.with_object_metadata()?;
        let req = req.as_ref();
        let t = &self.inner.transport;
        let what = "create signing session";
        let resp = t
            .send(Request::post_json(
                t.url("api/v5/sessions/signing/")?,
                req,
                what,
            )?)
            .await?;
        acted(what, resp.status.as_u16(), || {
            let v = unwrap_data(&resp.body, what, resp.status.as_u16())?;
            let s: SigningSession = from_value(v, what)?;
            check_id("session id from the gateway", &s.id, IdSyntax::Plain)
                .map_err(|e| Error::protocol(e.message()))?;
            Ok(s)
        })
    }

    /// Upload one PDF from memory. It is checked locally first (non-empty, `%PDF-` header,
    /// `%%EOF` trailer): a bad document fails with [`ErrorCode::InvalidDocument`] before any
    /// request is sent.
    pub async fn upload_bytes(
        &self,
        session_id: &str,
        name: &str,
        data: impl Into<Bytes>,
    ) -> Result<UploadedFile> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        let data: Bytes = data.into();
        let name = sanitize_file_name(name);
        validate_pdf(&name, &data)?;
        self.upload(
            session_id,
            Body::Multipart {
                field: "file",
                file_name: name,
                content_type: "application/pdf",
                data,
            },
        )
        .await
    }

    /// Upload one PDF from a file, streamed from disk (the file is never held in memory, so its
    /// size does not matter). It is checked locally first, like
    /// [`upload_bytes`](Self::upload_bytes), from its first and last bytes; the file must not
    /// change while it is being uploaded.
    pub async fn upload_path(
        &self,
        session_id: &str,
        path: impl AsRef<Path>,
    ) -> Result<UploadedFile> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        let path = path.as_ref().to_path_buf();
        let name = sanitize_file_name(&file_name_of(&path));
        let sampled = path.clone();
        let (len, sample) = crate::runtime::blocking_io(move || pdf_sample(&sampled)).await?;
        validate_pdf(&name, &sample)?;
        self.upload(
            session_id,
            Body::FileMultipart {
                field: "file",
                file_name: name,
                content_type: "application/pdf",
                path,
                len,
            },
        )
        .await
    }

    /// `POST /api/v5/sessions/signing/{id}/files` with a multipart `file` body.
    async fn upload(&self, session_id: &str, body: Body) -> Result<UploadedFile> {
        let t = &self.inner.transport;
        let what = "upload document";
        let req = Request {
            method: http::Method::POST,
            url: t.url(&format!("api/v5/sessions/signing/{session_id}/files"))?,
            body,
            idempotent: false,
            what,
            headers: Vec::new(),
            role: None,
        };
        let resp = t.send(req).await?;
        acted(what, resp.status.as_u16(), || {
            let v = unwrap_data(&resp.body, what, resp.status.as_u16())?;
            let mut f = parse_upload(v, what)?;
            if f.session_id.is_empty() {
                f.session_id = session_id.to_owned();
            }
            check_id("file id from the gateway", &f.file_id, IdSyntax::Plain)
                .map_err(|e| Error::protocol(e.message()))?;
            Ok(f)
        })
    }

    /// Start signing the uploaded files; returns the URL to send the signer to.
    pub async fn start(&self, session_id: &str, req: &StartSigning) -> Result<StartedSigning> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        if req.files.is_empty() {
            return Err(Error::invalid_argument(
                "start signing needs at least one uploaded file id",
            ));
        }
        for f in &req.files {
            check_id("file id", &f.file_id, IdSyntax::Plain)?;
            if let Some(p) = &f.placement {
                p.validate()?;
            }
        }
        for (field, v) in [
            ("redirect_success", &req.redirect_success),
            ("redirect_failure", &req.redirect_failure),
        ] {
            if let Some(u) = v {
                check_absolute_url(field, u)?;
            }
        }
        let t = &self.inner.transport;
        let what = "start signing";
        let resp = t
            .send(Request::post_json(
                t.url(&format!("api/v5/sessions/signing/{session_id}/sign"))?,
                &start_body(session_id, req),
                what,
            )?)
            .await?;
        acted(what, resp.status.as_u16(), || {
            let v = unwrap_data(&resp.body, what, resp.status.as_u16())?;
            from_value(v, what)
        })
    }

    /// Create a session, upload every document and start signing, in one call.
    pub async fn sign_documents(
        &self,
        create: &CreateSigning,
        documents: &[Document],
    ) -> Result<StartedSession> {
        if documents.is_empty() {
            return Err(Error::invalid_argument(
                "give at least one document to sign",
            ));
        }
        // Check everything locally before the first request.
        for d in documents {
            validate_pdf(&d.name, &d.data)?;
            if let Some(p) = &d.placement {
                p.validate()?;
                check_page(&d.name, &d.data, p.page)?;
            }
        }
        let session = self.create(create).await?;
        let mut files = Vec::with_capacity(documents.len());
        for d in documents {
            files.push(
                self.upload_bytes(&session.id, &d.name, d.data.clone())
                    .await?,
            );
        }
        let start = StartSigning {
            files: files
                .iter()
                .zip(documents)
                .map(|(f, d)| FileToSign {
                    file_id: f.file_id.clone(),
                    placement: d.placement,
                })
                .collect(),
            redirect_success: None,
            redirect_failure: None,
        };
        let started = self.start(&session.id, &start).await?;
        Ok(StartedSession {
            id: session.id,
            redirect_url: started.redirect_url,
            files,
        })
    }

    /// Read the session's state (`GET /api/v5/sessions/signing/{id}`).
    pub async fn status(&self, session_id: &str) -> Result<SigningStatus> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        let t = &self.inner.transport;
        let resp = t
            .send(Request::get(
                t.url(&format!("api/v5/sessions/signing/{session_id}"))?,
                "get signing session",
            ))
            .await?;
        parse_status(&resp.body, session_id)
    }

    /// Poll until the session is final. `Finished` returns the state; `Cancelled`, `Failed`,
    /// `Rejected` and `Expired` return the matching error ([`ErrorCode::Cancelled`]…) carrying
    /// the gateway's error code (e.g. `CANCELLED_BY_USER`).
    pub async fn wait(
        &self,
        session_id: &str,
        opts: &WaitOptions<SigningStatus>,
    ) -> Result<SigningStatus> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        self.note_interval(opts.interval);
        let what = format!("signing session {session_id}");
        // Each poll boxed: a waiting session's future stays small between polls (thousands of
        // concurrent waits each hold one).
        let state = poll_until(
            opts,
            &what,
            || Box::pin(self.status(session_id)),
            |s| s.status.is_terminal(),
        )
        .await?;
        match state.failure() {
            Some(err) => Err(err),
            None => Ok(state),
        }
    }

    /// Handle the signer's browser coming back to your redirect URL (`returned_url`, full or
    /// just its `?query`), like the eID helper: a cancel or error in it (`errorCode`, or the
    /// OAuth-style `error=access_denied` with `error_description`, seed 001) returns its error
    /// without a request ([`ErrorCode::Cancelled`] "the signer cancelled the signing",
    /// [`ErrorCode::Rejected`]…); with `expected_relay_state` (the relay state the session was
    /// created with) the URL must carry exactly it, and so must the session itself; a session
    /// id in the URL must be `session_id` ([`ErrorCode::InvalidArgument`] otherwise: that
    /// browser did not come from your session). Then the final state is fetched — polled every
    /// two seconds for a short while, as the gateway may still be finishing — and returned
    /// when `Finished`, or its error.
    pub async fn complete_redirect(
        &self,
        session_id: &str,
        returned_url: &str,
        expected_relay_state: Option<&str>,
    ) -> Result<SigningStatus> {
        use super::redirect::{check_final_relay, check_return, Flow};
        check_id("session id", session_id, IdSyntax::Plain)?;
        let outcome = super::eid::RedirectOutcome::parse(returned_url)?;
        check_return(&outcome, session_id, expected_relay_state, Flow::Signing)?;
        let opts = WaitOptions {
            interval: crate::session::default_poll_interval(self.inner.transport.base().as_str()),
            timeout: Some(std::time::Duration::from_secs(10)),
            ..WaitOptions::default()
        };
        let what = format!("signing session {session_id}");
        let state = poll_until(
            &opts,
            &what,
            || Box::pin(self.status(session_id)),
            |s| s.status.is_terminal(),
        )
        .await?;
        check_final_relay(
            state.relay_state.as_deref(),
            expected_relay_state,
            session_id,
            Flow::Signing,
        )?;
        match state.failure() {
            Some(err) => Err(err),
            None => Ok(state),
        }
    }

    /// Log once when `interval` is below the gateway's recommended two seconds (seed 002).
    pub(crate) fn note_interval(&self, interval: std::time::Duration) {
        crate::polling::note_poll_interval(interval, self.inner.transport.base());
    }

    /// Download a file and verify it against the md5 the gateway reported (a file without one
    /// is refused unless `zignsec.allow_unverified_downloads` is set).
    ///
    /// The URL must be `https` (plain http only on loopback) and on one of the service's
    /// origins (see [`super::origins`]); it is fetched with the subscription key in
    /// `Authorization` (seed 001), rotated on 401/403 like every call.
    pub async fn download(&self, file: &FileRef) -> Result<Bytes> {
        let resp = self
            .inner
            .media
            .send(Request::get(self.download_url(file)?, "download file"))
            .await?;
        verify_md5(
            &file.id,
            file.md5.as_deref(),
            &resp.body,
            self.inner.allow_unverified_downloads,
        )?;
        Ok(resp.body)
    }

    /// Where `file` is downloaded from (its `url`, relative to the gateway).
    fn download_url(&self, file: &FileRef) -> Result<url::Url> {
        let t = &self.inner.transport;
        let url = match &file.url {
            Some(u) => t.base().join(u).map_err(|e| {
                Error::protocol(format!("file {} has an unusable url {u:?}: {e}", file.id))
            })?,
            None => {
                return Err(Error::protocol(format!(
                    "file {} has no download url; use download_file(session_id, file_id)",
                    file.id
                )))
            }
        };
        super::origins::check_download_url(
            &file.id,
            &url,
            t.base(),
            &self.inner.origins,
            &self.inner.configured_origins,
        )?;
        Ok(url)
    }

    /// Download a file by ids (`GET /folders/{session}/media/{file}`), without md5 check.
    pub async fn download_file(&self, session_id: &str, file_id: &str) -> Result<Bytes> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        check_id("file id", file_id, IdSyntax::Plain)?;
        let t = &self.inner.media;
        let resp = t
            .send(Request::get(
                t.url(&format!("folders/{session_id}/media/{file_id}"))?,
                "download file",
            ))
            .await?;
        Ok(resp.body)
    }

    /// Download a file to `path`, atomically and streamed (never held in memory): the bytes go
    /// to a temporary file beside `path` while their md5 is computed; only when it matches the
    /// md5 the gateway reported is the file flushed and renamed to `path`. On any error
    /// (a mismatch is [`ErrorCode::Integrity`]) nothing is left at `path` (an existing file
    /// there is untouched) and the temporary file is removed. Returns the number of bytes
    /// written.
    pub async fn download_to(&self, file: &FileRef, path: impl AsRef<Path>) -> Result<u64> {
        let req = Request::get(self.download_url(file)?, "download file");
        let reported = file.md5.as_deref();
        let allow = self.inner.allow_unverified_downloads;
        let done = self
            .inner
            .media
            .download_to_file(req, path.as_ref(), |d| {
                verify_md5_digest(&file.id, reported, &d.md5, d.len, allow)
            })
            .await?;
        Ok(done.len)
    }

    /// Save every signed file of a finished session into `dir` (created if missing), under the
    /// gateway's file names made safe (no directories, no clashes). A file already in `dir`
    /// is never replaced: a taken name gets `-2`, `-3`… before its extension (unless
    /// `transport.save_overwrite`); files are created with mode `transport.save_mode` (0600).
    /// Returns the paths written.
    pub async fn save_signed_files(
        &self,
        state: &SigningStatus,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        if state.status != SessionStatus::Finished {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!(
                    "session {} is {}, not Finished: there are no signed files yet",
                    state.id, state.status
                ),
            ));
        }
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io("create directory", dir, e))?;
        let names = crate::files::unique_file_names(
            state.signed_files.iter().map(|f| f.name.as_str()),
            DEFAULT_FILE_NAME,
        );
        let (overwrite, mode) = self.save_options();
        let mut written = Vec::with_capacity(names.len());
        for (f, name) in state.signed_files.iter().zip(names) {
            // Downloaded beside its target, then named without replacing an existing file.
            let staging = crate::files::reserve(dir, mode).await?;
            self.download_to(f, &staging).await?;
            let d = dir.to_path_buf();
            let path = crate::runtime::blocking_io(move || {
                crate::files::place(staging, &d, &name, overwrite)
            })
            .await?;
            written.push(path);
        }
        Ok(written)
    }

    /// How files are saved (replace a taken name, permission bits): `transport.save_*`.
    pub(crate) fn save_options(&self) -> (bool, u32) {
        self.inner.transport.save_options()
    }
}

/// A placement's page must exist in the document: refused locally instead of by the gateway or
/// the signer's page. A document whose pages cannot be counted here is left to the gateway.
fn check_page(name: &str, data: &[u8], page: u32) -> Result<()> {
    let Ok(doc) = lopdf::Document::load_mem(data) else {
        return Ok(());
    };
    let pages = doc.get_pages().len();
    if pages > 0 && page as usize > pages {
        return Err(Error::invalid_argument(format!(
            "placement.page {page} is beyond document {name:?}, which has {pages} page{}",
            if pages == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// A file name safe to use in a directory and as an upload's name: the shared rule
/// ([`crate::files::sanitize_file_name`]), `document.pdf` when nothing is left.
pub(crate) fn sanitize_file_name(name: &str) -> String {
    crate::files::sanitize_file_name(name, DEFAULT_FILE_NAME)
}

/// The size of the file at `path` and the bytes a PDF check looks at: the whole file when it is
/// small, else its first and last KiB (the check reads the `%PDF-` header and looks for the
/// `%%EOF` marker in the last KiB).
fn pdf_sample(path: &Path) -> Result<(u64, Vec<u8>)> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const EDGE: u64 = 1024;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let meta = f.metadata().map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        // SB_ERR_IO, as the header documents for a path that cannot be read as a file.
        return Err(Error::io(
            "read",
            path,
            std::io::Error::other("it is a directory or special file, not a PDF file"),
        ));
    }
    let len = meta.len();
    let mut sample = Vec::new();
    let read = if len <= 2 * EDGE {
        f.read_to_end(&mut sample).map(|_| ())
    } else {
        let mut head = vec![0u8; EDGE as usize];
        let mut tail = vec![0u8; EDGE as usize];
        f.read_exact(&mut head)
            .and_then(|()| f.seek(SeekFrom::Start(len - EDGE)))
            .and_then(|_| f.read_exact(&mut tail))
            .map(|()| {
                sample = head;
                sample.extend_from_slice(&tail);
            })
    };
    read.map_err(|e| Error::io("read", path, e))?;
    Ok((len, sample))
}
