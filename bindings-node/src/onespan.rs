//! OneSpan Sign (`client.onespan()`): transactions ("packages") with documents and signers,
//! send, signing URLs, wait, downloads (signed and original documents, the ZIP, the evidence
//! summary), audit, trash/restore/archive/delete, listing page by page, callbacks, and the
//! verifier of incoming callbacks. A thin translation of
//! `signbridge::providers::onespan::OnespanClient`: arguments are read from JavaScript, the
//! core's future runs on the core's runtime and settles a Promise ([`crate::promise`]).
//!
//! Packages come back as the core serialises them (OneSpan's own camelCase fields).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Buffer, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::providers::onespan as core;
use signbridge::{Error as SbError, ErrorCode as CoreCode};

use crate::args::{self, is_nullish, Obj};
use crate::errors::{self, type_error, Kind};
use crate::promise;

// ---------------------------------------------------------------------------------------------
// Requests (typings; read field by field below, unknown fields refused).

/// A new transaction: signers, PDF documents with signature fields, options.
#[napi(object, object_to_js = false)]
pub struct OnespanNewPackage {
    /// The name (shown to signers; `list({ search })` finds it again).
    pub name: String,
    /// A description.
    pub description: Option<String>,
    /// The invitation e-mail's message.
    pub email_message: Option<String>,
    /// Complete the transaction when every signer is done (default `true`).
    pub autocomplete: Option<bool>,
    /// Expiry, UTC, `'yyyy-MM-ddTHH:mm:ss'`.
    pub due: Option<String>,
    /// Language (`'en'`, `'fr'`…).
    pub language: Option<String>,
    /// The signers; the order they are given is the signing order unless `order` says
    /// otherwise.
    pub signers: Vec<OnespanSigner>,
    /// The PDFs.
    pub documents: Vec<OnespanDocumentSpec>,
    /// Send it to the signers at once (default `false`: a draft until `send`).
    pub send: Option<bool>,
    /// Where the signing page sends a signer who is done: an `https://` (or loopback
    /// `http://`) URL of your application.
    pub hand_over_url: Option<String>,
}

/// A signer of a new transaction, filling the role `roleId`.
#[napi(object, object_to_js = false)]
pub struct OnespanSigner {
    /// The role id (your choice, e.g. `'buyer'`; signature fields and `signingUrl` refer to it).
    pub role_id: String,
    /// The signer's e-mail (invitations go there).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Signing order (1 = first); default: the order signers are given.
    pub order: Option<u32>,
}

/// A PDF of a new transaction: `{ name, data }` or `{ path }` (named after the file).
#[napi(object, object_to_js = false)]
pub struct OnespanDocumentSpec {
    /// The document name (unique within the transaction).
    pub name: Option<String>,
    /// The PDF bytes.
    #[napi(ts_type = "Buffer | Uint8Array")]
    pub data: Option<Buffer>,
    /// A PDF file to read instead of `data`.
    pub path: Option<String>,
    /// Your document id (default: OneSpan's).
    pub id: Option<String>,
    /// Where the signers sign it.
    pub fields: Option<Vec<OnespanField>>,
}

/// A signature field: where `roleId` signs, on `page` (**0-based**), in PDF points from the
/// top-left corner.
#[napi(object, object_to_js = false)]
pub struct OnespanField {
    /// The role that signs here.
    pub role_id: String,
    /// The page, 0-based.
    pub page: u32,
    /// Distance from the top of the page.
    pub top: f64,
    /// Distance from the left of the page.
    pub left: f64,
    /// Width (default 200).
    pub width: Option<f64>,
    /// Height (default 50).
    pub height: Option<f64>,
    /// `'FULLNAME'` (default), `'INITIALS'`, `'CAPTURE'` or `'MOBILE_CAPTURE'`.
    #[napi(ts_type = "'FULLNAME' | 'INITIALS' | 'CAPTURE' | 'MOBILE_CAPTURE' | (string & {})")]
    pub kind: Option<String>,
}

/// A sparse update of a draft (`updatePackage`): only the fields given change.
#[napi(object, object_to_js = false)]
pub struct OnespanPackageUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New invitation message.
    pub email_message: Option<String>,
    /// New expiry (UTC, `'yyyy-MM-ddTHH:mm:ss'`).
    pub due: Option<String>,
    /// New autocomplete setting.
    pub autocomplete: Option<bool>,
}

