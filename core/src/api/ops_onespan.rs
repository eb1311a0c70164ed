//! Operation-table entries of OneSpan Sign beyond the transaction lifecycle of `ops.rs`: the
//! schema of a new transaction ([`NewPackageJson`]), creating one in steps, adding documents to
//! and changing a draft, the signing status, the audit trail, downloads (into
//! memory, a file or a directory), listing page by page and the account's callback. They join
//! the one [`super::OPERATIONS`] table the same way the Securosys entries do: a link of the macro
//! chain ([`onespan_operations!`]) appends these and hands everything on to the eID link.

use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::onespan::{
    CallbackEventName, DownloadKind, ListQuery, OnespanClient, Package, PackageStatus,
    PackageUpdate, SigningStatus, SortDirection,
};

/// A new transaction as `onespan.create_package` takes it: its signers, its PDF documents (by
/// path or base64) with their signature fields, options. Read and checked field by field, each
/// error naming the field's path in the request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct NewPackageJson(#[schemars(with = "NewPackageShape")] pub serde_json::Value);

/// A new transaction: its signers, its PDF documents with their signature fields, options.
#[derive(schemars::JsonSchema)]
#[schemars(rename = "NewPackage")]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the JSON that `NewPackage::from_json` reads
pub struct NewPackageShape {
    /// The name (shown to signers; `onespan.list` with `search` finds it again).
    name: String,
    /// A description.
    #[serde(default)]
    description: Option<String>,
    /// The invitation e-mail's message.
    #[serde(default)]
    email_message: Option<String>,
    /// Complete the transaction when every signer is done (default `true`).
    #[serde(default)]
    autocomplete: Option<bool>,
    /// Expiry, UTC, `yyyy-MM-ddTHH:mm:ss`.
    #[serde(default)]
    due: Option<String>,
    /// Language (`en`, `fr`…).
    #[serde(default)]
    language: Option<String>,
    /// Send it to the signers at once (default `false`: a draft until `onespan.send`).
    #[serde(default)]
    send: Option<bool>,
    /// Where the signing page sends a signer who is done: an `https://` (or loopback
    /// `http://`) URL of your application.
    #[serde(default)]
    hand_over_url: Option<String>,
    /// The signers; the order given is the signing order unless `order` says otherwise.
    signers: Vec<NewSigner>,
    /// The PDFs.
    #[serde(default)]
    documents: Option<Vec<NewDocument>>,
}

/// A signer of a new transaction, filling the role `role_id`.
#[derive(schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes JSON read by `NewPackage::from_json`
pub struct NewSigner {
    /// The role id (your choice, e.g. `buyer`; signature fields and `signing_url` name it).
    role_id: String,
    /// The signer's e-mail (invitations go there).
    email: String,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// Company.
    #[serde(default)]
    company: Option<String>,
    /// Title.
    #[serde(default)]
    title: Option<String>,
    /// Signing order (1 = first); default: the order signers are given.
    #[serde(default)]
    order: Option<u32>,
}

/// A PDF of a transaction: exactly one of `path` and `content_base64` (then `name` is
/// required; from a path it defaults to the file's name).
#[derive(schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes JSON read by `DocumentSpec::from_json`
pub struct NewDocument {
    /// The document name (unique within the transaction).
    #[serde(default)]
    name: Option<String>,
    /// Your document id (default: OneSpan's).
    #[serde(default)]
    id: Option<String>,
    /// A PDF file to read.
    #[serde(default)]
    path: Option<String>,
    /// The PDF's bytes.
    #[serde(default)]
    content_base64: Option<Base64>,
    /// Where the signers sign it.
    #[serde(default)]
    fields: Option<Vec<NewSignatureField>>,
}

