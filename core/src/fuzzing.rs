//! Fuzz target bodies (hidden; not part of the supported API).
//!
//! Every parser of untrusted input, called the way the library calls it, with the invariants it
//! must keep. A target never panics on its own: a panic is a finding (a crash of the parser, or a
//! broken invariant, asserted here). Both harnesses call these functions:
//!
//! - `fuzz/` (cargo-fuzz, libFuzzer, nightly): `cargo +nightly fuzz run <target>`;
//! - the stable harness `core/tests/fuzz_smoke.rs`: it replays `fuzz/corpus/<target>/` and
//!   `fuzz/regressions/<target>/` in every `cargo test`, and mutates them for a time budget in
//!   `make fuzz-smoke` / `make fuzz` (see SECURITY.md, "Fuzzing").
//!
//! Inputs of the targets that need more than one field are text with one field per line (a
//! status line, a header line, then the body), so the seed files stay readable.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use md5::{Digest, Md5};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::auth::{Role, SecretSource};
use crate::error::{Error, ErrorCode};
use crate::providers::securosys::{
    ApprovalTask, CreateKey, KeyInfo, LicenseInfo, RequestState, RequestStatus, SignOptions,
    VersionInfo,
};
use crate::providers::zignsec::{
    CreateSigning, RedirectOutcome, SigningSession, StartSigning, StartedSigning, UploadedFile,
};
use crate::providers::{check_id, IdSyntax};
use crate::session::SessionStatus;
use crate::transport::Response;
use crate::webhook::{self, WebhookVerifier};

/// One fuzz target: its name (the directory under `fuzz/corpus/`, the cargo-fuzz binary) and
/// its body.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Run one input. Panics only on a finding.
    pub run: fn(&[u8]),
}

/// Every target, in the order the harnesses run them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "zignsec_signing_response",
        run: zignsec_signing_response,
    },
    Target {
        name: "zignsec_eid_response",
        run: zignsec_eid_response,
    },
    Target {
        name: "zignsec_redirect",
        run: zignsec_redirect,
    },
    Target {
        name: "webhook",
        run: webhook,
    },
    Target {
        name: "provider_error",
        run: provider_error,
    },
    Target {
        name: "securosys_response",
        run: securosys_response,
    },
    Target {
        name: "securosys_error",
        run: securosys_error,
    },
    Target {
        name: "config_json",
        run: config_json,
    },
    Target {
        name: "request_json",
        run: request_json,
    },
    Target {
        name: "pdf",
        run: pdf,
    },
    Target {
        name: "pdf_signature",
        run: pdf_signature,
    },
    Target {
        name: "file_name",
        run: file_name,
    },
    Target {
        name: "oauth_token",
        run: oauth_token,
    },
    Target {
        name: "onespan_response",
        run: onespan_response,
    },
    Target {
        name: "onespan_callback",
        run: onespan_callback,
    },
    Target {
        name: "onespan_error",
        run: onespan_error,
    },
    Target {
        name: "content_disposition",
        run: content_disposition,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|t| t.name == name)
}

// ---- known issues ------------------------------------------------------------------------------

/// Findings in code outside the fuzzing work's reach, reported and not fixed yet: each is still
/// checked on every input, counted, and printed by the harness; with `FUZZ_STRICT=1` it fails
/// like any other finding. Remove an entry (and its `known` call becomes a plain assertion)
/// once the fix lands; its inputs are in `fuzz/regressions/`.
pub const KNOWN_ISSUES: &[(&str, &str)] = &[];

static KNOWN_HITS: Mutex<Vec<(&'static str, u64)>> = Mutex::new(Vec::new());

fn strict() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var("FUZZ_STRICT").is_ok_and(|v| v == "1"))
}

/// Check the invariant of a known issue: count a violation, or fail under `FUZZ_STRICT=1`.
/// Unused while [`KNOWN_ISSUES`] is empty.
#[allow(dead_code)]
fn known(issue: &'static str, ok: bool, detail: impl FnOnce() -> String) {
    if ok {
        return;
    }
    assert!(
        KNOWN_ISSUES.iter().any(|(k, _)| *k == issue),
        "unlisted issue {issue}"
    );
    if strict() {
        panic!("known issue {issue}: {}", detail());
    }
    let mut hits = KNOWN_HITS.lock().unwrap_or_else(|p| p.into_inner());
    match hits.iter_mut().find(|(k, _)| *k == issue) {
        Some((_, n)) => *n += 1,
        None => hits.push((issue, 1)),
    }
}

/// How many inputs violated each known issue's invariant in this process.
pub fn known_issue_hits() -> Vec<(&'static str, u64)> {
    KNOWN_HITS.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

// ---- helpers ---------------------------------------------------------------------------------

fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The first line (without `\r\n` / `\n`) and the rest.
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let line = &data[..i];
            (line.strip_suffix(b"\r").unwrap_or(line), &data[i + 1..])
        }
        None => (data, &[]),
    }
}

