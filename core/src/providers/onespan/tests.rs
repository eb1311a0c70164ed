//! Unit tests: configuration, URLs, models, error mapping.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::json;

use super::api::encode_segment;
use crate::providers::{check_id, IdSyntax};
use crate::scrub::Scrubber;

/// The OneSpan mapper with a scrubber that knows no secret.
fn map_error(
    resp: &crate::transport::Response,
    what: &str,
    role: Option<crate::auth::Role>,
) -> crate::Error {
    super::errors::map_error(resp, what, role, &Scrubber::new())
}
use super::*;
use crate::transport::Response;

fn cfg(v: serde_json::Value) -> Result<OnespanConfig> {
    serde_json::from_value(v).map_err(|e| Error::invalid_config(e.to_string()))
}

fn client(v: serde_json::Value) -> Result<OnespanClient> {
    OnespanClient::new(&cfg(v)?, &TransportConfig::default())
}

#[test]
fn exactly_one_auth_method() {
    let ok = client(json!({"base_url": "https://sandbox.esignlive.com", "api_key": "k"}))
        .expect("api key");
    assert_eq!(ok.auth_method(), AuthMethod::ApiKey);
    let ca = client(json!({"environment": "sandbox",
        "client_app": {"client_id": "id", "secret": "s", "type": "sender", "email": "a@example.com"}}))
    .expect("client app");
    assert_eq!(ca.auth_method(), AuthMethod::ClientApp);
    assert_eq!(ca.base_url(), "https://sandbox.esignlive.com/");
    let oa = client(json!({"environment": "production",
        "oauth2": {"client_id": "id", "client_secret": "s", "sender_id": "snd"}}))
    .expect("oauth2");
    assert_eq!(oa.auth_method(), AuthMethod::OAuth2);
    assert_eq!(oa.base_url(), "https://apps.esignlive.com/");

    let none = client(json!({"base_url": "https://sandbox.esignlive.com"})).expect_err("none");
    assert_eq!(none.code(), ErrorCode::AuthConfigMissing);
    assert!(
        none.message().contains("onespan.api_key"),
        "{}",
        none.message()
    );
    let two = client(
        json!({"base_url": "https://sandbox.esignlive.com", "api_key": "k",
        "oauth2": {"client_id": "id", "client_secret": "s"}}),
    )
    .expect_err("two");
    assert_eq!(two.code(), ErrorCode::InvalidConfig);
    assert!(
        two.message().contains("onespan.client_app"),
        "{}",
        two.message()
    );
    let e = client(json!({"api_key": "k"})).expect_err("no url");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("base_url"));
    // Client App type rules.
    let e = client(json!({"environment": "sandbox",
        "client_app": {"client_id": "id", "secret": "s", "type": "sender"}}))
    .expect_err("sender without email");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("email"));
    let e = client(json!({"environment": "sandbox",
        "client_app": {"client_id": "", "secret": "s"}}))
    .expect_err("empty id");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
}

#[test]
fn config_through_the_one_schema() {
    let c = crate::Config::from_json(
        r#"{"onespan": {"base_url": "https://sandbox.esignlive.com/api/", "api_key": "topsecret-key",
            "api_version": "11.60.1"}}"#,
    )
    .expect("valid");
    let o = c.onespan.expect("onespan");
    assert_eq!(
        o.web_base().expect("url").as_str(),
        "https://sandbox.esignlive.com/"
    );
    assert!(!format!("{o:?}").contains("topsecret-key"));
    let e =
        crate::Config::from_json(r#"{"onespan": {"apikey": "topsecret-key"}}"#).expect_err("typo");
    assert!(e.message().contains("apikey"));
    assert!(!e.message().contains("topsecret-key"));
    let e = crate::Config::from_json(
        r#"{"onespan": {"environment": "sandbox", "client_app": {"client_id": "a", "secret": "topsecret-key", "kind": "owner"}}}"#,
    )
    .expect_err("unknown field in client_app");
    assert!(!e.message().contains("topsecret-key"));
    let e = client(json!({"environment": "sandbox", "api_key": "k", "api_version": "1; x=y"}))
        .expect_err("bad version");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    let e = client(json!({"base_url": "http://example.com", "api_key": "k"})).expect_err("http");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    let e = client(json!({"environment": "sandbox", "api_key": "bad key"})).expect_err("space");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(!e.message().contains("bad key"));
}