/// A signature field: where `role_id` signs, on `page` (0-based), in PDF points from the
/// top-left corner.
#[derive(schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes JSON read by `NewPackage::from_json`
pub struct NewSignatureField {
    /// The role that signs here.
    role_id: String,
    /// The page, 0-based.
    page: u32,
    /// Distance from the top of the page.
    top: f64,
    /// Distance from the left of the page.
    left: f64,
    /// Width (default 200).
    #[serde(default)]
    width: Option<f64>,
    /// Height (default 50).
    #[serde(default)]
    height: Option<f64>,
    /// `FULLNAME` (default), `INITIALS`, `CAPTURE` or `MOBILE_CAPTURE`.
    #[serde(default)]
    #[schemars(extend("examples" = ["FULLNAME", "INITIALS", "CAPTURE", "MOBILE_CAPTURE"]))]
    kind: Option<String>,
}

/// `e`, an error of reading the JSON at `at` (`request`, `request.document`) of the request of
/// `op`, with its field's path given from the request (`request.signers[0].role_id`), as the
/// errors of the other requests are.
pub(super) fn in_request(op: &str, at: &str, e: Error) -> Error {
    e.map_message(|m| {
        match ["the value", "the document"]
            .iter()
            .find_map(|p| m.strip_prefix(p))
        {
            Some(rest) => format!("{op}: {at}{rest}"),
            None => format!("{op}: {at}.{m}"),
        }
    })
}

/// A document to add to a draft transaction.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDocumentRequest {
    /// The transaction id.
    pub package_id: String,
    /// The document, as an item of `onespan.create_package`'s `documents`:
    /// `{"name"?, "id"?, "path" | "content_base64", "fields": [...]}`.
    #[schemars(with = "NewDocument")]
    pub document: serde_json::Value,
}

/// A sparse change of a draft transaction: only the fields given change (at least one).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePackageRequest {
    /// The transaction id.
    pub package_id: String,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New invitation message.
    #[serde(default)]
    pub email_message: Option<String>,
    /// New expiry (UTC, `yyyy-MM-ddTHH:mm:ss`).
    #[serde(default)]
    pub due: Option<String>,
    /// New autocomplete setting.
    #[serde(default)]
    pub autocomplete: Option<bool>,
}

impl UpdatePackageRequest {
    pub(super) fn update(&self) -> PackageUpdate {
        PackageUpdate {
            name: self.name.clone(),
            description: self.description.clone(),
            email_message: self.email_message.clone(),
            due: self.due.clone(),
            autocomplete: self.autocomplete,
        }
    }
}

/// The signing status of a transaction, or of one signer and/or one document of it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningStatusRequest {
    /// The transaction id.
    pub package_id: String,
    /// Only this signer (role id).
    #[serde(default)]
    pub signer_id: Option<String>,
    /// Only this document.
    #[serde(default)]
    pub document_id: Option<String>,
}

/// A signing status.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SigningState {
    /// `DRAFT`, `SIGNING_PENDING`, `COMPLETED`, `DECLINED`, `EXPIRED`, …
    pub status: SigningStatus,
}

/// What of a transaction to download.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DownloadWhat {
    /// A document as it is now (signed once signing is done); needs `document_id`.
    Document,
    /// A document as it was uploaded; needs `document_id`.
    Original,
    /// Every document in one ZIP.
    Zip,
    /// The evidence summary (audit report) PDF.
    EvidenceSummary,
}

/// A download: into memory (neither `path` nor `dir`), into a file (`path`) or into a directory
/// under the name OneSpan suggests (`dir`); files are streamed and written atomically.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DownloadRequest {
    /// The transaction id.
    pub package_id: String,
    /// What to download.
    pub kind: DownloadWhat,
    /// The document (for `document` and `original`).
    #[serde(default)]
    pub document_id: Option<String>,
    /// Write the download to this file.
    #[serde(default)]
    pub path: Option<String>,
    /// Write the download into this directory (created if missing), never over an existing
    /// file.
    #[serde(default)]
    pub dir: Option<String>,
}

