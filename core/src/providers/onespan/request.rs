//! The JSON form of a new transaction, of a document to add and of a draft update, shared by the
//! bindings that pass data as JSON (C: text; Python: a dict converted to a JSON value).
//!
//! ```json
//! {"name": "Boat sale", "description": "...", "email_message": "...", "autocomplete": true,
//!  "due": "2030-01-01T12:00:00", "language": "en", "send": false,
//!  "hand_over_url": "https://example.com/done",
//!  "signers": [{"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
//!               "last_name": "Nordmann", "company": "...", "title": "...", "order": 1}],
//!  "documents": [{"name": "contract", "id": "doc1", "path": "/tmp/contract.pdf",
//!                 "fields": [{"role_id": "buyer", "page": 0, "top": 600, "left": 60,
//!                             "width": 200, "height": 50, "kind": "FULLNAME"}]}]}
//! ```
//!
//! A document gives exactly one of `path` (a PDF file, read when the request is loaded; the
//! name defaults to the file name without `.pdf`) or `content_base64` (the PDF, standard
//! base64; `name` is then required). Pages are 0-based; positions are PDF points from the top
//! left corner. Unknown fields are refused; every error names the JSON path of the value
//! (`documents[1].fields[0].page`) and is [`crate::ErrorCode::InvalidArgument`], or
//! [`crate::ErrorCode::InvalidDocument`] for content that is not a PDF.

use std::collections::HashSet;
use std::path::PathBuf;

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};

use super::model::{
    DocumentSpec, NewPackage, PackageUpdate, SignatureField, SignatureKind, Signer,
};
use crate::error::{Error, Result};
use crate::providers::{check_id, IdSyntax};

pub(crate) const PACKAGE_FIELDS: &[&str] = &[
    "name",
    "description",
    "email_message",
    "autocomplete",
    "due",
    "language",
    "send",
    "hand_over_url",
    "signers",
    "documents",
];
pub(crate) const SIGNER_FIELDS: &[&str] = &[
    "role_id",
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "order",
];
pub(crate) const DOCUMENT_FIELDS: &[&str] = &["name", "id", "path", "content_base64", "fields"];
pub(crate) const FIELD_FIELDS: &[&str] =
    &["role_id", "page", "top", "left", "width", "height", "kind"];
const UPDATE_FIELDS: &[&str] = &[
    "name",
    "description",
    "email_message",
    "due",
    "autocomplete",
];
const KINDS: &[SignatureKind] = &[
    SignatureKind::FullName,
    SignatureKind::Initials,
    SignatureKind::Capture,
    SignatureKind::MobileCapture,
];

fn invalid(path: &str, what: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("{path} {what}"))
}

/// `error` with the JSON path of the value it is about in front of its message.
fn at_path(path: &str, error: Error) -> Error {
    Error::new(error.code(), format!("{path}: {}", error.message()))
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON object read field by field, with its path for error messages. `null` reads as absent.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// `v` as an object whose keys are all in `known`; `what` says what it is for messages.
    fn new(v: &'a Value, path: &str, what: &str, known: &[&str]) -> Result<Obj<'a>> {
        let Value::Object(map) = v else {
            let here = if path.is_empty() { "the value" } else { path };
            return Err(invalid(
                here,
                format!("must be a JSON object ({what}), got {}", describe(v)),
            ));
        };
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(invalid(
                &join(path, k),
                format!(
                    "is not a field of {what}; the fields are: {}",
                    known.join(", ")
                ),
            ));
        }
        Ok(Obj {
            map,
            path: path.to_string(),
        })
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(invalid(
                &self.at(key),
                format!("must be a string, got {}", describe(v)),
            )),
        }
    }

    fn string(&self, key: &str) -> Result<String> {
        self.opt_string(key)?
            .ok_or_else(|| invalid(&self.at(key), "is required (a string)"))
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(invalid(
                &self.at(key),
                format!("must be true or false, got {}", describe(v)),
            )),
        }
    }

    fn opt_number(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(f) if f.is_finite() => Ok(Some(f)),
                _ => Err(invalid(&self.at(key), "must be a finite number")),
            },
            Some(v) => Err(invalid(
                &self.at(key),
                format!("must be a number, got {}", describe(v)),
            )),
        }
    }

    fn number(&self, key: &str) -> Result<f64> {
        self.opt_number(key)?
            .ok_or_else(|| invalid(&self.at(key), "is required (a number)"))
    }

    /// A whole number `min..=u32::MAX`.
    fn opt_whole(&self, key: &str, min: u32) -> Result<Option<u32>> {
        let Some(n) = self.opt_number(key)? else {
            return Ok(None);
        };
        if n.fract() != 0.0 || n < f64::from(min) || n > f64::from(u32::MAX) {
            return Err(invalid(
                &self.at(key),
                format!("must be a whole number >= {min}, got {n}"),
            ));
        }
        Ok(Some(n as u32))
    }

    fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(invalid(
                &self.at(key),
                format!("must be an array, got {}", describe(v)),
            )),
        }
    }
}

