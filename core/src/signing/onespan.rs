//! The neutral signing session over OneSpan Sign ([`crate::providers::onespan::OnespanClient`]):
//! one transaction (package), one role per signer, sent on creation.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use serde::Deserialize;

use super::{
    annotate, CompletedSession, Prepared, Provider, SessionRef, SessionState, SignedFile,
    SignerLink, SignerState, StartedSession,
};
use crate::error::{Error, ErrorCode, Result};
use crate::polling::WaitOptions;
use crate::providers::onespan::{
    DocumentSpec, DownloadKind, NewPackage, OnespanClient, Package, PackageStatus, SignatureField,
    Signer,
};
use crate::session::SessionStatus;

/// The id OneSpan gives the consent document it may add to every transaction; it is not one of
/// the caller's documents.
const CONSENT_DOCUMENT_ID: &str = "default-consent";

/// OneSpan-only settings of a [`super::NewSession`]: fields of the transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnespanOptions {
    /// The transaction's description.
    #[serde(default)]
    pub description: Option<String>,
    /// The message of the invitation e-mail.
    #[serde(default)]
    pub email_message: Option<String>,
    /// Expiry, UTC, `yyyy-MM-ddTHH:mm:ss` (OneSpan reads it as GMT).
    #[serde(default)]
    pub due: Option<String>,
}

/// The OneSpan side of [`super::SigningService`].
#[derive(Clone, Debug)]
pub(crate) struct Backend {
    api: OnespanClient,
}

/// Where default signature boxes go (points from the top-left of the first page): one row per
/// signer, from the top down.
const DEFAULT_LEFT: f64 = 60.0;
const DEFAULT_TOP: f64 = 100.0;
const DEFAULT_STEP: f64 = 70.0;

impl Backend {
    /// How files are saved (replace a taken name, permission bits): `transport.save_*`.
    pub(crate) fn save_options(&self) -> (bool, u32) {
        self.api.save_options()
    }

    pub(crate) fn new(api: OnespanClient) -> Backend {
        Backend { api }
    }

    pub(crate) async fn start(&self, p: &Prepared) -> Result<StartedSession> {
        // Local checks first, in the neutral vocabulary (OneSpan's own checks follow).
        for (i, s) in p.signers.iter().enumerate() {
            if s.signer.first_name.trim().is_empty()
                || s.signer.last_name.trim().is_empty()
                || s.signer
                    .email
                    .as_deref()
                    .is_none_or(|e| e.trim().is_empty())
            {
                return Err(Error::invalid_argument(format!(
                    "signers[{i}] needs first_name, last_name and email: OneSpan invites each \
                     signer by e-mail"
                )));
            }
        }
        if p.redirects.cancel.is_some() || p.redirects.error.is_some() {
            tracing::debug!("OneSpan has no cancel/error redirects; redirects.cancel/error unused");
        }
        let opts = p.onespan.clone().unwrap_or_default();
        let mut package = NewPackage::new(p.title.clone()).send_on_create(true);
        package.language = p.locale.clone();
        package.description = opts.description;
        package.email_message = opts.email_message;
        package.due = opts.due;
        package.hand_over_url = p.redirects.success.clone();
        for s in &p.signers {
            package = package.signer(Signer::new(
                s.id.clone(),
                s.signer.email.clone().unwrap_or_default(),
                s.signer.first_name.trim(),
                s.signer.last_name.trim(),
            ));
        }
        // Every signer signs somewhere: a document without fields gets one box per signer, and
        // a signer without any field gets one on the first document.
        let has_field: Vec<bool> = (0..p.signers.len())
            .map(|i| {
                p.documents
                    .iter()
                    .any(|d| d.fields.iter().any(|f| f.signer == i))
            })
            .collect();
        for (di, d) in p.documents.iter().enumerate() {
            let mut spec = DocumentSpec::from_bytes(d.name.clone(), d.data.clone())?;
            for f in &d.fields {
                spec = spec.field(
                    SignatureField::new(p.signers[f.signer].id.clone(), f.page - 1, f.top, f.left)
                        .size(f.width, f.height),
                );
            }
            for (si, s) in p.signers.iter().enumerate() {
                if d.fields.is_empty() || (di == 0 && !has_field[si]) {
                    spec = spec.field(SignatureField::new(
                        s.id.clone(),
                        0,
                        DEFAULT_TOP + DEFAULT_STEP * si as f64,
                        DEFAULT_LEFT,
                    ));
                }
            }
            package = package.document(spec);
        }
        let id = self.api.create_package(&package).await?;
        let reference = SessionRef::new(Provider::Onespan, id.clone())
            .map_err(|e| Error::protocol(e.message()))?;
        let mut signers = Vec::with_capacity(p.signers.len());
        for s in &p.signers {
            match self.api.signing_url(&id, &s.id).await {
                Ok(url) => signers.push(SignerLink {
                    signer_id: s.id.clone(),
                    name: s.name.clone(),
                    url,
                }),
                Err(e) => {
                    // Without every signing URL the session is of no use to the caller: do not
                    // leave a live transaction behind that nobody knows about.
                    let note = match self.api.delete(&id).await {
                        Ok(()) => format!(
                            "transaction {reference} was created and sent, but its signing URLs \
                             could not be read, so it was deleted; start a new session"
                        ),
                        Err(del) => format!(
                            "transaction {reference} was created and sent, but its signing URLs \
                             could not be read, and deleting it failed too ({del}); cancel or \
                             delete it yourself"
                        ),
                    };
                    return Err(annotate(e, &note));
                }
            }
        }
        Ok(StartedSession {
            id: reference,
            provider: Provider::Onespan,
            signers,
        })
    }