/// What `list` lists (default: every transaction, 50 per page).
#[napi(object, object_to_js = false)]
pub struct OnespanListQuery {
    /// Only transactions with this status.
    #[napi(ts_type = "OnespanPackageStatus")]
    pub status: Option<String>,
    /// Full-text search (e.g. a transaction's name).
    pub search: Option<String>,
    /// Transactions per page, 1-100 (default 50).
    pub page_size: Option<u32>,
    /// Sort field (`'updated'`, `'name'`…).
    pub sort: Option<String>,
    /// Sort direction (with `sort`; default `'asc'`).
    #[napi(ts_type = "'asc' | 'desc'")]
    pub dir: Option<String>,
}

/// Which signing status `signingStatus` reads: of the whole transaction, or of one signer
/// and/or one document.
#[napi(object, object_to_js = false)]
pub struct SigningStatusQuery {
    /// A role id, signer id or e-mail.
    pub signer: Option<String>,
    /// A document id.
    pub document: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Results.

/// A downloaded file.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanDownload {
    /// The file name OneSpan suggested, made safe to use in a directory.
    pub file_name: Option<String>,
    /// The content (a PDF or a ZIP, checked).
    pub data: Buffer,
}

/// A transaction's audit trail.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanAudit {
    /// The package id.
    pub package_id: Option<String>,
    /// The events, oldest first.
    pub events: Vec<OnespanAuditEvent>,
}

/// One audit event. Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanAuditEvent {
    /// What happened (`'Sign'`, `'Decline'`, `'View'`…).
    #[napi(js_name = "type")]
    pub kind: String,
    /// When.
    pub date_time: Option<String>,
    /// What it happened to (a document or package name).
    pub target: Option<String>,
    /// The kind of target.
    pub target_type: Option<String>,
    /// Who (name).
    pub user: Option<String>,
    /// Who (e-mail).
    pub user_email: Option<String>,
    /// From which IP address.
    pub user_ip: Option<String>,
    /// Details (e.g. a decline reason).
    pub data: Option<String>,
}

/// One page of `list`.
#[napi(object, object_from_js = false)]
pub struct OnespanPage {
    /// How many transactions match in total.
    pub count: f64,
    /// This page's transactions.
    #[napi(ts_type = "Array<OnespanPackage>")]
    pub packages: Vec<serde_json::Value>,
}

/// The account's registered callback. The key is never returned.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanCallback {
    /// Where events are posted.
    pub url: Option<String>,
    /// The events that are posted.
    #[napi(ts_type = "Array<OnespanEventName>")]
    pub events: Vec<String>,
    /// Whether OneSpan reported a key with the registration.
    pub key_set: bool,
}

/// An authenticated callback delivery (`OnespanCallbackVerifier.verify`). Absent fields are
/// `null`. Events carry only ids: read the package (`getPackage`) to act on one.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanCallbackEvent {
    /// What happened (`'PACKAGE_COMPLETE'`…).
    #[napi(ts_type = "OnespanEventName")]
    pub name: String,
    /// The package it happened to.
    pub package_id: Option<String>,
    /// The sender id (sender events) or signer id (signer events).
    pub session_user: Option<String>,
    /// The decline or opt-out reason, when there is one.
    pub message: Option<String>,
    /// The document, for document events.
    pub document_id: Option<String>,
    /// When (ISO 8601, UTC), as OneSpan wrote it.
    pub created_date: Option<String>,
    /// The whole payload, parsed.
    #[napi(ts_type = "Record<string, any>")]
    pub raw: serde_json::Value,
}

// ---------------------------------------------------------------------------------------------
// Conversions.

fn package_to_js(p: core::Package) -> serde_json::Value {
    serde_json::to_value(&p).unwrap_or(serde_json::Value::Null)
}

fn document_to_js(d: core::Document) -> serde_json::Value {
    serde_json::to_value(&d).unwrap_or(serde_json::Value::Null)
}

fn download_to_js(d: core::Download) -> OnespanDownload {
    OnespanDownload {
        file_name: d.file_name,
        data: Buffer::from(d.data.to_vec()),
    }
}