fn parse_text(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        Error::invalid_argument(format!(
            "the request is not valid JSON ({e}); write it as one JSON object"
        ))
    })
}

// ---- signature fields and signers -----------------------------------------------------------

fn read_field(v: &Value, path: &str) -> Result<SignatureField> {
    let o = Obj::new(v, path, "a signature field", FIELD_FIELDS)?;
    let role = o.string("role_id")?;
    check_id("role id", &role, IdSyntax::Encoded).map_err(|e| at_path(&o.at("role_id"), e))?;
    let page = o.opt_whole("page", 0)?.ok_or_else(|| {
        invalid(
            &o.at("page"),
            "is required (a whole number, 0 = first page)",
        )
    })?;
    let mut f = SignatureField::new(role, page, o.number("top")?, o.number("left")?);
    for (key, value) in [("top", f.top), ("left", f.left)] {
        if value < 0.0 {
            return Err(invalid(
                &o.at(key),
                format!("must be >= 0 (PDF points from the top left corner), got {value}"),
            ));
        }
    }
    if let Some(w) = o.opt_number("width")? {
        f.width = w;
    }
    if let Some(h) = o.opt_number("height")? {
        f.height = h;
    }
    for (key, value) in [("width", f.width), ("height", f.height)] {
        if value <= 0.0 {
            return Err(invalid(&o.at(key), format!("must be > 0, got {value}")));
        }
    }
    if let Some(k) = o.opt_string("kind")? {
        let kind = SignatureKind::parse(&k);
        if !KINDS.contains(&kind) {
            let names: Vec<&str> = KINDS.iter().map(SignatureKind::as_str).collect();
            return Err(invalid(
                &o.at("kind"),
                format!("{k:?} is not one of {}", names.join(", ")),
            ));
        }
        f.kind = kind;
    }
    Ok(f)
}

fn read_signer(v: &Value, path: &str) -> Result<Signer> {
    let o = Obj::new(v, path, "a signer", SIGNER_FIELDS)?;
    let role = o.string("role_id")?;
    check_id("role id", &role, IdSyntax::Encoded).map_err(|e| at_path(&o.at("role_id"), e))?;
    let mut s = Signer::new(
        role,
        o.string("email")?,
        o.string("first_name")?,
        o.string("last_name")?,
    );
    s.company = o.opt_string("company")?;
    s.title = o.opt_string("title")?;
    s.order = o.opt_whole("order", 1)?;
    Ok(s)
}

// ---- documents ------------------------------------------------------------------------------

enum Source {
    Path(PathBuf),
    Bytes(Bytes),
}

/// A document read from JSON whose content is not loaded yet.
struct DocumentIn {
    path: String,
    name: Option<String>,
    id: Option<String>,
    source: Source,
    fields: Vec<SignatureField>,
}

