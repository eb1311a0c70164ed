//! The gateway's wire forms (seed 001, contract §4): answers read in every spelling the seed
//! uses, the one documented start body, and the checks of a download.

use base64::Engine as _;
use md5::{Digest, Md5};
use serde::Deserialize;

use super::model::{
    FileRef, ProviderErrorItem, SignerInfo, SigningStatus, StartSigning, UploadedFile,
};
use crate::error::{Error, ErrorCode, Result};
use crate::session::SessionStatus;

#[derive(Deserialize)]
struct WireStatus {
    #[serde(default, alias = "sessionId", alias = "session_id")]
    id: Option<String>,
    #[serde(default)]
    status: Option<SessionStatus>,
    #[serde(default, alias = "relayState")]
    relay_state: Option<String>,
    #[serde(default)]
    errors: Option<Vec<ProviderErrorItem>>,
    #[serde(default)]
    result: Option<WireResult>,
    #[serde(default, rename = "inputFiles", alias = "input_files")]
    input_files: Option<Vec<FileRef>>,
    #[serde(default, rename = "signedFiles", alias = "signed_files")]
    signed_files: Option<Vec<FileRef>>,
    /// The v5 wrapper (`{"data": {...}}`), when the answer uses it.
    #[serde(default)]
    data: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct WireResult {
    #[serde(default, rename = "inputFiles", alias = "input_files")]
    input_files: Option<Vec<FileRef>>,
    #[serde(default, rename = "signedFiles", alias = "signed_files")]
    signed_files: Option<Vec<FileRef>>,
    #[serde(default)]
    signer: Option<SignerInfo>,
}

/// Unwrap the v5 `{"data": {...}}` wrapper when present (contract §3.4).
pub(crate) fn unwrap_data(body: &[u8], what: &str, status: u16) -> Result<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} is not JSON ({})",
            crate::scrub::answer_error(&e)
        ))
        .with_http_status(status)
    })?;
    Ok(match v {
        serde_json::Value::Object(mut m)
            if m.get("data").is_some_and(|d| d.is_object())
                && !m.contains_key("status")
                && !m.contains_key("id") =>
        {
            m.remove("data").unwrap_or(serde_json::Value::Null)
        }
        other => other,
    })
}

pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        Error::protocol(format!(
            "the answer to {what} does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
    })
}

pub(crate) fn parse_status(body: &[u8], requested_id: &str) -> Result<SigningStatus> {
    const WHAT: &str = "get signing session";
    // Read straight into the wire model (a status is read on every poll); the v5 `{"data": {...}}`
    // wrapper is unwrapped when the top level has no status of its own.
    let mut w: WireStatus = serde_json::from_slice(body).map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            Error::protocol(format!(
                "the answer to {WHAT} does not have the documented shape ({})",
                crate::scrub::answer_error(&e)
            ))
        } else {
            Error::protocol(format!(
                "the answer to {WHAT} is not JSON ({})",
                crate::scrub::answer_error(&e)
            ))
            .with_http_status(200)
        }
    })?;
    if w.status.is_none() {
        if let Some(data @ serde_json::Value::Object(_)) = w.data.take() {
            w = from_value(data, WHAT)?;
        }
    }
    let result = w.result.unwrap_or_default();
    let status = w
        .status
        .ok_or_else(|| Error::protocol("the signing session answer has no status field"))?;
    Ok(SigningStatus {
        id: w.id.unwrap_or_else(|| requested_id.to_string()),
        status,
        relay_state: w.relay_state,
        errors: w.errors.unwrap_or_default(),
        input_files: result.input_files.or(w.input_files).unwrap_or_default(),
        signed_files: result.signed_files.or(w.signed_files).unwrap_or_default(),
        signer: result.signer,
    })
}

/// [`crate::providers::acted`] for the gateway: look it up by the relay state.
pub(crate) fn acted<T>(what: &str, status: u16, parse: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::providers::acted(
        "the provider",
        "look it up (e.g. by your relay_state)",
        what,
        status,
        parse,
    )
}

