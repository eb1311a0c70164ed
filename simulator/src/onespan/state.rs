//! The OneSpan data model (§5) and the package state machine (§6).
//!
//! JSON in: the fields the simulator acts on are parsed; every other field a client sends is kept
//! verbatim and served back by `GET` (so `settings`, `data`, `emailMessage`, ... round-trip).
//! JSON out: the Package / Role / Signer / Document / Approval shapes of §5 with their defaults.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::{iso_millis, new_id, short_id, OsError};

/// A user of the simulated account (the API key, Client App OWNER tokens and OAuth tokens act
/// as the owner unless a sender is named).
#[derive(Debug)]
pub(crate) struct AccountUser {
    pub id: &'static str,
    pub email: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
}

impl AccountUser {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "name": self.name(),
            "company": "signbridge simulator",
            "title": "",
        })
    }
}

/// The account owner.
pub(crate) const OWNER: AccountUser = AccountUser {
    id: crate::ONESPAN_OWNER_ID,
    email: crate::ONESPAN_OWNER_EMAIL,
    first_name: "Olivia",
    last_name: "Owner",
};

/// The second account user, a sender.
pub(crate) const SENDER: AccountUser = AccountUser {
    id: crate::ONESPAN_SENDER_ID,
    email: crate::ONESPAN_SENDER_EMAIL,
    first_name: "Sam",
    last_name: "Sender",
};

/// The account user with this id or email (case-insensitive email).
pub(crate) fn account_user(id_or_email: &str) -> Option<&'static AccountUser> {
    let k = id_or_email.trim();
    [&OWNER, &SENDER]
        .into_iter()
        .find(|u| u.id == k || u.email.eq_ignore_ascii_case(k))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PkgStatus {
    Draft,
    Sent,
    Completed,
    Archived,
    Declined,
    OptedOut,
    Expired,
}

impl PkgStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PkgStatus::Draft => "DRAFT",
            PkgStatus::Sent => "SENT",
            PkgStatus::Completed => "COMPLETED",
            PkgStatus::Archived => "ARCHIVED",
            PkgStatus::Declined => "DECLINED",
            PkgStatus::OptedOut => "OPTED_OUT",
            PkgStatus::Expired => "EXPIRED",
        }
    }

    pub fn parse(s: &str) -> Option<PkgStatus> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "DRAFT" => PkgStatus::Draft,
            "SENT" => PkgStatus::Sent,
            "COMPLETED" => PkgStatus::Completed,
            "ARCHIVED" => PkgStatus::Archived,
            "DECLINED" => PkgStatus::Declined,
            "OPTED_OUT" => PkgStatus::OptedOut,
            "EXPIRED" => PkgStatus::Expired,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Signer {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub extra: Map<String, Value>,
}

impl Signer {
    pub fn name(&self) -> String {
        let n = format!("{} {}", self.first_name, self.last_name);
        if n.trim().is_empty() {
            self.email.clone()
        } else {
            n.trim().to_owned()
        }
    }

    fn to_json(&self, created: f64) -> Value {
        let mut o = self.extra.clone();
        let signer_type = if account_user(&self.email).is_some() {
            "ACCOUNT_SENDER"
        } else {
            "EXTERNAL_SIGNER"
        };
        for (k, v) in [
            ("company", json!("")),
            ("title", json!("")),
            ("phone", json!("")),
            ("language", json!("en")),
            ("auth", json!({"scheme": "NONE", "challenges": []})),
            (
                "delivery",
                json!({"email": false, "download": false, "provider": false}),
            ),
            ("signerType", json!(signer_type)),
            ("knowledgeBasedAuthentication", Value::Null),
            ("data", Value::Null),
        ] {
            o.entry(k).or_insert(v);
        }
        o.insert("id".into(), json!(self.id));
        o.insert("email".into(), json!(self.email));
        o.insert("firstName".into(), json!(self.first_name));
        o.insert("lastName".into(), json!(self.last_name));
        o.insert("name".into(), json!(self.name()));
        o.insert("created".into(), json!(iso_millis(created)));
        o.insert("updated".into(), json!(iso_millis(created)));
        Value::Object(o)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub id: String,
    pub name: String,
    pub index: i64,
    pub kind: String,
    pub signers: Vec<Signer>,
    pub extra: Map<String, Value>,
    /// Token of the signing URL (`/access?sessionToken=`), made on first request.
    pub session_token: Option<String>,
    pub signed_at: Option<f64>,
}

impl Role {
    /// The (first) signer's id, used as `sessionUser` of signer events.
    pub fn signer_id(&self) -> String {
        self.signers
            .first()
            .map(|s| s.id.clone())
            .unwrap_or_else(|| self.id.clone())
    }

    pub fn signer_name(&self) -> String {
        self.signers
            .first()
            .map(Signer::name)
            .unwrap_or_else(|| self.name.clone())
    }

    pub fn signer_email(&self) -> String {
        self.signers
            .first()
            .map(|s| s.email.clone())
            .unwrap_or_default()
    }

    /// True when `key` names this role (role id, signer id or signer email).
    pub fn matches(&self, key: &str) -> bool {
        self.id == key
            || self
                .signers
                .iter()
                .any(|s| s.id == key || s.email.eq_ignore_ascii_case(key))
    }