impl DocumentIn {
    /// `roles`: the role ids fields may name (`None`: not checked here).
    fn read(v: &Value, path: &str, roles: Option<&HashSet<String>>) -> Result<DocumentIn> {
        let o = Obj::new(v, path, "a document", DOCUMENT_FIELDS)?;
        let name = o.opt_string("name")?;
        let id = o.opt_string("id")?;
        let source = match (o.opt_string("path")?, o.opt_string("content_base64")?) {
            (Some(p), None) => {
                if p.is_empty() {
                    return Err(invalid(&o.at("path"), "is empty; give a PDF file's path"));
                }
                Source::Path(PathBuf::from(p))
            }
            (None, Some(b64)) => {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| {
                        invalid(
                            &o.at("content_base64"),
                            format!("is not valid (standard) base64: {e}"),
                        )
                    })?;
                if name.is_none() {
                    return Err(invalid(
                        &o.at("name"),
                        "is required with `content_base64` (the name shown to signers)",
                    ));
                }
                Source::Bytes(Bytes::from(data))
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    if path.is_empty() {
                        "the document"
                    } else {
                        path
                    },
                    "has both `path` and `content_base64`; give exactly one",
                ))
            }
            (None, None) => {
                return Err(invalid(
                    if path.is_empty() {
                        "the document"
                    } else {
                        path
                    },
                    "needs its PDF: give `path` (a file) or `content_base64`",
                ))
            }
        };
        let mut fields = Vec::new();
        for (i, f) in o.opt_array("fields")?.into_iter().flatten().enumerate() {
            let here = format!("{}[{i}]", o.at("fields"));
            let field = read_field(f, &here)?;
            if let Some(roles) = roles {
                if !roles.contains(&field.role_id) {
                    return Err(invalid(
                        &join(&here, "role_id"),
                        format!(
                            "{:?} is not the `role_id` of any signer of the transaction",
                            field.role_id
                        ),
                    ));
                }
            }
            fields.push(field);
        }
        Ok(DocumentIn {
            path: path.to_string(),
            name,
            id,
            source,
            fields,
        })
    }

    async fn load(self) -> Result<DocumentSpec> {
        let here = if self.path.is_empty() {
            "the document".to_string()
        } else {
            self.path
        };
        let mut spec = match self.source {
            Source::Bytes(data) => {
                let name = self.name.unwrap_or_default();
                DocumentSpec::from_bytes(name, data).map_err(|e| at_path(&here, e))?
            }
            Source::Path(p) => {
                let mut spec = DocumentSpec::from_path(&p)
                    .await
                    .map_err(|e| at_path(&here, e))?;
                if let Some(name) = self.name {
                    spec =
                        DocumentSpec::from_bytes(name, spec.data).map_err(|e| at_path(&here, e))?;
                }
                spec
            }
        };
        spec.id = self.id;
        spec.fields = self.fields;
        Ok(spec)
    }
}

// ---- the public constructors ----------------------------------------------------------------

impl NewPackage {
    /// A new transaction from its JSON form ([the schema](crate::providers::onespan::request)):
    /// fields checked with errors naming their JSON path, documents given by `path` read, `content_base64` decoded, every PDF checked.
    ///
    /// Errors: [`crate::ErrorCode::InvalidArgument`] (wrong shape, unknown field, a field for a role no
    /// signer has, an unreadable file), [`crate::ErrorCode::InvalidDocument`] (content that is not a
    /// complete PDF). The rest is checked when the transaction is created
    /// ([`NewPackage::validate`]).
    pub async fn from_json(value: &Value) -> Result<NewPackage> {
        let o = Obj::new(value, "", "a transaction", PACKAGE_FIELDS)?;
        let mut p = NewPackage::new(o.string("name")?);
        p.description = o.opt_string("description")?;
        p.email_message = o.opt_string("email_message")?;
        if let Some(a) = o.opt_bool("autocomplete")? {
            p.autocomplete = a;
        }
        p.due = o.opt_string("due")?;
        p.language = o.opt_string("language")?;
        p.send = o.opt_bool("send")?.unwrap_or(false);
        p.hand_over_url = o.opt_string("hand_over_url")?;
        let signers = o
            .opt_array("signers")?
            .ok_or_else(|| invalid("signers", "is required (an array of signers)"))?;
        let mut roles = HashSet::new();
        for (i, s) in signers.iter().enumerate() {
            let here = format!("signers[{i}]");
            let signer = read_signer(s, &here)?;
            if !roles.insert(signer.role_id.clone()) {
                return Err(invalid(
                    &join(&here, "role_id"),
                    format!(
                        "{:?} is used by an earlier signer; each signer needs its own role id",
                        signer.role_id
                    ),
                ));
            }
            p.signers.push(signer);
        }
        let mut documents = Vec::new();
        for (i, d) in o.opt_array("documents")?.into_iter().flatten().enumerate() {
            documents.push(DocumentIn::read(
                d,
                &format!("documents[{i}]"),
                Some(&roles),
            )?);
        }
        for d in documents {
            p.documents.push(d.load().await?);
        }
        Ok(p)
    }