/// A status line: a number in 100..=999; anything else is 500.
fn status_of(line: &[u8]) -> StatusCode {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .and_then(|n| StatusCode::from_u16(n).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn response(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Response {
    Response {
        status,
        headers,
        body: Bytes::copy_from_slice(body),
    }
}

/// `value` survives a JSON round trip unchanged.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
    what: &str,
) {
    let json = match serde_json::to_string(value) {
        Ok(j) => j,
        Err(e) => panic!("{what}: an accepted value cannot be written back as JSON: {e}"),
    };
    match serde_json::from_str::<T>(&json) {
        Ok(back) if &back == value => {}
        Ok(back) => {
            let close = match (serde_json::to_value(&back), serde_json::to_value(value)) {
                (Ok(a), Ok(b)) => nearly_equal(&a, &b),
                _ => false,
            };
            // serde_json's float_roundtrip (workspace feature) reads every float exactly.
            panic!(
                "{what}: round trip through {json} changed it (nearly equal: {close}): {back:?}"
            );
        }
        Err(e) => panic!("{what}: its own JSON {json} is refused: {e}"),
    }
}

/// Equal JSON, floats within a few ULPs.
fn nearly_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| nearly_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| nearly_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Every text a caller could print of `e` (Display, Debug) contains none of `secrets` — also
/// when the input carried one (an answer echoing a credential must not pass it on).
fn assert_no_secret(e: &Error, secrets: &[&str]) {
    let all = format!("{e} {e:?}");
    for s in secrets {
        assert!(!all.contains(s), "a secret leaked into an error: {all}");
    }
}

/// The provider text an error carries is one line (no control character: no log injection)
/// and capped.
fn assert_clean_provider_text(e: &Error) {
    for t in [
        e.message(),
        e.provider_code().unwrap_or_default(),
        e.provider_description().unwrap_or_default(),
    ] {
        assert!(
            !t.chars().any(char::is_control),
            "a control character in an error: {t:?}"
        );
    }
    for t in [e.provider_code(), e.provider_description()]
        .into_iter()
        .flatten()
    {
        assert!(
            t.len() <= crate::scrub::MAX_PROVIDER_TEXT + 64,
            "{} bytes of provider text kept",
            t.len()
        );
    }
}

/// The secrets of the error-answer targets: a key, and a client id and secret pair (sent in
/// HTTP Basic as base64 of `id:secret`). An answer may quote any of them.
const ANSWER_SECRETS: [&str; 2] = ["fuzz-answer-key-3f8a71", "fuzz-client/secret+9c"];
const ANSWER_CLIENT_ID: &str = "fuzz-answer-client";

/// The scrubber of the error-answer targets' transport.
fn answer_scrubber() -> crate::scrub::Scrubber {
    let mut s = crate::scrub::Scrubber::new();
    s.secret(ANSWER_SECRETS[0]);
    s.client_secret(ANSWER_CLIENT_ID, ANSWER_SECRETS[1]);
    s
}

/// No error of an error-answer target shows a secret (as is, or as base64 of `id:secret`), and
/// its provider text is clean.
fn check_answer_error(e: &Error) {
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{ANSWER_CLIENT_ID}:{}", ANSWER_SECRETS[1]));
    assert_no_secret(e, &[ANSWER_SECRETS[0], ANSWER_SECRETS[1], basic.as_str()]);
    assert_clean_provider_text(e);
}

/// A status string keeps its meaning when written and read again.
fn check_status(s: &SessionStatus) {
    assert_eq!(&SessionStatus::parse(s.as_str()), s, "status {s:?} changes");
    assert_eq!(
        s.failure_code().is_some(),
        s.is_terminal() && *s != SessionStatus::Finished,
        "status {s:?}: failure code and terminal state disagree"
    );
}

/// The session-outcome error of a final state.
fn check_failure(failure: Option<Error>, status: &SessionStatus) {
    match failure {
        Some(e) => {
            assert!(status.failure_code().is_some(), "{status:?} is no failure");
            let n = e.code() as i32;
            assert!(
                (500..600).contains(&n),
                "failure of {status:?} has code {n}"
            );
        }
        None => assert!(status.failure_code().is_none(), "{status:?} has no error"),
    }
}

/// A file name as the library writes it to disk.
fn check_file_name(raw: &str) {
    use crate::providers::zignsec::signing::sanitize_file_name;
    let n = sanitize_file_name(raw);
    assert!(!n.is_empty(), "{raw:?}: empty file name");
    assert!(
        !n.contains(['/', '\\']) && n != "." && n != "..",
        "{raw:?} → {n:?} leaves the directory"
    );
    assert!(!n.chars().any(char::is_control), "{raw:?} → {n:?}");
    assert_eq!(n.trim(), n, "{raw:?} → {n:?} has outer whitespace");
    assert_eq!(sanitize_file_name(&n), n, "{raw:?}: not idempotent");
}

fn md5_matches(reported: Option<&str>, data: &[u8]) -> bool {
    let Some(r) = reported.map(str::trim).filter(|s| !s.is_empty()) else {
        return true;
    };
    let d = Md5::digest(data);
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    r.eq_ignore_ascii_case(&hex) || r == base64::engine::general_purpose::STANDARD.encode(d)
}

// ---- ZignSec -----------------------------------------------------------------------------------

/// Any answer of the ZignSec signing API (create, upload, start, status), read by every parser
/// of those answers. Answers to requests that changed something never fail with a retryable
/// code: an unreadable one is `OutcomeUnknown`.
pub fn zignsec_signing_response(data: &[u8]) {
    use crate::providers::zignsec::wire::{
        acted, from_value, parse_status, parse_upload, unwrap_data, verify_md5,
    };
    let status = 200;
    let created = acted("create signing session", status, || {
        let v = unwrap_data(data, "create signing session", status)?;
        let s: SigningSession = from_value(v, "create signing session")?;
        check_id("session id from the gateway", &s.id, IdSyntax::Plain)
            .map_err(|e| Error::protocol(e.message()))?;
        Ok(s)
    });
    match created {
        Ok(s) => {
            assert!(check_id("id", &s.id, IdSyntax::Plain).is_ok());
            check_status(&s.status);
            round_trip(&s, "SigningSession");
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e}"),
    }
    let uploaded = acted("upload document", status, || {
        let v = unwrap_data(data, "upload document", status)?;
        let f: UploadedFile = parse_upload(v, "upload document")?;
        check_id("file id from the gateway", &f.file_id, IdSyntax::Plain)
            .map_err(|e| Error::protocol(e.message()))?;
        Ok(f)
    });
    match uploaded {
        Ok(f) => {
            assert!(check_id("id", &f.file_id, IdSyntax::Plain).is_ok());
            round_trip(&f, "UploadedFile");
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e}"),
    }
    let started = acted("start signing", status, || {
        let v = unwrap_data(data, "start signing", status)?;
        from_value::<StartedSigning>(v, "start signing")
    });
    match started {
        Ok(s) => {
            check_status(&s.status);
            round_trip(&s, "StartedSigning");
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e}"),
    }
    match parse_status(data, "requested-session") {
        Ok(st) => {
            check_status(&st.status);
            check_failure(st.failure(), &st.status);
            assert!(serde_json::to_string(&st).is_ok());
            let sample = b"%PDF-1.7 signed";
            for f in st.input_files.iter().chain(&st.signed_files) {
                check_file_name(&f.name);
                let ok = verify_md5(&f.id, f.md5.as_deref(), sample, true);
                assert_eq!(
                    ok.is_ok(),
                    md5_matches(f.md5.as_deref(), sample),
                    "md5 {:?}",
                    f.md5
                );
                if let Err(e) = ok {
                    assert_eq!(e.code(), ErrorCode::Integrity);
                }
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::Protocol, "{e}"),
    }
}

/// An eID session answer (`GET /core/api/sessions/{id}`, `GET /api/v5/sessions/{provider}/{id}`).
pub fn zignsec_eid_response(data: &[u8]) {
    use crate::providers::zignsec::eid::parse_eid_result;
    match parse_eid_result(data, "requested-session") {
        Ok(r) => {
            check_status(&r.status);
            check_failure(r.failure(), &r.status);
            if let Some(e) = r.failure() {
                assert_clean_provider_text(&e);
            }
            assert!(serde_json::to_string(&r).is_ok());
            if let Some(i) = &r.identity {
                round_trip(i, "Identity");
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::Protocol, "{e}"),
    }
}

/// The URL a browser came back to after an eID session (contract §3.5).
pub fn zignsec_redirect(data: &[u8]) {
    let url = text(data);
    match RedirectOutcome::parse(&url) {
        Ok(o) => {
            assert_eq!(o.success, o.error_code.is_none(), "{o:?}");
            match o.error() {
                Some(e) => {
                    assert!(!o.success);
                    assert!(
                        matches!(
                            e.code(),
                            ErrorCode::Cancelled
                                | ErrorCode::Rejected
                                | ErrorCode::SessionExpired
                                | ErrorCode::SigningFailed
                        ),
                        "{e}"
                    );
                    // The URL's text, as one capped line.
                    let clean = crate::scrub::Scrubber::new();
                    assert_eq!(
                        e.provider_code().map(str::to_string),
                        clean.opt(o.error_code.as_deref())
                    );
                    assert_clean_provider_text(&e);
                }
                None => assert!(o.success),
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}"),
    }
}

/// The webhook secrets of the target: the simulator's (its deliveries are the seeds) and a
/// second one, as during a rotation.
const WEBHOOK_SECRETS: [&str; 2] = ["whsec-sim-0001", "fuzz-rotated-webhook-secret-7e1d"];
/// "Now" of the webhook target: the simulator's clock when the seed deliveries were signed.
const WEBHOOK_NOW: u64 = 1_795_440_552;

fn verifier() -> WebhookVerifier {
    match WebhookVerifier::new(
        WEBHOOK_SECRETS
            .iter()
            .map(|s| SecretString::from(s.to_string()))
            .collect(),
    ) {
        Ok(v) => v,
        Err(e) => panic!("verifier: {e}"),
    }
}

fn hmac_hex(secret: &str, data: &[u8]) -> String {
    webhook::sign_legacy(secret, data)
}

/// A webhook delivery: the first line is the `X-ZignSec-Hmac-SHA256` header (or a legacy v2
/// signature), the rest the raw body.
///
/// Invariants: a delivery is accepted only with a signature that is the HMAC of one of the
/// secrets; an accepted one is refused the second time (replay); a delivery signed anew is
/// accepted exactly when its body is a readable event, with the same event as `parse_event`;
/// no error text contains a secret.
pub fn webhook(data: &[u8]) {
    let (header, body) = split_line(data);
    let header = text(header);
    let now = UNIX_EPOCH + Duration::from_secs(WEBHOOK_NOW);
    let parsed = webhook::parse_event(body);
    if let Err(e) = &parsed {
        assert_eq!(e.code(), ErrorCode::Protocol, "{e}");
    }
    let v = verifier();
    assert!(!format!("{v:?}").contains(WEBHOOK_SECRETS[0]));
    match v.verify_at(&header, body, now) {
        Ok(event) => {
            // Accepted ⇒ some `t=` with some secret gives one of the `v1=` values.
            let parts: Vec<(&str, &str)> = header
                .split(',')
                .filter_map(|p| p.trim().split_once('='))
                .map(|(k, v)| (k.trim(), v.trim()))
                .collect();
            let signed = parts.iter().filter(|(k, _)| *k == "t").any(|(_, t)| {
                WEBHOOK_SECRETS.iter().any(|s| {
                    let mut msg = t.as_bytes().to_vec();
                    msg.push(b'.');
                    msg.extend_from_slice(body);
                    let want = hmac_hex(s, &msg);
                    parts
                        .iter()
                        .any(|(k, v)| *k == "v1" && v.eq_ignore_ascii_case(&want))
                })
            });
            assert!(signed, "accepted without a valid signature: {header}");
            match &parsed {
                Ok(p) => assert_eq!(&event, p),
                Err(e) => panic!("accepted a delivery parse_event refuses: {e}"),
            }
            match v.verify_at(&header, body, now) {
                Err(e) => assert_eq!(e.code(), ErrorCode::WebhookReplay, "{e}"),
                Ok(_) => panic!("the same delivery was accepted twice"),
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::WebhookInvalid | ErrorCode::WebhookReplay | ErrorCode::Protocol
                ),
                "{e}"
            );
            assert_no_secret(&e, &WEBHOOK_SECRETS);
        }
    }
    // The same body signed anew (the rotated secret, 10 s ago) by a fresh verifier.
    let fresh = webhook::sign_v5(WEBHOOK_SECRETS[1], WEBHOOK_NOW - 10, body);
    match (verifier().verify_at(&fresh, body, now), &parsed) {
        (Ok(a), Ok(b)) => assert_eq!(&a, b),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
        (a, b) => panic!("freshly signed: {a:?}, parse_event: {b:?}"),
    }
    // The legacy scheme: the header is the hex HMAC of the body.
    match v.verify_legacy(&header, body) {
        Ok(event) => {
            let want: Vec<String> = WEBHOOK_SECRETS.iter().map(|s| hmac_hex(s, body)).collect();
            assert!(
                want.iter().any(|w| w.eq_ignore_ascii_case(header.trim())),
                "legacy delivery accepted without a valid signature: {header}"
            );
            assert!(parsed.as_ref().is_ok_and(|p| *p == event));
        }
        Err(e) => {
            assert!(
                matches!(e.code(), ErrorCode::WebhookInvalid | ErrorCode::Protocol),
                "{e}"
            );
            assert_no_secret(&e, &WEBHOOK_SECRETS);
        }
    }
    let legacy = webhook::sign_legacy(WEBHOOK_SECRETS[0], body);
    assert_eq!(
        verifier().verify_legacy(&legacy, body).is_ok(),
        parsed.is_ok()
    );
}

// ---- transport --------------------------------------------------------------------------------

/// A provider's error answer as the transport maps it: first line the HTTP status, second line
/// the `Retry-After` header (empty: none), the rest the body. Covers `parse_provider_error`,
/// `body_error_code` and `error_from_response`. The answer may echo the transport's secrets:
/// none reaches the error, whose provider text is one capped line.
pub fn provider_error(data: &[u8]) {
    use crate::transport::{body_error_code, error_from_response, parse_provider_error};
    let (status_line, rest) = split_line(data);
    let (retry_line, body) = split_line(rest);
    let status = status_of(status_line);
    let mut headers = HeaderMap::new();
    if !retry_line.is_empty() {
        if let Ok(v) = HeaderValue::from_bytes(retry_line) {
            headers.insert(http::header::RETRY_AFTER, v);
        }
    }
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let pe = parse_provider_error(body);
    if pe.is_some() {
        assert!(json.is_some(), "an error item from a body that is not JSON");
    }
    if let Some(n) = body_error_code(body) {
        let field = json.as_ref().and_then(|v| v.get("errorCode"));
        let same = match field {
            Some(Value::Number(x)) => x.as_i64() == Some(n),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok() == Some(n),
            _ => false,
        };
        assert!(same, "errorCode {n} is not the body's {field:?}");
    }
    let e = error_from_response(
        &response(status, headers, body),
        "fuzz call",
        &answer_scrubber(),
    );
    check_answer_error(&e);
    let code = status.as_u16();
    assert_eq!(e.http_status(), Some(code));
    assert!(e.message().contains(&format!("HTTP {code}")), "{e}");
    let want = match code {
        401 => Some(ErrorCode::Auth),
        403 => Some(ErrorCode::Forbidden),
        404 => Some(ErrorCode::NotFound),
        429 => Some(ErrorCode::RateLimited),
        500..=599 => Some(ErrorCode::ProviderUnavailable),
        _ => None,
    };
    if let Some(w) = want {
        assert_eq!(e.code(), w, "HTTP {code}");
    }
    let scrub = answer_scrubber();
    assert_eq!(
        e.provider_code(),
        pe.as_ref()
            .and_then(|p| scrub.opt(p.code.as_deref()))
            .as_deref()
    );
    if let Some(after) = e.retry_after() {
        let raw = std::str::from_utf8(retry_line).unwrap_or("");
        assert_eq!(
            raw.trim().parse::<u64>().ok(),
            Some(after.as_secs()),
            "Retry-After {raw:?}"
        );
    }
}

// ---- Securosys --------------------------------------------------------------------------------

/// Any answer of the Securosys TSB: keys (`{"json": {...}}` or bare), request states, service
/// information, key lists, signatures, verification results, approval tasks.
pub fn securosys_response(data: &[u8]) {
    use crate::providers::securosys::api::b64_decode;
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    // A key answer, read as `parse_key` does: the `json` part when it is an object.
    let key = match v.get("json") {
        Some(j) if j.is_object() => j.clone(),
        _ => v.clone(),
    };
    if let Ok(k) = serde_json::from_value::<KeyInfo>(key) {
        match k.public_key_der() {
            Ok(der) => match k.public_key_pem() {
                Ok(pem) => {
                    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
                    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
                    assert!(pem.lines().all(|l| l.len() <= 64), "{pem}");
                    assert_eq!(
                        base64::engine::general_purpose::STANDARD
                            .decode(body)
                            .ok()
                            .as_deref(),
                        Some(&der[..]),
                        "PEM does not hold the DER key"
                    );
                }
                Err(e) => panic!("DER key without PEM: {e}"),
            },
            Err(e) => assert!(
                matches!(e.code(), ErrorCode::Protocol | ErrorCode::InvalidState),
                "{e}"
            ),
        }
    }
    if let Ok(st) = serde_json::from_value::<RequestStatus>(v.clone()) {
        check_request(&st);
    }
    let _ = serde_json::from_value::<VersionInfo>(v.clone());
    let _ = serde_json::from_value::<LicenseInfo>(v.clone());
    let _ = serde_json::from_value::<Vec<String>>(v.clone());
    for field in ["signature", "result", "publicKey"] {
        if let Some(s) = v.get(field).and_then(Value::as_str) {
            if let Err(e) = b64_decode(s, field) {
                assert_eq!(e.code(), ErrorCode::Protocol);
            }
        }
    }
    if let Some(id) = v.get("signRequestId").and_then(Value::as_str) {
        if check_id("request id", id, IdSyntax::Plain).is_ok() {
            let url = format!("https://tsb.example/v1/request/{id}");
            let parsed = url::Url::parse(&url);
            assert!(
                parsed
                    .as_ref()
                    .is_ok_and(|u| u.path() == format!("/v1/request/{id}")),
                "request id {id:?} changes the path: {parsed:?}"
            );
        }
    }
    if let Some(tasks) = v.get("tasks") {
        if let Ok(tasks) = serde_json::from_value::<Vec<ApprovalTask>>(tasks.clone()) {
            for t in tasks {
                let _ = t.metadata();
                if let Err(e) = b64_decode(&t.approval_to_be_signed, "approvalToBeSigned") {
                    assert_eq!(e.code(), ErrorCode::Protocol);
                }
            }
        }
    }
}

/// A request state and what waiting for it returns.
fn check_request(st: &RequestStatus) {
    use crate::providers::securosys::api::request_outcome;
    assert_eq!(&RequestState::parse(st.status.as_str()), &st.status);
    if !st.is_final() {
        if st.status == RequestState::Executed {
            assert!(st.result.as_deref().is_none_or(str::is_empty));
        }
        return;
    }
    let out = request_outcome(st);
    let want = match &st.status {
        RequestState::Executed => None,
        RequestState::Rejected => Some(ErrorCode::Rejected),
        RequestState::Expired => Some(ErrorCode::SessionExpired),
        RequestState::Failed => Some(ErrorCode::SigningFailed),
        RequestState::Cancelled => Some(ErrorCode::Cancelled),
        other => panic!("{other:?} is final"),
    };
    match (out, want) {
        (Ok(sig), None) => assert!(st.result_bytes().ok().flatten().is_some_and(|r| r == sig)),
        (Err(e), None) => assert_eq!(e.code(), ErrorCode::Protocol, "{e}"),
        (Err(e), Some(w)) => assert_eq!(e.code(), w, "{e}"),
        (Ok(_), Some(w)) => panic!("{:?} gave a result instead of {w:?}", st.status),
    }
}

/// A Securosys error answer (first line the HTTP status, the rest the body), mapped as the TSB
/// transport maps it, for a call with and without a role. The answer may echo the transport's
/// secrets: none reaches the error, whose provider text is one capped line.
pub fn securosys_error(data: &[u8]) {
    use crate::providers::securosys::errors::{code_for, map_error, ErrorBody};
    use crate::transport::body_error_code;
    let (status_line, body) = split_line(data);
    let status = status_of(status_line);
    let parsed = ErrorBody::parse(body);
    let number = parsed.code_number();
    // The transport reads `errorCode` (key rollover on 631) with its own parser. (Of an object:
    // `ErrorBody` also reads an array, field by field, and skips what it ignores unchecked.)
    let object = serde_json::from_slice::<Value>(body).is_ok_and(|v| v.is_object());
    if let (Some(n), true) = (number, object) {
        assert_eq!(body_error_code(body), Some(n), "errorCode read two ways");
    }
    for role in [None, Some(Role::KeyOperation), Some(Role::Approver)] {
        let e = map_error(
            &response(status, HeaderMap::new(), body),
            "fuzz call",
            role,
            &answer_scrubber(),
        );
        check_answer_error(&e);
        assert_eq!(e.http_status(), Some(status.as_u16()));
        if let Some(c) = number.and_then(code_for) {
            assert_eq!(e.code(), c, "errorCode {number:?}");
        }
        if let Some(n) = number {
            assert_eq!(e.provider_code(), Some(n.to_string().as_str()));
        }
        if let (Some(r), ErrorCode::Auth | ErrorCode::Forbidden) = (role, e.code()) {
            assert!(e.message().contains(r.config_name()), "{e}");
        }
    }
}

// ---- configuration and requests ---------------------------------------------------------------

const CANARY: &str = "zzCANARYzz";

/// A file that does not exist: the configuration target reads no file the input names (it
/// could be `/dev/zero`).
const NO_FILE: &str = "/nonexistent/signbridge-fuzz/secret";

/// A secret replaced by the canary; a file holding one by [`NO_FILE`].
fn canary(s: &mut SecretSource) {
    match s {
        SecretSource::Value(_) => {
            *s = SecretSource::Value(SecretString::from(CANARY.to_string()));
        }
        SecretSource::File { file } => *file = NO_FILE.into(),
        SecretSource::Env { env } => *env = "SIGNBRIDGE_FUZZ_NO_SUCH_VARIABLE".into(),
    }
}

/// A URL of the configuration with every part that may carry a credential (user name,
/// password, query, fragment) replaced by a canary; a value that is not a URL becomes a canary.
fn canary_url(raw: &mut String) {
    match url::Url::parse(raw.trim()) {
        Ok(mut u) => {
            if !u.username().is_empty() {
                let _ = u.set_username(&format!("{CANARY}u"));
            }
            if u.password().is_some() {
                let _ = u.set_password(Some(&format!("{CANARY}p")));
            }
            if u.query().is_some() {
                u.set_query(Some(&format!("key={CANARY}q")));
            }
            if u.fragment().is_some() {
                u.set_fragment(Some(&format!("{CANARY}f")));
            }
            *raw = u.to_string();
        }
        Err(_) => *raw = format!("{CANARY}-not-a-url"),
    }
}

/// Every string value (not key) of `v` replaced by a distinct canary.
fn canary_values(v: &mut Value, n: &mut usize) {
    match v {
        Value::String(s) => {
            *s = format!("{CANARY}{n}");
            *n += 1;
        }
        Value::Array(a) => a.iter_mut().for_each(|x| canary_values(x, n)),
        Value::Object(o) => o.values_mut().for_each(|x| canary_values(x, n)),
        _ => {}
    }
}

fn is_http(u: &url::Url) -> bool {
    matches!(u.scheme(), "http" | "https")
}

/// The JSON configuration (`Config::from_json`, what `sb_client_new_json` and the wrappers
/// take).
///
/// Invariants: a refused configuration is `InvalidConfig` and its message quotes no value of
/// the document (a secret in the wrong field must not end up in an error); an accepted one shows
/// no secret in its Debug output; its base URLs are usable. An accepted one is then given to
/// `Client::new` (files it names replaced by one that does not exist), with its secrets and the
/// credential parts of its URLs (user name, password, query, fragment) replaced by canaries:
/// a refusal is `InvalidConfig` or `AuthConfigMissing` and shows none of them.
pub fn config_json(data: &[u8]) {
    let raw = text(data);
    match crate::Config::from_json(&raw) {
        Ok(mut cfg) => {
            if let Some(z) = cfg.zignsec.as_mut() {
                // (Other schemes are refused when the client is built.)
                if let Some(u) = z.gateway_url().ok().filter(is_http) {
                    assert!(u.path().ends_with('/'), "{u}");
                }
                z.keys.iter_mut().for_each(canary);
                if let Some(o) = z.oauth2.as_mut() {
                    canary(&mut o.client_secret);
                }
                if let Some(c) = z.client_cert.as_mut() {
                    c.cert.iter_mut().for_each(canary);
                    c.key.iter_mut().for_each(canary);
                    c.password.iter_mut().for_each(canary);
                }
            }
            if let Some(s) = cfg.securosys.as_mut() {
                if let Some(u) = s.base().ok().filter(is_http) {
                    assert!(
                        u.path().ends_with('/') && !u.path().ends_with("/v1/"),
                        "{u}"
                    );
                }
                if let Some(k) = s.api_keys.as_mut() {
                    for list in [
                        &mut k.key_management,
                        &mut k.key_operation,
                        &mut k.approver,
                        &mut k.service,
                        &mut k.approver_key_management,
                    ] {
                        list.iter_mut().for_each(canary);
                    }
                }
                s.jwt.iter_mut().for_each(canary);
                if let Some(o) = s.oauth2.as_mut() {
                    canary(&mut o.client_secret);
                }
                if let Some(c) = s.client_cert.as_mut() {
                    c.cert.iter_mut().for_each(canary);
                    c.key.iter_mut().for_each(canary);
                    c.password.iter_mut().for_each(canary);
                }
            }
            if let Some(o) = cfg.onespan.as_mut() {
                if let Some(u) = o.web_base().ok().filter(is_http) {
                    assert!(!u.path().ends_with("/api/"), "{u}");
                }
                o.api_key.iter_mut().for_each(canary);
                if let Some(c) = o.client_app.as_mut() {
                    canary(&mut c.secret);
                }
                if let Some(a) = o.oauth2.as_mut() {
                    canary(&mut a.client_secret);
                }
            }
            let dbg = format!("{cfg:?}");
            assert!(!dbg.contains(CANARY), "a secret in Debug output: {dbg}");
            client_from(cfg);
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
            // The same document with every string value replaced: no value in the message.
            if let Ok(mut v) = serde_json::from_str::<Value>(&raw) {
                let mut n = 0;
                canary_values(&mut v, &mut n);
                if n > 0 {
                    if let Err(e) = crate::Config::from_json(&v.to_string()) {
                        assert!(
                            !e.message().contains(CANARY),
                            "a configuration value in an error message: {}",
                            e.message()
                        );
                    }
                }
            }
        }
    }
}

/// `Client::new` over an accepted configuration whose secrets are canaries: its URLs get
/// canaries too, its files are [`NO_FILE`]; a refusal shows no canary.
fn client_from(mut cfg: crate::Config) {
    if let Some(z) = cfg.zignsec.as_mut() {
        z.base_url.iter_mut().for_each(canary_url);
        if let Some(o) = z.oauth2.as_mut() {
            o.token_url.iter_mut().for_each(canary_url);
            o.discovery_url.iter_mut().for_each(canary_url);
        }
    }
    if let Some(s) = cfg.securosys.as_mut() {
        canary_url(&mut s.base_url);
        if let Some(o) = s.oauth2.as_mut() {
            o.token_url.iter_mut().for_each(canary_url);
            o.discovery_url.iter_mut().for_each(canary_url);
        }
    }
    if let Some(o) = cfg.onespan.as_mut() {
        o.base_url.iter_mut().for_each(canary_url);
        if let Some(a) = o.oauth2.as_mut() {
            a.token_url.iter_mut().for_each(canary_url);
        }
    }
    if let Some(f) = cfg.transport.ca_file.as_mut() {
        *f = NO_FILE.into();
    }
    if let Err(e) = crate::Client::new(cfg) {
        assert!(
            matches!(
                e.code(),
                ErrorCode::InvalidConfig | ErrorCode::AuthConfigMissing
            ),
            "{e}"
        );
        let all = format!("{e} {e:?}");
        assert!(
            !all.contains(CANARY),
            "a secret-looking configuration value in an error: {all}"
        );
    }
}

/// Request JSON as the C API reads it (`serde_json::from_str` into the core's request types:
/// the signing/eID create envelope, start signing, a Securosys key and sign options), then the
/// checks the operations make before sending.
pub fn request_json(data: &[u8]) {
    let raw = text(data);
    if let Ok(req) = serde_json::from_str::<CreateSigning>(&raw) {
        round_trip(&req, "CreateSigning");
        match req.check_urls() {
            Ok(()) => {
                for u in [&req.redirect_success, &req.redirect_failure, &req.webhook]
                    .into_iter()
                    .flatten()
                {
                    let p = url::Url::parse(u);
                    assert!(
                        p.as_ref()
                            .is_ok_and(|p| matches!(p.scheme(), "http" | "https")),
                        "{u:?}"
                    );
                }
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidArgument),
        }
        match req.with_object_metadata() {
            Ok(r) => assert!(r.metadata.is_object()),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::InvalidArgument);
                assert!(!req.metadata.is_object() && !req.metadata.is_null());
            }
        }
    }
    if let Ok(req) = serde_json::from_str::<StartSigning>(&raw) {
        round_trip(&req, "StartSigning");
        for f in &req.files {
            if let Some(p) = &f.placement {
                if p.validate().is_ok() {
                    assert!(p.page >= 1);
                    for c in [p.x, p.y] {
                        assert!(c.is_finite() && (0.0..=14_400.0).contains(&c), "{p:?}");
                    }
                }
            }
        }
    }
    if let Ok(k) = serde_json::from_str::<CreateKey>(&raw) {
        round_trip(&k, "CreateKey");
        if k.validate().is_ok() {
            assert_eq!(
                k.wire().get("label").and_then(Value::as_str),
                Some(k.label.as_str())
            );
        }
    }
    if let Ok(o) = serde_json::from_str::<SignOptions>(&raw) {
        round_trip(&o, "SignOptions");
    }
}

// ---- documents and names ----------------------------------------------------------------------

/// The local PDF check every upload makes.
pub fn pdf(data: &[u8]) {
    match crate::pdf::validate_pdf("fuzz.pdf", data) {
        Ok(()) => {
            assert!(data.starts_with(b"%PDF-"));
            let tail = &data[data.len().saturating_sub(1024)..];
            assert!(tail.windows(5).any(|w| w == b"%%EOF"));
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidDocument),
    }
    use crate::providers::onespan::download::check_content;
    use crate::providers::onespan::DownloadKind;
    let pdf_ok = crate::pdf::validate_pdf("fuzz.pdf", data).is_ok();
    let zip_ok = data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06");
    for (kind, want) in [
        (DownloadKind::Document("d".into()), pdf_ok),
        (DownloadKind::EvidenceSummary, pdf_ok),
        (DownloadKind::Zip, zip_ok),
    ] {
        match check_content(&kind, data) {
            Ok(()) => assert!(want, "{kind:?} accepted"),
            Err(e) => {
                assert!(!want, "{kind:?} refused: {e}");
                assert_eq!(e.code(), ErrorCode::Integrity);
            }
        }
    }
}

/// File names and ids from a provider's answers: the name a download is saved under, and ids
/// placed in URL paths (which must not change the resource addressed).
pub fn file_name(data: &[u8]) {
    let raw = text(data);
    check_file_name(&raw);
    check_onespan_file_name(&raw);
    match raw.parse::<crate::signing::SessionRef>() {
        Ok(r) => {
            let again = r.to_string().parse::<crate::signing::SessionRef>();
            assert!(again.is_ok_and(|a| a == r), "{r} does not read back");
            assert!(
                !r.id().is_empty() && !r.id().contains(['/', '?', '#']),
                "{r}"
            );
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidArgument),
    }
    if check_id("id", &raw, IdSyntax::Plain).is_ok() {
        let base = url::Url::parse("https://gw.example/api/v5/sessions/signing/");
        let joined = base.and_then(|b| b.join(&raw));
        match joined {
            Ok(u) => {
                assert_eq!(u.path(), format!("/api/v5/sessions/signing/{raw}"));
                assert!(u.query().is_none() && u.fragment().is_none());
            }
            Err(e) => panic!("an accepted id {raw:?} is not a URL segment: {e}"),
        }
    }
}

// ---- OneSpan ----------------------------------------------------------------------------------

/// A name made safe by OneSpan's sanitizer (also used for `Content-Disposition` names).
fn check_onespan_file_name(raw: &str) {
    use crate::providers::onespan::sanitize_file_name;
    let n = sanitize_file_name(raw, "fallback.pdf");
    assert!(!n.is_empty(), "{raw:?}");
    assert!(
        !n.contains(['/', '\\']) && !n.chars().any(|c| c.is_control() || ":*?\"<>|".contains(c)),
        "{raw:?} → {n:?}"
    );
    assert!(
        n.chars().count() <= 200,
        "{raw:?}: {} characters",
        n.chars().count()
    );
    assert!(
        n == "fallback.pdf" || !n.starts_with('.'),
        "{}",
        format!("{raw:?} → {n:?}")
    );
    assert!(n.trim_end() == n, "{raw:?} → {n:?}");
    assert_eq!(n.trim_start(), n, "{raw:?} → {n:?}");
    let again = sanitize_file_name(&n, "fallback.pdf");
    assert!(again == n, "{raw:?} → {n:?} → {again:?}");
}

/// `value` read back from its own JSON gives the same JSON (for types without `PartialEq`).
fn json_round_trip<T: Serialize + DeserializeOwned>(value: &T, what: &str) {
    let a = match serde_json::to_value(value) {
        Ok(v) => v,
        Err(e) => panic!("{what}: an accepted value cannot be written back as JSON: {e}"),
    };
    match serde_json::from_value::<T>(a.clone()).and_then(serde_json::to_value) {
        Ok(b) => assert_eq!(a, b, "{what}: changed by a round trip"),
        Err(e) => panic!("{what}: its own JSON {a} is refused: {e}"),
    }
}

/// Any answer of the OneSpan API read the way the client reads it (`serde_json::from_slice`
/// into the model): packages, pages of a listing, signing URLs, audit trails.
pub fn onespan_response(data: &[u8]) {
    use crate::providers::onespan::{Audit, Package, PackageStatus, Page, SigningUrl};
    let check_package = |p: &Package| {
        assert_eq!(PackageStatus::parse(p.status.as_str()), p.status);
        let s = p.status.session_status();
        check_status(&s);
        assert_eq!(p.status.is_terminal(), s.is_terminal(), "{:?}", p.status);
        for r in &p.roles {
            assert!(p.role(&r.id).is_some());
        }
        if let Some(m) = p.last_message() {
            assert!(!m.is_empty() && m.trim() == m, "{m:?}");
        }
    };
    if let Ok(p) = serde_json::from_slice::<Package>(data) {
        check_package(&p);
        json_round_trip(&p, "Package");
    }
    if let Ok(page) = serde_json::from_slice::<Page>(data) {
        page.packages.iter().for_each(check_package);
    }
    if let Ok(u) = serde_json::from_slice::<SigningUrl>(data) {
        json_round_trip(&u, "SigningUrl");
    }
    if let Ok(a) = serde_json::from_slice::<Audit>(data) {
        json_round_trip(&a, "Audit");
    }
}

/// The callback keys of the target (a rotation: old and new).
const CALLBACK_KEYS: [&str; 2] = ["fuzz-callback-key-3f9a", "fuzz-callback-key-rotated-51c0"];

/// A OneSpan callback delivery: the first line is the `Authorization` header (empty: none), the
/// rest the raw body.
///
/// Invariants: accepted only with `Basic <one of the keys>`; then the event is `parse_event`'s;
/// the right key is accepted exactly when the body is an event; no error or Debug output shows
/// a key.
pub fn onespan_callback(data: &[u8]) {
    use crate::providers::onespan::{parse_callback_event, CallbackEventName, CallbackVerifier};
    let (header, body) = split_line(data);
    let header = text(header);
    let v = CallbackVerifier::new(CALLBACK_KEYS[0]).with_key(CALLBACK_KEYS[1]);
    let dbg = format!("{v:?}");
    assert!(CALLBACK_KEYS.iter().all(|k| !dbg.contains(k)), "{dbg}");
    let parsed = parse_callback_event(body);
    match &parsed {
        Ok(e) => {
            assert_eq!(CallbackEventName::parse(e.name.as_str()), e.name);
            assert!(!e.name.as_str().trim().is_empty());
            for f in [&e.package_id, &e.session_user, &e.message, &e.document_id]
                .into_iter()
                .flatten()
            {
                assert!(!f.trim().is_empty(), "blank field kept");
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::Protocol, "{e}"),
    }
    let given = (!header.is_empty()).then_some(header.as_ref());
    match v.verify(given, body) {
        Ok(event) => {
            let h = header.trim();
            let key = h
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
                .map(|(_, k)| k.trim());
            assert!(
                key.is_some_and(|k| CALLBACK_KEYS.contains(&k)),
                "accepted without a configured key: {h:?}"
            );
            assert!(parsed.as_ref().is_ok_and(|p| *p == event));
        }
        Err(e) => {
            assert!(
                matches!(e.code(), ErrorCode::WebhookInvalid | ErrorCode::Protocol),
                "{e}"
            );
            assert_no_secret(&e, &CALLBACK_KEYS);
        }
    }
    let right = format!("Basic {}", CALLBACK_KEYS[1]);
    assert_eq!(v.verify(Some(&right), body).is_ok(), parsed.is_ok());
    assert!(v.verify(None, body).is_err());
}

/// A OneSpan error answer: first line the HTTP status, second the `Retry-After` header (empty:
/// none), the rest the body, mapped as the OneSpan transport maps it. The answer may echo the
/// transport's secrets: none reaches the error, whose provider text is one capped line.
pub fn onespan_error(data: &[u8]) {
    use crate::providers::onespan::errors::{code_for, map_error, ErrorBody};
    let (status_line, rest) = split_line(data);
    let (retry_line, body) = split_line(rest);
    let status = status_of(status_line);
    let mut headers = HeaderMap::new();
    if !retry_line.is_empty() {
        if let Ok(v) = HeaderValue::from_bytes(retry_line) {
            headers.insert(http::header::RETRY_AFTER, v);
        }
    }
    let parsed = ErrorBody::parse(body);
    let scrub = answer_scrubber();
    let e = map_error(&response(status, headers, body), "fuzz call", None, &scrub);
    check_answer_error(&e);
    let code = status.as_u16();
    assert_eq!(e.http_status(), Some(code));
    assert!(e.message().contains(&format!("HTTP {code}")), "{e}");
    let key = parsed.as_ref().and_then(|b| b.message_key.clone());
    assert_eq!(e.code(), code_for(code, key.as_deref()), "{e}");
    match code {
        401 => assert_eq!(e.code(), ErrorCode::Auth),
        429 => assert_eq!(e.code(), ErrorCode::RateLimited),
        500..=599 => assert_eq!(e.code(), ErrorCode::ProviderUnavailable),
        _ => {}
    }
    assert_eq!(
        e.provider_code().map(str::to_string),
        parsed
            .as_ref()
            .and_then(ErrorBody::code)
            .map(|c| scrub.text(&c))
    );
    if let Some(after) = e.retry_after() {
        let raw = std::str::from_utf8(retry_line).unwrap_or("");
        assert_eq!(
            raw.trim().parse::<u64>().ok(),
            Some(after.as_secs()),
            "Retry-After {raw:?}"
        );
    }
}

/// A download's `Content-Disposition` header (RFC 6266/5987): the name a file is saved under.
pub fn content_disposition(data: &[u8]) {
    use crate::providers::onespan::download::content_disposition_name;
    let header = text(data);
    if let Some(name) = content_disposition_name(&header) {
        assert!(!name.is_empty());
        check_onespan_file_name(&name);
        assert!(
            !name.starts_with('.'),
            "{}",
            format!("{header:?} → {name:?}")
        );
        let again = crate::providers::onespan::sanitize_file_name(&name, "");
        assert!(
            again == name,
            "{}",
            format!("{header:?} → {name:?} → {again:?}")
        );
    }
    check_onespan_file_name(&header);
}

// ---- OAuth2 token endpoint --------------------------------------------------------------------

/// The client secret of the OAuth2 target: it must never appear in an error.
const CLIENT_SECRET: &str = "fuzz-client-secret-4b1d9e";
const SUBSCRIPTION_KEY: &str = "fuzz-subscription-key-8c2a";
/// The access token the endpoint issues when the input is not the token answer.
const ACCESS_TOKEN: &str = "fuzz-access-token-5e7b";

/// A loopback HTTP/1.1 server answering with the bodies set for the current input, so the
/// token endpoint's answer reaches the client through the real transport.
struct Endpoint {
    base: String,
    answers: Mutex<Answers>,
}

/// One answer: its status and body. `{{ECHO}}` in the body stands for the request as the
/// endpoint received it (request line, headers, body; JSON-escaped), as a gateway that echoes
/// what it refused would send it.
#[derive(Default, Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

#[derive(Default)]
struct Answers {
    /// `GET …/openid-configuration`.
    discovery: Answer,
    /// `POST` (the token request).
    token: Answer,
    /// Any other `GET` (the API call).
    api: Answer,
}

static ENDPOINT: OnceLock<Option<&'static Endpoint>> = OnceLock::new();
/// One OAuth2 input at a time (the answers are shared).
static ENDPOINT_LOCK: Mutex<()> = Mutex::new(());

fn endpoint() -> Option<&'static Endpoint> {
    *ENDPOINT.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
        let base = format!("http://{}", listener.local_addr().ok()?);
        let ep: &'static Endpoint = Box::leak(Box::new(Endpoint {
            base,
            answers: Mutex::new(Answers::default()),
        }));
        std::thread::Builder::new()
            .name("fuzz-endpoint".into())
            .spawn(move || {
                for conn in listener.incoming().flatten() {
                    let _ = std::thread::Builder::new()
                        .name("fuzz-endpoint-conn".into())
                        .spawn(move || serve(ep, conn));
                }
            })
            .ok()?;
        Some(ep)
    })
}

