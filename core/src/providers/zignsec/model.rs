//! The signing API's request and answer models (seed 001, contract §4): what callers and the
//! wrappers build and read. The wire forms the gateway documents are in [`super::wire`].

use std::path::Path;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::files::DEFAULT_DOCUMENT_NAME as DEFAULT_FILE_NAME;
use crate::session::SessionStatus;

/// Create-session request: the v5 envelope (contract §3.2). Every field is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UploadedFile {
    /// The session the file belongs to.
    #[serde(alias = "id", alias = "sessionId")]
    pub session_id: String,
    /// The file id to pass to [`SigningApi::start`](super::SigningApi::start) (read from
    /// `file_id`, `file_Id`, `fileId` or the highest `file_id_N` of the answer, seed 001).
    #[serde(alias = "fileId", alias = "file_Id")]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileToSign {
    /// The id returned by the upload.
    pub file_id: String,
    /// Signature placement; the gateway's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// Start-signing request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

/// A file of a session (original or signed). Written with its md5 in hex too
/// ([`FileRef::md5_hex`], as `md5_hex`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(into = "FileRefOut")]
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
    /// The md5 digest the gateway reported, as it reported it: **base64** (24 characters, e.g.
    /// `"XrY7u+Ae7tCTyyK7j1rNww=="`), or hex from gateways that send hex. Downloads are checked
    /// against it. [`FileRef::md5_hex`] gives it as 32 lowercase hex digits (`md5sum`'s form).
    #[serde(default)]
    pub md5: Option<String>,
}

impl FileRef {
    /// The reported md5 as 32 lowercase hex digits, as `md5sum` prints it, whether the gateway
    /// sent base64 or hex. `None` when no md5 was reported or it is not a 16-byte digest in
    /// either form.
    ///
    /// ```
    /// # use signbridge::providers::zignsec::FileRef;
    /// let file = FileRef {
    ///     id: "f1".into(),
    ///     name: "contract.pdf".into(),
    ///     url: None,
    ///     mime_type: None,
    ///     md5: Some("XrY7u+Ae7tCTyyK7j1rNww==".into()), // md5("hello world"), base64
    /// };
    /// assert_eq!(file.md5_hex().as_deref(), Some("5eb63bbbe01eeed093cb22bb8f5acdc3"));
    /// ```
    pub fn md5_hex(&self) -> Option<String> {
        md5_hex(self.md5.as_deref()?)
    }
}

/// A [`FileRef`] as results write it: its fields and `md5_hex`.
#[derive(Serialize, schemars::JsonSchema)]
struct FileRefOut {
    /// The file id.
    id: String,
    /// The file name.
    name: String,
    /// Where to download it (with the gateway's credentials, when on the gateway).
    url: Option<String>,
    /// Its media type.
    mime_type: Option<String>,
    /// The md5 digest the gateway reported, as it reported it: base64 (24 characters), or hex
    /// from gateways that send hex. Downloads are checked against it.
    md5: Option<String>,
    /// The reported md5 as 32 lowercase hex digits (`md5sum`'s form), whichever form the
    /// gateway sent; `null` when none was reported or it is not a 16-byte digest.
    md5_hex: Option<String>,
}

impl From<FileRef> for FileRefOut {
    fn from(f: FileRef) -> FileRefOut {
        FileRefOut {
            md5_hex: f.md5_hex(),
            id: f.id,
            name: f.name,
            url: f.url,
            mime_type: f.mime_type,
            md5: f.md5,
        }
    }
}

/// A reported md5 (base64 or hex) as 32 lowercase hex digits; `None` when it is neither form of
/// a 16-byte digest.
pub(crate) fn md5_hex(reported: &str) -> Option<String> {
    use base64::Engine as _;
    let reported = reported.trim();
    if reported.len() == 32 && reported.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(reported.to_ascii_lowercase());
    }
    let digest = base64::engine::general_purpose::STANDARD
        .decode(reported)
        .ok()
        .filter(|d| d.len() == 16)?;
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Who signed (when the gateway reports it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SignerInfo {
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// National identity number.
    #[serde(default, alias = "personalNumber")]
    pub personal_number: Option<String>,
}

/// The state of a signing session. Written with `is_terminal` too
/// ([`SessionStatus::is_terminal`] of its status).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(into = "SigningStatusOut")]
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

/// A [`SigningStatus`] as results write it: its fields and `is_terminal`.
#[derive(Serialize, schemars::JsonSchema)]
struct SigningStatusOut {
    /// Session id.
    id: String,
    /// Current state.
    status: SessionStatus,
    /// Whether the state is final (`Finished`, `Cancelled`, `Rejected`, `Failed`, `Expired`):
    /// it will not change any more.
    is_terminal: bool,
    /// Your `relay_state`, echoed.
    relay_state: Option<String>,
    /// Errors the gateway reported (e.g. `CANCELLED_BY_USER`).
    errors: Vec<ProviderErrorItem>,
    /// The uploaded originals.
    input_files: Vec<FileRef>,
    /// The signed documents (once `Finished`).
    signed_files: Vec<FileRef>,
    /// The signer, when reported.
    signer: Option<SignerInfo>,
}

impl From<SigningStatus> for SigningStatusOut {
    fn from(s: SigningStatus) -> SigningStatusOut {
        SigningStatusOut {
            is_terminal: s.status.is_terminal(),
            id: s.id,
            status: s.status,
            relay_state: s.relay_state,
            errors: s.errors,
            input_files: s.input_files,
            signed_files: s.signed_files,
            signer: s.signer,
        }
    }
}

impl SigningStatus {
    /// The error for a final, unsuccessful state (`None` for Finished or non-final states).
    pub fn failure(&self) -> Option<Error> {
        super::eid::session_failure("signing session", &self.id, &self.status, &self.errors)
    }
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

pub(crate) fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_FILE_NAME.to_string())
}

/// The result of [`SigningApi::sign_documents`]: a started session.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StartedSession {
    /// Session id.
    pub id: String,
    /// Send the signer's browser here.
    pub redirect_url: String,
    /// The uploaded files, in order.
    pub files: Vec<UploadedFile>,
}

/// Check that `u` (the field `field`) is an absolute http(s) URL.
pub(crate) fn check_absolute_url(field: &str, u: &str) -> Result<()> {
    match url::Url::parse(u) {
        Ok(parsed) if matches!(parsed.scheme(), "https" | "http") => Ok(()),
        _ => Err(Error::invalid_argument(format!(
            "{field} must be an absolute http(s) URL, got {u:?}"
        ))),
    }
}

#[cfg(test)]
mod md5_tests {
    use super::*;

    fn file(md5: Option<&str>) -> FileRef {
        FileRef {
            id: "f".into(),
            name: "a.pdf".into(),
            url: None,
            mime_type: None,
            md5: md5.map(Into::into),
        }
    }

    #[test]
    fn md5_hex_from_base64_or_hex() {
        let hex = "5eb63bbbe01eeed093cb22bb8f5acdc3";
        assert_eq!(
            file(Some("XrY7u+Ae7tCTyyK7j1rNww==")).md5_hex().as_deref(),
            Some(hex)
        );
        assert_eq!(
            file(Some("5EB63BBBE01EEED093CB22BB8F5ACDC3"))
                .md5_hex()
                .as_deref(),
            Some(hex)
        );
        assert_eq!(file(None).md5_hex(), None);
        assert_eq!(file(Some("")).md5_hex(), None);
        assert_eq!(file(Some("not an md5")).md5_hex(), None);
        // Valid base64 of a digest of the wrong length.
        assert_eq!(file(Some("aGVsbG8=")).md5_hex(), None);
    }
}