impl DownloadRequest {
    fn kind(&self) -> Result<DownloadKind> {
        let doc = || {
            self.document_id.clone().ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    "onespan.download: request.document_id is required for kind \"document\" \
                     and \"original\"",
                )
            })
        };
        let kind = match self.kind {
            DownloadWhat::Document => DownloadKind::Document(doc()?),
            DownloadWhat::Original => DownloadKind::Original(doc()?),
            DownloadWhat::Zip => DownloadKind::Zip,
            DownloadWhat::EvidenceSummary => DownloadKind::EvidenceSummary,
        };
        if self.document_id.is_some()
            && matches!(self.kind, DownloadWhat::Zip | DownloadWhat::EvidenceSummary)
        {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "onespan.download: request.document_id is only for kind \"document\" and \
                 \"original\"",
            ));
        }
        Ok(kind)
    }

    pub(super) async fn run(&self, api: &OnespanClient) -> Result<Downloaded> {
        let kind = self.kind()?;
        for (field, value) in [("path", &self.path), ("dir", &self.dir)] {
            if value.as_deref() == Some("") {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("onespan.download: request.{field} is empty; give a file system path"),
                ));
            }
        }
        match (&self.path, &self.dir) {
            (None, None) => {
                let d = api.download(&self.package_id, &kind).await?;
                Ok(Downloaded {
                    file_name: d.file_name,
                    bytes: d.data.len() as u64,
                    content_base64: Some(Base64(d.data.to_vec())),
                    path: None,
                })
            }
            (Some(p), None) => {
                let bytes = api.download_to(&self.package_id, &kind, p).await?;
                Ok(Downloaded {
                    file_name: None,
                    bytes,
                    content_base64: None,
                    path: Some(p.clone()),
                })
            }
            (None, Some(dir)) => {
                let path = api.download_into(&self.package_id, &kind, dir).await?;
                let bytes = tokio::fs::metadata(&path)
                    .await
                    .map_err(|e| Error::io("read the size of", &path, e))?
                    .len();
                Ok(Downloaded {
                    file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    bytes,
                    content_base64: None,
                    path: Some(path.display().to_string()),
                })
            }
            (Some(_), Some(_)) => Err(Error::new(
                ErrorCode::InvalidArgument,
                "onespan.download: give at most one of request.path and request.dir",
            )),
        }
    }
}

/// A finished download.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Downloaded {
    /// In memory: the file name OneSpan suggested (made safe), if any; into a directory: the
    /// name the file got.
    pub file_name: Option<String>,
    /// The number of bytes.
    pub bytes: u64,
    /// In memory: the downloaded bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_base64: Option<Base64>,
    /// Into a file or a directory: the path written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Sort direction of a listing.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// Which transactions to list, and how.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    /// Only transactions with this status.
    #[serde(default)]
    pub status: Option<PackageStatus>,
    /// Full-text search (e.g. a transaction's name).
    #[serde(default)]
    pub search: Option<String>,
    /// Transactions per page, 1–100 (default 50).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// Sort field (e.g. `updated`, `name`); `sort_order` gives the direction.
    #[serde(default)]
    pub sort: Option<String>,
    /// Sort direction (default ascending).
    #[serde(default)]
    pub sort_order: Option<SortOrder>,
    /// `onespan.list`: the 1-based position of the page's first transaction (default 1; the
    /// previous page's `next_from`).
    #[serde(default)]
    pub from: Option<u64>,
}

impl ListRequest {
    fn query(&self) -> ListQuery {
        let mut q = ListQuery::new();
        q.status = self.status.clone();
        q.search = self.search.clone();
        if let Some(n) = self.page_size {
            q.page_size = n;
        }
        if let Some(s) = &self.sort {
            q.sort = Some(s.clone());
            q.dir = Some(match self.sort_order {
                Some(SortOrder::Desc) => SortDirection::Desc,
                _ => SortDirection::Asc,
            });
        }
        q
    }

