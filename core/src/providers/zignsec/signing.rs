//! BankID Norway signing through the ZignSec gateway (seed 001, contract §4).
//!
//! Flow: [`create`](SigningApi::create) → [`upload_path`](SigningApi::upload_path) /
//! [`upload_bytes`](SigningApi::upload_bytes) (one or more PDFs) → [`start`](SigningApi::start)
//! (placement per document, redirect URLs) → send the signer to `redirect_url` →
//! [`wait`](SigningApi::wait) or [`status`](SigningApi::status) → [`download`](SigningApi::download)
//! each signed file (md5-verified).

use crate::files::DEFAULT_DOCUMENT_NAME as DEFAULT_FILE_NAME;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use super::Inner;
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::validate_pdf;
use crate::providers::check_id;
use crate::session::{poll_until, SessionStatus, WaitOptions};
use crate::transport::{Body, Request};

/// Create-session request: the v5 envelope (contract §3.2). Every field is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSigning {
    /// UI language, e.g. `"En"` or `"No"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Where the signer's browser goes after signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_success: Option<String>,
    /// Where the signer's browser goes after cancelling or failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_failure: Option<String>,
    /// Your own reference, echoed back with the redirect and in webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// Your GDPR user reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gdpr_user_id: Option<String>,
    /// A URL the gateway POSTs results to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// Product metadata (`{}` when empty; the gateway requires the field).
    #[serde(default = "empty_object")]
    pub metadata: serde_json::Value,
}

impl Default for CreateSigning {
    fn default() -> Self {
        CreateSigning {
            locale: None,
            redirect_success: None,
            redirect_failure: None,
            relay_state: None,
            gdpr_user_id: None,
            webhook: None,
            metadata: empty_object(),
        }
    }
}

impl CreateSigning {
    /// Check the URL fields locally (absolute http(s) URLs).
    pub(crate) fn check_urls(&self) -> Result<()> {
        for (field, v) in [
            ("redirect_success", &self.redirect_success),
            ("redirect_failure", &self.redirect_failure),
            ("webhook", &self.webhook),
        ] {
            if let Some(u) = v {
                check_absolute_url(field, u)?;
            }
        }
        Ok(())
    }

    /// The envelope as sent: `metadata` is always an object (`{}` when not given).
    pub(crate) fn with_object_metadata(&self) -> Result<std::borrow::Cow<'_, CreateSigning>> {
        if self.metadata.is_object() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        if !self.metadata.is_null() {
            return Err(Error::invalid_argument("metadata must be a JSON object"));
        }
        let mut owned = self.clone();
        owned.metadata = empty_object();
        Ok(std::borrow::Cow::Owned(owned))
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// A created signing session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningSession {
    /// The session id, used for every later call.
    #[serde(alias = "sessionId", alias = "session_id")]
    pub id: String,
    /// Its status (normally `Created`).
    #[serde(default = "created")]
    pub status: SessionStatus,
}

fn created() -> SessionStatus {
    SessionStatus::Created
}

/// A file accepted into a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// The session the file belongs to.
    #[serde(alias = "id", alias = "sessionId")]
    pub session_id: String,
    /// The file id to pass to [`SigningApi::start`].
    #[serde(alias = "fileId")]
    pub file_id: String,
    /// The file name the gateway recorded.
    #[serde(default)]
    pub name: String,
    /// The md5 the gateway computed (base64 or hex).
    #[serde(default)]
    pub md5: Option<String>,
}

/// Where the visible signature goes on a document. `page` starts at 1; `x`/`y` are PDF points
/// from the bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Page number, 1-based.
    pub page: u32,
    /// Horizontal position in points.
    pub x: f64,
    /// Vertical position in points.
    pub y: f64,
}