fn audit_to_js(a: core::Audit) -> OnespanAudit {
    OnespanAudit {
        package_id: a.package_id,
        events: a
            .events
            .into_iter()
            .map(|e| OnespanAuditEvent {
                kind: e.kind,
                date_time: e.date_time,
                target: e.target,
                target_type: e.target_type,
                user: e.user,
                user_email: e.user_email,
                user_ip: e.user_ip,
                data: e.data,
            })
            .collect(),
    }
}

fn page_to_js(p: Option<core::Page>) -> Option<OnespanPage> {
    p.map(|p| OnespanPage {
        count: p.count as f64,
        packages: p.packages.into_iter().map(package_to_js).collect(),
    })
}

fn event_to_js(e: core::CallbackEvent) -> OnespanCallbackEvent {
    OnespanCallbackEvent {
        name: e.name.as_str().to_string(),
        package_id: e.package_id,
        session_user: e.session_user,
        message: e.message,
        document_id: e.document_id,
        created_date: e.created_date,
        raw: e.raw,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading arguments.

/// A document given as bytes now, or a path read on the runtime.
enum DocSource {
    Bytes(String, Vec<u8>),
    Path(PathBuf, Option<String>),
}

/// A document of a new transaction, before its bytes are checked (on the runtime).
struct DocIn {
    source: DocSource,
    id: Option<String>,
    fields: Vec<core::SignatureField>,
}

impl DocIn {
    async fn load(self) -> signbridge::Result<core::DocumentSpec> {
        let mut spec = match self.source {
            DocSource::Bytes(name, data) => core::DocumentSpec::from_bytes(name, data)?,
            DocSource::Path(path, name) => {
                let mut spec = core::DocumentSpec::from_path(&path).await?;
                if let Some(name) = name {
                    spec.name = name;
                }
                spec
            }
        };
        spec.id = self.id;
        spec.fields = self.fields;
        Ok(spec)
    }
}

fn whole(env: &Env, o: &Obj<'_>, key: &str) -> napi::Result<u32> {
    let n = o.number(key)?;
    if n.fract() != 0.0 || n > f64::from(u32::MAX) {
        return Err(type_error(
            env,
            format!("{} must be a whole number, got {n}", o.path(key)),
        ));
    }
    Ok(n as u32)
}

fn opt_bool(env: &Env, o: &Obj<'_>, key: &str) -> napi::Result<Option<bool>> {
    let v = o.get(key)?;
    if is_nullish(&v) {
        return Ok(None);
    }
    if v.get_type()? != ValueType::Boolean {
        return Err(type_error(
            env,
            format!(
                "{} must be a boolean, got {}",
                o.path(key),
                args::describe(&v)
            ),
        ));
    }
    // SAFETY: checked to be a boolean just above; `v` belongs to `env`.
    Ok(Some(unsafe {
        <bool as napi::bindgen_prelude::FromNapiValue>::from_napi_value(env.raw(), v.raw())
    }?))
}

fn read_field(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<core::SignatureField> {
    let o = Obj::new(
        env,
        v,
        what,
        &["roleId", "page", "top", "left", "width", "height", "kind"],
    )?;
    let mut f = core::SignatureField::new(
        o.string("roleId")?,
        whole(env, &o, "page")?,
        o.number("top")?,
        o.number("left")?,
    );
    if let Some(w) = o.opt_number("width")? {
        f.width = w;
    }
    if let Some(h) = o.opt_number("height")? {
        f.height = h;
    }
    if let Some(k) = o.opt_string("kind")? {
        f.kind = core::SignatureKind::parse(&k);
    }
    Ok(f)
}

fn read_document(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<DocIn> {
    let d = Obj::new(env, v, what, &["name", "data", "path", "id", "fields"])?;
    let name = d.opt_string("name")?;
    let data = d.get("data")?;
    let path = d.opt_string("path")?;
    let source = match (is_nullish(&data), path, name) {
        (false, None, Some(name)) => {
            DocSource::Bytes(name, args::bytes(env, data, &d.path("data"))?)
        }
        (false, None, None) => {
            return Err(type_error(
                env,
                format!("{what}.name is required with `data` (a string)"),
            ))
        }
        (true, Some(path), name) => DocSource::Path(PathBuf::from(path), name),
        _ => {
            return Err(type_error(
                env,
                format!("{what} needs exactly one of `data` (a Buffer) or `path` (a string)"),
            ))
        }
    };
    let mut fields = Vec::new();
    if let Some(items) = d.opt_array("fields")? {
        for (i, f) in items.into_iter().enumerate() {
            fields.push(read_field(env, f, &format!("{}[{i}]", d.path("fields")))?);
        }
    }
    Ok(DocIn {
        source,
        id: d.opt_string("id")?,
        fields,
    })
}

/// A new package whose documents are loaded on the runtime.
struct PackageIn {
    package: core::NewPackage,
    documents: Vec<DocIn>,
}

impl PackageIn {
    async fn load(self) -> signbridge::Result<core::NewPackage> {
        let mut package = self.package;
        for d in self.documents {
            package.documents.push(d.load().await?);
        }
        Ok(package)
    }
}

fn read_package(env: &Env, v: Unknown<'_>) -> napi::Result<PackageIn> {
    let o = Obj::new(
        env,
        v,
        "package",
        &[
            "name",
            "description",
            "emailMessage",
            "autocomplete",
            "due",
            "language",
            "signers",
            "documents",
            "send",
            "handOverUrl",
        ],
    )?;
    let mut p = core::NewPackage::new(o.string("name")?);
    p.description = o.opt_string("description")?;
    p.email_message = o.opt_string("emailMessage")?;
    if let Some(a) = opt_bool(env, &o, "autocomplete")? {
        p.autocomplete = a;
    }
    p.due = o.opt_string("due")?;
    p.language = o.opt_string("language")?;
    p.send = opt_bool(env, &o, "send")?.unwrap_or(false);
    p.hand_over_url = o.opt_string("handOverUrl")?;
    for (i, s) in o
        .opt_array("signers")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let what = format!("package.signers[{i}]");
        let s = Obj::new(
            env,
            s,
            &what,
            &[
                "roleId",
                "email",
                "firstName",
                "lastName",
                "company",
                "title",
                "order",
            ],
        )?;
        let mut signer = core::Signer::new(
            s.string("roleId")?,
            s.string("email")?,
            s.string("firstName")?,
            s.string("lastName")?,
        );
        signer.company = s.opt_string("company")?;
        signer.title = s.opt_string("title")?;
        if s.opt_number("order")?.is_some() {
            signer.order = Some(whole(env, &s, "order")?);
        }
        p.signers.push(signer);
    }
    let mut documents = Vec::new();
    for (i, d) in o
        .opt_array("documents")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        documents.push(read_document(env, d, &format!("package.documents[{i}]"))?);
    }
    Ok(PackageIn {
        package: p,
        documents,
    })
}

/// `{ document: id } | { original: id } | 'zip' | 'evidenceSummary'`.
fn read_kind(env: &Env, v: Unknown<'_>) -> napi::Result<Result<core::DownloadKind, SbError>> {
    const HELP: &str = "{ document: id }, { original: id }, 'zip' or 'evidenceSummary'";
    match v.get_type()? {
        ValueType::String => {
            let s = args::string(env, v, "kind")?;
            Ok(match s.as_str() {
                "zip" => Ok(core::DownloadKind::Zip),
                "evidenceSummary" => Ok(core::DownloadKind::EvidenceSummary),
                other => Err(SbError::invalid_argument(format!(
                    "download kind {other:?} is not one of {HELP}"
                ))),
            })
        }
        ValueType::Object if !v.is_array()? => {
            let o = Obj::new(env, v, "kind", &["document", "original"])?;
            match (o.opt_string("document")?, o.opt_string("original")?) {
                (Some(d), None) => Ok(Ok(core::DownloadKind::Document(d))),
                (None, Some(d)) => Ok(Ok(core::DownloadKind::Original(d))),
                _ => Err(type_error(
                    env,
                    format!("kind needs exactly one of `document` or `original` (a document id); the kinds are {HELP}"),
                )),
            }
        }
        _ => Err(type_error(
            env,
            format!("kind must be {HELP}, got {}", args::describe(&v)),
        )),
    }
}

fn read_query(env: &Env, v: Option<Unknown<'_>>) -> napi::Result<Result<core::ListQuery, SbError>> {
    let mut q = core::ListQuery::new();
    let Some(o) = Obj::opt(
        env,
        v,
        "query",
        &["status", "search", "pageSize", "sort", "dir"],
    )?
    else {
        return Ok(Ok(q));
    };
    if let Some(s) = o.opt_string("status")? {
        q = q.status(core::PackageStatus::parse(&s));
    }
    if let Some(s) = o.opt_string("search")? {
        q = q.search(s);
    }
    if o.opt_number("pageSize")?.is_some() {
        q = q.page_size(whole(env, &o, "pageSize")?);
    }
    let dir = match o.opt_string("dir")?.as_deref() {
        None | Some("asc") => core::SortDirection::Asc,
        Some("desc") => core::SortDirection::Desc,
        Some(other) => {
            return Ok(Err(SbError::invalid_argument(format!(
                "query.dir {other:?} is not 'asc' or 'desc'"
            ))))
        }
    };
    if let Some(s) = o.opt_string("sort")? {
        q = q.sort(s, dir);
    }
    Ok(Ok(q))
}

fn read_update(env: &Env, v: Unknown<'_>) -> napi::Result<core::PackageUpdate> {
    let o = Obj::new(
        env,
        v,
        "update",
        &["name", "description", "emailMessage", "due", "autocomplete"],
    )?;
    Ok(core::PackageUpdate {
        name: o.opt_string("name")?,
        description: o.opt_string("description")?,
        email_message: o.opt_string("emailMessage")?,
        due: o.opt_string("due")?,
        autocomplete: opt_bool(env, &o, "autocomplete")?,
    })
}

// ---------------------------------------------------------------------------------------------
// The API.

/// OneSpan Sign. Every method returns a Promise settled from the core's runtime; it rejects with
/// an `Error` carrying `code` and `errno` (OneSpan's `messageKey` as `providerCode`).
#[napi]
pub struct OnespanApi {
    inner: core::OnespanClient,
}

impl OnespanApi {
    pub(crate) fn new(inner: core::OnespanClient) -> OnespanApi {
        OnespanApi { inner }
    }
}

#[napi]
impl OnespanApi {
    /// The web base URL in use (the API is under `api/`).
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_string()
    }

    /// The API authentication method this client uses.
    #[napi(getter, ts_return_type = "'api_key' | 'client_app' | 'oauth2'")]
    pub fn auth_method(&self) -> String {
        match self.inner.auth_method() {
            core::AuthMethod::ApiKey => "api_key",
            core::AuthMethod::ClientApp => "client_app",
            core::AuthMethod::OAuth2 => "oauth2",
        }
        .to_string()
    }

    /// Create a transaction with its documents in one request; sent at once with
    /// `send: true`, else a draft. Resolves with the package id. Checked locally first (PDFs,
    /// signers, fields). Not repeated automatically: a lost answer rejects with
    /// `SB_ERR_OUTCOME_UNKNOWN` (look it up with `list({ search: name })`).
    #[napi(
        ts_args_type = "package: OnespanNewPackage",
        ts_return_type = "Promise<string>"
    )]
    pub fn create_package<'e>(
        &self,
        env: &'e Env,
        package: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let package = read_package(env, package)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create_package(&package.load().await?).await },
            |id: String| id,
            None,
        )
    }

    /// Create a transaction in steps: the draft, each document, then `send` when asked. A failed
    /// upload deletes the draft. Resolves with the package id.
    #[napi(
        ts_args_type = "package: OnespanNewPackage",
        ts_return_type = "Promise<string>"
    )]
    pub fn create_package_in_steps<'e>(
        &self,
        env: &'e Env,
        package: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let package = read_package(env, package)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create_package_in_steps(&package.load().await?).await },
            |id: String| id,
            None,
        )
    }

    /// Add a document to a draft; `SB_ERR_INVALID_STATE` once it is sent.
    #[napi(
        ts_args_type = "packageId: string, document: OnespanDocumentSpec",
        ts_return_type = "Promise<OnespanDocument>"
    )]
    pub fn add_document<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        document: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let doc = read_document(env, document, "document")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.add_document(&id, &doc.load().await?).await },
            document_to_js,
            None,
        )
    }

    /// The transaction; an unknown (or deleted) one rejects with `SB_ERR_NOT_FOUND`.
    #[napi(
        ts_args_type = "packageId: string",
        ts_return_type = "Promise<OnespanPackage>"
    )]
    pub fn get_package<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.get_package(&id).await },
            package_to_js,
            None,
        )
    }

    /// The transaction's status.
    #[napi(
        ts_args_type = "packageId: string",
        ts_return_type = "Promise<OnespanPackageStatus>"
    )]
    pub fn status<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.status(&id).await },
            |s: core::PackageStatus| s.as_str().to_string(),
            None,
        )
    }

    /// The signing status of the transaction, or of one signer and/or document of it:
    /// `'SIGNING_PENDING'`, `'SIGNING_COMPLETED'`, or the transaction's final status.
    #[napi(
        ts_args_type = "packageId: string, query?: SigningStatusQuery | null",
        ts_return_type = "Promise<OnespanSigningStatus>"
    )]
    pub fn signing_status<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        query: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let (mut signer, mut document) = (None, None);
        if let Some(o) = Obj::opt(env, query, "query", &["signer", "document"])? {
            signer = o.opt_string("signer")?;
            document = o.opt_string("document")?;
        }
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.signing_status(&id, signer.as_deref(), document.as_deref())
                    .await
            },
            |s: core::SigningStatus| s.as_str().to_string(),
            None,
        )
    }

    /// The signing page of the signer of `roleId` (the transaction must be sent, else
    /// `SB_ERR_INVALID_STATE`). It does not expire and carries no credential of yours.
    #[napi(
        ts_args_type = "packageId: string, roleId: string",
        ts_return_type = "Promise<string>"
    )]
    pub fn signing_url<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        role_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let role = args::string(env, role_id, "roleId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.signing_url(&id, &role).await },
            |u: String| u,
            None,
        )
    }

    /// The audit trail: who did what, when, from where.
    #[napi(
        ts_args_type = "packageId: string",
        ts_return_type = "Promise<OnespanAudit>"
    )]
    pub fn audit<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.audit(&id).await }, audit_to_js, None)
    }

    /// Change a draft (only the fields given); `SB_ERR_INVALID_STATE` once it is sent.
    #[napi(
        ts_args_type = "packageId: string, update: OnespanPackageUpdate",
        ts_return_type = "Promise<void>"
    )]
    pub fn update_package<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        update: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let update = read_update(env, update)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.update_package(&id, &update).await },
            |()| (),
            None,
        )
    }

    /// Send a draft to its signers.
    #[napi(ts_args_type = "packageId: string", ts_return_type = "Promise<void>")]
    pub fn send<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.send(&id).await }, |()| (), None)
    }

    /// Move to the trash (the signing links stop working; `wait` rejects with
    /// `SB_ERR_CANCELLED`); `restore` brings it back.
    #[napi(ts_args_type = "packageId: string", ts_return_type = "Promise<void>")]
    pub fn trash<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.trash(&id).await }, |()| (), None)
    }

    /// Restore from the trash.
    #[napi(ts_args_type = "packageId: string", ts_return_type = "Promise<void>")]
    pub fn restore<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.restore(&id).await }, |()| (), None)
    }

    /// Archive (once completed).
    #[napi(ts_args_type = "packageId: string", ts_return_type = "Promise<void>")]
    pub fn archive<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.archive(&id).await }, |()| (), None)
    }

    /// Delete permanently.
    #[napi(ts_args_type = "packageId: string", ts_return_type = "Promise<void>")]
    pub fn delete<'e>(&self, env: &'e Env, package_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let api = self.inner.clone();
        promise::spawn(env, async move { api.delete(&id).await }, |()| (), None)
    }

    /// Poll the transaction until signing ends (backing off from 5 s by default, as OneSpan
    /// advises; prefer callbacks). Completed resolves with the package; declined or opted out
    /// rejects with `SB_ERR_REJECTED` (the reason as `providerDescription`), expired
    /// `SB_ERR_SESSION_EXPIRED`, trashed `SB_ERR_CANCELLED`, deleted `SB_ERR_NOT_FOUND`, a draft
    /// `SB_ERR_INVALID_STATE`. `signal`, `timeoutMs` and `onProgress` as for every wait.
    #[napi(
        ts_args_type = "packageId: string, options?: WaitOptions<OnespanPackage> | null",
        ts_return_type = "Promise<OnespanPackage>"
    )]
    pub fn wait<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let (opts, cleanup) = crate::read_wait(env, options, package_to_js)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait(&id, &opts).await },
            package_to_js,
            cleanup,
        )
    }

    /// Download a signed document (`{ document: id }`), an original (`{ original: id }`), the
    /// ZIP of every document (`'zip'`) or the evidence summary PDF (`'evidenceSummary'`),
    /// checked to be a PDF / a ZIP (`SB_ERR_INTEGRITY` otherwise).
    #[napi(
        ts_args_type = "packageId: string, kind: OnespanDownloadKind",
        ts_return_type = "Promise<OnespanDownload>"
    )]
    pub fn download<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        kind: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let kind = read_kind(env, kind)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download(&id, &kind?).await },
            download_to_js,
            None,
        )
    }

    /// `download` into `path`, atomically (nothing is left at `path` on failure); resolves with
    /// the number of bytes written.
    #[napi(
        ts_args_type = "packageId: string, kind: OnespanDownloadKind, path: string",
        ts_return_type = "Promise<number>"
    )]
    pub fn download_to<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        kind: Unknown<'_>,
        path: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let kind = read_kind(env, kind)?;
        let path = PathBuf::from(args::string(env, path, "path")?);
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_to(&id, &kind?, &path).await },
            |n: u64| n as f64,
            None,
        )
    }

    /// `download` into directory `dir` (created if missing) under the name OneSpan suggests,
    /// made safe; resolves with the path written.
    #[napi(
        ts_args_type = "packageId: string, kind: OnespanDownloadKind, dir: string",
        ts_return_type = "Promise<string>"
    )]
    pub fn download_into<'e>(
        &self,
        env: &'e Env,
        package_id: Unknown<'_>,
        kind: Unknown<'_>,
        dir: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, package_id, "packageId")?;
        let kind = read_kind(env, kind)?;
        let dir = PathBuf::from(args::string(env, dir, "dir")?);
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_into(&id, &kind?, &dir).await },
            |p: PathBuf| p.to_string_lossy().into_owned(),
            None,
        )
    }

    /// List transactions page by page: `for await (const pkg of onespan.list({ status: 'SENT'
    /// }))` walks every match, `for await (const page of onespan.list().pages())` every page.
    /// Nothing is fetched until the iteration starts.
    #[napi(ts_args_type = "query?: OnespanListQuery | null")]
    pub fn list(&self, env: Env, query: Option<Unknown<'_>>) -> napi::Result<PackagePager> {
        let query = read_query(&env, query)?;
        let state = match query {
            Ok(q) => PagerState::Ready(Box::new(self.inner.list(q))),
            Err(e) => PagerState::Failed(e),
        };
        Ok(PackagePager {
            state: Arc::new(Mutex::new(state)),
            total: Arc::new(Mutex::new(None)),
        })
    }

    /// Register the account's callback: OneSpan posts `events` to `url` with
    /// `Authorization: Basic <key>` (check deliveries with `OnespanCallbackVerifier`). Replaces
    /// an earlier registration.
    #[napi(
        ts_args_type = "url: string, key: string, events: Array<OnespanEventName>",
        ts_return_type = "Promise<void>"
    )]
    pub fn register_callback<'e>(
        &self,
        env: &'e Env,
        url: Unknown<'_>,
        key: Unknown<'_>,
        events: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let url = args::string(env, url, "url")?;
        let key = args::string(env, key, "key")?;
        let items = args::array(env, events, "events")?;
        let mut names = Vec::with_capacity(items.len());
        for (i, e) in items.into_iter().enumerate() {
            names.push(core::CallbackEventName::parse(&args::string(
                env,
                e,
                &format!("events[{i}]"),
            )?));
        }
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.register_callback(&url, &key, &names).await },
            |()| (),
            None,
        )
    }

    /// The registered callback (without its key).
    #[napi(ts_return_type = "Promise<OnespanCallback>")]
    pub fn get_callback<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.get_callback().await },
            |c: core::Callback| OnespanCallback {
                url: c.url,
                events: c.events.iter().map(|e| e.as_str().to_string()).collect(),
                key_set: c.key.is_some(),
            },
            None,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Paging.

