//! The request and result models of the operation table's provider-neutral signing entries
//! (`signing.*`) and of signed-document verification (`pdf.verify`), read by the entries in
//! [`super::ops`].

use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::Result;
use crate::signing::SessionRef;

/// A session of the provider-neutral signing service.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionId {
    /// The session reference (`zignsec:<id>` or `onespan:<id>`).
    pub session: SessionRef,
}

/// Waiting for a neutral session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitSession {
    /// The session reference.
    pub session: SessionRef,
    /// Time between two polls, in milliseconds.
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Saving a finished session's documents.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAll {
    /// The session reference (it must have finished).
    pub session: SessionRef,
    /// The directory to save into (created when missing).
    pub dir: String,
    /// Opt-in: verify each document's signatures against these trust anchors before it is
    /// saved; one that does not verify is refused (`SB_ERR_INTEGRITY`, nothing at its path).
    #[serde(default)]
    pub verify: Option<TrustAnchorsRequest>,
}

/// Paths written.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Saved {
    /// The files, in the session's document order.
    pub paths: Vec<String>,
    /// With `verify`: each file's verification report, in the same order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<Vec<crate::verify::VerifyReport>>,
}

/// Trust anchors in a request: PEM text (any number of certificates per string) and/or DER
/// certificates in base64.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustAnchorsRequest {
    /// PEM certificates.
    #[serde(default)]
    pub trust_anchors_pem: Vec<String>,
    /// DER certificates, base64.
    #[serde(default)]
    pub trust_anchors_der_base64: Vec<Base64>,
}

impl TrustAnchorsRequest {
    pub(super) fn anchors(&self) -> Result<crate::verify::TrustAnchors> {
        let mut a = crate::verify::TrustAnchors::new();
        for pem in &self.trust_anchors_pem {
            a.add_pem(pem)?;
        }
        for der in &self.trust_anchors_der_base64 {
            a.add_der(&der.0)?;
        }
        Ok(a)
    }
}

/// A signed PDF to verify.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The PDF, base64 (or give `path`).
    pub pdf_base64: Option<Base64>,
    /// The PDF's path (or give `pdf_base64`).
    pub path: Option<String>,
    /// Trust anchors, PEM (none at all: signatures are checked but no chain is trusted).
    #[serde(default)]
    pub trust_anchors_pem: Vec<String>,
    /// Trust anchors, DER in base64.
    #[serde(default)]
    pub trust_anchors_der_base64: Vec<Base64>,
    /// The original, unsigned document, base64: is it exactly the unsigned prefix?
    pub original_base64: Option<Base64>,
    /// Or the original's md5 (hex or base64).
    pub original_md5: Option<String>,
}

impl VerifyRequest {
    pub(super) async fn run(self) -> Result<crate::verify::VerifyReport> {
        const OP: &str = "pdf.verify";
        let anchors = TrustAnchorsRequest {
            trust_anchors_pem: self.trust_anchors_pem,
            trust_anchors_der_base64: self.trust_anchors_der_base64,
        }
        .anchors()?;
        let mut opts = crate::verify::VerifyOptions::new(anchors);
        opts.original = match (self.original_base64, self.original_md5) {
            (Some(b), None) => Some(crate::verify::Original::Bytes(b.0)),
            (None, Some(m)) => Some(crate::verify::Original::Md5(m)),
            (None, None) => None,
            _ => {
                return Err(crate::Error::invalid_argument(format!(
                    "{OP}: give at most one of request.original_base64 and request.original_md5"
                )))
            }
        };
        match (self.pdf_base64, self.path) {
            (Some(b), None) => {
                crate::runtime::blocking_io(move || crate::verify::verify_pdf(&b.0, &opts)).await
            }
            (None, Some(p)) => {
                crate::runtime::blocking_io(move || crate::verify::verify_pdf_file(&p, &opts)).await
            }
            _ => Err(crate::Error::invalid_argument(format!(
                "{OP}: give exactly one of request.pdf_base64 and request.path"
            ))),
        }
    }
}

/// A document of a neutral session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentOf {
    /// The session reference.
    pub session: SessionRef,
    /// The document id (from the completed session's files).
    pub document_id: String,
    /// Opt-in: verify the document's signatures against these trust anchors; one that does
    /// not verify is refused (`SB_ERR_INTEGRITY`).
    #[serde(default)]
    pub verify: Option<TrustAnchorsRequest>,
}

/// Document bytes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DocumentBytes {
    /// The PDF, base64.
    pub pdf_base64: Base64,
    /// With `verify`: the verification report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::verify::VerifyReport>,
}