    pub(crate) async fn status(&self, r: &SessionRef) -> Result<SessionState> {
        let p = self.api.get_package(r.id()).await?;
        Ok(to_state(r, &p))
    }

    pub(crate) async fn wait(
        &self,
        r: &SessionRef,
        opts: &WaitOptions<SessionState>,
    ) -> Result<CompletedSession> {
        let progress = opts.on_progress.clone().map(|cb| {
            let r = r.clone();
            Arc::new(move |p: &Package| cb(&to_state(&r, p))) as crate::session::ProgressFn<Package>
        });
        let inner = WaitOptions {
            interval: opts.interval,
            timeout: opts.timeout,
            cancel: opts.cancel.clone(),
            on_progress: progress,
        };
        let package = self.api.wait(r.id(), &inner).await?;
        Ok(completed(r, &package))
    }

    pub(crate) async fn result(&self, r: &SessionRef) -> Result<CompletedSession> {
        let package = self.api.get_package(r.id()).await?;
        self.finished(r, &package).await?;
        Ok(completed(r, &package))
    }

    pub(crate) async fn download(&self, r: &SessionRef, document_id: &str) -> Result<Bytes> {
        let kind = self.signed_document(r, document_id).await?;
        Ok(self.api.download(r.id(), &kind).await?.data)
    }

    /// [`Backend::download`] streamed into `path` (atomic: nothing at `path` on failure).
    pub(crate) async fn download_to(
        &self,
        r: &SessionRef,
        document_id: &str,
        path: &Path,
    ) -> Result<u64> {
        let kind = self.signed_document(r, document_id).await?;
        self.api.download_to(r.id(), &kind, path).await
    }