impl Placement {
    pub(crate) fn validate(&self) -> Result<()> {
        if self.page == 0 {
            return Err(Error::invalid_argument(
                "placement.page starts at 1 (the first page)",
            ));
        }
        for (name, v) in [("x", self.x), ("y", self.y)] {
            if !v.is_finite() || !(0.0..=14_400.0).contains(&v) {
                return Err(Error::invalid_argument(format!(
                    "placement.{name} = {v} is not a position on a page (0..14400 points)"
                )));
            }
        }
        Ok(())
    }
}

/// One document to sign and where its signature goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileToSign {
    /// The id returned by the upload.
    pub file_id: String,
    /// Signature placement; the gateway's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// Start-signing request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSigning {
    /// The documents to sign, in the order the signer sees them.
    pub files: Vec<FileToSign>,
    /// Overrides the success redirect given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_success: Option<String>,
    /// Overrides the failure redirect given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_failure: Option<String>,
}

/// The answer to [`SigningApi::start`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartedSigning {
    /// Send the signer's browser here.
    #[serde(alias = "redirectUrl")]
    pub redirect_url: String,
    /// The session's status (normally `Pending`).
    #[serde(default = "pending")]
    pub status: SessionStatus,
}

fn pending() -> SessionStatus {
    SessionStatus::Pending
}

/// An error item the gateway reported for a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderErrorItem {
    /// E.g. `CANCELLED_BY_USER`.
    #[serde(default)]
    pub code: String,
    /// Human-readable description.
    #[serde(default)]
    pub description: String,
    /// The HTTP-like status the gateway attached.
    #[serde(default, alias = "statusCode")]
    pub status_code: Option<u16>,
}

/// A file of a session (original or signed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    /// The file id.
    #[serde(alias = "fileId", alias = "file_id")]
    pub id: String,
    /// The file name.
    #[serde(default)]
    pub name: String,
    /// Where to download it (with the gateway's credentials, when on the gateway).
    #[serde(default)]
    pub url: Option<String>,
    /// Its media type.
    #[serde(default, alias = "mimeType")]
    pub mime_type: Option<String>,
    /// The md5 the gateway reported, base64 or hex; downloads are checked against it.
    #[serde(default)]
    pub md5: Option<String>,
}

/// Who signed (when the gateway reports it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignerInfo {
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// National identity number.
    #[serde(default, alias = "personalNumber")]
    pub personal_number: Option<String>,
}

/// The state of a signing session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigningStatus {
    /// Session id.
    pub id: String,
    /// Current state.
    pub status: SessionStatus,
    /// Your `relay_state`, echoed.
    pub relay_state: Option<String>,
    /// Errors the gateway reported (e.g. `CANCELLED_BY_USER`).
    pub errors: Vec<ProviderErrorItem>,
    /// The uploaded originals.
    pub input_files: Vec<FileRef>,
    /// The signed documents (once `Finished`).
    pub signed_files: Vec<FileRef>,
    /// The signer, when reported.
    pub signer: Option<SignerInfo>,
}

impl SigningStatus {
    /// The error for a final, unsuccessful state (`None` for Finished or non-final states).
    pub fn failure(&self) -> Option<Error> {
        super::eid::session_failure("signing session", &self.id, &self.status, &self.errors)
    }
}

