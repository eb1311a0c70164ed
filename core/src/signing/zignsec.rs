//! The neutral signing session over ZignSec BankID Norway signing
//! ([`crate::providers::zignsec::SigningApi`]): one signer, one signature per document.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use serde::Deserialize;

use super::{
    annotate, page_height, CompletedSession, Prepared, Provider, SessionRef, SessionState,
    SignedFile, SignerLink, SignerState, StartedSession,
};
use crate::error::{Error, ErrorCode, Result};
use crate::polling::{poll_until, WaitOptions};
use crate::providers::zignsec::{
    CreateSigning, FileRef, FileToSign, Placement, SigningApi, SigningStatus, StartSigning,
};
use crate::session::SessionStatus;

/// The id of the one signer of a ZignSec session.
const SIGNER_ID: &str = "signer1";

/// ZignSec-only settings of a [`super::NewSession`] (the create envelope's optional fields).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecOptions {
    /// Your own reference, echoed back with the redirect and in webhooks.
    #[serde(default)]
    pub relay_state: Option<String>,
    /// Your GDPR user reference.
    #[serde(default)]
    pub gdpr_user_id: Option<String>,
    /// A URL the gateway POSTs results to.
    #[serde(default)]
    pub webhook: Option<String>,
    /// Product metadata (a JSON object; `{}` when absent).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

/// The ZignSec side of [`super::SigningService`].
#[derive(Clone, Debug)]
pub(crate) struct Backend {
    api: SigningApi,
}

impl Backend {
    /// How files are saved (replace a taken name, permission bits): `transport.save_*`.
    pub(crate) fn save_options(&self) -> (bool, u32) {
        self.api.save_options()
    }

    pub(crate) fn new(api: SigningApi) -> Backend {
        Backend { api }
    }