/// Read an upload's answer (seed 001). The endpoint text says the answer "includes a
/// `file_Id`", the single-document flow "the `id` and a `file_id`", and the multi-document flow
/// says the second upload's answer "carries the `id`, `file_id_1`, and `file_id_2`": the file
/// just uploaded is `file_id` (any of the spellings `file_id`, `file_Id`, `fileId`) or, when
/// the answer numbers them, the highest-numbered `file_id_N`. `id` is the session id.
pub(crate) fn parse_upload(v: serde_json::Value, what: &str) -> Result<UploadedFile> {
    let serde_json::Value::Object(m) = v else {
        return Err(Error::protocol(format!(
            "the answer to {what} is not a JSON object"
        )));
    };
    let text = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let session_id = ["id", "session_id", "sessionId"]
        .iter()
        .find_map(|k| text(k))
        .unwrap_or_default();
    let numbered = m
        .iter()
        .filter_map(|(k, v)| {
            let n: u32 = k.strip_prefix("file_id_")?.parse().ok()?;
            Some((n, v.as_str()?.to_owned()))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, id)| id);
    let file_id = ["file_id", "file_Id", "fileId"]
        .iter()
        .find_map(|k| text(k))
        .or(numbered)
        .ok_or_else(|| {
            Error::protocol(format!(
                "the answer to {what} has no file id (file_id, file_Id or file_id_N)"
            ))
        })?;
    Ok(UploadedFile {
        session_id,
        file_id,
        name: text("name").unwrap_or_default(),
        md5: text("md5"),
    })
}

/// The one start-signing body the SDK sends (seed 001, written down in contract §4): the
/// session `id`; one document is `file_id` (the single-document flow's name) with its optional
/// `placement`; several are `file_id_1` … `file_id_N` with `placement_1` … `placement_N` (the
/// multi-document flow's names, in the order the signer sees them); then the optional redirect
/// overrides.
pub(crate) fn start_body(session_id: &str, req: &StartSigning) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("id".into(), session_id.into());
    let one = req.files.len() == 1;
    for (i, f) in req.files.iter().enumerate() {
        let suffix = if one {
            String::new()
        } else {
            format!("_{}", i + 1)
        };
        m.insert(format!("file_id{suffix}"), f.file_id.clone().into());
        if let Some(p) = &f.placement {
            m.insert(
                format!("placement{suffix}"),
                serde_json::json!({"page": p.page, "x": p.x, "y": p.y}),
            );
        }
    }
    for (k, v) in [
        ("redirect_success", &req.redirect_success),
        ("redirect_failure", &req.redirect_failure),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), v.clone().into());
        }
    }
    serde_json::Value::Object(m)
}

/// Check `data` against a reported md5 in base64 (as the gateway sends it) or hex; a file
/// without one is refused unless `allow_missing`.
pub(crate) fn verify_md5(
    id: &str,
    reported: Option<&str>,
    data: &[u8],
    allow_missing: bool,
) -> Result<()> {
    verify_md5_digest(
        id,
        reported,
        &Md5::digest(data).into(),
        data.len() as u64,
        allow_missing,
    )
}