    pub fn to_json(&self, created: f64) -> Value {
        let mut o = self.extra.clone();
        for (k, v) in [
            ("reassign", json!(false)),
            ("locked", json!(false)),
            ("emailMessage", Value::Null),
            ("attachmentRequirements", json!([])),
            ("specialTypes", json!([])),
            ("data", Value::Null),
        ] {
            o.entry(k).or_insert(v);
        }
        o.insert("id".into(), json!(self.id));
        o.insert("name".into(), json!(self.name));
        o.insert("index".into(), json!(self.index));
        o.insert("type".into(), json!(self.kind));
        o.insert(
            "signers".into(),
            Value::Array(self.signers.iter().map(|s| s.to_json(created)).collect()),
        );
        Value::Object(o)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Approval {
    pub id: String,
    pub name: String,
    pub role: String,
    pub fields: Vec<Value>,
    pub signed: Option<f64>,
    pub accepted: Option<f64>,
    pub extra: Map<String, Value>,
}

impl Approval {
    fn to_json(&self) -> Value {
        let mut o = self.extra.clone();
        for (k, v) in [
            ("optional", json!(false)),
            ("disabled", json!(false)),
            ("enforceCaptureSignature", json!(false)),
            ("fromFile", json!(false)),
            ("tooltip", json!("")),
            ("data", Value::Null),
        ] {
            o.entry(k).or_insert(v);
        }
        o.insert("id".into(), json!(self.id));
        o.insert("name".into(), json!(self.name));
        o.insert("role".into(), json!(self.role));
        o.insert("fields".into(), Value::Array(self.fields.clone()));
        o.insert("signed".into(), json!(self.signed.map(iso_millis)));
        o.insert("accepted".into(), json!(self.accepted.map(iso_millis)));
        Value::Object(o)
    }
}

/// Size of one page in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBox {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub id: String,
    pub name: String,
    pub description: String,
    pub index: i64,
    pub original: Bytes,
    pub current: Bytes,
    pub pages: Vec<PageBox>,
    pub approvals: Vec<Approval>,
    pub fields: Vec<Value>,
    pub extra: Map<String, Value>,
}

impl Document {
    /// The download file name: the document name with `.pdf` appended unless present.
    pub fn file_name(&self) -> String {
        if self.name.to_ascii_lowercase().ends_with(".pdf") {
            self.name.clone()
        } else {
            format!("{}.pdf", self.name)
        }
    }

    pub fn to_json(&self) -> Value {
        let mut o = self.extra.clone();
        for (k, v) in [
            ("extract", json!(false)),
            ("tagged", json!(false)),
            ("external", Value::Null),
            ("extractionTypes", json!([])),
            ("data", Value::Null),
        ] {
            o.entry(k).or_insert(v);
        }
        o.insert("id".into(), json!(self.id));
        o.insert("name".into(), json!(self.name));
        o.insert("description".into(), json!(self.description));
        o.insert("index".into(), json!(self.index));
        o.insert("size".into(), json!(self.current.len()));
        o.insert(
            "approvals".into(),
            Value::Array(self.approvals.iter().map(Approval::to_json).collect()),
        );
        o.insert("fields".into(), Value::Array(self.fields.clone()));
        o.insert(
            "pages".into(),
            Value::Array(
                self.pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        json!({"id": format!("{}-p{i}", self.id), "index": i, "version": 0,
                               "top": 0, "left": 0, "width": p.width, "height": p.height})
                    })
                    .collect(),
            ),
        );
        Value::Object(o)
    }
}

/// One audit entry (`GET /audit`, evidence summary).
#[derive(Debug, Clone)]
pub(crate) struct AuditEntry {
    pub kind: &'static str,
    pub at: f64,
    pub target: String,
    pub target_type: &'static str,
    pub user: String,
    pub user_email: String,
    pub data: String,
}

/// A notification event (§7) produced by a state change.
#[derive(Debug, Clone)]
pub(crate) struct Ev {
    pub name: &'static str,
    pub session_user: String,
    pub message: Option<String>,
    pub document_id: Option<String>,
    pub at: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub id: String,
    pub seq: u64,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub status: PkgStatus,
    pub trashed: bool,
    pub autocomplete: bool,
    pub due: Option<f64>,
    pub created: f64,
    pub updated: f64,
    pub completed: Option<f64>,
    pub sender: &'static AccountUser,
    pub roles: Vec<Role>,
    pub documents: Vec<Document>,
    pub extra: Map<String, Value>,
    pub audit: Vec<AuditEntry>,
}

/// Package fields the simulator manages itself; a create or update never copies them into the
/// verbatim extras.
const MANAGED: &[&str] = &[
    "id",
    "name",
    "description",
    "type",
    "status",
    "trashed",
    "autocomplete",
    "due",
    "created",
    "updated",
    "completed",
    "sender",
    "roles",
    "documents",
];

/// A document's content, checked and measured before the lock is taken.
#[derive(Debug, Clone)]
pub(crate) struct DocInput {
    pub meta: Map<String, Value>,
    pub data: Bytes,
    pub filename: Option<String>,
    pub pages: Vec<PageBox>,
}

/// Checks that `data` is a PDF the simulator can stamp and returns its page sizes.
pub(crate) fn check_pdf(data: &[u8], what: &str) -> Result<Vec<PageBox>, OsError> {
    let invalid = |detail: String| {
        OsError::bad_request(
            "error.validation.invalidDocument",
            format!("The document {what} is not a valid PDF file."),
        )
        .technical(detail)
    };
    if data.is_empty() {
        return Err(invalid("the file is empty".to_owned()));
    }
    if !data.starts_with(b"%PDF-") {
        return Err(invalid(
            "the file does not start with the %PDF- header".to_owned(),
        ));
    }
    let tail = &data[data.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(invalid(
            "the file has no %%EOF marker at its end".to_owned(),
        ));
    }
    let doc = lopdf::Document::load_mem(data).map_err(|e| invalid(format!("cannot parse: {e}")))?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(invalid("encrypted PDFs are not supported".to_owned()));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(invalid("the PDF has no pages".to_owned()));
    }
    Ok(pages
        .values()
        .map(|id| {
            media_box(&doc, *id).unwrap_or(PageBox {
                width: 595.0,
                height: 842.0,
            })
        })
        .collect())
}