enum PagerState {
    /// Ready for the next page.
    Ready(Box<core::PackagePager>),
    /// A page is being fetched.
    Busy,
    /// The query was refused; the first page rejects with this.
    Failed(SbError),
}

/// A listing of transactions (`onespan.list(query)`), fetched one page per request. Iterate it
/// with `for await (const pkg of pager)` (every transaction) or
/// `for await (const page of pager.pages())`, or call `nextPage()` yourself.
#[napi]
pub struct PackagePager {
    state: Arc<Mutex<PagerState>>,
    total: Arc<Mutex<Option<u64>>>,
}

#[napi]
impl PackagePager {
    /// The next page, or `null` after the last one. One page at a time: calling it again before
    /// the previous call settled rejects with `SB_ERR_INVALID_STATE`.
    #[napi(ts_return_type = "Promise<OnespanPage | null>")]
    pub fn next_page<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let taken = {
            let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *guard, PagerState::Busy)
        };
        let state = self.state.clone();
        let total = self.total.clone();
        promise::spawn(
            env,
            async move {
                let mut pager = match taken {
                    PagerState::Ready(p) => p,
                    PagerState::Busy => {
                        return Err(SbError::new(
                            CoreCode::InvalidState,
                            "nextPage() was called again before the previous page arrived; \
                             await each page (for await ... of does)",
                        ))
                    }
                    PagerState::Failed(e) => {
                        let again = SbError::new(e.code(), e.message());
                        *state.lock().unwrap_or_else(|p| p.into_inner()) = PagerState::Failed(e);
                        return Err(again);
                    }
                };
                let page = pager.next_page().await;
                *total.lock().unwrap_or_else(|p| p.into_inner()) = pager.total();
                *state.lock().unwrap_or_else(|p| p.into_inner()) = PagerState::Ready(pager);
                page
            },
            page_to_js,
            None,
        )
    }

    /// The total number of matching transactions, known after the first page (`null` before).
    #[napi(getter)]
    pub fn total(&self) -> Option<f64> {
        self.total
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|n| n as f64)
    }
}