    /// [`NewPackage::from_json`] of JSON text; text that is not JSON is
    /// [`crate::ErrorCode::InvalidArgument`].
    pub async fn from_json_str(text: &str) -> Result<NewPackage> {
        NewPackage::from_json(&parse_text(text)?).await
    }
}

impl DocumentSpec {
    /// A document to add to a draft ([`super::OnespanClient::add_document`]) from its JSON form:
    /// `{"name"?, "id"?, "path" | "content_base64", "fields": [...]}` as an item of a new
    /// transaction's `documents` (errors name paths such as `fields[0].page`). The roles its
    /// fields name are checked by OneSpan.
    pub async fn from_json(value: &Value) -> Result<DocumentSpec> {
        DocumentIn::read(value, "", None)?.load().await
    }

    /// [`DocumentSpec::from_json`] of JSON text.
    pub async fn from_json_str(text: &str) -> Result<DocumentSpec> {
        DocumentSpec::from_json(&parse_text(text)?).await
    }
}

impl PackageUpdate {
    /// A draft update from its JSON form: `{"name"?, "description"?, "email_message"?, "due"?,
    /// "autocomplete"?}` (only the fields given change; at least one is needed).
    pub fn from_json(value: &Value) -> Result<PackageUpdate> {
        let o = Obj::new(value, "", "a transaction update", UPDATE_FIELDS)?;
        let update = PackageUpdate {
            name: o.opt_string("name")?,
            description: o.opt_string("description")?,
            email_message: o.opt_string("email_message")?,
            due: o.opt_string("due")?,
            autocomplete: o.opt_bool("autocomplete")?,
        };
        update.validate()?;
        Ok(update)
    }

