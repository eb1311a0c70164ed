//! Document endpoints and downloads (§4 #2, #8–#15): multipart and base64 uploads, document
//! metadata, the current (signed) and original PDFs, the ZIP of all documents and the evidence
//! summary.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use bytes::Bytes;
use serde_json::{Map, Value};

use super::state::{check_pdf, doc_from_json, DocInput};
use super::{
    download, ok_json, parse_json, read_body, AppState, OsBody, OsError, OsPath, OsResult,
};

/// One uploaded file part.
pub(crate) struct UploadFile {
    pub filename: Option<String>,
    pub data: Bytes,
}

/// A create or add-documents request: the JSON payload and the file parts.
pub(crate) struct Upload {
    pub multipart: bool,
    pub payload: Option<Value>,
    pub files: Vec<UploadFile>,
}

fn bad_multipart(detail: String) -> OsError {
    OsError::bad_request(
        "error.validation.invalidMultipart",
        "The multipart request could not be read.",
    )
    .technical(detail)
}

/// Reads a JSON body, or a multipart body with a `payload` part (a plain field or a file-style
/// part) and `file` parts (any other part with a file name counts as a file too).
pub(crate) async fn read_upload(req: Request) -> Result<Upload, OsError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("multipart/") {
        let body = read_body(req.into_body()).await?;
        let payload = match parse_json(&body)? {
            Value::Null => None,
            v => Some(v),
        };
        return Ok(Upload {
            multipart: false,
            payload,
            files: Vec::new(),
        });
    }
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|e| bad_multipart(e.body_text()))?;
    let mut payload = None;
    let mut files = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| bad_multipart(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let data = field
            .bytes()
            .await
            .map_err(|e| bad_multipart(e.body_text()))?;
        if name.eq_ignore_ascii_case("payload") {
            if payload.is_some() {
                return Err(bad_multipart("more than one 'payload' part".to_owned()));
            }
            payload = Some(parse_json(&data)?);
        } else if name.to_ascii_lowercase().starts_with("file") || filename.is_some() {
            files.push(UploadFile { filename, data });
        }
    }
    Ok(Upload {
        multipart: true,
        payload,
        files,
    })
}

/// Pairs `documents[]` entries with file parts (PROPOSAL: by order — the n-th entry without
/// `base64Content` takes the n-th file part; file parts left over become documents named after
/// their file names) and checks every PDF. Runs outside the state lock.
pub(crate) fn match_documents(
    docs_json: &[Value],
    files: Vec<UploadFile>,
) -> Result<Vec<DocInput>, OsError> {
    let mut files = files.into_iter();
    let mut out = Vec::new();
    for (i, d) in docs_json.iter().enumerate() {
        let o = d.as_object().ok_or_else(|| {
            OsError::bad_request(
                "error.validation.invalidValue",
                "Each document must be a JSON object.",
            )
        })?;
        if o.get("base64Content").is_some_and(|v| !v.is_null()) {
            out.push(doc_from_json(o, i)?);
            continue;
        }
        let label = o
            .get("name")
            .and_then(Value::as_str)
            .map(|n| format!("'{n}'"))
            .unwrap_or_else(|| format!("#{}", i + 1));
        let Some(f) = files.next() else {
            return Err(OsError::bad_request(
                "error.validation.invalidDocument",
                format!("Document {label} has no content: send base64Content, or one multipart 'file' part per document (in the order of documents[])."),
            ));
        };
        let pages = check_pdf(&f.data, &label)?;
        out.push(DocInput {
            meta: o.clone(),
            data: f.data,
            filename: f.filename,
            pages,
        });
    }
    for (i, f) in files.enumerate() {
        let label = f
            .filename
            .as_deref()
            .map(|n| format!("'{n}'"))
            .unwrap_or_else(|| format!("#{}", docs_json.len() + i + 1));
        let pages = check_pdf(&f.data, &label)?;
        out.push(DocInput {
            meta: Map::new(),
            data: f.data,
            filename: f.filename,
            pages,
        });
    }
    Ok(out)
}

/// `POST /api/packages/{id}/documents` — multipart `file` + `payload` (one Document), `payload`
/// array + several files (array), or JSON with `base64Content` (object → one, array → array).
pub(crate) async fn add(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    req: Request,
) -> OsResult {
    let upload = read_upload(req).await?;
    let (docs_json, single) = match upload.payload {
        Some(Value::Object(o)) => (vec![Value::Object(o)], true),
        Some(Value::Array(a)) => (a, false),
        None if upload.multipart => (Vec::new(), upload.files.len() == 1),
        None => {
            return Err(OsError::invalid_json(
                "The body must be a Document or an array of Documents.",
            ))
        }
        Some(_) => {
            return Err(OsError::invalid_json(
                "The payload must be a Document or an array of Documents.",
            ))
        }
    };
    let docs = match_documents(&docs_json, upload.files)?;
    if docs.is_empty() {
        return Err(OsError::bad_request(
            "error.validation.invalidDocument",
            "No document was sent.",
        ));
    }
    if single && docs.len() != 1 {
        return Err(OsError::bad_request(
            "error.validation.invalidDocument",
            "One document payload was sent with several files: send payload as an array, one entry per file.",
        ));
    }
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let current = os.package_mut(&id)?;
    current.require_draft()?;
    let mut p = current.clone();
    let mut ids = Vec::new();
    for d in docs {
        ids.push(p.insert_document(d)?);
    }
    p.updated = now;
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|i| p.documents.iter().find(|d| d.id == *i))
        .map(|d| d.to_json())
        .collect();
    *current = p;
    drop(os);
    if single {
        ok_json(out.into_iter().next().unwrap_or(Value::Null))
    } else {
        ok_json(Value::Array(out))
    }
}

