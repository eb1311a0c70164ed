//! The simulated signing API's upload and start-signing calls (seed 001): the numbered upload
//! answers of a multi-document session, and the one documented start body.

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{non_empty, parse_id, ApiError, Json200, BODY_LIMIT};
use crate::state::{Placement, Shared, Status, StoredFile};

type AppState = std::sync::Arc<Shared>;
type ApiResult = Result<Response, ApiError>;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UploadQuery {
    name: Option<String>,
}

fn check_upload_state(shared: &AppState, id: Uuid) -> Result<(), ApiError> {
    let inner = shared.lock();
    let session = inner
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    if session.status != Status::Created {
        return Err(ApiError::invalid_state(format!(
            "Files can only be uploaded before signing starts (session is {})",
            session.status.as_str()
        )));
    }
    Ok(())
}

/// `POST /api/v5/sessions/signing/{id}/files`: one PDF, multipart `file` (or a raw PDF body).
pub(crate) async fn upload_file(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    req: Request,
) -> ApiResult {
    let id = parse_id(&id, "Session")?;
    check_upload_state(&shared, id)?;

    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (name, data) = if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::validation(format!("Invalid multipart body: {e}")))?;
        let mut found = None;
        loop {
            let field = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::validation(format!("Invalid multipart body: {e}")))?;
            let Some(field) = field else { break };
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().map(str::to_owned);
            let data = field
                .bytes()
                .await
                .map_err(|e| ApiError::validation(format!("Invalid multipart body: {e}")))?;
            found = Some((name, data));
            break;
        }
        found.ok_or_else(|| ApiError::validation("Multipart body has no part named \"file\""))?
    } else {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        if !(media.is_empty() || media == "application/pdf" || media == "application/octet-stream")
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                format!("Unsupported content type {media:?}: send multipart/form-data or application/pdf"),
            ));
        }
        let data = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|e| ApiError::validation(format!("Cannot read body: {e}")))?;
        (query.name, data)
    };

    if data.is_empty() {
        return Err(ApiError::validation("The uploaded file is empty"));
    }
    if !data.starts_with(b"%PDF-") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Only PDF documents can be signed",
        ));
    }
    let name = non_empty(name).unwrap_or_else(|| "document.pdf".to_owned());
    let file = StoredFile::new(name, data);

    let mut inner = shared.lock();
    let session = inner
        .sessions
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    if session.status != Status::Created {
        return Err(ApiError::invalid_state("Signing already started"));
    }
    // Seed 001: the first upload answers the `id` and a `file_id`; from the second on the
    // answer "carries the `id`, `file_id_1`, and `file_id_2`" (and so on).
    let mut body = json!({
        "id": id,
        "name": file.name,
        "mimeType": "application/pdf",
        "md5": file.md5,
    });
    if session.input_files.is_empty() {
        body["file_id"] = json!(file.id);
    } else {
        let ids = session.input_files.iter().map(|f| f.id).chain([file.id]);
        for (n, fid) in ids.enumerate() {
            body[format!("file_id_{}", n + 1)] = json!(fid);
        }
    }
    session.input_files.push(file);
    Ok((StatusCode::CREATED, Json200(body)).into_response())
}

