//! The request and result models of the operation table's ZignSec document-signing entries
//! (`zignsec.*` but `eid_*`): the session, upload, start, wait, save, one-call signing and
//! download requests, read by the entries in [`super::ops`].

use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::Result;
use crate::providers::zignsec::{CreateSigning, StartSigning};

/// A ZignSec signing session, by id.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecSession {
    /// The session id.
    pub session_id: String,
}

/// The signer's browser back at your redirect URL.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecRedirect {
    /// The session id.
    pub session_id: String,
    /// The URL the browser came back to (full, or just its `?query`).
    pub returned_url: String,
    /// The relay state the session was created with (checked in the URL and the session).
    #[serde(default)]
    pub expected_relay_state: Option<String>,
}

/// Starting a ZignSec signing session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecStart {
    /// The session id.
    pub session_id: String,
    /// The files (placements) and redirects.
    pub start: StartSigning,
}

/// Uploading a PDF to a ZignSec signing session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecUpload {
    /// The session id.
    pub session_id: String,
    /// The PDF's path (streamed from disk)…
    pub path: Option<String>,
    /// …or its bytes, base64, with `name`.
    pub pdf_base64: Option<Base64>,
    /// The file name shown to the signer (with `pdf_base64`).
    pub name: Option<String>,
}

/// Waiting for a ZignSec signing session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecWait {
    /// The session id.
    pub session_id: String,
    /// Time between two polls, in milliseconds (default 2000, the provider's recommendation).
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Saving a ZignSec session's signed files.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecSave {
    /// The session id (it must have finished).
    pub session_id: String,
    /// The directory to save into.
    pub dir: String,
}

/// Creating, filling and starting a ZignSec signing session in one request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecSignDocuments {
    /// The session's settings, as `zignsec.create_signing` takes them (every field optional).
    #[serde(default)]
    pub create: CreateSigning,
    /// The PDFs, in the order the signer sees them.
    pub documents: Vec<ZignsecDocument>,
}

/// One PDF of `zignsec.sign_documents`: exactly one of `path` and `data_base64`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecDocument {
    /// The PDF's path, read when the request runs…
    #[serde(default)]
    pub path: Option<String>,
    /// …or its bytes, base64.
    #[serde(default)]
    pub data_base64: Option<Base64>,
    /// The file name shown to the signer (default: the file name of `path`, or `document.pdf`).
    #[serde(default)]
    pub name: Option<String>,
    /// Where the visible signature goes (default: the gateway's place).
    #[serde(default)]
    pub placement: Option<crate::providers::zignsec::Placement>,
}

impl ZignsecDocument {
    /// The document, its file read when it is given by path; `i` names it in errors.
    pub(super) async fn read(&self, i: usize) -> Result<crate::providers::zignsec::Document> {
        use crate::providers::zignsec::Document;
        let mut doc = match (&self.path, &self.data_base64) {
            (Some(p), None) => Document::from_path(p, self.placement).await?,
            (None, Some(b)) => Document {
                name: "document.pdf".into(),
                data: bytes::Bytes::from(b.0.clone()),
                placement: self.placement,
            },
            _ => {
                return Err(crate::Error::invalid_argument(format!(
                    "zignsec.sign_documents: request.documents[{i}] needs exactly one of path \
                     and data_base64"
                )))
            }
        };
        if let Some(name) = &self.name {
            doc.name = name.clone();
        }
        Ok(doc)
    }
}

/// A file of a ZignSec session, as `zignsec.signing_status` gave it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecFile {
    /// The file (its `id`, `url` and `md5` are read).
    pub file: crate::providers::zignsec::FileRef,
}

/// A file of a ZignSec session to download to a path.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecFileTo {
    /// The file (its `id`, `url` and `md5` are read).
    pub file: crate::providers::zignsec::FileRef,
    /// Where to write it (replaced atomically).
    pub path: String,
}

/// A file of a ZignSec session, by ids.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecFileId {
    /// The session id.
    pub session_id: String,
    /// The file id.
    pub file_id: String,
}

/// A file's bytes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FileBytes {
    /// The file, base64.
    pub data_base64: Base64,
}

/// What a download wrote.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Written {
    /// The number of bytes written.
    pub bytes: u64,
}