    pub(super) async fn page(&self, api: &OnespanClient) -> Result<Listing> {
        let from = self.from.unwrap_or(1);
        if from == 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "onespan.list: request.from is 1-based; the first page starts at 1",
            ));
        }
        let query = self.query();
        query.validate()?;
        let page = api.list_page(&query, from).await?;
        let next = from + page.packages.len() as u64;
        Ok(Listing {
            total: page.count,
            next_from: (!page.packages.is_empty() && next <= page.count).then_some(next),
            packages: page.packages,
        })
    }

    pub(super) async fn all(&self, api: &OnespanClient) -> Result<Listing> {
        if self.from.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "onespan.list_all: request.from is for onespan.list (one page); list_all \
                 starts at the first",
            ));
        }
        let mut pager = api.list(self.query());
        let mut packages = Vec::new();
        while let Some(page) = pager.next_page().await? {
            packages.extend(page.packages);
        }
        Ok(Listing {
            total: pager.total().unwrap_or(0),
            next_from: None,
            packages,
        })
    }
}

/// Transactions of a listing.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Listing {
    /// The transactions (of this page, or every page).
    pub packages: Vec<Package>,
    /// How many transactions match in total.
    pub total: u64,
    /// The `from` of the next page; `null` after the last one.
    pub next_from: Option<u64>,
}

/// The account's callback registration.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCallbackRequest {
    /// Where OneSpan posts events: `https://` (plain `http://` only to a loopback host).
    pub url: String,
    /// The callback key OneSpan sends back as `Authorization: Basic <key>` (never shown).
    pub key: String,
    /// The events to post (`PACKAGE_COMPLETE`, `PACKAGE_DECLINE`, …).
    pub events: Vec<CallbackEventName>,
}

impl std::fmt::Debug for RegisterCallbackRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterCallbackRequest")
            // The URL may carry a token in its query: only its origin and path are shown.
            .field(
                "url",
                &url::Url::parse(&self.url)
                    .map(|u| crate::transport::shown_url(&u))
                    .unwrap_or_else(|_| "[not a URL]".into()),
            )
            .field("key", &"[REDACTED]")
            .field("events", &self.events)
            .finish()
    }
}

/// The registered callback.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CallbackInfo {
    /// Where events are posted.
    pub url: Option<String>,
    /// The events that are posted.
    pub events: Vec<CallbackEventName>,
    /// Whether OneSpan returned the key (it is never shown).
    pub has_key: bool,
}

/// Appends the OneSpan entries to the entries it is given and hands them all to the eID link of
/// the chain `ops.rs` starts.
macro_rules! onespan_operations {
    ($($rest:tt)*) => {
        super::ops_eid::eid_operations! {
            $($rest)*

            // ---- OneSpan Sign: drafts, status, audit, downloads, listing, callback ------

            /// Create a transaction in steps: the draft, each document in its own request,
            /// then sending it when `send` is true. A failed upload deletes the draft.
            onespan_create_package_in_steps "onespan.create_package_in_steps" (NewPackageJson) -> Created:
                |c, r, x| {
                    let p = crate::providers::onespan::NewPackage::from_json(&r.0)
                        .await
                        .map_err(|e| in_request("onespan.create_package_in_steps", "request", e))?;
                    Created { package_id: c.onespan()?.create_package_in_steps(&p).await? }
                };

            /// Add a document (path or base64, with its signature fields) to a draft
            /// transaction; refused once it is sent.
            onespan_add_document "onespan.add_document" (AddDocumentRequest) -> crate::providers::onespan::Document:
                |c, r, x| {
                    let doc = crate::providers::onespan::DocumentSpec::from_json(&r.document)
                        .await
                        .map_err(|e| in_request("onespan.add_document", "request.document", e))?;
                    c.onespan()?.add_document(&r.package_id, &doc).await?
                };
            /// Change a draft transaction (only the fields given); refused once it is sent.
            onespan_update_package "onespan.update_package" (UpdatePackageRequest) -> Done:
                |c, r, x| { c.onespan()?.update_package(&r.package_id, &r.update()).await?; Done {} };
            /// The signing status of a transaction, or of one signer and/or document of it.
            onespan_signing_status "onespan.signing_status" (SigningStatusRequest) -> SigningState:
                |c, r, x| SigningState {
                    status: c.onespan()?.signing_status(&r.package_id, r.signer_id.as_deref(), r.document_id.as_deref()).await?,
                };
            /// A transaction's audit trail, oldest event first.
            onespan_audit "onespan.audit" (PackageId) -> crate::providers::onespan::Audit:
                |c, r, x| c.onespan()?.audit(&r.package_id).await?;
            /// Download a document, its original, the ZIP of all documents or the evidence
            /// summary — checked to be a complete PDF / a ZIP — into memory, a file or a
            /// directory.
            onespan_download "onespan.download" (DownloadRequest) -> Downloaded:
                |c, r, x| r.run(c.onespan()?).await?;
            /// One page of transactions (`next_from` is the next page's `from`).
            onespan_list "onespan.list" (ListRequest) -> Listing:
                |c, r, x| r.page(c.onespan()?).await?;
            /// Every matching transaction, fetched page by page.
            onespan_list_all "onespan.list_all" (ListRequest) -> Listing:
                |c, r, x| r.all(c.onespan()?).await?;
            /// Register the account's callback (replaces an earlier one).
            onespan_register_callback "onespan.register_callback" (RegisterCallbackRequest) -> Done:
                |c, r, x| { c.onespan()?.register_callback(&r.url, &r.key, &r.events).await?; Done {} };
            /// The account's registered callback.
            onespan_get_callback "onespan.get_callback" (Empty) -> CallbackInfo:
                |c, r, x| {
                    let cb = c.onespan()?.get_callback().await?;
                    CallbackInfo { url: cb.url, events: cb.events, has_key: cb.key.is_some() }
                };
        }
    };
}