/// The start body as the SDK documents it (contract §4, from seed 001): the session `id`
/// (optional; when given it must be this session), then either `file_id` with an optional
/// `placement` (one document) or `file_id_1` … `file_id_N` with optional `placement_1` …
/// `placement_N` (several, in signing order), and the optional `redirect_success` /
/// `redirect_failure`. Anything else is refused with 400.
fn parse_start(body: &Bytes, id: Uuid) -> Result<StartBody, ApiError> {
    let v: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::validation(format!("Invalid JSON body: {e}")))?
    };
    let Value::Object(m) = v else {
        return Err(ApiError::validation("The body must be a JSON object"));
    };
    let text = |k: &str, v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| ApiError::validation(format!("\"{k}\" must be a string")))
    };
    let mut single: Option<(String, Option<PlacementIn>)> = None;
    let mut numbered: std::collections::BTreeMap<u32, (Option<String>, Option<PlacementIn>)> =
        Default::default();
    let mut out = StartBody::default();
    for (k, v) in &m {
        let num = |prefix: &str| -> Option<u32> {
            k.strip_prefix(prefix)?
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
        };
        match k.as_str() {
            "id" => {
                let sid = text(k, v)?;
                if Uuid::parse_str(sid.trim()).ok() != Some(id) {
                    return Err(ApiError::validation(
                        "\"id\" does not name this signing session",
                    ));
                }
            }
            "file_id" => single.get_or_insert((String::new(), None)).0 = text(k, v)?,
            "placement" => single.get_or_insert((String::new(), None)).1 = Some(placement(k, v)?),
            "redirect_success" => out.redirect_success = non_empty(Some(text(k, v)?)),
            "redirect_failure" => out.redirect_failure = non_empty(Some(text(k, v)?)),
            _ => {
                if let Some(n) = num("file_id_") {
                    numbered.entry(n).or_default().0 = Some(text(k, v)?);
                } else if let Some(n) = num("placement_") {
                    numbered.entry(n).or_default().1 = Some(placement(k, v)?);
                } else {
                    return Err(ApiError::validation(format!(
                        "Unknown field {k:?}: the start body takes id, file_id (or file_id_1 \
                         ... file_id_N), placement (or placement_N), redirect_success and \
                         redirect_failure"
                    )));
                }
            }
        }
    }
    match (single, numbered.is_empty()) {
        (Some(_), false) => Err(ApiError::validation(
            "Give either file_id (one document) or file_id_1 ... file_id_N, not both",
        )),
        (Some((fid, p)), true) => {
            if fid.is_empty() {
                return Err(ApiError::validation("placement without file_id"));
            }
            out.files.push((fid, p));
            Ok(out)
        }
        (None, true) => Err(ApiError::validation(
            "No files to sign: give file_id (or file_id_1 ... file_id_N)",
        )),
        (None, false) => {
            for (want, (n, (fid, p))) in (1u32..).zip(numbered) {
                let Some(fid) = fid.filter(|_| n == want) else {
                    return Err(ApiError::validation(format!(
                        "file_id_{want} is missing: number the files from 1 without gaps"
                    )));
                };
                out.files.push((fid, p));
            }
            Ok(out)
        }
    }
}

#[derive(Debug, Default)]
struct StartBody {
    files: Vec<(String, Option<PlacementIn>)>,
    redirect_success: Option<String>,
    redirect_failure: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct PlacementIn {
    page: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
}

fn placement(k: &str, v: &Value) -> Result<PlacementIn, ApiError> {
    serde_json::from_value(v.clone()).map_err(|e| {
        ApiError::validation(format!("\"{k}\" must be {{\"page\", \"x\", \"y\"}}: {e}"))
    })
}

impl PlacementIn {
    fn resolve(p: Option<PlacementIn>) -> Placement {
        let d = Placement::default();
        let Some(p) = p else { return d };
        Placement {
            page: p
                .page
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(|v| v.min(f64::from(u32::MAX)) as u32)
                .unwrap_or(d.page),
            x: p.x.filter(|v| v.is_finite()).unwrap_or(d.x),
            y: p.y.filter(|v| v.is_finite()).unwrap_or(d.y),
        }
    }
}

/// `POST /api/v5/sessions/signing/{id}/sign` with the documented start body ([`parse_start`]).
pub(crate) async fn start_signing(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = parse_id(&id, "Session")?;
    {
        let inner = shared.lock();
        let session = inner
            .sessions
            .get(&id)
            .ok_or_else(|| ApiError::not_found("Session not found"))?;
        if session.status != Status::Created {
            return Err(ApiError::invalid_state(format!(
                "Signing can only be started once (session is {})",
                session.status.as_str()
            )));
        }
    }
    let req = parse_start(&body, id)?;
    let mut inner = shared.lock();
    let session = inner
        .sessions
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    if session.status != Status::Created {
        return Err(ApiError::invalid_state("Signing already started"));
    }
    let mut to_sign: Vec<(Uuid, Placement)> = Vec::new();
    for (raw, placement) in req.files {
        let known = Uuid::parse_str(raw.trim())
            .ok()
            .filter(|u| session.input_files.iter().any(|f| f.id == *u));
        let Some(fid) = known else {
            return Err(ApiError::not_found(format!("Unknown file id {raw:?}")));
        };
        if to_sign.iter().any(|(u, _)| *u == fid) {
            continue;
        }
        to_sign.push((fid, PlacementIn::resolve(placement)));
    }
    session.to_sign = to_sign;
    if let Some(url) = req.redirect_success {
        session.redirect_success = Some(url);
    }
    if let Some(url) = req.redirect_failure {
        session.redirect_failure = Some(url);
    }
    session.status = Status::Pending;
    let redirect_url = format!("{}/ui/{}", shared.base_url, id);
    Ok(Json200(json!({"redirect_url": redirect_url, "status": "Pending"})).into_response())
}