#[test]
fn secrets_from_files_and_debug_redaction() {
    let dir = tempfile::tempdir().expect("dir");
    let f = dir.path().join("secret");
    std::fs::write(&f, "file-secret-value\n").expect("write");
    let c = client(json!({"environment": "sandbox",
        "oauth2": {"client_id": "id", "client_secret": {"file": f}}}))
    .expect("client");
    let d = format!("{c:?}");
    assert!(!d.contains("file-secret-value"), "{d}");
    let c = client(json!({"environment": "sandbox", "api_key": {"file": f}})).expect("client");
    assert!(!format!("{c:?}").contains("file-secret-value"));
    let e = client(json!({"environment": "sandbox", "api_key": {"file": dir.path().join("nope")}}))
        .expect_err("missing file");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}

#[test]
fn ids_are_one_encoded_segment() {
    assert_eq!(
        encode_segment("bw1FGkfWT7tf0X4r6bHUfvIblKQ="),
        "bw1FGkfWT7tf0X4r6bHUfvIblKQ%3D"
    );
    assert_eq!(encode_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
    assert_eq!(encode_segment("x-y_z.~"), "x-y_z.~");
    assert!(check_id("package id", "..", IdSyntax::Encoded).is_err());
    assert!(check_id("package id", "", IdSyntax::Encoded).is_err());
    assert!(check_id("package id", "a/b=", IdSyntax::Encoded).is_ok());
}

fn resp(status: u16, body: &str, ctype: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_str(ctype).expect("ct"),
    );
    Response {
        status: StatusCode::from_u16(status).expect("status"),
        headers,
        body: Bytes::from(body.to_string()),
    }
}

#[test]
fn error_table() {
    let body = |key: &str| {
        json!({"code": 400, "name": "Bad Request", "messageKey": key,
               "message": "Cannot change a sent transaction.", "technical": "package is SENT"})
        .to_string()
    };
    for key in [
        "error.validation.packageActive",
        "error.validation.invalidStatusTransition",
        "error.validation.packageNotActive",
    ] {
        let e = map_error(&resp(400, &body(key), "application/json"), "update", None);
        assert_eq!(e.code(), ErrorCode::InvalidState, "{key}");
        assert_eq!(e.provider_code(), Some(key));
        assert_eq!(
            e.provider_description(),
            Some("Cannot change a sent transaction. (package is SENT)")
        );
        assert_eq!(e.http_status(), Some(400));
    }
    let e = map_error(
        &resp(
            400,
            &body("error.validation.document.name"),
            "application/json",
        ),
        "x",
        None,
    );
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    let e = map_error(
        &resp(400, &body("error.something"), "application/json"),
        "x",
        None,
    );
    assert_eq!(e.code(), ErrorCode::Provider);
    for (status, code) in [
        (401, ErrorCode::Auth),
        (403, ErrorCode::Forbidden),
        (404, ErrorCode::NotFound),
        (422, ErrorCode::Provider),
        (429, ErrorCode::RateLimited),
        (503, ErrorCode::ProviderUnavailable),
    ] {
        let e = map_error(
            &resp(status, &body("error.x"), "application/json"),
            "x",
            None,
        );
        assert_eq!(e.code(), code, "{status}");
    }
    let html = map_error(
        &resp(502, "<html><body>Bad Gateway</body></html>", "text/html"),
        "read transaction",
        None,
    );
    assert_eq!(html.code(), ErrorCode::ProviderUnavailable);
    assert_eq!(html.http_status(), Some(502));
    assert!(
        html.message().contains("not OneSpan's error JSON"),
        "{}",
        html.message()
    );
    assert!(html.message().contains("text/html"));
    // The OAuth2 error shape.
    let e = map_error(
        &resp(
            401,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
            "application/json",
        ),
        "token",
        None,
    );
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.provider_code(), Some("invalid_client"));
    assert_eq!(e.provider_description(), Some("bad secret"));
}

#[test]
fn package_model_tolerates_unknown_and_null_fields() {
    let p: Package = serde_json::from_value(json!({
        "id": "abc=", "name": "N", "status": "OPTED_OUT", "trashed": null, "newField": {"x": 1},
        "roles": [{"id": "r1", "signers": [{"email": "a@example.com", "firstName": "A", "extra": 1}],
                   "index": 1}],
        "documents": [{"id": "d1", "name": "Doc", "approvals": [{"role": "r1", "fields": [
            {"type": "SIGNATURE", "subtype": "FULLNAME", "page": 0, "top": 1.5}]}]}],
        "messages": [{"content": "too expensive", "status": "NEW", "from": {"email": "a@example.com"}}],
        "description": null
    }))
    .expect("parsed");
    assert_eq!(p.status, PackageStatus::OptedOut);
    assert!(!p.trashed);
    assert_eq!(p.role("r1").map(|r| r.signers.len()), Some(1));
    assert_eq!(p.last_message(), Some("too expensive"));
    assert_eq!(
        PackageStatus::parse("SOMETHING_NEW"),
        PackageStatus::Other("SOMETHING_NEW".into())
    );
    assert_eq!(
        SigningStatus::parse("signing_pending"),
        SigningStatus::SigningPending
    );
    let page: Page =
        serde_json::from_value(json!({"count": 3, "results": [{"id": "a"}]})).expect("page");
    assert_eq!(page.count, 3);
    assert_eq!(page.packages[0].id, "a");
}