fn media_box(doc: &lopdf::Document, page: lopdf::ObjectId) -> Option<PageBox> {
    let num = |o: &lopdf::Object| -> Option<f64> {
        match o {
            lopdf::Object::Integer(i) => Some(*i as f64),
            lopdf::Object::Real(r) => Some(f64::from(*r)),
            _ => None,
        }
    };
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(mb) = dict.get(b"MediaBox") {
            let mb = match mb {
                lopdf::Object::Reference(r) => doc.get_object(*r).ok()?,
                o => o,
            };
            let arr = mb.as_array().ok()?;
            if arr.len() == 4 {
                let v: Vec<f64> = arr.iter().filter_map(num).collect();
                if v.len() == 4 {
                    return Some(PageBox {
                        width: (v[2] - v[0]).abs(),
                        height: (v[3] - v[1]).abs(),
                    });
                }
            }
            return None;
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// Decodes `base64Content` (standard or URL-safe alphabet, whitespace ignored).
pub(crate) fn decode_base64_content(s: &str, what: &str) -> Result<Bytes, OsError> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ];
    for e in engines {
        if let Ok(b) = e.decode(clean.as_bytes()) {
            return Ok(Bytes::from(b));
        }
        let trimmed = clean.trim_end_matches('=');
        let nopad = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::general_purpose::NO_PAD,
        );
        if let Ok(b) = nopad.decode(trimmed.as_bytes()) {
            return Ok(Bytes::from(b));
        }
    }
    Err(OsError::bad_request(
        "error.validation.invalidDocument",
        format!("The base64Content of document {what} is not valid base64."),
    ))
}

fn opt_str(o: &Map<String, Value>, key: &str, what: &str) -> Result<Option<String>, OsError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(OsError::bad_request(
            "error.validation.invalidValue",
            format!("{what}.{key} must be a string."),
        )
        .technical(format!("got {other}"))),
    }
}

fn opt_i64(o: &Map<String, Value>, key: &str, what: &str) -> Result<Option<i64>, OsError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidValue",
                format!("{what}.{key} must be an integer."),
            )
        }),
        Some(_) => Err(OsError::bad_request(
            "error.validation.invalidValue",
            format!("{what}.{key} must be an integer."),
        )),
    }
}

fn opt_bool(o: &Map<String, Value>, key: &str, what: &str) -> Result<Option<bool>, OsError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(OsError::bad_request(
            "error.validation.invalidValue",
            format!("{what}.{key} must be true or false."),
        )),
    }
}

fn opt_array<'a>(o: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a [Value], OsError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(OsError::bad_request(
            "error.validation.invalidValue",
            format!("{what}.{key} must be an array."),
        )),
    }
}

fn as_object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, OsError> {
    v.as_object().ok_or_else(|| {
        OsError::bad_request(
            "error.validation.invalidValue",
            format!("Each {what} must be a JSON object."),
        )
    })
}

fn copy_extra(o: &Map<String, Value>, managed: &[&str]) -> Map<String, Value> {
    o.iter()
        .filter(|(k, _)| !managed.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Parses `due` (string or null).
pub(crate) fn parse_due(v: Option<&Value>) -> Result<Option<Option<f64>>, OsError> {
    match v {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(Value::String(s)) => {
            super::parse_datetime(s)
                .map(|t| Some(Some(t)))
                .ok_or_else(|| {
                    OsError::bad_request(
                        "error.validation.invalidDate",
                        "The expiry date (due) is not a valid date.",
                    )
                    .technical(format!(
                "Expected yyyy-MM-dd'T'HH:mm:ss in UTC (optionally with millis and Z), got {s:?}."
            ))
                })
        }
        Some(_) => Err(OsError::bad_request(
            "error.validation.invalidDate",
            "The expiry date (due) must be a string.",
        )),
    }
}

/// Parses one Role (§5). `position` is its place in the request.
pub(crate) fn parse_role(v: &Value, existing: &[Role]) -> Result<Role, OsError> {
    let o = as_object(v, "role")?;
    let id = opt_str(o, "id", "role")?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(short_id);
    if existing.iter().any(|r| r.id == id) {
        return Err(OsError::bad_request(
            "error.validation.duplicateRole",
            format!("A role with id '{id}' already exists in this transaction."),
        ));
    }
    let signers_json = opt_array(o, "signers", "role")?;
    if signers_json.is_empty() {
        return Err(OsError::bad_request(
            "error.validation.signerRequired",
            format!("Role '{id}' has no signer: give signers[] with at least an email."),
        ));
    }
    let mut signers = Vec::new();
    for s in signers_json {
        let so = as_object(s, "signer")?;
        let email = opt_str(so, "email", "signer")?
            .map(|e| e.trim().to_owned())
            .unwrap_or_default();
        if email.is_empty() || !email.contains('@') || email.contains(char::is_whitespace) {
            return Err(OsError::bad_request(
                "error.validation.signerEmail",
                format!("Every signer needs a valid email address (role '{id}')."),
            )
            .technical(format!("signer email {email:?} is missing or invalid")));
        }
        let sid = opt_str(so, "id", "signer")?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(short_id);
        signers.push(Signer {
            id: sid,
            email,
            first_name: opt_str(so, "firstName", "signer")?.unwrap_or_default(),
            last_name: opt_str(so, "lastName", "signer")?.unwrap_or_default(),
            extra: copy_extra(
                so,
                &[
                    "id",
                    "email",
                    "firstName",
                    "lastName",
                    "name",
                    "created",
                    "updated",
                ],
            ),
        });
    }
    let name = opt_str(o, "name", "role")?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| id.clone());
    let kind = opt_str(o, "type", "role")?
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_else(|| "SIGNER".to_owned());
    if kind != "SIGNER" && kind != "SENDER" {
        return Err(OsError::bad_request(
            "error.validation.invalidValue",
            format!("role.type must be SIGNER or SENDER (role '{id}')."),
        ));
    }
    Ok(Role {
        id,
        name,
        index: opt_i64(o, "index", "role")?.unwrap_or(0),
        kind,
        signers,
        extra: copy_extra(o, &["id", "name", "index", "type", "signers"]),
        session_token: None,
        signed_at: None,
    })
}

fn parse_field(v: &Value) -> Result<Value, OsError> {
    let o = as_object(v, "field")?;
    let mut o = o.clone();
    let id_missing = o
        .get("id")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty());
    if id_missing {
        o.insert("id".into(), json!(short_id()));
    }
    for (k, d) in [
        ("type", json!("SIGNATURE")),
        ("subtype", json!("FULLNAME")),
        ("page", json!(0)),
        ("top", json!(0)),
        ("left", json!(0)),
        ("width", json!(200)),
        ("height", json!(50)),
        ("value", json!("")),
        ("binding", Value::Null),
    ] {
        o.entry(k).or_insert(d);
    }
    Ok(Value::Object(o))
}