pub(super) use onespan_operations;

// ---- the transaction lifecycle of `ops.rs` ----

/// A OneSpan transaction, by id.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageId {
    /// The transaction (package) id.
    pub package_id: String,
}

/// A OneSpan transaction's status.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PackageState {
    /// `DRAFT`, `SENT`, `COMPLETED`, `DECLINED`, `OPTED_OUT`, `EXPIRED`, `ARCHIVED`.
    pub status: crate::providers::onespan::PackageStatus,
}

/// A signer's signing link.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningUrlRequest {
    /// The transaction id.
    pub package_id: String,
    /// The signer's role id.
    pub role_id: String,
}

/// A URL.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Link {
    /// The URL.
    pub url: String,
}

/// Waiting for a OneSpan transaction.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageWait {
    /// The transaction id.
    pub package_id: String,
    /// Time between two polls, in milliseconds (default: 5 s, growing to 60 s).
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// A created OneSpan transaction.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Created {
    /// The new transaction's id.
    pub package_id: String,
}

#[cfg(test)]
mod tests {
    use crate::providers::onespan::request::{
        DOCUMENT_FIELDS, FIELD_FIELDS, PACKAGE_FIELDS, SIGNER_FIELDS,
    };

    /// The property names of `def` in the schema of `onespan.create_package`'s request.
    fn props(def: &str) -> Vec<String> {
        let op = crate::api::operation("onespan.create_package").expect("op");
        let schema = serde_json::to_value((op.request_schema)()).expect("schema");
        let mut names: Vec<String> = schema["$defs"][def]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{def} has properties: {schema}"))
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn sorted(fields: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_new_package_schema_names_every_field_from_json_reads() {
        assert_eq!(props("NewPackage"), sorted(PACKAGE_FIELDS));
        assert_eq!(props("NewSigner"), sorted(SIGNER_FIELDS));
        assert_eq!(props("NewDocument"), sorted(DOCUMENT_FIELDS));
        assert_eq!(props("NewSignatureField"), sorted(FIELD_FIELDS));
        let op = crate::api::operation("onespan.add_document").expect("op");
        let schema = serde_json::to_value((op.request_schema)()).expect("schema");
        assert!(schema["$defs"]["NewDocument"].is_object(), "{schema}");
    }

    #[test]
    fn the_callback_key_and_url_query_are_not_shown_by_debug() {
        let r: super::RegisterCallbackRequest = serde_json::from_value(serde_json::json!({
            "url": "https://app.example/hook?token=t0ken",
            "key": "s3cret",
            "events": ["PACKAGE_COMPLETE"]
        }))
        .expect("request");
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.contains("app.example"), "{shown}");
    }
}