fn serve(ep: &Endpoint, conn: std::net::TcpStream) {
    use std::io::{BufRead, BufReader, Read, Write};
    let _ = conn.set_nodelay(true);
    let Ok(write_half) = conn.try_clone() else {
        return;
    };
    let mut out = write_half;
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let discovery = line.contains("openid-configuration");
        let post = line.starts_with("POST ");
        // The request as received, for `{{ECHO}}`.
        let mut seen = line.clone();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            seen.push_str(&h);
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.trim().eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length.min(1 << 20)];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.push_str(&String::from_utf8_lossy(&body));
        let answer = {
            let a = ep.answers.lock().unwrap_or_else(|p| p.into_inner());
            if discovery {
                a.discovery.clone()
            } else if post {
                a.token.clone()
            } else {
                a.api.clone()
            }
        };
        let echo = serde_json::to_string(&seen).unwrap_or_default();
        let echo = echo.trim_matches('"');
        let answer_body = replace_all(&answer.body, b"{{ECHO}}", echo.as_bytes());
        let head = format!(
            "HTTP/1.1 {} Fuzz\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            answer.status,
            answer_body.len()
        );
        // One write: a second small one would wait for the client's delayed ACK.
        let mut all = head.into_bytes();
        all.extend_from_slice(&answer_body);
        if out.write_all(&all).is_err() {
            return;
        }
    }
}