    /// [`PackageUpdate::from_json`] of JSON text.
    pub fn from_json_str(text: &str) -> Result<PackageUpdate> {
        PackageUpdate::from_json(&parse_text(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn pdf_b64() -> String {
        base64::engine::general_purpose::STANDARD
            .encode(signbridge_sim::pdf::sample_pdf("Contract", 2))
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        crate::runtime::block_on(f).expect("not called from inside a runtime")
    }

    fn package(documents: Value) -> Value {
        json!({
            "name": "Boat sale",
            "signers": [
                {"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
                 "last_name": "Nordmann", "order": 1},
                {"role_id": "seller", "email": "ola@example.com", "first_name": "Ola",
                 "last_name": "Hansen", "company": "Båt AS", "order": 2},
            ],
            "documents": documents,
        })
    }

    fn err(v: Value) -> Error {
        block(NewPackage::from_json(&v)).expect_err("refused")
    }

    #[test]
    fn reads_every_field() {
        let v = json!({
            "name": "Boat sale", "description": "d", "email_message": "m", "autocomplete": false,
            "due": "2030-01-01T12:00:00", "language": "no", "send": true,
            "hand_over_url": "https://example.com/done",
            "signers": [{"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
                         "last_name": "Nordmann", "company": "C", "title": "T", "order": 2}],
            "documents": [{"name": "contract", "id": "doc1", "content_base64": pdf_b64(),
                           "fields": [{"role_id": "buyer", "page": 1, "top": 600, "left": 60.5,
                                       "width": 150, "height": 40, "kind": "initials"}]}],
        });
        let p = block(NewPackage::from_json(&v)).expect("package");
        assert_eq!(p.name, "Boat sale");
        assert_eq!(p.description.as_deref(), Some("d"));
        assert_eq!(p.email_message.as_deref(), Some("m"));
        assert!(!p.autocomplete);
        assert!(p.send);
        assert_eq!(p.due.as_deref(), Some("2030-01-01T12:00:00"));
        assert_eq!(p.language.as_deref(), Some("no"));
        assert_eq!(p.hand_over_url.as_deref(), Some("https://example.com/done"));
        let s = &p.signers[0];
        assert_eq!(
            (
                s.role_id.as_str(),
                s.company.as_deref(),
                s.title.as_deref(),
                s.order
            ),
            ("buyer", Some("C"), Some("T"), Some(2))
        );
        let d = &p.documents[0];
        assert_eq!(
            (d.name.as_str(), d.id.as_deref()),
            ("contract", Some("doc1"))
        );
        assert!(d.data.starts_with(b"%PDF-"));
        let f = &d.fields[0];
        assert_eq!(
            (f.page, f.top, f.left, f.width, f.height),
            (1, 600.0, 60.5, 150.0, 40.0)
        );
        assert_eq!(f.kind, SignatureKind::Initials);
        p.validate(true).expect("valid");
        // Defaults.
        let p = block(NewPackage::from_json(&package(json!([])))).expect("package");
        assert!(p.autocomplete && !p.send && p.documents.is_empty());
    }

    #[test]
    fn reads_a_document_from_a_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("inventory.pdf");
        std::fs::write(&path, signbridge_sim::pdf::sample_pdf("Contract", 2)).expect("write");
        let docs = json!([{"path": path, "fields": [{"role_id": "seller", "page": 0, "top": 1,
            "left": 2}]}, {"path": path, "name": "copy"}]);
        let p = block(NewPackage::from_json(&package(docs))).expect("package");
        assert_eq!(p.documents[0].name, "inventory");
        assert_eq!(p.documents[1].name, "copy");
        assert_eq!(p.documents[0].fields[0].width, 200.0);
        assert_eq!(p.documents[0].fields[0].kind, SignatureKind::FullName);
        let missing = dir.path().join("missing.pdf");
        let e = err(package(json!([{"path": missing}])));
        assert!(e.message().starts_with("documents[0]: "), "{}", e.message());
    }

    #[test]
    fn errors_name_the_json_path() {
        let b64 = pdf_b64();
        let cases: Vec<(Value, ErrorCode, &str)> = vec![
            (
                json!([1]),
                ErrorCode::InvalidArgument,
                "the value must be a JSON object",
            ),
            (
                json!({"signers": []}),
                ErrorCode::InvalidArgument,
                "name is required",
            ),
            (
                json!({"name": "n", "signers": [], "colour": 1}),
                ErrorCode::InvalidArgument,
                "colour is not a field of a transaction",
            ),
            (
                json!({"name": "n"}),
                ErrorCode::InvalidArgument,
                "signers is required",
            ),
            (
                json!({"name": "n", "signers": [], "send": "yes"}),
                ErrorCode::InvalidArgument,
                "send must be true or false, got a string",
            ),
            (
                json!({"name": "n", "signers": [{"role_id": "a", "email": "a@b.c",
                    "first_name": "A"}]}),
                ErrorCode::InvalidArgument,
                "signers[0].last_name is required",
            ),
            (
                json!({"name": "n", "signers": [{"role_id": "a", "email": "a@b.c",
                    "first_name": "A", "last_name": "B", "order": 0}]}),
                ErrorCode::InvalidArgument,
                "signers[0].order must be a whole number >= 1",
            ),
            (
                package(json!([{"name": "a", "content_base64": b64}, {"name": "b",
                    "content_base64": b64, "fields": [{"role_id": "buyer", "page": -1,
                    "top": 1, "left": 1}]}])),
                ErrorCode::InvalidArgument,
                "documents[1].fields[0].page must be a whole number >= 0, got -1",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "buyer", "page": 1.5, "top": 1, "left": 1}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].page must be a whole number",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "nobody", "page": 0, "top": 1, "left": 1}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].role_id \"nobody\" is not the `role_id` of any signer",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "buyer", "page": 0, "top": 1, "left": 1, "kind": "STAMP"}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].kind \"STAMP\" is not one of FULLNAME",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "buyer", "page": 0, "top": 1, "left": 1, "width": 0}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].width must be > 0",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "buyer", "page": 0, "top": "1", "left": 1}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].top must be a number, got a string",
            ),
            (
                package(
                    json!([{"name": "a", "content_base64": b64, "fields": [{"role_id":
                    "buyer", "page": 0, "top": 1, "left": 1, "x": 1}]}]),
                ),
                ErrorCode::InvalidArgument,
                "documents[0].fields[0].x is not a field of a signature field",
            ),
            (
                package(json!([{"name": "a"}])),
                ErrorCode::InvalidArgument,
                "documents[0] needs its PDF",
            ),
            (
                package(json!([{"name": "a", "path": "/x.pdf", "content_base64": b64}])),
                ErrorCode::InvalidArgument,
                "documents[0] has both `path` and `content_base64`",
            ),
            (
                package(json!([{"content_base64": b64}])),
                ErrorCode::InvalidArgument,
                "documents[0].name is required with `content_base64`",
            ),
            (
                package(json!([{"name": "a", "content_base64": "%%%"}])),
                ErrorCode::InvalidArgument,
                "documents[0].content_base64 is not valid",
            ),
            (
                package(json!([{"name": "a", "content_base64": "aGVsbG8="}])),
                ErrorCode::InvalidDocument,
                "documents[0]: ",
            ),
            (
                package(json!({"name": "a"})),
                ErrorCode::InvalidArgument,
                "documents must be an array, got an object",
            ),
        ];
        for (v, code, needle) in cases {
            let e = err(v.clone());
            assert_eq!(e.code(), code, "{v}: {}", e.message());
            assert!(e.message().contains(needle), "{v}: {}", e.message());
        }
        // Two signers with one role id: the second is named.
        let mut v = package(json!([]));
        v["signers"][1]["role_id"] = json!("buyer");
        let e = err(v);
        assert!(
            e.message()
                .starts_with("signers[1].role_id \"buyer\" is used"),
            "{}",
            e.message()
        );
        // Text that is not JSON.
        let e = block(NewPackage::from_json_str("{\"name\": ")).expect_err("not json");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.message().contains("not valid JSON"), "{}", e.message());
        // null reads as absent.
        let mut v = package(json!(null));
        v["description"] = Value::Null;
        let p = block(NewPackage::from_json(&v)).expect("nulls");
        assert!(p.description.is_none() && p.documents.is_empty());
    }

    #[test]
    fn document_and_update_forms() {
        let d = block(DocumentSpec::from_json_str(&format!(
            r#"{{"name": "annex", "id": "annex1", "content_base64": "{}",
                "fields": [{{"role_id": "anyone", "page": 0, "top": 10, "left": 20}}]}}"#,
            pdf_b64()
        )))
        .expect("document");
        assert_eq!(
            (d.name.as_str(), d.id.as_deref()),
            ("annex", Some("annex1"))
        );
        assert_eq!(d.fields[0].role_id, "anyone");
        let e = block(DocumentSpec::from_json(
            &json!({"name": "a", "content_base64": pdf_b64(),
            "fields": [{"role_id": "r", "page": 0, "top": 1}]}),
        ))
        .expect_err("no left");
        assert!(
            e.message().starts_with("fields[0].left is required"),
            "{}",
            e.message()
        );
        let e = block(DocumentSpec::from_json(&json!("a.pdf"))).expect_err("string");
        assert!(
            e.message()
                .contains("must be a JSON object (a document), got a string"),
            "{}",
            e.message()
        );

        let u = PackageUpdate::from_json_str(r#"{"name": "New", "autocomplete": false}"#)
            .expect("update");
        assert_eq!(u.name.as_deref(), Some("New"));
        assert_eq!(u.autocomplete, Some(false));
        let e = PackageUpdate::from_json(&json!({"status": "SENT"})).expect_err("unknown");
        assert!(
            e.message()
                .starts_with("status is not a field of a transaction update"),
            "{}",
            e.message()
        );
        let e = PackageUpdate::from_json(&json!({})).expect_err("empty");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        let e = PackageUpdate::from_json(&json!({"due": "tomorrow"})).expect_err("date");
        assert!(e.message().contains("due"), "{}", e.message());
    }
}