// ---------------------------------------------------------------------------------------------
// Callback verification.

/// Authenticates and parses OneSpan callback deliveries: OneSpan sends the registered key as
/// `Authorization: Basic <key>`, compared here in constant time. Give several keys during a
/// rotation. Nothing touches the network.
#[napi]
pub struct OnespanCallbackVerifier {
    inner: core::CallbackVerifier,
}

#[napi]
impl OnespanCallbackVerifier {
    /// A verifier accepting deliveries that carry `key` (or any of `keys`), as registered with
    /// `registerCallback`.
    #[napi(constructor, ts_args_type = "keys: string | Array<string>")]
    pub fn new(env: Env, keys: Unknown<'_>) -> napi::Result<Self> {
        let list = if keys.get_type()? == ValueType::String {
            vec![args::string(&env, keys, "keys")?]
        } else {
            let items = args::array(&env, keys, "keys").map_err(|_| {
                type_error(
                    &env,
                    "keys must be the callback key (a string) or an array of keys",
                )
            })?;
            let mut list = Vec::with_capacity(items.len());
            for (i, k) in items.into_iter().enumerate() {
                list.push(args::string(&env, k, &format!("keys[{i}]"))?);
            }
            list
        };
        let mut it = list.into_iter();
        let Some(first) = it.next() else {
            return Err(errors::to_napi(
                &env,
                &SbError::new(
                    CoreCode::AuthConfigMissing,
                    "no callback key given: pass the key registered with registerCallback",
                ),
                Kind::Error,
            ));
        };
        let inner = it.fold(core::CallbackVerifier::new(first), |v, k| v.with_key(k));
        Ok(OnespanCallbackVerifier { inner })
    }

    /// Check a delivery's `Authorization` header (`req.get('authorization')`; absent is
    /// refused) and parse its raw body. Throws `SB_ERR_WEBHOOK_INVALID` for a missing or wrong
    /// key (answer 401) and `SB_ERR_PROTOCOL` for a body that is not a OneSpan event (answer
    /// 400).
    #[napi(
        ts_args_type = "authorization: string | null | undefined, rawBody: Buffer | Uint8Array | string"
    )]
    pub fn verify(
        &self,
        env: Env,
        authorization: Unknown<'_>,
        raw_body: Unknown<'_>,
    ) -> napi::Result<OnespanCallbackEvent> {
        let header = args::opt_string(&env, authorization, "authorization")?;
        let body = crate::webhook::read_body(&env, raw_body)?;
        self.inner
            .verify(header.as_deref(), &body)
            .map(event_to_js)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }
}
