//! Downloads and saves that verify the signed documents first (opt-in): a document whose
//! signatures do not verify against the caller's trust anchors is refused, and nothing is left
//! at its path.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::{CompletedSession, SessionRef, SigningService};
use crate::error::{Error, ErrorCode, Result};
use crate::verify::{verify_pdf, TrustAnchors, VerifyOptions, VerifyReport};

/// The refusal of a document that does not verify: [`ErrorCode::Integrity`] naming the document
/// and the first problems.
fn refused(what: &str, report: &VerifyReport) -> Error {
    let mut problems: Vec<&str> = report.problems.iter().map(String::as_str).collect();
    for s in &report.signatures {
        problems.extend(s.problems.iter().map(String::as_str));
    }
    problems.dedup();
    problems.truncate(4);
    Error::new(
        ErrorCode::Integrity,
        format!(
            "{what} does not verify against the given trust anchors: {}",
            if problems.is_empty() {
                "no valid signature".to_owned()
            } else {
                problems.join("; ")
            }
        ),
    )
}

async fn verify_bytes(data: Bytes, anchors: &TrustAnchors) -> Result<VerifyReport> {
    let opts = VerifyOptions::new(anchors.clone());
    crate::runtime::blocking_io(move || verify_pdf(&data, &opts)).await
}

impl SigningService {
    /// [`download`](Self::download), then verify the document against `anchors`: its bytes and
    /// the report, or [`ErrorCode::Integrity`] when it does not verify (see
    /// [`crate::verify::VerifyReport::valid`]).
    pub async fn download_verified(
        &self,
        session: &SessionRef,
        document_id: &str,
        anchors: &TrustAnchors,
    ) -> Result<(Bytes, VerifyReport)> {
        let data = self.download(session, document_id).await?;
        let report = verify_bytes(data.clone(), anchors).await?;
        if !report.valid {
            return Err(refused(
                &format!("signed document {document_id:?}"),
                &report,
            ));
        }
        Ok((data, report))
    }

    /// [`save_all`](Self::save_all), each document verified against `anchors` before it is
    /// renamed into place: one that does not verify is [`ErrorCode::Integrity`], and nothing is
    /// left at its path (an existing file there is untouched). Files saved before a failure
    /// stay. Returns the paths and their reports, in order.
    pub async fn save_all_verified(
        &self,
        done: &CompletedSession,
        dir: impl AsRef<Path>,
        anchors: &TrustAnchors,
    ) -> Result<Vec<(PathBuf, VerifyReport)>> {
        let dir = dir.as_ref();
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io("create directory", dir, e))?;
        let names = crate::files::unique_file_names(
            done.files.iter().map(|f| f.name.as_str()),
            crate::files::DEFAULT_DOCUMENT_NAME,
        );
        let mut written = Vec::with_capacity(done.files.len());
        for (f, name) in done.files.iter().zip(names) {
            let path = dir.join(&name);
            // Downloaded beside the target under a hidden name, verified, then renamed.
            let staging = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".verifying")
                .tempfile_in(dir)
                .map_err(|e| Error::io("create a temporary file in", dir, e))?
                .into_temp_path();
            let tmp = staging.to_path_buf();
            self.download_to(&done.id, &f.document_id, &tmp).await?;
            let opts = VerifyOptions::new(anchors.clone());
            let check = tmp.clone();
            let report =
                crate::runtime::blocking_io(move || crate::verify::verify_pdf_file(&check, &opts))
                    .await?;
            if !report.valid {
                // `staging` removes the temporary file when dropped.
                return Err(refused(&format!("signed document {name:?}"), &report));
            }
            staging
                .persist(&path)
                .map_err(|e| Error::io("rename into place", &path, e.error))?;
            written.push((path, report));
        }
        Ok(written)
    }
}