/// Check the md5 `digest` of `len` downloaded bytes against a reported md5 (base64 or hex); a
/// file without one is refused unless `allow_missing`.
pub(crate) fn verify_md5_digest(
    id: &str,
    reported: Option<&str>,
    digest: &[u8; 16],
    len: u64,
    allow_missing: bool,
) -> Result<()> {
    let Some(reported) = reported.map(str::trim).filter(|s| !s.is_empty()) else {
        if allow_missing {
            tracing::warn!(
                file = id,
                "the provider reported no md5; download not verified (allowed by \
                 zignsec.allow_unverified_downloads)"
            );
            return Ok(());
        }
        return Err(Error::new(
            ErrorCode::Integrity,
            format!(
                "file {id}: the provider reported no md5, so the {len} downloaded bytes cannot be \
                 verified; nothing was saved. Set zignsec.allow_unverified_downloads to accept \
                 files without a checksum"
            ),
        ));
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
    if reported.eq_ignore_ascii_case(&hex) || reported == b64 {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::Integrity,
        format!(
            "file {id}: the downloaded {len} bytes have md5 {b64} but the provider reported \
             {reported}; nothing was saved, download it again"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::signing::sanitize_file_name;
    use super::*;

    #[test]
    fn status_accepts_both_casings_and_the_data_wrapper() {
        let camel = br#"{"id":"s1","status":"Finished","errors":[],"result":{"inputFiles":[{"id":"f1","name":"a.pdf","url":"/folders/s1/media/f1","mimeType":"application/pdf","md5":"x"}],"signedFiles":[{"id":"f2","name":"a.pdf"}]}}"#;
        let snake = br#"{"data":{"id":"s1","status":"finished","result":{"input_files":[{"file_id":"f1","name":"a.pdf","mime_type":"application/pdf"}],"signed_files":[{"id":"f2","name":"a.pdf"}]}}}"#;
        for body in [&camel[..], &snake[..]] {
            let s = parse_status(body, "s1").expect("parsed");
            assert_eq!(s.status, SessionStatus::Finished);
            assert_eq!(s.input_files[0].id, "f1");
            assert_eq!(
                s.input_files[0].mime_type.as_deref(),
                Some("application/pdf")
            );
            assert_eq!(s.signed_files[0].id, "f2");
        }
        let cancelled = br#"{"id":"s","status":"Cancelled","errors":[{"code":"CANCELLED_BY_USER","description":"d","statusCode":410}],"result":{"inputFiles":[],"signedFiles":[]}}"#;
        let s = parse_status(cancelled, "s").expect("parsed");
        let e = s.failure().expect("failure");
        assert_eq!(e.code(), ErrorCode::Cancelled);
        assert_eq!(e.provider_code(), Some("CANCELLED_BY_USER"));
        assert_eq!(e.http_status(), Some(410));
        assert_eq!(
            parse_status(b"{}", "s").err().map(|e| e.code()),
            Some(ErrorCode::Protocol)
        );
        assert_eq!(
            parse_status(b"<html>", "s").err().map(|e| e.code()),
            Some(ErrorCode::Protocol)
        );
        for odd in [
            &b"[1]"[..],
            b"{\"data\": 5}",
            b"{\"data\": {\"id\": \"s\"}}",
            b"{\"status\": 1}",
        ] {
            assert_eq!(
                parse_status(odd, "s").err().map(|e| e.code()),
                Some(ErrorCode::Protocol)
            );
        }
        let top = parse_status(br#"{"status":"Pending","data":{"status":"Finished"}}"#, "s");
        assert_eq!(top.ok().map(|s| s.status), Some(SessionStatus::Pending));
    }

    #[test]
    fn md5_in_base64_or_hex() {
        let data = b"hello";
        assert!(verify_md5("f", Some("XUFAKrxLKna5cZ2REBfFkg=="), data, false).is_ok());
        assert!(verify_md5("f", Some("5d41402abc4b2a76b9719d911017c592"), data, false).is_ok());
        let e =
            verify_md5("f", Some("AAAAAAAAAAAAAAAAAAAAAA=="), data, true).expect_err("mismatch");
        assert_eq!(e.code(), ErrorCode::Integrity);
        // No checksum is refused unless the caller opted in.
        let e = verify_md5("f", None, data, false).expect_err("no md5");
        assert_eq!(e.code(), ErrorCode::Integrity);
        assert!(e.message().contains("allow_unverified_downloads"), "{e}");
        assert!(verify_md5("f", Some(" "), data, true).is_ok());
    }

    #[test]
    fn upload_answers_in_every_spelling_of_seed_001() {
        use serde_json::json;
        let read = |v: serde_json::Value| parse_upload(v, "upload").map(|f| f.file_id);
        assert_eq!(
            read(json!({"id": "s", "file_id": "a"})).ok().as_deref(),
            Some("a")
        );
        assert_eq!(
            read(json!({"id": "s", "file_Id": "b"})).ok().as_deref(),
            Some("b")
        );
        assert_eq!(
            read(json!({"id": "s", "fileId": "c"})).ok().as_deref(),
            Some("c")
        );
        // The multi-document flow: the second upload's answer numbers both files.
        let second = json!({"id": "s", "file_id_1": "one", "file_id_2": "two"});
        assert_eq!(read(second).ok().as_deref(), Some("two"));
        let f = parse_upload(json!({"id": "s", "file_id_10": "x", "file_id_9": "y"}), "u")
            .expect("numbered");
        assert_eq!((f.session_id.as_str(), f.file_id.as_str()), ("s", "x"));
        for bad in [json!({"id": "s"}), json!([1]), json!({"file_id": 5})] {
            assert_eq!(
                parse_upload(bad, "u").err().map(|e| e.code()),
                Some(ErrorCode::Protocol)
            );
        }
    }

    #[test]
    fn the_one_documented_start_body() {
        use super::super::model::{FileToSign, Placement};
        use serde_json::json;
        let file = |id: &str, page: Option<u32>| FileToSign {
            file_id: id.into(),
            placement: page.map(|page| Placement {
                page,
                x: 10.0,
                y: 20.0,
            }),
        };
        let one = StartSigning {
            files: vec![file("f1", Some(2))],
            redirect_success: Some("https://ok.example/".into()),
            ..StartSigning::default()
        };
        assert_eq!(
            start_body("s", &one),
            json!({"id": "s", "file_id": "f1", "placement": {"page": 2, "x": 10.0, "y": 20.0},
                   "redirect_success": "https://ok.example/"})
        );
        let two = StartSigning {
            files: vec![file("f1", None), file("f2", Some(1))],
            ..StartSigning::default()
        };
        assert_eq!(
            start_body("s", &two),
            json!({"id": "s", "file_id_1": "f1", "file_id_2": "f2",
                   "placement_2": {"page": 1, "x": 10.0, "y": 20.0}})
        );
    }

    #[test]
    fn file_names_cannot_escape_the_directory() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("..\\x.pdf"), "x.pdf");
        assert_eq!(sanitize_file_name(".."), "document.pdf");
        assert_eq!(sanitize_file_name("a\u{0}b.pdf"), "ab.pdf");
    }
}