/// `DELETE /api/packages/{id}/documents` with a JSON array of ids (DRAFT only).
pub(crate) async fn delete_many(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
    OsBody(body): OsBody,
) -> OsResult {
    let ids: Vec<String> = match parse_json(&body)? {
        Value::Array(a) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| OsError::invalid_json("Give an array of document ids."))?,
        _ => return Err(OsError::invalid_json("Give an array of document ids.")),
    };
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    p.require_draft()?;
    if let Some(missing) = ids
        .iter()
        .find(|i| !p.documents.iter().any(|d| d.id == **i))
    {
        return Err(OsError::document_not_found(missing));
    }
    p.documents.retain(|d| !ids.contains(&d.id));
    p.updated = now;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/packages/{id}/documents/{doc}`
pub(crate) async fn get_document(
    State(shared): State<AppState>,
    OsPath((id, doc)): OsPath<(String, String)>,
) -> OsResult {
    let os = shared.onespan.lock();
    let p = os.package(&id)?;
    let d = p
        .documents
        .iter()
        .find(|d| d.id == doc)
        .ok_or_else(|| OsError::document_not_found(&doc))?;
    ok_json(d.to_json())
}

/// `PUT /api/packages/{id}/documents/{doc}` — `name`, `description`, `index` (DRAFT only).
pub(crate) async fn update_document(
    State(shared): State<AppState>,
    OsPath((id, doc)): OsPath<(String, String)>,
    OsBody(body): OsBody,
) -> OsResult {
    let o = super::parse_object(&body, "a Document")?;
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    if !p.documents.iter().any(|d| d.id == doc) {
        return Err(OsError::document_not_found(&doc));
    }
    p.require_draft()?;
    let invalid = |k: &str| {
        OsError::bad_request(
            "error.validation.invalidValue",
            format!("document.{k} has the wrong type."),
        )
    };
    let name = match o.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(_) => return Err(invalid("name")),
    };
    let description = match o.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("description")),
    };
    let index = match o.get("index") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| invalid("index"))?),
    };
    let Some(d) = p.documents.iter_mut().find(|d| d.id == doc) else {
        return Err(OsError::document_not_found(&doc));
    };
    if let Some(n) = name {
        d.name = n;
    }
    if let Some(desc) = description {
        d.description = desc;
    }
    if let Some(i) = index {
        d.index = i;
    }
    let out = d.to_json();
    p.documents.sort_by_key(|d| d.index);
    p.updated = now;
    ok_json(out)
}

/// `DELETE /api/packages/{id}/documents/{doc}` (DRAFT only).
pub(crate) async fn delete_document(
    State(shared): State<AppState>,
    OsPath((id, doc)): OsPath<(String, String)>,
) -> OsResult {
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let p = os.package_mut(&id)?;
    if !p.documents.iter().any(|d| d.id == doc) {
        return Err(OsError::document_not_found(&doc));
    }
    p.require_draft()?;
    p.documents.retain(|d| d.id != doc);
    p.updated = now;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn pdf_download(shared: &AppState, id: &str, doc: &str, original: bool) -> OsResult {
    let os = shared.onespan.lock();
    let p = os.package(id)?;
    let d = p
        .documents
        .iter()
        .find(|d| d.id == doc)
        .ok_or_else(|| OsError::document_not_found(doc))?;
    let data = if original {
        d.original.clone()
    } else {
        d.current.clone()
    };
    Ok(download("application/pdf", &d.file_name(), data))
}

/// `GET /api/packages/{id}/documents/{doc}/pdf` — the current bytes (signed once signed).
pub(crate) async fn pdf(
    State(shared): State<AppState>,
    OsPath((id, doc)): OsPath<(String, String)>,
) -> OsResult {
    pdf_download(&shared, &id, &doc, false)
}

/// `GET /api/packages/{id}/documents/{doc}/original` — the uploaded bytes.
pub(crate) async fn original(
    State(shared): State<AppState>,
    OsPath((id, doc)): OsPath<(String, String)>,
) -> OsResult {
    pdf_download(&shared, &id, &doc, true)
}

/// `GET /api/packages/{id}/documents/zip` — a ZIP of every document's current PDF.
pub(crate) async fn zip(State(shared): State<AppState>, OsPath(id): OsPath<String>) -> OsResult {
    // Dated by the package's last change, not by the request: the same package gives the same
    // archive, byte for byte, however often it is downloaded.
    let (name, entries, dated) = {
        let os = shared.onespan.lock();
        let p = os.package(&id)?;
        let mut used: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        for d in &p.documents {
            let base = d.file_name();
            let mut entry = base.clone();
            let mut n = 2;
            while used.iter().any(|u| u.eq_ignore_ascii_case(&entry)) {
                let stem = base.strip_suffix(".pdf").unwrap_or(&base);
                entry = format!("{stem} ({n}).pdf");
                n += 1;
            }
            used.push(entry.clone());
            entries.push((entry, d.current.clone()));
        }
        (p.name.clone(), entries, p.updated)
    };
    let data = super::zip::stored_zip(&entries, dated);
    Ok(download(
        "application/zip",
        &format!("{name}.zip"),
        Bytes::from(data),
    ))
}

/// `GET /api/packages/{id}/evidence/summary` — a PDF listing the package, signers, documents
/// and events.
pub(crate) async fn evidence_summary(
    State(shared): State<AppState>,
    OsPath(id): OsPath<String>,
) -> OsResult {
    let now = shared.now();
    let pdf = {
        let os = shared.onespan.lock();
        super::evidence::summary(os.package(&id)?, now)
    };
    Ok(download(
        "application/pdf",
        "evidence-summary.pdf",
        Bytes::from(pdf),
    ))
}