#[derive(Deserialize)]
struct WireStatus {
    #[serde(default, alias = "sessionId", alias = "session_id")]
    id: Option<String>,
    #[serde(default)]
    status: Option<SessionStatus>,
    #[serde(default, alias = "relayState")]
    relay_state: Option<String>,
    #[serde(default)]
    errors: Option<Vec<ProviderErrorItem>>,
    #[serde(default)]
    result: Option<WireResult>,
    #[serde(default, rename = "inputFiles", alias = "input_files")]
    input_files: Option<Vec<FileRef>>,
    #[serde(default, rename = "signedFiles", alias = "signed_files")]
    signed_files: Option<Vec<FileRef>>,
    /// The v5 wrapper (`{"data": {...}}`), when the answer uses it.
    #[serde(default)]
    data: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct WireResult {
    #[serde(default, rename = "inputFiles", alias = "input_files")]
    input_files: Option<Vec<FileRef>>,
    #[serde(default, rename = "signedFiles", alias = "signed_files")]
    signed_files: Option<Vec<FileRef>>,
    #[serde(default)]
    signer: Option<SignerInfo>,
}

/// Unwrap the v5 `{"data": {...}}` wrapper when present (contract §3.4).
pub(crate) fn unwrap_data(body: &[u8], what: &str, status: u16) -> Result<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} is not JSON ({})",
            crate::scrub::answer_error(&e)
        ))
        .with_http_status(status)
    })?;
    Ok(match v {
        serde_json::Value::Object(mut m)
            if m.get("data").is_some_and(|d| d.is_object())
                && !m.contains_key("status")
                && !m.contains_key("id") =>
        {
            m.remove("data").unwrap_or(serde_json::Value::Null)
        }
        other => other,
    })
}

pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
    })
}

pub(crate) fn parse_status(body: &[u8], requested_id: &str) -> Result<SigningStatus> {
    const WHAT: &str = "get signing session";
    // Read straight into the wire model (a status is read on every poll); the v5 `{"data": {...}}`
    // wrapper is unwrapped when the top level has no status of its own.
    let mut w: WireStatus = serde_json::from_slice(body).map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            Error::protocol(format!(
                "the answer to {WHAT} does not have the documented shape ({})",
                crate::scrub::answer_error(&e)
            ))
        } else {
            Error::protocol(format!(
                "the answer to {WHAT} is not JSON ({})",
                crate::scrub::answer_error(&e)
            ))
            .with_http_status(200)
        }
    })?;
    if w.status.is_none() {
        if let Some(data @ serde_json::Value::Object(_)) = w.data.take() {
            w = from_value(data, WHAT)?;
        }
    }
    let result = w.result.unwrap_or_default();
    let status = w
        .status
        .ok_or_else(|| Error::protocol("the signing session answer has no status field"))?;
    Ok(SigningStatus {
        id: w.id.unwrap_or_else(|| requested_id.to_string()),
        status,
        relay_state: w.relay_state,
        errors: w.errors.unwrap_or_default(),
        input_files: result.input_files.or(w.input_files).unwrap_or_default(),
        signed_files: result.signed_files.or(w.signed_files).unwrap_or_default(),
        signer: result.signer,
    })
}

/// A document to add to a session.
#[derive(Debug, Clone)]
pub struct Document {
    /// File name shown to the signer.
    pub name: String,
    /// The PDF bytes.
    pub data: Bytes,
    /// Where the signature goes.
    pub placement: Option<Placement>,
}

impl Document {
    /// Read a document from a file.
    pub async fn from_path(
        path: impl AsRef<Path>,
        placement: Option<Placement>,
    ) -> Result<Document> {
        let path = path.as_ref();
        let data = tokio::fs::read(path)
            .await
            .map_err(|e| Error::io("read", path, e))?;
        Ok(Document {
            name: file_name_of(path),
            data: Bytes::from(data),
            placement,
        })
    }
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_FILE_NAME.to_string())
}

