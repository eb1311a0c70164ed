//! The operations on [`OnespanClient`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::download::{check_content, check_streamed, content_disposition_name};
use super::model::{
    Audit, Callback, Document, DocumentSpec, NewPackage, Package, PackageStatus, PackageUpdate,
    SigningStatus, SigningUrl,
};
use super::pager::{ListQuery, PackagePager, Page};
use super::{CallbackEventName, Download, DownloadKind, OnespanClient};
use crate::error::{Error, ErrorCode, Result};
use crate::polling::{poll_until_within, WaitOptions};
use crate::providers::{check_id, IdSyntax};
use crate::transport::{Body, Part, Request, Response};

/// How long a wait without a timeout follows a transaction: OneSpan documents no fixed
/// lifetime (a package expires on its own `due` date, if any), so a bound of 30 days, after
/// which the wait ends with `SB_ERR_TIMEOUT` instead of polling forever.
const PACKAGE_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// The first delay between two polls of [`OnespanClient::wait`] when the caller left
/// [`WaitOptions::interval`] at its generic default: OneSpan advises against tight polling.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// The longest delay between two polls of [`OnespanClient::wait`].
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// How much each delay grows over the previous one.
const POLL_GROWTH: f64 = 1.5;

/// Percent-encode everything but RFC 3986 unreserved characters, so an id is exactly one path
/// segment (`=` → `%3D`, `/` → `%2F`).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct StatusAnswer {
    status: SigningStatus,
}

fn parse<T: DeserializeOwned>(resp: &Response, what: &str) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
        .with_http_status(resp.status.as_u16())
    })
}

/// A create whose outcome is unknown: say how to find out.
fn create_outcome(e: Error, name: &str) -> Error {
    if e.code() != ErrorCode::OutcomeUnknown {
        return e;
    }
    let status = e.http_status();
    let mut out = Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "create transaction {name:?}: OneSpan may or may not have created it (no usable \
             answer arrived); it was not resent so no duplicate is made. Look the transaction \
             up by name via list(ListQuery::new().search({name:?})) before creating it again"
        ),
    )
    .with_source(e);
    if let Some(s) = status {
        out = out.with_http_status(s);
    }
    out
}

/// A change whose outcome is unknown: say how to find out.
fn change_outcome(e: Error, what: &str, package_id: &str) -> Error {
    if e.code() != ErrorCode::OutcomeUnknown {
        return e;
    }
    Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "{what} ({package_id}): OneSpan may or may not have carried it out (no usable answer \
             arrived); it was not resent. Check with get_package before trying again"
        ),
    )
    .with_source(e)
}

/// [`crate::providers::acted`] for OneSpan: look it up with get_package.
fn acted<T>(what: &str, status: u16, parsed: Result<T>) -> Result<T> {
    crate::providers::acted("OneSpan", "check with get_package", what, status, || parsed)
}