    pub(crate) async fn start(&self, p: &Prepared) -> Result<StartedSession> {
        // Everything local first: placements and redirects.
        let mut placements = Vec::with_capacity(p.documents.len());
        for (i, d) in p.documents.iter().enumerate() {
            placements.push(match d.fields.as_slice() {
                [] => None,
                [f] => {
                    let y = page_height(&d.data) - f.top - f.height;
                    if y < 0.0 {
                        return Err(Error::invalid_argument(format!(
                            "documents[{i}].fields[0]: top {} + height {} runs below the bottom of \
                             the page ({} points high)",
                            f.top,
                            f.height,
                            page_height(&d.data)
                        )));
                    }
                    Some(Placement {
                        page: f.page,
                        x: f.left,
                        y,
                    })
                }
                more => {
                    return Err(Error::invalid_argument(format!(
                        "documents[{i}] has {} signature fields: ZignSec BankID Norway places one \
                         signature per document",
                        more.len()
                    )))
                }
            });
        }
        let failure =
            match (&p.redirects.cancel, &p.redirects.error) {
                (Some(c), Some(e)) if c != e => return Err(Error::invalid_argument(
                    "ZignSec has one failure redirect: give redirects.cancel and redirects.error \
                     the same URL, or only one of them (ZignSec adds errorCode to tell them apart)",
                )),
                (c, e) => c.clone().or_else(|| e.clone()),
            };
        let opts = p.zignsec.clone().unwrap_or_default();
        let create = CreateSigning {
            locale: p.locale.clone(),
            redirect_success: p.redirects.success.clone(),
            redirect_failure: failure,
            relay_state: opts.relay_state,
            gdpr_user_id: opts.gdpr_user_id,
            webhook: opts.webhook,
            metadata: opts
                .metadata
                .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new())),
        };
        let session = self.api.create(&create).await?;
        let id = SessionRef::new(Provider::Zignsec, session.id.clone())
            .map_err(|e| Error::protocol(e.message()))?;
        let orphan = |e: Error| {
            annotate(
                e,
                &format!(
                    "session {id} was created but not started; ZignSec has no call to delete it, \
                     it expires unused (start a new session)"
                ),
            )
        };
        let mut files = Vec::with_capacity(p.documents.len());
        for (d, placement) in p.documents.iter().zip(placements) {
            let up = self
                .api
                .upload_bytes(&session.id, &d.name, d.data.clone())
                .await
                .map_err(orphan)?;
            files.push(FileToSign {
                file_id: up.file_id,
                placement,
            });
        }
        let started = self
            .api
            .start(
                &session.id,
                &StartSigning {
                    files,
                    redirect_success: None,
                    redirect_failure: None,
                },
            )
            .await
            .map_err(orphan)?;
        Ok(StartedSession {
            id,
            provider: Provider::Zignsec,
            signers: vec![SignerLink {
                signer_id: SIGNER_ID.to_string(),
                name: p.signers[0].name.clone(),
                url: started.redirect_url,
            }],
        })
    }

    pub(crate) async fn status(&self, r: &SessionRef) -> Result<SessionState> {
        let s = self.api.status(r.id()).await?;
        Ok(to_state(r, &s))
    }

    pub(crate) async fn wait(
        &self,
        r: &SessionRef,
        opts: &WaitOptions<SessionState>,
    ) -> Result<CompletedSession> {
        let progress = opts.on_progress.clone().map(|cb| {
            let r = r.clone();
            Arc::new(move |s: &SigningStatus| cb(&to_state(&r, s)))
                as crate::session::ProgressFn<SigningStatus>
        });
        let inner = WaitOptions {
            interval: opts.interval,
            timeout: opts.timeout,
            cancel: opts.cancel.clone(),
            on_progress: progress,
        };
        self.api.note_interval(opts.interval);
        let what = format!("signing session {r}");
        let s = poll_until(
            &inner,
            &what,
            || self.api.status(r.id()),
            |s| s.status.is_terminal(),
        )
        .await?;
        completed(r, &s)
    }

    pub(crate) async fn result(&self, r: &SessionRef) -> Result<CompletedSession> {
        let s = self.api.status(r.id()).await?;
        completed(r, &s)
    }

    pub(crate) async fn download(&self, r: &SessionRef, document_id: &str) -> Result<Bytes> {
        let file = self.signed_file(r, document_id).await?;
        self.api.download(&file).await
    }

    /// [`Backend::download`] streamed into `path`, verified against the gateway's md5 before
    /// it is renamed there (atomic: nothing at `path` on failure).
    pub(crate) async fn download_to(
        &self,
        r: &SessionRef,
        document_id: &str,
        path: &Path,
    ) -> Result<u64> {
        let file = self.signed_file(r, document_id).await?;
        self.api.download_to(&file, path).await
    }

    /// The signed file `document_id` of a finished session: the error its final state maps to
    /// while it is not finished, [`ErrorCode::NotFound`] for a file it does not have.
    async fn signed_file(&self, r: &SessionRef, document_id: &str) -> Result<FileRef> {
        let s = self.api.status(r.id()).await?;
        let done = completed(r, &s)?;
        let Some(file) = s.signed_files.iter().find(|f| f.id == document_id) else {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!(
                    "{r} has no signed document {document_id:?}; its signed documents are: {}",
                    done.files
                        .iter()
                        .map(|f| f.document_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        Ok(file.clone())
    }
}

fn to_state(r: &SessionRef, s: &SigningStatus) -> SessionState {
    SessionState {
        id: r.clone(),
        provider_id: r.id().to_string(),
        status: s.status.clone(),
        signers: vec![SignerState {
            signer_id: SIGNER_ID.to_string(),
            signed: s.status == SessionStatus::Finished,
        }],
    }
}

/// The signed documents of a finished session, or the error its final state maps to.
fn completed(r: &SessionRef, s: &SigningStatus) -> Result<CompletedSession> {
    if let Some(err) = s.failure() {
        return Err(err);
    }
    if s.status != SessionStatus::Finished {
        return Err(Error::new(
            ErrorCode::InvalidState,
            format!(
                "{r} is {}, not Finished: there are no signed documents yet; wait for it",
                s.status
            ),
        ));
    }
    Ok(CompletedSession {
        id: r.clone(),
        files: s
            .signed_files
            .iter()
            .map(|f| SignedFile {
                document_id: f.id.clone(),
                name: f.name.clone(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: &str, code: &str) -> SigningStatus {
        SigningStatus {
            id: "s".into(),
            status: SessionStatus::parse(status),
            relay_state: None,
            errors: vec![crate::providers::zignsec::ProviderErrorItem {
                code: code.into(),
                description: "d".into(),
                status_code: Some(410),
            }],
            input_files: Vec::new(),
            signed_files: Vec::new(),
            signer: None,
        }
    }

    #[test]
    fn final_states_map_to_the_neutral_codes() {
        let r = SessionRef::new(Provider::Zignsec, "s").expect("ref");
        for (status, code, want) in [
            ("Declined", "DECLINED", ErrorCode::Rejected),
            ("Rejected", "REJECTED", ErrorCode::Rejected),
            ("Cancelled", "CANCELLED_BY_USER", ErrorCode::Cancelled),
            ("Expired", "SESSION_EXPIRED", ErrorCode::SessionExpired),
            ("Failed", "SIGNING_FAILED", ErrorCode::SigningFailed),
            ("Pending", "", ErrorCode::InvalidState),
        ] {
            let e = completed(&r, &state(status, code)).expect_err(status);
            assert_eq!(e.code(), want, "{status}");
        }
    }
}