/// The result of [`SigningApi::sign_documents`]: a started session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartedSession {
    /// Session id.
    pub id: String,
    /// Send the signer's browser here.
    pub redirect_url: String,
    /// The uploaded files, in order.
    pub files: Vec<UploadedFile>,
}

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
            check_id("session id from the gateway", &s.id)
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
        check_id("session id", session_id)?;
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
        check_id("session id", session_id)?;
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
            let f: UploadedFile = from_value(v, what)?;
            check_id("file id from the gateway", &f.file_id)
                .map_err(|e| Error::protocol(e.message()))?;
            Ok(f)
        })
    }

    /// Start signing the uploaded files; returns the URL to send the signer to.
    pub async fn start(&self, session_id: &str, req: &StartSigning) -> Result<StartedSigning> {
        check_id("session id", session_id)?;
        if req.files.is_empty() {
            return Err(Error::invalid_argument(
                "start signing needs at least one uploaded file id",
            ));
        }
        for f in &req.files {
            check_id("file id", &f.file_id)?;
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
                req,
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
        check_id("session id", session_id)?;
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
        check_id("session id", session_id)?;
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

    /// Download a file and verify it against the md5 the gateway reported.
    ///
    /// The gateway's credentials are sent only when the file's URL is on the configured gateway;
    /// a URL on any other origin is fetched without them.
    pub async fn download(&self, file: &FileRef) -> Result<Bytes> {
        let t = &self.inner.transport;
        let resp = t
            .send(Request::get(self.download_url(file)?, "download file"))
            .await?;
        verify_md5(&file.id, file.md5.as_deref(), &resp.body)?;
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
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Error::protocol(format!(
                "file {} has a download url with scheme {:?}; only http(s) is fetched",
                file.id,
                url.scheme()
            )));
        }
        Ok(url)
    }

    /// Download a file by ids (`GET /folders/{session}/media/{file}`), without md5 check.
    pub async fn download_file(&self, session_id: &str, file_id: &str) -> Result<Bytes> {
        check_id("session id", session_id)?;
        check_id("file id", file_id)?;
        let t = &self.inner.transport;
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
        let t = &self.inner.transport;
        let req = Request::get(self.download_url(file)?, "download file");
        let reported = file.md5.as_deref();
        let done = t
            .download_to_file(req, path.as_ref(), |d| {
                verify_md5_digest(&file.id, reported, &d.md5, d.len)
            })
            .await?;
        Ok(done.len)
    }

    /// Save every signed file of a finished session into `dir` (created if missing), under the
    /// gateway's file names made safe (no directories, no clashes). Returns the paths written.
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
        let mut written = Vec::with_capacity(names.len());
        for (f, name) in state.signed_files.iter().zip(names) {
            let path = dir.join(name);
            self.download_to(f, &path).await?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Read the answer to a request that changed something at the provider. The provider said it
/// succeeded, so an unreadable answer must not invite a blind retry (that would do it twice):
/// it becomes [`ErrorCode::OutcomeUnknown`].
pub(crate) fn acted<T>(what: &str, status: u16, parse: impl FnOnce() -> Result<T>) -> Result<T> {
    parse().map_err(|e| {
        if e.code() != ErrorCode::Protocol {
            return e;
        }
        Error::new(
            ErrorCode::OutcomeUnknown,
            format!(
                "{what}: the provider accepted the request (HTTP {status}) but its answer could \
                 not be read ({}); it was carried out — look it up (e.g. by your relay_state) \
                 instead of repeating it",
                e.message()
            ),
        )
        .with_http_status(status)
    })
}

fn check_absolute_url(field: &str, u: &str) -> Result<()> {
    match url::Url::parse(u) {
        Ok(parsed) if matches!(parsed.scheme(), "https" | "http") => Ok(()),
        _ => Err(Error::invalid_argument(format!(
            "{field} must be an absolute http(s) URL, got {u:?}"
        ))),
    }
}

/// A file name safe to use in a directory and as an upload's name: the shared rule
/// ([`crate::files::sanitize_file_name`]), `document.pdf` when nothing is left.
pub(crate) fn sanitize_file_name(name: &str) -> String {
    crate::files::sanitize_file_name(name, DEFAULT_FILE_NAME)
}

/// Check `data` against a reported md5 in base64 (as the gateway sends it) or hex.
pub(crate) fn verify_md5(id: &str, reported: Option<&str>, data: &[u8]) -> Result<()> {
    verify_md5_digest(id, reported, &Md5::digest(data).into(), data.len() as u64)
}

/// Check the md5 `digest` of `len` downloaded bytes against a reported md5 (base64 or hex).
pub(crate) fn verify_md5_digest(
    id: &str,
    reported: Option<&str>,
    digest: &[u8; 16],
    len: u64,
) -> Result<()> {
    let Some(reported) = reported.map(str::trim).filter(|s| !s.is_empty()) else {
        tracing::warn!(
            file = id,
            "the provider reported no md5; download not verified"
        );
        return Ok(());
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
    if reported.eq_ignore_ascii_case(&hex) || reported == b64 {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::Integrity,
        format!(
            "file {id}: the downloaded {len} bytes have md5 {b64} but the provider reported \
             {reported}; nothing was saved, download it again"
        ),
    ))
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
        return Err(Error::invalid_argument(format!(
            "{} is not a regular file; give the path of a PDF file",
            path.display()
        )));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_accepts_both_casings_and_the_data_wrapper() {
        let camel = br#"{"id":"s1","status":"Finished","errors":[],"result":{"inputFiles":[{"id":"f1","name":"a.pdf","url":"/folders/s1/media/f1","mimeType":"application/pdf","md5":"x"}],"signedFiles":[{"id":"f2","name":"a.pdf"}]}}"#;
        let snake = br#"{"data":{"id":"s1","status":"finished","result":{"input_files":[{"file_id":"f1","name":"a.pdf","mime_type":"application/pdf"}],"signed_files":[{"id":"f2","name":"a.pdf"}]}}}"#;
        for body in [&camel[..], &snake[..]] {
            let s = parse_status(body, "s1").expect("parsed");
            assert_eq!(s.status, SessionStatus::Finished);
            assert_eq!(s.input_files[0].id, "f1");
            assert_eq!(
                s.input_files[0].mime_type.as_deref(),
                Some("application/pdf")
            );
            assert_eq!(s.signed_files[0].id, "f2");
        }
        let cancelled = br#"{"id":"s","status":"Cancelled","errors":[{"code":"CANCELLED_BY_USER","description":"d","statusCode":410}],"result":{"inputFiles":[],"signedFiles":[]}}"#;
        let s = parse_status(cancelled, "s").expect("parsed");
        let e = s.failure().expect("failure");
        assert_eq!(e.code(), ErrorCode::Cancelled);
        assert_eq!(e.provider_code(), Some("CANCELLED_BY_USER"));
        assert_eq!(e.http_status(), Some(410));
        assert_eq!(
            parse_status(b"{}", "s").err().map(|e| e.code()),
            Some(ErrorCode::Protocol)
        );
        assert_eq!(
            parse_status(b"<html>", "s").err().map(|e| e.code()),
            Some(ErrorCode::Protocol)
        );
        for odd in [
            &b"[1]"[..],
            b"{\"data\": 5}",
            b"{\"data\": {\"id\": \"s\"}}",
            b"{\"status\": 1}",
        ] {
            assert_eq!(
                parse_status(odd, "s").err().map(|e| e.code()),
                Some(ErrorCode::Protocol)
            );
        }
        let top = parse_status(br#"{"status":"Pending","data":{"status":"Finished"}}"#, "s");
        assert_eq!(top.ok().map(|s| s.status), Some(SessionStatus::Pending));
    }

    #[test]
    fn md5_in_base64_or_hex() {
        let data = b"hello";
        assert!(verify_md5("f", Some("XUFAKrxLKna5cZ2REBfFkg=="), data).is_ok());
        assert!(verify_md5("f", Some("5d41402abc4b2a76b9719d911017c592"), data).is_ok());
        let e = verify_md5("f", Some("AAAAAAAAAAAAAAAAAAAAAA=="), data).expect_err("mismatch");
        assert_eq!(e.code(), ErrorCode::Integrity);
    }

    #[test]
    fn file_names_cannot_escape_the_directory() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("..\\x.pdf"), "x.pdf");
        assert_eq!(sanitize_file_name(".."), "document.pdf");
        assert_eq!(sanitize_file_name("a\u{0}b.pdf"), "ab.pdf");
    }
}