impl OnespanClient {
    /// `{api}/seg/seg/...`, each segment percent-encoded.
    fn api_url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.inner.api.clone();
        let mut path = url.path().to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        path.push_str(
            &segments
                .iter()
                .map(|s| encode_segment(s))
                .collect::<Vec<_>>()
                .join("/"),
        );
        url.set_path(&path);
        Ok(url)
    }

    fn package_url(&self, id: &str, rest: &[&str]) -> Result<Url> {
        check_id("package id", id, IdSyntax::Encoded)?;
        let mut segs = vec!["packages", id];
        segs.extend_from_slice(rest);
        self.api_url(&segs)
    }

    fn request(&self, method: Method, url: Url, body: Body, what: &'static str) -> Request {
        let mut headers = vec![(http::header::ACCEPT, self.inner.json.clone())];
        if matches!(body, Body::Json(_)) {
            headers.push((http::header::CONTENT_TYPE, self.inner.json.clone()));
        }
        Request {
            idempotent: method == Method::GET || method == Method::DELETE || method == Method::PUT,
            method,
            url,
            body,
            what,
            headers,
            role: None,
        }
    }

    fn json_request(
        &self,
        method: Method,
        url: Url,
        body: &serde_json::Value,
        what: &'static str,
    ) -> Result<Request> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::internal(format!("could not encode the {what} request: {e}")))?;
        Ok(self.request(method, url, Body::Json(Bytes::from(bytes)), what))
    }

    async fn send_req(&self, req: Request) -> Result<Response> {
        self.inner.transport.send(req).await
    }

    // ---- create -------------------------------------------------------------------------------

    /// Create a transaction with its documents in one multipart request (`POST /packages`: a
    /// `payload` part with the package JSON and one `file` part per document, in order). It is
    /// sent at once when [`NewPackage::send_on_create`] is set, else it stays a draft. Returns
    /// the package id.
    ///
    /// Not repeated automatically: when the answer is lost the call fails with
    /// [`ErrorCode::OutcomeUnknown`]; look the transaction up by name with
    /// [`OnespanClient::list`] before creating it again.
    pub async fn create_package(&self, package: &NewPackage) -> Result<String> {
        package.validate(true)?;
        let what = "create transaction";
        let payload = serde_json::to_vec(&package.wire(true))
            .map_err(|e| Error::internal(format!("could not encode the package: {e}")))?;
        let mut parts = vec![Part {
            name: "payload",
            file_name: None,
            content_type: None,
            data: Bytes::from(payload),
        }];
        for d in &package.documents {
            parts.push(Part {
                name: "file",
                file_name: Some(d.name.clone()),
                content_type: Some("application/pdf".to_string()),
                data: d.data.clone(),
            });
        }
        let req = self.request(
            Method::POST,
            self.api_url(&["packages"])?,
            Body::Parts(parts),
            what,
        );
        let resp = self
            .send_req(req)
            .await
            .map_err(|e| create_outcome(e, &package.name))?;
        let created: Created = acted(what, resp.status.as_u16(), parse(&resp, what))
            .map_err(|e| create_outcome(e, &package.name))?;
        Ok(created.id)
    }

    /// Create a transaction in steps: the package JSON first (a draft), then each document with
    /// [`OnespanClient::add_document`], then [`OnespanClient::send`] when
    /// [`NewPackage::send_on_create`] is set. If a document upload fails, the draft is deleted
    /// (best effort) and the upload's error returned. Returns the package id.
    pub async fn create_package_in_steps(&self, package: &NewPackage) -> Result<String> {
        package.validate(false)?;
        let what = "create transaction";
        let mut wire = package.wire(false);
        if let Some(o) = wire.as_object_mut() {
            o.insert("status".into(), json!("DRAFT"));
        }
        let req = self.json_request(Method::POST, self.api_url(&["packages"])?, &wire, what)?;
        let resp = self
            .send_req(req)
            .await
            .map_err(|e| create_outcome(e, &package.name))?;
        let created: Created = acted(what, resp.status.as_u16(), parse(&resp, what))
            .map_err(|e| create_outcome(e, &package.name))?;
        let id = created.id;
        for (i, d) in package.documents.iter().enumerate() {
            if let Err(e) = self.upload_document(&id, d, Some(i)).await {
                if let Err(del) = self.delete(&id).await {
                    tracing::warn!(error = %del, "could not delete the incomplete draft");
                }
                return Err(e);
            }
        }
        if package.send {
            self.send(&id).await?;
        }
        Ok(id)
    }

    /// Add a document to a draft (`POST /packages/{id}/documents`, multipart `payload` +
    /// `file`). Refused with [`ErrorCode::InvalidState`] once the transaction is sent.
    pub async fn add_document(
        &self,
        package_id: &str,
        document: &DocumentSpec,
    ) -> Result<Document> {
        check_id("package id", package_id, IdSyntax::Encoded)?;
        crate::pdf::validate_pdf(&document.name, &document.data)?;
        self.upload_document(package_id, document, None).await
    }

    async fn upload_document(
        &self,
        package_id: &str,
        document: &DocumentSpec,
        index: Option<usize>,
    ) -> Result<Document> {
        let what = "add document";
        let payload = serde_json::to_vec(&document.wire(index))
            .map_err(|e| Error::internal(format!("could not encode the document: {e}")))?;
        let parts = vec![
            Part {
                name: "payload",
                file_name: None,
                content_type: None,
                data: Bytes::from(payload),
            },
            Part {
                name: "file",
                file_name: Some(document.name.clone()),
                content_type: Some("application/pdf".to_string()),
                data: document.data.clone(),
            },
        ];
        let req = self.request(
            Method::POST,
            self.package_url(package_id, &["documents"])?,
            Body::Parts(parts),
            what,
        );
        let resp = self
            .send_req(req)
            .await
            .map_err(|e| change_outcome(e, what, package_id))?;
        acted(what, resp.status.as_u16(), parse(&resp, what))
    }

    // ---- read ---------------------------------------------------------------------------------

    /// The package (`GET /packages/{id}`). Unknown (or deleted) → [`ErrorCode::NotFound`].
    pub async fn get_package(&self, package_id: &str) -> Result<Package> {
        let what = "read transaction";
        let req = self.request(
            Method::GET,
            self.package_url(package_id, &[])?,
            Body::Empty,
            what,
        );
        parse(&self.send_req(req).await?, what).map(Package::with_derived)
    }

    /// The package's status (read from the package).
    pub async fn status(&self, package_id: &str) -> Result<PackageStatus> {
        Ok(self.get_package(package_id).await?.status)
    }

    /// The signing status of the package, or of one signer and/or one document of it
    /// (`GET /packages/{id}/signingStatus?signer=&document=`).
    pub async fn signing_status(
        &self,
        package_id: &str,
        signer: Option<&str>,
        document: Option<&str>,
    ) -> Result<SigningStatus> {
        let what = "read signing status";
        let mut url = self.package_url(package_id, &["signingStatus"])?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = signer {
                check_id("signer id", s, IdSyntax::Encoded)?;
                q.append_pair("signer", s);
            }
            if let Some(d) = document {
                check_id("document id", d, IdSyntax::Encoded)?;
                q.append_pair("document", d);
            }
        }
        let req = self.request(Method::GET, url, Body::Empty, what);
        let answer: StatusAnswer = parse(&self.send_req(req).await?, what)?;
        Ok(answer.status)
    }

    /// The signing page for the signer of `role_id`
    /// (`GET /packages/{id}/roles/{role}/signingUrl`); the transaction must be sent (else
    /// [`ErrorCode::InvalidState`]). The URL does not expire and carries no credential of
    /// yours: hand it to the signer's browser.
    pub async fn signing_url(&self, package_id: &str, role_id: &str) -> Result<String> {
        check_id("role id", role_id, IdSyntax::Encoded)?;
        let what = "read signing URL";
        let req = self.request(
            Method::GET,
            self.package_url(package_id, &["roles", role_id, "signingUrl"])?,
            Body::Empty,
            what,
        );
        let answer: SigningUrl = parse(&self.send_req(req).await?, what)?;
        match Url::parse(answer.url.trim()) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(u.to_string()),
            _ => Err(Error::protocol(format!(
                "the signing URL for role {role_id:?} is not an http(s) URL"
            ))),
        }
    }

    /// The audit trail (`GET /packages/{id}/audit`).
    pub async fn audit(&self, package_id: &str) -> Result<Audit> {
        let what = "read audit trail";
        let req = self.request(
            Method::GET,
            self.package_url(package_id, &["audit"])?,
            Body::Empty,
            what,
        );
        parse(&self.send_req(req).await?, what)
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /// Change a draft (`PUT /packages/{id}`, only the fields set). Once the transaction is sent
    /// OneSpan refuses with [`ErrorCode::InvalidState`] (its `messageKey` is the provider code).
    pub async fn update_package(&self, package_id: &str, update: &PackageUpdate) -> Result<()> {
        update.validate()?;
        let what = "update transaction";
        let body = serde_json::to_value(update)
            .map_err(|e| Error::internal(format!("could not encode the update: {e}")))?;
        let req =
            self.json_request(Method::PUT, self.package_url(package_id, &[])?, &body, what)?;
        self.send_req(req).await?;
        Ok(())
    }

    async fn post_change(
        &self,
        package_id: &str,
        body: serde_json::Value,
        what: &'static str,
    ) -> Result<()> {
        let req = self.json_request(
            Method::POST,
            self.package_url(package_id, &[])?,
            &body,
            what,
        )?;
        self.send_req(req)
            .await
            .map_err(|e| change_outcome(e, what, package_id))?;
        Ok(())
    }

    /// Send a draft to its signers (`POST /packages/{id}` `{"status":"SENT"}`).
    pub async fn send(&self, package_id: &str) -> Result<()> {
        self.post_change(package_id, json!({"status": "SENT"}), "send transaction")
            .await
    }

    /// Move to the trash (`{"trashed":true}`); [`OnespanClient::restore`] brings it back.
    pub async fn trash(&self, package_id: &str) -> Result<()> {
        self.post_change(package_id, json!({"trashed": true}), "trash transaction")
            .await
    }

    /// Restore from the trash (`{"trashed":false}`).
    pub async fn restore(&self, package_id: &str) -> Result<()> {
        self.post_change(package_id, json!({"trashed": false}), "restore transaction")
            .await
    }

    /// Archive (`{"status":"ARCHIVED"}`; typically once completed).
    pub async fn archive(&self, package_id: &str) -> Result<()> {
        self.post_change(
            package_id,
            json!({"status": "ARCHIVED"}),
            "archive transaction",
        )
        .await
    }

    /// Delete permanently (`DELETE /packages/{id}`).
    pub async fn delete(&self, package_id: &str) -> Result<()> {
        let what = "delete transaction";
        let req = self.request(
            Method::DELETE,
            self.package_url(package_id, &[])?,
            Body::Empty,
            what,
        );
        self.send_req(req).await?;
        Ok(())
    }

    // ---- wait ---------------------------------------------------------------------------------

    /// Poll the package until signing ends, with the shared wait engine (deadline, cancel,
    /// progress callback with each [`Package`] read).
    ///
    /// Polling backs off: the first delay is [`WaitOptions::interval`] — raised to
    /// [`DEFAULT_POLL_INTERVAL`] (5 s) when left at the generic default of 2 s, because OneSpan
    /// advises against tight polling (prefer callbacks) — and each next delay is 1.5 times the
    /// previous, up to [`MAX_POLL_INTERVAL`] (60 s). The first poll happens at once.
    ///
    /// Outcomes:
    /// - `COMPLETED` (or `ARCHIVED`) → `Ok(package)`;
    /// - `DECLINED` → [`ErrorCode::Rejected`], the signer's reason in the message and as the
    ///   provider description (provider code `DECLINED`);
    /// - `OPTED_OUT` → [`ErrorCode::Rejected`] (provider code `OPTED_OUT`, reason likewise);
    /// - `EXPIRED` → [`ErrorCode::SessionExpired`];
    /// - moved to the trash → [`ErrorCode::Cancelled`] (provider code `TRASHED`;
    ///   [`OnespanClient::restore`] brings it back);
    /// - deleted → [`ErrorCode::NotFound`] (the package is gone);
    /// - a draft (never sent, or returned to draft) → [`ErrorCode::InvalidState`]: nobody can
    ///   sign it until it is sent.
    pub async fn wait(&self, package_id: &str, opts: &WaitOptions<Package>) -> Result<Package> {
        check_id("package id", package_id, IdSyntax::Encoded)?;
        let mut opts = opts.clone();
        let default = WaitOptions::<Package>::default().interval;
        if opts.interval == default {
            opts.interval = DEFAULT_POLL_INTERVAL;
        }
        let base = opts.interval;
        let mut polls = 0u32;
        let what = format!("transaction {package_id}");
        let package = poll_until_within(
            PACKAGE_LIFETIME,
            &opts,
            &what,
            || {
                // The engine sleeps `base` between polls; the backoff adds the rest.
                let extra = poll_delay(base, polls).saturating_sub(base);
                polls += 1;
                async move {
                    if !extra.is_zero() {
                        tokio::time::sleep(extra).await;
                    }
                    self.get_package(package_id).await
                }
            },
            |p| p.status.is_terminal() || p.trashed || p.status == PackageStatus::Draft,
        )
        .await?;
        match self.outcome_error(&package).await {
            Some(e) => Err(e),
            None => Ok(package),
        }
    }

    /// The error a package's final state stands for (see [`OnespanClient::wait`]), or `None`
    /// when it completed or is still in progress. For a decline or opt-out without a message
    /// on the package, the reason is looked up in the audit trail.
    pub async fn outcome_error(&self, package: &Package) -> Option<Error> {
        let id = &package.id;
        if package.trashed {
            return Some(
                Error::new(
                    ErrorCode::Cancelled,
                    format!(
                        "transaction {id} was moved to the trash; restore() brings it back, \
                         delete() removes it for good"
                    ),
                )
                .with_provider(Some("TRASHED".into()), None),
            );
        }
        match &package.status {
            PackageStatus::Declined | PackageStatus::OptedOut => {
                let (code, verb) = if package.status == PackageStatus::Declined {
                    ("DECLINED", "declined to sign")
                } else {
                    ("OPTED_OUT", "opted out of signing electronically")
                };
                let mut reason = package.last_message().map(str::to_string);
                if reason.is_none() {
                    reason = match self.audit(id).await {
                        Ok(a) => reason_from_audit(&a),
                        Err(e) => {
                            tracing::debug!(error = %e, "no audit trail for the decline reason");
                            None
                        }
                    };
                }
                // The signer's text, as one capped line without the transport's secrets.
                let reason = reason.map(|r| self.inner.transport.scrubber().text(&r));
                let said = match &reason {
                    Some(r) => format!(" with the reason \"{r}\""),
                    None => " without giving a reason".to_string(),
                };
                Some(
                    Error::new(
                        ErrorCode::Rejected,
                        format!(
                            "a signer of transaction {id} {verb}{said}; the transaction is \
                             {}. Correct it and create a new one if needed",
                            package.status
                        ),
                    )
                    .with_provider(Some(code.into()), reason),
                )
            }
            PackageStatus::Expired => Some(
                Error::new(
                    ErrorCode::SessionExpired,
                    format!(
                        "transaction {id} expired before every signer signed; create a new one \
                         or extend its due date while it is a draft"
                    ),
                )
                .with_provider(Some("EXPIRED".into()), None),
            ),
            PackageStatus::Draft => Some(
                Error::new(
                    ErrorCode::InvalidState,
                    format!(
                        "transaction {id} is a draft: nobody can sign it until it is sent \
                         (send())"
                    ),
                )
                .with_provider(Some("DRAFT".into()), None),
            ),
            _ => None,
        }
    }

    // ---- downloads ----------------------------------------------------------------------------

    /// The request that fetches `kind` of package `package_id` (ids checked).
    fn download_request(&self, package_id: &str, kind: &DownloadKind) -> Result<Request> {
        let (url, accept) = match kind {
            DownloadKind::Document(d) => {
                check_id("document id", d, IdSyntax::Encoded)?;
                (
                    self.package_url(package_id, &["documents", d, "pdf"])?,
                    &self.inner.octets,
                )
            }
            DownloadKind::Original(d) => {
                check_id("document id", d, IdSyntax::Encoded)?;
                (
                    self.package_url(package_id, &["documents", d, "original"])?,
                    &self.inner.octets,
                )
            }
            DownloadKind::Zip => (
                self.package_url(package_id, &["documents", "zip"])?,
                &self.inner.any,
            ),
            DownloadKind::EvidenceSummary => (
                self.package_url(package_id, &["evidence", "summary"])?,
                &self.inner.any,
            ),
        };
        let mut req = self.request(Method::GET, url, Body::Empty, kind.what());
        req.headers = vec![(http::header::ACCEPT, accept.clone())];
        Ok(req)
    }

    /// Download a document, the original, the ZIP of all documents or the evidence summary,
    /// checked to be a PDF / a ZIP ([`ErrorCode::Integrity`] otherwise), into memory. For large
    /// files prefer [`OnespanClient::download_to`] / [`OnespanClient::download_into`], which
    /// stream to disk.
    pub async fn download(&self, package_id: &str, kind: &DownloadKind) -> Result<Download> {
        let req = self.download_request(package_id, kind)?;
        let resp = self.send_req(req).await?;
        check_content(kind, &resp.body)?;
        Ok(Download {
            file_name: suggested_name(&resp.headers),
            data: resp.body,
        })
    }

    /// [`OnespanClient::download`] into `path`, streamed (never held in memory) and atomic: the
    /// bytes go to a temporary file beside `path`; only when they pass the same checks (a
    /// complete PDF / a ZIP, else [`ErrorCode::Integrity`]) is the file flushed and renamed to
    /// `path`. On any failure nothing is left at `path` (an existing file stays untouched) and
    /// the temporary file is removed. Returns the number of bytes written.
    pub async fn download_to(
        &self,
        package_id: &str,
        kind: &DownloadKind,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        let req = self.download_request(package_id, kind)?;
        let done = self
            .inner
            .transport
            .download_to_file(req, path.as_ref(), |d| {
                check_streamed(kind, d.len, &d.head, &d.tail)
            })
            .await?;
        Ok(done.len)
    }

    /// How files are saved (replace a taken name, permission bits): `transport.save_*`.
    pub(crate) fn save_options(&self) -> (bool, u32) {
        self.inner.transport.save_options()
    }

    /// [`OnespanClient::download`] into directory `dir` (created if missing) under the name
    /// OneSpan suggests, made safe (no directories, no hidden files), or a name made from the
    /// ids; streamed and atomic like [`OnespanClient::download_to`]. An existing file of that
    /// name is never replaced: the download gets `-2`, `-3`… before its extension (unless
    /// `transport.save_overwrite`). Returns the path written.
    pub async fn download_into(
        &self,
        package_id: &str,
        kind: &DownloadKind,
        dir: impl AsRef<Path>,
    ) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let req = self.download_request(package_id, kind)?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io("create directory", dir, e))?;
        // The name comes with the answer's headers, after the file is on disk: the download is
        // renamed onto a reserved temporary name in `dir` first, then to its name. Until then the
        // reservation is removed when dropped, so a failure leaves nothing behind.
        let (overwrite, mode) = self.inner.transport.save_options();
        let staging = crate::files::reserve(dir, mode).await?;
        let done = self
            .inner
            .transport
            .download_to_file(req, &staging, |d| {
                check_streamed(kind, d.len, &d.head, &d.tail)
            })
            .await?;
        let name = suggested_name(&done.headers).unwrap_or_else(|| kind.default_name(package_id));
        let dir = dir.to_path_buf();
        crate::runtime::blocking_io(move || {
            // Never over an existing file unless transport.save_overwrite (crate::files).
            let path = crate::files::place(staging, &dir, &name, overwrite)?;
            // Make the rename itself durable.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(path)
        })
        .await
    }

    // ---- listing ------------------------------------------------------------------------------

    /// List packages page by page (`GET /packages?from=&to=`); nothing is fetched until
    /// [`PackagePager::next_page`] or [`PackagePager::collect_all`].
    pub fn list(&self, query: ListQuery) -> PackagePager {
        PackagePager::new(self.clone(), query)
    }

    pub(crate) async fn list_page(&self, query: &ListQuery, from: u64) -> Result<Page> {
        let what = "list transactions";
        let mut url = self.api_url(&["packages"])?;
        url.query_pairs_mut().extend_pairs(query.pairs(from));
        let req = self.request(Method::GET, url, Body::Empty, what);
        let mut page: Page = parse(&self.send_req(req).await?, what)?;
        page.packages = page
            .packages
            .into_iter()
            .map(Package::with_derived)
            .collect();
        Ok(page)
    }

    // ---- callbacks ----------------------------------------------------------------------------

    /// Register the account's callback (`POST /callback`): OneSpan will post `events` to `url`
    /// with `Authorization: Basic <key>` (check it with [`super::CallbackVerifier`]). Replaces
    /// an earlier registration. `url` must be `https://` (the key travels in every delivery);
    /// plain `http://` is accepted only to a loopback host, for local tests.
    pub async fn register_callback(
        &self,
        url: &str,
        key: &str,
        events: &[CallbackEventName],
    ) -> Result<()> {
        let parsed = Url::parse(url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
        // The URL is not shown as given: it may carry a token in its query.
        let Some(parsed) = parsed else {
            return Err(Error::invalid_argument(
                "the callback URL is not an absolute https:// URL; give the address OneSpan \
                 should post events to, e.g. https://app.example/onespan/callback",
            ));
        };
        if parsed.scheme() == "http" && !crate::transport::is_loopback(&parsed) {
            return Err(Error::invalid_argument(format!(
                "the callback URL {} uses plain http: OneSpan would send the callback key \
                 (Authorization: Basic <key>) and the events unencrypted. Use https:// (plain \
                 http is only accepted to a loopback host, for local tests)",
                crate::transport::shown_url(&parsed)
            )));
        }
        if key.is_empty() || key.trim() != key || key.chars().any(char::is_control) {
            return Err(Error::invalid_argument(
                "the callback key must be non-empty, without surrounding whitespace or control \
                 characters (it is sent back as \"Authorization: Basic <key>\")",
            ));
        }
        if events.is_empty() {
            return Err(Error::invalid_argument(
                "no callback events given; name at least one (e.g. PACKAGE_COMPLETE)",
            ));
        }
        let what = "register callback";
        let body = json!({"url": url, "key": key, "events": events});
        // Registering the same callback twice changes nothing.
        let mut req = self.json_request(Method::POST, self.api_url(&["callback"])?, &body, what)?;
        req.idempotent = true;
        self.send_req(req).await?;
        Ok(())
    }

    /// The registered callback (`GET /callback`).
    pub async fn get_callback(&self) -> Result<Callback> {
        let what = "read callback";
        let req = self.request(Method::GET, self.api_url(&["callback"])?, Body::Empty, what);
        parse(&self.send_req(req).await?, what)
    }
}