impl Package {
    /// Builds a new DRAFT package from a create body. Returns it and whether `status:"SENT"` was
    /// asked for. `docs` are the documents, already checked.
    pub fn build(
        o: &Map<String, Value>,
        docs: Vec<DocInput>,
        sender: &'static AccountUser,
        now: f64,
    ) -> Result<(Package, bool), OsError> {
        let name = opt_str(o, "name", "package")?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                OsError::bad_request(
                    "error.validation.packageName",
                    "The transaction needs a name.",
                )
            })?;
        let send = match opt_str(o, "status", "package")? {
            None => false,
            Some(s) => match PkgStatus::parse(&s) {
                Some(PkgStatus::Draft) => false,
                Some(PkgStatus::Sent) => true,
                _ => {
                    return Err(OsError::bad_request(
                        "error.validation.invalidStatus",
                        format!("A transaction can be created as DRAFT or SENT, not {s:?}."),
                    ))
                }
            },
        };
        let sender = match o.get("sender") {
            Some(Value::Object(s)) => match s.get("email").and_then(Value::as_str) {
                Some(email) => account_user(email).ok_or_else(|| {
                    OsError::bad_request(
                        "error.validation.unknownSender",
                        "The sender is not a user of this account.",
                    )
                    .technical(format!("no account user with email {email:?}"))
                })?,
                None => sender,
            },
            _ => sender,
        };
        let mut pkg = Package {
            id: new_id(),
            seq: 0,
            name,
            description: opt_str(o, "description", "package")?.unwrap_or_default(),
            kind: opt_str(o, "type", "package")?
                .map(|s| s.to_ascii_uppercase())
                .unwrap_or_else(|| "PACKAGE".to_owned()),
            status: PkgStatus::Draft,
            trashed: false,
            autocomplete: opt_bool(o, "autocomplete", "package")?.unwrap_or(true),
            due: parse_due(o.get("due"))?.flatten(),
            created: now,
            updated: now,
            completed: None,
            sender,
            roles: Vec::new(),
            documents: Vec::new(),
            extra: copy_extra(o, MANAGED),
            audit: Vec::new(),
        };
        for r in opt_array(o, "roles", "package")? {
            let role = parse_role(r, &pkg.roles)?;
            pkg.roles.push(role);
        }
        for d in docs {
            pkg.insert_document(d)?;
        }
        Ok((pkg, send))
    }

    /// Adds a checked document (approvals validated against the roles). Returns its id.
    pub fn insert_document(&mut self, d: DocInput) -> Result<String, OsError> {
        let o = &d.meta;
        let position = self.documents.len();
        let id = opt_str(o, "id", "document")?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(new_id);
        if id == "zip" || self.documents.iter().any(|x| x.id == id) {
            return Err(OsError::bad_request(
                "error.validation.duplicateDocument",
                format!("A document with id '{id}' already exists in this transaction."),
            ));
        }
        let raw_name = opt_str(o, "name", "document")?
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                d.filename.as_ref().map(|f| {
                    let f = f.rsplit(['/', '\\']).next().unwrap_or(f);
                    f.strip_suffix(".pdf")
                        .or_else(|| f.strip_suffix(".PDF"))
                        .unwrap_or(f)
                        .to_owned()
                })
            })
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("Document {}", position + 1));
        let name: String = raw_name
            .trim()
            .chars()
            .map(|c| {
                if matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    || c.is_control()
                {
                    '_'
                } else {
                    c
                }
            })
            .take(256)
            .collect();
        let mut approvals = Vec::new();
        for a in opt_array(o, "approvals", "document")? {
            let ao = as_object(a, "approval")?;
            let role_ref = opt_str(ao, "role", "approval")?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    OsError::bad_request(
                        "error.validation.approvalRole",
                        format!("Every approval (signature) of document '{name}' needs a role."),
                    )
                })?;
            let role = self
                .roles
                .iter()
                .find(|r| r.matches(&role_ref))
                .ok_or_else(|| {
                    OsError::bad_request(
                        "error.validation.approvalRoleNotFound",
                        format!(
                            "An approval of document '{name}' refers to role '{role_ref}', which is not in the transaction."
                        ),
                    )
                })?;
            let mut fields = Vec::new();
            for f in opt_array(ao, "fields", "approval")? {
                fields.push(parse_field(f)?);
            }
            approvals.push(Approval {
                id: opt_str(ao, "id", "approval")?
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(short_id),
                name: opt_str(ao, "name", "approval")?.unwrap_or_default(),
                role: role.id.clone(),
                fields,
                signed: None,
                accepted: None,
                extra: copy_extra(ao, &["id", "name", "role", "fields", "signed", "accepted"]),
            });
        }
        let mut fields = Vec::new();
        for f in opt_array(o, "fields", "document")? {
            fields.push(parse_field(f)?);
        }
        let index = opt_i64(o, "index", "document")?.unwrap_or(position as i64);
        let new_doc_id = id.clone();
        self.documents.push(Document {
            id,
            name,
            description: opt_str(o, "description", "document")?.unwrap_or_default(),
            index,
            original: d.data.clone(),
            current: d.data,
            pages: d.pages,
            approvals,
            fields,
            extra: copy_extra(
                o,
                &[
                    "id",
                    "name",
                    "description",
                    "index",
                    "size",
                    "approvals",
                    "fields",
                    "pages",
                    "base64Content",
                ],
            ),
        });
        self.documents.sort_by_key(|d| d.index);
        Ok(new_doc_id)
    }

    /// The full Package JSON (§5).
    pub fn to_json(&self) -> Value {
        let mut o = self.extra.clone();
        for (k, v) in [
            ("visibility", json!("ACCOUNT")),
            ("language", json!("en")),
            ("emailMessage", json!("")),
            ("consent", json!("")),
            ("notarized", json!(false)),
            ("timezoneId", json!("UTC")),
            ("messages", json!([])),
            ("data", json!({})),
            ("bulkSendable", json!(false)),
            (
                "settings",
                json!({"ceremony": {"declineButton": true, "optOutButton": true}}),
            ),
        ] {
            o.entry(k).or_insert(v);
        }
        o.insert("id".into(), json!(self.id));
        o.insert("name".into(), json!(self.name));
        o.insert("description".into(), json!(self.description));
        o.insert("type".into(), json!(self.kind));
        o.insert("status".into(), json!(self.status.as_str()));
        o.insert("trashed".into(), json!(self.trashed));
        o.insert("autocomplete".into(), json!(self.autocomplete));
        o.insert("due".into(), json!(self.due.map(iso_millis)));
        o.insert("created".into(), json!(iso_millis(self.created)));
        o.insert("updated".into(), json!(iso_millis(self.updated)));
        o.insert("completed".into(), json!(self.completed.map(iso_millis)));
        o.insert("sender".into(), self.sender.to_json());
        o.insert(
            "roles".into(),
            Value::Array(self.roles.iter().map(|r| r.to_json(self.created)).collect()),
        );
        o.insert(
            "documents".into(),
            Value::Array(self.documents.iter().map(Document::to_json).collect()),
        );
        Value::Object(o)
    }

    /// `settings.ceremony.<key>` of the package, if set.
    pub fn ceremony(&self, key: &str) -> Option<&Value> {
        self.extra.get("settings")?.get("ceremony")?.get(key)
    }

    pub fn role_pos(&self, key: &str) -> Option<usize> {
        self.roles
            .iter()
            .position(|r| r.id == key)
            .or_else(|| self.roles.iter().position(|r| r.matches(key)))
    }

    pub fn require_draft(&self) -> Result<(), OsError> {
        if self.status == PkgStatus::Draft {
            Ok(())
        } else {
            Err(OsError::package_active(self.status))
        }
    }

    fn approvals_of<'a>(&'a self, role_id: &'a str) -> impl Iterator<Item = &'a Approval> + 'a {
        self.documents
            .iter()
            .flat_map(|d| d.approvals.iter())
            .filter(move |a| a.role == role_id)
    }

    /// True when the role has approvals and all are signed.
    pub fn role_signed(&self, pos: usize) -> bool {
        let Some(role) = self.roles.get(pos) else {
            return false;
        };
        let mut any = false;
        for a in self.approvals_of(&role.id) {
            any = true;
            if a.signed.is_none() {
                return false;
            }
        }
        any
    }

    fn role_has_pending(&self, role_id: &str) -> bool {
        self.approvals_of(role_id).any(|a| a.signed.is_none())
    }

    /// True when it is this role's turn: it has unsigned approvals and no role with a lower
    /// `index` still has some.
    pub fn role_turn(&self, pos: usize) -> bool {
        let Some(role) = self.roles.get(pos) else {
            return false;
        };
        if !self.role_has_pending(&role.id) {
            return false;
        }
        !self
            .roles
            .iter()
            .any(|r| r.index < role.index && self.role_has_pending(&r.id))
    }

    /// Every approval is signed (and there is at least one).
    pub fn all_signed(&self) -> bool {
        let mut any = false;
        for a in self.documents.iter().flat_map(|d| d.approvals.iter()) {
            any = true;
            if a.signed.is_none() {
                return false;
            }
        }
        any
    }

    fn sender_event(
        &mut self,
        out: &mut Vec<Ev>,
        name: &'static str,
        kind: &'static str,
        now: f64,
    ) {
        self.audit.push(AuditEntry {
            kind,
            at: now,
            target: self.name.clone(),
            target_type: "Package",
            user: self.sender.name(),
            user_email: self.sender.email.to_owned(),
            data: String::new(),
        });
        out.push(Ev {
            name,
            session_user: self.sender.id.to_owned(),
            message: None,
            document_id: None,
            at: now,
        });
    }

    /// The `PACKAGE_CREATE` event (audit + notification).
    pub fn created_event(&mut self, now: f64) -> Vec<Ev> {
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_CREATE", "Create", now);
        out
    }

    /// DRAFT → SENT.
    pub fn send(&mut self, now: f64) -> Result<Vec<Ev>, OsError> {
        match self.status {
            PkgStatus::Sent => return Ok(Vec::new()),
            PkgStatus::Draft => {}
            s => return Err(OsError::invalid_transition(s.as_str(), "SENT")),
        }
        if self.trashed {
            return Err(OsError::invalid_transition("TRASHED", "SENT")
                .technical("Restore the transaction ({\"trashed\":false}) before sending it."));
        }
        if self.documents.is_empty() {
            return Err(OsError::bad_request(
                "error.validation.send.noDocuments",
                "A transaction needs at least one document before it can be sent.",
            ));
        }
        if !self.documents.iter().any(|d| !d.approvals.is_empty()) {
            return Err(OsError::bad_request(
                "error.validation.send.noSignatures",
                "A transaction needs at least one signature (approval) before it can be sent.",
            ));
        }
        if self.due.is_some_and(|d| d <= now) {
            return Err(OsError::bad_request(
                "error.validation.send.expiryInPast",
                "The expiry date (due) of the transaction is in the past.",
            ));
        }
        self.status = PkgStatus::Sent;
        self.updated = now;
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_ACTIVATE", "Send", now);
        Ok(out)
    }

    /// SENT or EXPIRED → DRAFT (signatures are cleared).
    pub fn return_to_draft(&mut self, now: f64) -> Result<Vec<Ev>, OsError> {
        match self.status {
            PkgStatus::Draft => return Ok(Vec::new()),
            PkgStatus::Sent | PkgStatus::Expired => {}
            s => return Err(OsError::invalid_transition(s.as_str(), "DRAFT")),
        }
        for d in &mut self.documents {
            d.current = d.original.clone();
            for a in &mut d.approvals {
                a.signed = None;
                a.accepted = None;
            }
        }
        for r in &mut self.roles {
            r.signed_at = None;
        }
        self.status = PkgStatus::Draft;
        self.updated = now;
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_DEACTIVATE", "Return to draft", now);
        Ok(out)
    }

    /// SENT (all signed, autocomplete off) → COMPLETED.
    pub fn mark_complete(&mut self, now: f64) -> Result<Vec<Ev>, OsError> {
        match self.status {
            PkgStatus::Completed => return Ok(Vec::new()),
            PkgStatus::Sent if self.all_signed() => {}
            PkgStatus::Sent => {
                return Err(OsError::invalid_transition("SENT", "COMPLETED")
                    .technical("Not every signer has signed yet."))
            }
            s => return Err(OsError::invalid_transition(s.as_str(), "COMPLETED")),
        }
        self.status = PkgStatus::Completed;
        self.completed = Some(now);
        self.updated = now;
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_COMPLETE", "Complete", now);
        Ok(out)
    }

    /// COMPLETED → ARCHIVED.
    pub fn archive(&mut self, now: f64) -> Result<Vec<Ev>, OsError> {
        match self.status {
            PkgStatus::Archived => return Ok(Vec::new()),
            PkgStatus::Completed => {}
            s => return Err(OsError::invalid_transition(s.as_str(), "ARCHIVED")),
        }
        self.status = PkgStatus::Archived;
        self.updated = now;
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_ARCHIVE", "Archive", now);
        Ok(out)
    }

    /// Moves to or out of the trash.
    pub fn set_trashed(&mut self, trashed: bool, now: f64) -> Vec<Ev> {
        let mut out = Vec::new();
        if self.trashed == trashed {
            return out;
        }
        self.trashed = trashed;
        self.updated = now;
        if trashed {
            self.sender_event(&mut out, "PACKAGE_TRASH", "Trash", now);
        } else {
            self.sender_event(&mut out, "PACKAGE_RESTORE", "Restore", now);
        }
        out
    }

    /// The `PACKAGE_DELETE` event.
    pub fn deleted_event(&mut self, now: f64) -> Vec<Ev> {
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_DELETE", "Delete", now);
        out
    }

    /// SENT → EXPIRED (the `due` time passed, or the control API).
    pub fn expire(&mut self, now: f64) -> Result<Vec<Ev>, OsError> {
        match self.status {
            PkgStatus::Expired => return Ok(Vec::new()),
            PkgStatus::Sent => {}
            s => return Err(OsError::invalid_transition(s.as_str(), "EXPIRED")),
        }
        self.status = PkgStatus::Expired;
        self.updated = now;
        let mut out = Vec::new();
        self.sender_event(&mut out, "PACKAGE_EXPIRE", "Expire", now);
        Ok(out)
    }

    /// Checks that `pos` may act now (package SENT, not trashed).
    fn require_signable(&self) -> Result<(), OsError> {
        if self.status != PkgStatus::Sent || self.trashed {
            let s = if self.trashed {
                "TRASHED"
            } else {
                self.status.as_str()
            };
            return Err(OsError::package_not_active(s));
        }
        Ok(())
    }

    fn signer_entry(
        &mut self,
        pos: usize,
        kind: &'static str,
        target: String,
        target_type: &'static str,
        data: String,
        now: f64,
    ) {
        let (user, email) = match self.roles.get(pos) {
            Some(r) => (r.signer_name(), r.signer_email()),
            None => (String::new(), String::new()),
        };
        self.audit.push(AuditEntry {
            kind,
            at: now,
            target,
            target_type,
            user,
            user_email: email,
            data,
        });
    }

    /// The role at `pos` signs all its approvals: each document it signs gets an incremental
    /// update with a visible stamp. Emits DOCUMENT_SIGNED per document, SIGNER_COMPLETE, then
    /// PACKAGE_COMPLETE (autocomplete) or PACKAGE_READY_FOR_COMPLETE.
    pub fn sign(&mut self, pos: usize, now: f64) -> Result<Vec<Ev>, OsError> {
        self.require_signable()?;
        let role = self
            .roles
            .get(pos)
            .cloned()
            .ok_or_else(|| OsError::role_not_found(""))?;
        if !self.role_has_pending(&role.id) {
            if self.role_signed(pos) {
                return Err(OsError::bad_request(
                    "error.validation.alreadySigned",
                    format!("Signer '{}' has already signed.", role.signer_name()),
                ));
            }
            return Err(OsError::bad_request(
                "error.validation.nothingToSign",
                format!(
                    "Role '{}' has no signatures to sign in this transaction.",
                    role.id
                ),
            ));
        }
        if !self.role_turn(pos) {
            return Err(OsError::bad_request(
                "error.validation.signingOrder",
                "It is not this signer's turn: waiting for other signers.",
            )
            .technical(format!(
                "Role '{}' (index {}) signs after the roles with a lower index have signed.",
                role.id, role.index
            )));
        }
        // Sign every document first (one PAdES signature each, its stamp filling the signer's
        // first field); commit only if all succeed.
        let mut stamped: Vec<(usize, Bytes)> = Vec::new();
        for (di, d) in self.documents.iter().enumerate() {
            let Some(first) = d
                .approvals
                .iter()
                .find(|a| a.role == role.id && a.signed.is_none())
            else {
                continue;
            };
            let previous = d.approvals.iter().filter(|a| a.signed.is_some()).count() as f64;
            let placement = match first.fields.first() {
                Some(f) => {
                    let page0 = f["page"].as_u64().unwrap_or(0);
                    let height = d
                        .pages
                        .get(usize::try_from(page0).unwrap_or(0))
                        .or(d.pages.last())
                        .map(|p| p.height)
                        .unwrap_or(842.0);
                    let top = f["top"].as_f64().unwrap_or(0.0);
                    let w = f["width"].as_f64().unwrap_or(200.0);
                    let h = f["height"].as_f64().unwrap_or(50.0);
                    crate::pades::Placement {
                        page: u32::try_from(page0 + 1).unwrap_or(1),
                        x: f["left"].as_f64().unwrap_or(50.0).max(0.0),
                        y: (height - top - h).max(0.0),
                        width: w,
                        height: h,
                    }
                }
                None => crate::pades::Placement {
                    page: 1,
                    x: 50.0,
                    y: 50.0 + 58.0 * previous,
                    width: 200.0,
                    height: 50.0,
                },
            };
            let bytes = crate::pades::sign_onespan(
                &d.current,
                placement,
                &role.signer_name(),
                &role.signer_email(),
                now.floor() as i64,
            )
            .map_err(|e| {
                OsError::internal(format!("The document '{}' could not be signed.", d.name))
                    .technical(e)
            })?;
            stamped.push((di, Bytes::from(bytes)));
        }
        let mut out = Vec::new();
        let signer_id = role.signer_id();
        for (di, bytes) in stamped {
            let (doc_id, doc_name) = match self.documents.get_mut(di) {
                Some(d) => {
                    d.current = bytes;
                    for a in d.approvals.iter_mut().filter(|a| a.role == role.id) {
                        a.accepted = Some(now);
                        a.signed = Some(now);
                    }
                    (d.id.clone(), d.name.clone())
                }
                None => continue,
            };
            self.signer_entry(pos, "Sign", doc_name, "Document", String::new(), now);
            out.push(Ev {
                name: "DOCUMENT_SIGNED",
                session_user: signer_id.clone(),
                message: None,
                document_id: Some(doc_id),
                at: now,
            });
        }
        if let Some(r) = self.roles.get_mut(pos) {
            r.signed_at = Some(now);
        }
        self.signer_entry(
            pos,
            "Signer complete",
            self.name.clone(),
            "Package",
            String::new(),
            now,
        );
        out.push(Ev {
            name: "SIGNER_COMPLETE",
            session_user: signer_id.clone(),
            message: None,
            document_id: None,
            at: now,
        });
        self.updated = now;
        if self.all_signed() {
            if self.autocomplete {
                self.status = PkgStatus::Completed;
                self.completed = Some(now);
                self.signer_entry(
                    pos,
                    "Complete",
                    self.name.clone(),
                    "Package",
                    String::new(),
                    now,
                );
                out.push(Ev {
                    name: "PACKAGE_COMPLETE",
                    session_user: signer_id,
                    message: None,
                    document_id: None,
                    at: now,
                });
            } else {
                self.signer_entry(
                    pos,
                    "Ready for completion",
                    self.name.clone(),
                    "Package",
                    String::new(),
                    now,
                );
                out.push(Ev {
                    name: "PACKAGE_READY_FOR_COMPLETE",
                    session_user: signer_id,
                    message: None,
                    document_id: None,
                    at: now,
                });
            }
        }
        Ok(out)
    }

    /// The role at `pos` declines (→ DECLINED) or opts out (→ OPTED_OUT) with `reason`.
    pub fn refuse(
        &mut self,
        pos: usize,
        opt_out: bool,
        reason: Option<String>,
        now: f64,
    ) -> Result<Vec<Ev>, OsError> {
        self.require_signable()?;
        if self.role_signed(pos) {
            return Err(OsError::bad_request(
                "error.validation.alreadySigned",
                "This signer has already signed and can no longer decline.",
            ));
        }
        let signer_id = self
            .roles
            .get(pos)
            .map(Role::signer_id)
            .ok_or_else(|| OsError::role_not_found(""))?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let (status, name, kind) = if opt_out {
            (PkgStatus::OptedOut, "PACKAGE_OPT_OUT", "Opt out")
        } else {
            (PkgStatus::Declined, "PACKAGE_DECLINE", "Decline")
        };
        self.status = status;
        self.updated = now;
        if let (Some(text), Some(role)) = (&reason, self.roles.get(pos)) {
            // OneSpan records the reason as a message from the signer to the sender.
            let from = role
                .signers
                .first()
                .map(|s| json!({"id": s.id, "email": s.email, "firstName": s.first_name, "lastName": s.last_name}))
                .unwrap_or(Value::Null);
            let message = json!({
                "content": text,
                "status": "NEW",
                "from": from,
                "to": [self.sender.to_json()],
                "created": iso_millis(now),
                "documents": [],
            });
            match self.extra.get_mut("messages") {
                Some(Value::Array(list)) => list.push(message),
                _ => {
                    self.extra
                        .insert("messages".into(), Value::Array(vec![message]));
                }
            }
        }
        self.signer_entry(
            pos,
            kind,
            self.name.clone(),
            "Package",
            reason.clone().unwrap_or_default(),
            now,
        );
        Ok(vec![Ev {
            name,
            session_user: signer_id,
            message: reason,
            document_id: None,
            at: now,
        }])
    }

    /// A signer opened a document on the signing page.
    pub fn viewed(&mut self, pos: usize, doc_id: &str, now: f64) -> Vec<Ev> {
        let Some(doc_name) = self
            .documents
            .iter()
            .find(|d| d.id == doc_id)
            .map(|d| d.name.clone())
        else {
            return Vec::new();
        };
        self.signer_entry(pos, "View", doc_name, "Document", String::new(), now);
        vec![Ev {
            name: "DOCUMENT_VIEWED",
            session_user: self.roles.get(pos).map(Role::signer_id).unwrap_or_default(),
            message: None,
            document_id: Some(doc_id.to_owned()),
            at: now,
        }]
    }

    /// The `/signingStatus` token (§5) for an optional signer and document.
    pub fn signing_status(
        &self,
        signer: Option<&str>,
        document: Option<&str>,
    ) -> Result<&'static str, OsError> {
        let role = match signer.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(self.role_pos(s).ok_or_else(|| OsError::role_not_found(s))?),
            None => None,
        };
        let doc = match document.map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => Some(
                self.documents
                    .iter()
                    .find(|x| x.id == d)
                    .ok_or_else(|| OsError::document_not_found(d))?,
            ),
            None => None,
        };
        if self.status != PkgStatus::Sent {
            return Ok(self.status.as_str());
        }
        let role_id = role.and_then(|p| self.roles.get(p)).map(|r| r.id.as_str());
        let relevant: Vec<&Approval> = match doc {
            Some(d) => d.approvals.iter().collect(),
            None => self
                .documents
                .iter()
                .flat_map(|d| d.approvals.iter())
                .collect(),
        };
        let relevant: Vec<&&Approval> = relevant
            .iter()
            .filter(|a| role_id.is_none_or(|r| a.role == r))
            .collect();
        if !relevant.is_empty() && relevant.iter().all(|a| a.signed.is_some()) {
            Ok("SIGNING_COMPLETED")
        } else {
            Ok("SIGNING_PENDING")
        }
    }

    /// Applies a sparse update (DRAFT only; the caller checks): `name`, `description`,
    /// `autocomplete`, `due`, `type`, and any other unmanaged field verbatim (`null` removes it).
    pub fn apply_update(&mut self, o: &Map<String, Value>, now: f64) -> Result<(), OsError> {
        let name = match o.get("name") {
            None => None,
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(_) => {
                return Err(OsError::bad_request(
                    "error.validation.packageName",
                    "The transaction name must be a non-empty string.",
                ))
            }
        };
        let description = opt_str(o, "description", "package")?;
        let autocomplete = opt_bool(o, "autocomplete", "package")?;
        let due = parse_due(o.get("due"))?;
        let kind = opt_str(o, "type", "package")?;
        if let Some(n) = name {
            self.name = n;
        }
        if let Some(d) = description {
            self.description = d;
        }
        if let Some(a) = autocomplete {
            self.autocomplete = a;
        }
        if let Some(d) = due {
            self.due = d;
        }
        if let Some(k) = kind {
            self.kind = k.to_ascii_uppercase();
        }
        for (k, v) in o {
            if MANAGED.contains(&k.as_str()) {
                continue;
            }
            if v.is_null() {
                self.extra.remove(k);
            } else {
                self.extra.insert(k.clone(), v.clone());
            }
        }
        self.updated = now;
        Ok(())
    }

    /// True when the update body carries fields beyond `status`/`trashed` (and the read-only
    /// ones a client may echo back).
    pub fn is_edit(o: &Map<String, Value>) -> bool {
        o.keys().any(|k| {
            !matches!(
                k.as_str(),
                "status"
                    | "trashed"
                    | "id"
                    | "created"
                    | "updated"
                    | "completed"
                    | "sender"
                    | "roles"
                    | "documents"
            )
        })
    }
}

/// The decode helper for a JSON document entry with `base64Content`.
pub(crate) fn doc_from_json(o: &Map<String, Value>, position: usize) -> Result<DocInput, OsError> {
    let label = o
        .get("name")
        .and_then(Value::as_str)
        .map(|n| format!("'{n}'"))
        .unwrap_or_else(|| format!("#{}", position + 1));
    let b64 = o
        .get("base64Content")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidDocument",
                format!("Document {label} has no content: send base64Content, or upload it as a multipart file part."),
            )
        })?;
    let data = decode_base64_content(b64, &label)?;
    let pages = check_pdf(&data, &label)?;
    Ok(DocInput {
        meta: o.clone(),
        data,
        filename: None,
        pages,
    })
}