#[test]
fn builders_validate_and_serialise() {
    let pdf = Bytes::from_static(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
    let doc = DocumentSpec::from_bytes("Contract", pdf.clone())
        .expect("pdf")
        .id("doc-1")
        .field(SignatureField::new("buyer", 0, 100.0, 50.0).kind(SignatureKind::Initials))
        .field(SignatureField::new("seller", 1, 200.0, 50.0).size(150.0, 40.0));
    let p = NewPackage::new("Deal")
        .signer(Signer::new("buyer", "b@example.com", "B", "Uyer"))
        .signer(Signer::new("seller", "s@example.com", "S", "Eller").company("ACME"))
        .document(doc.clone())
        .send_on_create(true);
    p.validate(true).expect("valid");
    let w = p.wire(true);
    assert_eq!(w["status"], "SENT");
    assert_eq!(w["roles"][0]["id"], "buyer");
    assert_eq!(w["roles"][1]["index"], 2);
    assert_eq!(w["roles"][1]["signers"][0]["company"], "ACME");
    assert_eq!(w["documents"][0]["id"], "doc-1");
    assert_eq!(w["documents"][0]["approvals"][0]["role"], "buyer");
    assert_eq!(
        w["documents"][0]["approvals"][0]["fields"][0]["subtype"],
        "INITIALS"
    );
    assert_eq!(
        w["documents"][0]["approvals"][1]["fields"][0]["width"],
        150.0
    );
    assert!(w.get("documents").is_some() && p.wire(false).get("documents").is_none());

    let bad = |p: NewPackage| p.validate(true).expect_err("invalid").code();
    assert_eq!(bad(NewPackage::new(" ")), ErrorCode::InvalidArgument);
    assert_eq!(
        bad(NewPackage::new("x").document(doc.clone())),
        ErrorCode::InvalidArgument
    );
    let one = || NewPackage::new("x").signer(Signer::new("buyer", "b@example.com", "B", "U"));
    assert_eq!(bad(one()), ErrorCode::InvalidArgument, "no document");
    assert_eq!(
        bad(one().document(doc.clone())),
        ErrorCode::InvalidArgument,
        "unknown role"
    );
    assert_eq!(
        bad(one().signer(Signer::new("buyer", "c@example.com", "C", "D"))),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        bad(NewPackage::new("x").signer(Signer::new("r", "not-an-email", "A", "B"))),
        ErrorCode::InvalidArgument
    );
    let plain = DocumentSpec::from_bytes("Plain", pdf.clone()).expect("pdf");
    assert_eq!(
        bad(one().document(plain.clone()).document(plain.clone())),
        ErrorCode::InvalidArgument,
        "duplicate names"
    );
    assert_eq!(
        bad(one().document(plain.clone()).due("tomorrow")),
        ErrorCode::InvalidArgument
    );
    assert!(one()
        .document(plain.clone())
        .due("2030-01-31T12:00:00")
        .validate(true)
        .is_ok());
    assert_eq!(
        bad(one().document(plain.clone().id("zip"))),
        ErrorCode::InvalidArgument,
        "the ZIP path"
    );
    let neg = plain
        .clone()
        .field(SignatureField::new("buyer", 0, -1.0, 0.0));
    assert_eq!(bad(one().document(neg)), ErrorCode::InvalidArgument);
    assert_eq!(
        DocumentSpec::from_bytes("x", &b"hello"[..])
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::InvalidDocument)
    );
    assert_eq!(
        DocumentSpec::from_bytes("a/b", pdf).err().map(|e| e.code()),
        Some(ErrorCode::InvalidArgument)
    );
}

#[test]
fn polling_backs_off_from_five_seconds_to_a_minute() {
    use std::time::Duration;
    let base = api::DEFAULT_POLL_INTERVAL;
    assert_eq!(base, Duration::from_secs(5));
    let delays: Vec<f64> = (0..12)
        .map(|n| api::poll_delay(base, n).as_secs_f64())
        .collect();
    assert_eq!(&delays[..4], &[0.0, 5.0, 7.5, 11.25]);
    assert!(delays.windows(2).all(|w| w[1] >= w[0]));
    assert_eq!(delays[11], 60.0);
    // Absurd intervals do not overflow.
    assert_eq!(api::poll_delay(Duration::MAX, 40), Duration::MAX);
    // A longer first delay is kept, never shortened.
    assert_eq!(
        api::poll_delay(Duration::from_secs(120), 5),
        Duration::from_secs(120)
    );
}