/// The delay before poll number `poll` (0 = the first, at once) of a wait whose first delay is
/// `base`: `base`, then 1.5 times the previous delay, up to [`MAX_POLL_INTERVAL`] (or `base` when
/// that is longer).
pub(crate) fn poll_delay(base: Duration, poll: u32) -> Duration {
    if poll == 0 {
        return Duration::ZERO;
    }
    let cap = MAX_POLL_INTERVAL.max(base);
    let grown = base.as_secs_f64() * POLL_GROWTH.powi((poll - 1).min(64) as i32);
    Duration::try_from_secs_f64(grown.min(cap.as_secs_f64())).unwrap_or(cap)
}

/// A decline / opt-out reason from the audit trail: the data of the latest event whose type
/// mentions a decline or an opt-out.
fn reason_from_audit(audit: &Audit) -> Option<String> {
    audit
        .events
        .iter()
        .rev()
        .filter(|e| {
            let k = e.kind.to_ascii_lowercase().replace(['_', ' ', '-'], "");
            k.contains("decline") || k.contains("optout")
        })
        .find_map(|e| e.data.as_ref().map(|d| d.trim().to_string()))
        .filter(|d| !d.is_empty())
}

/// The file name OneSpan suggests in the answer's `Content-Disposition`, made safe.
fn suggested_name(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(http::header::CONTENT_DISPOSITION)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .and_then(content_disposition_name)
}