fn replace_all(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

/// Whether `data` is JSON text, read as a struct reads the fields it skips (no depth limit, no
/// number range).
fn is_json(data: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok()
}

/// Field `name` of a JSON object; of an array, its first element: serde's derived
/// `Deserialize` also reads a struct from an array, field by field in declaration order (the
/// token answer and the discovery document both name the field used first).
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Array(a) => a.first(),
        _ => v.get(name),
    }
}

/// The OAuth2 client-credentials exchange of a ZignSec client, end to end through the real
/// transport against a loopback endpoint that answers with the input: a token answer, or
/// (input starting with `D` and a newline) an OpenID discovery document, or (`A` and a newline)
/// the answer to the API call made with the token; in each, `{{BASE}}` stands for the
/// endpoint's URL and `{{ECHO}}` for the request it answers (headers and body, as a gateway
/// that echoes what it refused sends them). A first line `S<status>` gives that answer's HTTP
/// status (200 without). The other answers are a valid token and a session state.
///
/// Invariants: a token is used only when the answer has it as `access_token` (Bearer type);
/// a discovered token endpoint must be on the discovery document's origin; no error contains
/// the client secret (as is, or in the Basic header), the subscription key or the access token
/// the call carried, and its provider text is one capped line.
pub fn oauth_token(data: &[u8]) {
    let Some(ep) = endpoint() else {
        return;
    };
    let _one = ENDPOINT_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (status, data) = match data.strip_prefix(b"S") {
        Some(rest) => {
            let (line, rest) = split_line(rest);
            let status = std::str::from_utf8(line)
                .ok()
                .and_then(|s| s.trim().parse::<u16>().ok())
                .filter(|s| (200..=599).contains(s));
            match status {
                Some(s) => (s, rest),
                None => (200, data),
            }
        }
        None => (200, data),
    };
    let (mode, body) = match (data.strip_prefix(b"D\n"), data.strip_prefix(b"A\n")) {
        (Some(rest), _) => (b'D', rest),
        (None, Some(rest)) => (b'A', rest),
        (None, None) => (b'T', data),
    };
    let discover = mode == b'D';
    let body = replace_all(body, b"{{BASE}}", ep.base.as_bytes());
    let input = Answer {
        status,
        body: body.clone(),
    };
    let ok = |b: &[u8]| Answer {
        status: 200,
        body: b.to_vec(),
    };
    let token =
        format!(r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":300}}"#);
    let session = br#"{"id":"fuzz-session","status":"Pending"}"#;
    *ep.answers.lock().unwrap_or_else(|p| p.into_inner()) = match mode {
        b'D' => Answers {
            discovery: input,
            token: ok(token.as_bytes()),
            api: ok(session),
        },
        b'A' => Answers {
            discovery: Answer::default(),
            token: ok(token.as_bytes()),
            api: input,
        },
        _ => Answers {
            discovery: Answer::default(),
            token: input,
            api: ok(session),
        },
    };
    let mut oauth = serde_json::json!({"client_id": "fuzz-client", "client_secret": CLIENT_SECRET});
    if discover {
        oauth["discovery_url"] =
            Value::String(format!("{}/.well-known/openid-configuration", ep.base));
    } else {
        oauth["token_url"] = Value::String(format!("{}/token", ep.base));
    }
    let cfg = serde_json::json!({
        "zignsec": {"base_url": ep.base, "keys": [SUBSCRIPTION_KEY], "oauth2": oauth},
        "transport": {"max_attempts": 1, "request_timeout_ms": 10_000}
    });
    let client = match crate::Config::from_json(&cfg.to_string()).and_then(crate::Client::new) {
        Ok(c) => c,
        Err(e) => panic!("the target's own configuration is refused: {e}"),
    };
    let signing = match client.zignsec() {
        Ok(z) => z.signing(),
        Err(e) => panic!("zignsec: {e}"),
    };
    let out = match crate::runtime::block_on(signing.status("fuzz-session")) {
        Ok(r) => r,
        Err(e) => panic!("block_on: {e}"),
    };
    match out {
        Ok(_) if mode == b'A' => {
            assert!(
                (200..300).contains(&status),
                "HTTP {status} taken as a result"
            );
        }
        Ok(st) => {
            assert!(
                (200..300).contains(&status),
                "HTTP {status} taken as a token"
            );
            assert_eq!(st.id, "fuzz-session");
            if discover {
                // The token request went to the endpoint the document named, on its origin.
                let doc: Value = match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    Err(_) if is_json(&body) => return,
                    Err(e) => panic!("a discovery document that is not JSON was used: {e}"),
                };
                let named = field(&doc, "token_endpoint").and_then(Value::as_str);
                let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
                assert!(
                    named.is_some_and(|n| origin(n) == origin(&ep.base)),
                    "token endpoint {named:?} is not on the discovery origin {}",
                    ep.base
                );
            } else {
                let v: Value = match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    // JSON that `Value` does not hold (deeper than its limit, a number out of
                    // f64 range) in a field the token answer skips unread.
                    Err(_) if is_json(&body) => return,
                    Err(e) => panic!("a token taken from an answer that is not JSON: {e}"),
                };
                assert!(
                    field(&v, "access_token").is_some_and(Value::is_string),
                    "{v}"
                );
                match v.get("token_type") {
                    None | Some(Value::Null) => {}
                    Some(t) => assert!(
                        t.as_str().is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
                        "token type {t}"
                    ),
                }
            }
        }
        Err(e) => {
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("fuzz-client:{CLIENT_SECRET}"));
            assert_no_secret(&e, &[CLIENT_SECRET, SUBSCRIPTION_KEY, basic.as_str()]);
            if mode == b'A' {
                assert_no_secret(&e, &[ACCESS_TOKEN]);
            }
            assert_clean_provider_text(&e);
            if status < 300 && mode != b'A' {
                assert!(
                    matches!(
                        e.code(),
                        ErrorCode::Protocol | ErrorCode::InvalidConfig | ErrorCode::Auth
                    ),
                    "{e}"
                );
            } else {
                assert!(
                    !matches!(e.code(), ErrorCode::Internal | ErrorCode::Panic),
                    "{e}"
                );
            }
        }
    }
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains(CLIENT_SECRET) && !dbg.contains(SUBSCRIPTION_KEY),
        "{dbg}"
    );
}

/// Signed-PDF verification ([`crate::verify::verify_pdf`]) without trust anchors: a report
/// whose numbers stay inside the file and which never calls anything valid (no chain can be
/// trusted), or [`ErrorCode::InvalidDocument`].
pub fn pdf_signature(data: &[u8]) {
    use crate::verify::{verify_pdf, Original, VerifyOptions};
    let opts =
        VerifyOptions::default().with_original(Original::Bytes(data[..data.len() / 2].to_vec()));
    match verify_pdf(data, &opts) {
        Ok(r) => {
            assert!(!r.valid, "valid without trust anchors");
            assert_eq!(r.size, data.len() as u64);
            for (i, s) in r.signatures.iter().enumerate() {
                assert_eq!(s.index, i + 1);
                assert!(!s.chain_trusted && !s.valid);
                let [a, b, c, d] = s.byte_range;
                assert!(a == 0 && b < c && c + d <= r.size, "{:?}", s.byte_range);
                assert_eq!(s.signed_until, c + d);
            }
            if let Some(len) = r.unsigned_prefix_len {
                assert!(len <= r.size);
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidDocument, "{e}"),
    }
}