    /// What to download for a signed document of a completed package: its outcome error while it
    /// is not completed, [`ErrorCode::NotFound`] for a document it does not have.
    async fn signed_document(&self, r: &SessionRef, document_id: &str) -> Result<DownloadKind> {
        let package = self.api.get_package(r.id()).await?;
        self.finished(r, &package).await?;
        if !package.documents.iter().any(|d| d.id == document_id) {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!(
                    "{r} has no document {document_id:?}; its documents are: {}",
                    completed(r, &package)
                        .files
                        .iter()
                        .map(|f| f.document_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(DownloadKind::Document(document_id.to_string()))
    }

    pub(crate) async fn cancel(&self, r: &SessionRef) -> Result<()> {
        let package = self.api.get_package(r.id()).await?;
        if package.trashed {
            return Ok(());
        }
        if package.status != PackageStatus::Sent && package.status != PackageStatus::Draft {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!(
                    "{r} is {} and no longer waits for signers: there is nothing to cancel",
                    to_state(r, &package).status
                ),
            ));
        }
        self.api.trash(r.id()).await
    }

    /// Ok when the package completed; its outcome error, or InvalidState while it goes on.
    async fn finished(&self, r: &SessionRef, package: &Package) -> Result<()> {
        if let Some(e) = self.api.outcome_error(package).await {
            return Err(e);
        }
        match package.status {
            PackageStatus::Completed | PackageStatus::Archived => Ok(()),
            _ => Err(Error::new(
                ErrorCode::InvalidState,
                format!(
                    "{r} is {}, not Finished: there are no signed documents yet; wait for it",
                    to_state(r, package).status
                ),
            )),
        }
    }
}

fn to_state(r: &SessionRef, p: &Package) -> SessionState {
    let status = if p.trashed {
        SessionStatus::Cancelled
    } else {
        p.status.session_status()
    };
    let done = status == SessionStatus::Finished;
    let signers = p
        .roles
        .iter()
        .filter(|role| {
            !role
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("SENDER"))
        })
        .map(|role| {
            let approvals: Vec<_> = p
                .documents
                .iter()
                .flat_map(|d| d.approvals.iter())
                .filter(|a| a.role == role.id)
                .collect();
            SignerState {
                signer_id: role.id.clone(),
                signed: done
                    || (!approvals.is_empty() && approvals.iter().all(|a| a.signed.is_some())),
            }
        })
        .collect();
    SessionState {
        id: r.clone(),
        provider_id: r.id().to_string(),
        status,
        signers,
    }
}

fn completed(r: &SessionRef, p: &Package) -> CompletedSession {
    let mut docs: Vec<_> = p
        .documents
        .iter()
        .filter(|d| d.id != CONSENT_DOCUMENT_ID)
        .collect();
    docs.sort_by_key(|d| d.index.unwrap_or(i64::MAX));
    CompletedSession {
        id: r.clone(),
        files: docs
            .into_iter()
            .map(|d| SignedFile {
                document_id: d.id.clone(),
                name: if d.name.to_ascii_lowercase().ends_with(".pdf") {
                    d.name.clone()
                } else {
                    format!("{}.pdf", d.name)
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(v: serde_json::Value) -> Package {
        serde_json::from_value(v).expect("package")
    }

    #[test]
    fn signer_states_and_documents_from_a_package() {
        let r = SessionRef::new(Provider::Onespan, "p=").expect("ref");
        let p = package(serde_json::json!({
            "id": "p=", "status": "SENT",
            "roles": [{"id": "owner", "type": "SENDER"}, {"id": "buyer"}, {"id": "seller"}],
            "documents": [
                {"id": "d2", "name": "b", "index": 2, "approvals": [{"role": "seller"}]},
                {"id": "d1", "name": "a.pdf", "index": 1,
                 "approvals": [{"role": "buyer", "signed": "2026-01-01T00:00:00Z"}, {"role": "seller"}]},
                {"id": "default-consent", "name": "Consent", "index": 0}
            ]
        }));
        let s = to_state(&r, &p);
        assert_eq!(s.status, SessionStatus::Pending);
        let signed: Vec<(&str, bool)> = s
            .signers
            .iter()
            .map(|x| (x.signer_id.as_str(), x.signed))
            .collect();
        assert_eq!(signed, [("buyer", true), ("seller", false)]);
        let done = completed(&r, &p);
        let files: Vec<(&str, &str)> = done
            .files
            .iter()
            .map(|f| (f.document_id.as_str(), f.name.as_str()))
            .collect();
        assert_eq!(files, [("d1", "a.pdf"), ("d2", "b.pdf")]);
        let trashed = package(serde_json::json!({"id": "p=", "status": "SENT", "trashed": true}));
        assert_eq!(to_state(&r, &trashed).status, SessionStatus::Cancelled);
        let declined = package(serde_json::json!({"id": "p=", "status": "DECLINED"}));
        assert_eq!(to_state(&r, &declined).status, SessionStatus::Rejected);
    }
}
