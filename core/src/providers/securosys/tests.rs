//! Unit tests against JSON fixtures and a scripted local HTTP server that records every request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::error::ErrorCode;
use crate::session::WaitOptions;
use crate::transport::Response;
use crate::{Client, Config};

/// The TSB mapper with a scrubber that knows no secret.
fn map_error(resp: &Response, what: &str, role: Option<crate::auth::Role>) -> crate::Error {
    errors::map_error(resp, what, role, &crate::scrub::Scrubber::new())
}

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

type Responder = Arc<dyn Fn(&Seen) -> (u16, String) + Send + Sync>;

/// A local HTTP/1.1 server: answers with `respond`, records each request.
struct Mock {
    url: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    fn start(respond: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> Mock {
        let respond: Responder = Arc::new(respond);
        let log = Arc::new(Mutex::new(Vec::new()));
        let rt = crate::runtime::runtime();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let log2 = log.clone();
        rt.spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let respond = respond.clone();
                let log = log2.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut tmp = [0u8; 4096];
                    let head_end = loop {
                        let n = sock.read(&mut tmp).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&tmp[..n]);
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let mut lines = head.split("\r\n");
                    let first = lines.next().unwrap_or("");
                    let mut parts = first.split(' ');
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .collect();
                    let len = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        let n = sock.read(&mut tmp).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&tmp[..n]);
                    }
                    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                    let seen = Seen {
                        method,
                        path,
                        headers,
                        body,
                    };
                    let (status, text) = respond(&seen);
                    log.lock().expect("log").push(seen);
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: \
                         {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Mock {
            url: format!("http://{addr}"),
            log,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().expect("log").clone()
    }
}

fn client(cfg: Value) -> Client {
    let mut cfg = cfg;
    cfg["transport"] = json!({"backoff_base_ms": 5, "max_attempts": 2});
    Client::new(Config::from_value(cfg).expect("config")).expect("client")
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    crate::runtime::runtime().block_on(f)
}

fn all_roles(url: &str) -> Value {
    json!({"securosys": {
        "base_url": url,
        "api_keys": {"key_management": ["km-key"], "key_operation": ["op-key"],
                     "approver": ["ap-key"], "service": ["svc-key"],
                     "approver_key_management": ["akm-key"]},
        "jwt": "jwt-token-1"
    }})
}

fn api_key_of(s: &Seen) -> String {
    s.header("x-api-key").join(",")
}

#[test]
fn each_call_carries_only_its_roles_key_and_the_jwt() {
    let mock = Mock::start(|s| match s.path.as_str() {
        "/tsb/v1/versionInfo" => (200, r#"{"Version":"2.5.1","Vendor":"Securosys SA"}"#.into()),
        "/tsb/v1/licenseInfo" => (200, r#"{"clientFlags":["REST_API"]}"#.into()),
        "/tsb/v1/key" => (200, r#"["a","b"]"#.into()),
        "/tsb/v1/synchronousSign" => (200, r#"{"signature":"AQID"}"#.into()),
        "/tsb/v1/verify" => (200, r#"{"signatureValid":true}"#.into()),
        _ => (
            404,
            r#"{"errorCode":650,"reason":"res.error.key.not.existent"}"#.into(),
        ),
    });
    let c = client(all_roles(&format!("{}/tsb/v1/", mock.url)));
    let hsm = c.securosys().expect("securosys");
    assert!(hsm.base_url().ends_with("/tsb/"), "{}", hsm.base_url());
    let v = run(hsm.version_info()).expect("version");
    assert_eq!(v.version, "2.5.1");
    assert_eq!(
        run(hsm.license_info()).expect("license").client_flags,
        vec!["REST_API"]
    );
    assert_eq!(run(hsm.list_keys()).expect("keys"), vec!["a", "b"]);
    let alg = SignatureAlgorithm::Sha256WithEcdsa;
    let sig = run(hsm.synchronous_sign("k", b"hello", PayloadKind::Raw, &alg)).expect("sign");
    assert_eq!(sig, vec![1, 2, 3]);
    assert!(run(hsm.verify("k", b"hello", PayloadKind::Raw, &alg, &sig)).expect("verify"));
    let e = run(hsm.delete_key("gone key")).expect_err("404");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(e.provider_code(), Some("650"));

    let seen = mock.seen();
    let keys: Vec<(String, String)> = seen
        .iter()
        .map(|s| (s.path.clone(), api_key_of(s)))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("/tsb/v1/versionInfo".into(), "svc-key".into()),
            ("/tsb/v1/licenseInfo".into(), "svc-key".into()),
            ("/tsb/v1/key".into(), "km-key".into()),
            ("/tsb/v1/synchronousSign".into(), "op-key".into()),
            ("/tsb/v1/verify".into(), "op-key".into()),
            ("/tsb/v1/key/gone%20key".into(), "km-key".into()),
        ]
    );
    for s in &seen {
        assert_eq!(s.header("authorization"), vec!["Bearer jwt-token-1"]);
    }
    assert_eq!(seen[5].method, "DELETE");
    let body = seen[3].json();
    assert_eq!(body["signRequest"]["payload"], "aGVsbG8=");
    assert_eq!(body["signRequest"]["signKeyName"], "k");
    assert_eq!(
        body["signRequest"]["signatureAlgorithm"],
        "SHA256_WITH_ECDSA"
    );
    assert_eq!(
        seen[4].json()["verifySignatureRequest"]["signature"],
        "AQID"
    );
}

#[test]
fn a_missing_role_key_fails_before_any_request() {
    let mock = Mock::start(|_| (200, "{}".into()));
    let c = client(json!({"securosys": {
        "base_url": mock.url,
        "api_keys": {"key_operation": ["op-key"]}
    }}));
    let hsm = c.securosys().expect("securosys");
    let e = run(hsm.create_key(&CreateKey::new("k", KeySpec::P256))).expect_err("no km key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    assert!(e.message().contains("key_management"), "{}", e.message());
    assert!(e.message().contains("securosys.api_keys.key_management"));
    let e = run(hsm.version_info()).expect_err("no service key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    assert!(e.message().contains("role service"), "{}", e.message());
    let e = run(hsm.list_approval_tasks(
        &ApproverKey::generate_p256().expect("key").0,
        TaskKind::Sign,
        10,
    ))
    .expect_err("no approver key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    assert!(mock.seen().is_empty(), "nothing may be sent");
}

#[test]
fn without_api_keys_only_the_jwt_is_sent() {
    let mock = Mock::start(|_| (200, r#"{"Version":"2.2.0"}"#.into()));
    let c = client(json!({"securosys": {"base_url": mock.url, "jwt": "only-jwt"}}));
    let v = run(c.securosys().expect("s").version_info()).expect("version");
    assert_eq!(v.version, "2.2.0");
    assert_eq!(v.vendor, None);
    let seen = mock.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].header("x-api-key").is_empty());
    assert_eq!(seen[0].header("authorization"), vec!["Bearer only-jwt"]);
}

#[test]
fn rollover_on_invalid_api_key_is_remembered() {
    let mock = Mock::start(|s| {
        if api_key_of(s) == "new-key" {
            (200, r#"{"signature":"AQID"}"#.into())
        } else {
            (
                401,
                r#"{"errorCode":631,"reason":"res.error.invalid.api.key","message":"invalid"}"#
                    .into(),
            )
        }
    });
    let c = client(json!({"securosys": {
        "base_url": mock.url,
        "api_keys": {"key_operation": ["old-key", "new-key"], "service": ["svc-bad"]}
    }}));
    let hsm = c.securosys().expect("securosys");
    let alg = SignatureAlgorithm::EdDsa;
    run(hsm.synchronous_sign("k", b"x", PayloadKind::Raw, &alg)).expect("rolled over");
    run(hsm.synchronous_sign("k", b"x", PayloadKind::Raw, &alg)).expect("remembered");
    let keys: Vec<String> = mock.seen().iter().map(api_key_of).collect();
    assert_eq!(keys, vec!["old-key", "new-key", "new-key"]);
    // Every key of the role invalid: an auth error naming the role, never another role's key.
    let e = run(hsm.version_info()).expect_err("invalid");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(e.provider_code(), Some("631"));
    assert!(e.message().contains("role service"), "{}", e.message());
    assert!(e.message().contains("securosys.api_keys.service"));
    let keys: Vec<String> = mock.seen().iter().map(api_key_of).collect();
    assert_eq!(keys.last().map(String::as_str), Some("svc-bad"));
    assert_eq!(keys.len(), 4);
    assert!(!e.message().contains("svc-bad") && !format!("{e:?}").contains("svc-bad"));
}

#[test]
fn a_401_without_631_is_not_rolled_over() {
    let mock = Mock::start(|_| {
        (
            401,
            r#"{"errorCode":617,"reason":"res.error.invalid.access.token"}"#.into(),
        )
    });
    let c = client(json!({"securosys": {
        "base_url": mock.url,
        "api_keys": {"service": ["s1", "s2"]},
        "jwt": "expired-jwt"
    }}));
    let e = run(c.securosys().expect("s").version_info()).expect_err("401");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.provider_code(), Some("617"));
    assert_eq!(mock.seen().len(), 1);
}

#[test]
fn async_sign_then_wait_until_executed() {
    let polls = Arc::new(Mutex::new(0u32));
    let p2 = polls.clone();
    let mock = Mock::start(move |s| match (s.method.as_str(), s.path.as_str()) {
        ("POST", "/v1/sign") => (201, r#"{"signRequestId":"4e8731d8-0ae6"}"#.into()),
        ("GET", "/v1/request/4e8731d8-0ae6") => {
            let mut n = p2.lock().expect("n");
            *n += 1;
            if *n < 3 {
                (200, r#"{"id":"4e8731d8-0ae6","status":"PENDING","approvedBy":[],"notYetApprovedBy":["a"],"rejectedBy":[],"result":null}"#.into())
            } else {
                (200, r#"{"id":"4e8731d8-0ae6","status":"EXECUTED","executionTime":"2020-06-24T08:54:47Z","approvedBy":["a"],"notYetApprovedBy":[],"rejectedBy":[],"result":"AQID"}"#.into())
            }
        }
        _ => (404, "{}".into()),
    });
    let c = client(all_roles(&mock.url));
    let hsm = c.securosys().expect("s");
    let id = run(hsm.sign(
        "ska",
        &[7u8; 32],
        PayloadKind::Digest,
        &SignatureAlgorithm::Sha256WithRsa,
        &SignOptions::default(),
    ))
    .expect("submitted");
    assert_eq!(id, "4e8731d8-0ae6");
    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(10)),
        ..WaitOptions::default()
    };
    let sig = run(hsm.wait_request(&id, &opts)).expect("executed");
    assert_eq!(sig, vec![1, 2, 3]);
    let seen = mock.seen();
    let body = seen[0].json();
    assert_eq!(
        body["signRequest"]["signatureAlgorithm"],
        "NONESHA256_WITH_RSA"
    );
    let meta = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        body["signRequest"]["metaData"].as_str().expect("meta"),
    )
    .expect("b64");
    assert_eq!(
        serde_json::from_slice::<Value>(&meta).expect("json")["app"],
        "signbridge"
    );
    assert!(seen.iter().all(|s| api_key_of(s) == "op-key"));
    assert_eq!(*polls.lock().expect("n"), 3);
}

fn status(state: &str, result: Option<&str>) -> RequestStatus {
    serde_json::from_value(json!({"id": "r1", "status": state, "result": result,
                                  "rejectedBy": ["x"]}))
    .expect("status")
}

#[test]
fn final_request_states_map_to_codes() {
    use super::api::request_outcome;
    assert_eq!(
        request_outcome(&status("EXECUTED", Some("AQID"))).ok(),
        Some(vec![1, 2, 3])
    );
    for (state, code) in [
        ("REJECTED", ErrorCode::Rejected),
        ("EXPIRED", ErrorCode::SessionExpired),
        ("FAILED", ErrorCode::SigningFailed),
        ("CANCELLED", ErrorCode::Cancelled),
    ] {
        let s = status(state, None);
        assert!(s.is_final(), "{state}");
        let e = request_outcome(&s).expect_err(state);
        assert_eq!(e.code(), code, "{state}");
        assert_eq!(e.provider_code(), Some(state));
    }
    assert!(!status("PENDING", None).is_final());
    assert!(!status("APPROVED", None).is_final());
    assert!(
        !status("EXECUTED", None).is_final(),
        "executed without result yet"
    );
    assert!(!status("SOMETHING_NEW", None).is_final());
    assert_eq!(
        status("SOMETHING_NEW", None).status,
        RequestState::Other("SOMETHING_NEW".into())
    );
    let out = serde_json::to_value(status("EXECUTED", Some("AQID"))).expect("ser");
    assert_eq!(out["rejected_by"], json!(["x"]));
}

fn resp(status: u16, body: &str) -> Response {
    Response {
        status: StatusCode::from_u16(status).expect("status"),
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
    }
}

#[test]
fn error_bodies_map_to_the_error_table() {
    let cases = [
        (
            400,
            r#"{"errorCode":608,"reason":"res.error.key.already.existing","message":"exists"}"#,
            ErrorCode::Provider,
            Some("608"),
        ),
        (
            404,
            r#"{"errorCode":650,"reason":"res.error.key.not.existent","message":"no key"}"#,
            ErrorCode::NotFound,
            Some("650"),
        ),
        (
            404,
            r#"{"errorCode":651,"reason":"res.error.request.not.existent"}"#,
            ErrorCode::NotFound,
            Some("651"),
        ),
        (
            500,
            r#"{"errorCode":701,"reason":"res.error.in.hsm","message":"Error unwrapping key"}"#,
            ErrorCode::ProviderUnavailable,
            Some("701"),
        ),
        (
            403,
            r#"{"errorCode":451,"reason":"res.error.client.endpoint.not.licensed"}"#,
            ErrorCode::Forbidden,
            Some("451"),
        ),
        (
            400,
            r#"{"errorCode":400,"reason":"res.error.security.not.allowed"}"#,
            ErrorCode::Forbidden,
            Some("400"),
        ),
        (
            401,
            r#"{"errorCode":631,"reason":"res.error.invalid.api.key"}"#,
            ErrorCode::Auth,
            Some("631"),
        ),
        (
            400,
            r#"{"errorCode":401,"reason":"res.error.missing.approval"}"#,
            ErrorCode::Provider,
            Some("401"),
        ),
        (
            400,
            r#"{"errorCode":"600","reason":"res.error.input.validation.failed"}"#,
            ErrorCode::Provider,
            Some("600"),
        ),
        (
            400,
            r#"{"message":"only a message"}"#,
            ErrorCode::Provider,
            None,
        ),
        (
            403,
            r#"{"reason":"res.error.security.not.allowed"}"#,
            ErrorCode::Forbidden,
            Some("res.error.security.not.allowed"),
        ),
        (
            502,
            "<html>bad gateway</html>",
            ErrorCode::ProviderUnavailable,
            None,
        ),
        (429, "", ErrorCode::RateLimited, None),
    ];
    for (st, body, code, pcode) in cases {
        let e = map_error(
            &resp(st, body),
            "do x",
            Some(crate::auth::Role::KeyOperation),
        );
        assert_eq!(e.code(), code, "{body}");
        assert_eq!(e.provider_code(), pcode, "{body}");
        assert_eq!(e.http_status(), Some(st));
        assert!(
            e.message().starts_with("do x failed with HTTP"),
            "{}",
            e.message()
        );
    }
    let e = map_error(
        &resp(404, r#"{"errorCode":650,"reason":"r","message":"no key"}"#),
        "x",
        None,
    );
    assert_eq!(e.provider_description(), Some("no key"));
    assert!(
        e.message().contains("errorCode 650 r: no key"),
        "{}",
        e.message()
    );
    let e = map_error(
        &resp(403, r#"{"errorCode":400}"#),
        "x",
        Some(crate::auth::Role::Approver),
    );
    assert!(e.message().contains("approverToken"), "{}", e.message());
}

#[test]
fn config_section_parsing_and_redaction() {
    let cfg = Config::from_json(
        r#"{"securosys":{"base_url":"https://tsb.example.com/prefix/v1",
            "api_keys":{"key_operation":["op-secret-1","op-secret-2"],"service":[{"file":"/x"}]},
            "jwt":"jwt-secret-9"}}"#,
    )
    .expect("valid");
    let s = cfg.securosys.as_ref().expect("securosys");
    assert_eq!(
        s.base().expect("url").as_str(),
        "https://tsb.example.com/prefix/"
    );
    let dbg = format!("{cfg:?}");
    assert!(!dbg.contains("secret"), "{dbg}");
    assert!(cfg.zignsec.is_none());
    // Unknown fields are refused, at every level, without echoing values.
    for bad in [
        r#"{"securosys":{"base_url":"https://x","apikeys":{}}}"#,
        r#"{"securosys":{"base_url":"https://x","api_keys":{"keyOperation":["top-secret"]}}}"#,
    ] {
        let e = Config::from_json(bad).expect_err("unknown field");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(!e.message().contains("top-secret"));
    }
    assert!(
        Config::from_json(r#"{"securosys":{}}"#).is_err(),
        "base_url is required"
    );

    // A client with only Securosys is fine; asking for ZignSec then is a config-missing error.
    let c = Client::new(
        Config::from_json(
            r#"{"securosys":{"base_url":"http://127.0.0.1:9","api_keys":{"service":["svc-secret"]},"jwt":"jwt-secret"}}"#,
        )
        .expect("cfg"),
    )
    .expect("client");
    assert!(c.securosys().is_ok());
    assert_eq!(
        c.zignsec().err().map(|e| e.code()),
        Some(ErrorCode::AuthConfigMissing)
    );
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("secret"), "{dbg}");
    // Without any provider: refused.
    assert_eq!(
        Client::new(Config::default()).err().map(|e| e.code()),
        Some(ErrorCode::AuthConfigMissing)
    );
    // The JWT from a missing file is a config error naming the field.
    let e = Client::new(
        Config::from_json(
            r#"{"securosys":{"base_url":"http://127.0.0.1:9","jwt":{"file":"/nonexistent/jwt"}}}"#,
        )
        .expect("cfg"),
    )
    .expect_err("missing file");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("securosys.jwt"), "{}", e.message());
    // Plain http to a remote host is refused.
    let e = Client::new(
        Config::from_json(r#"{"securosys":{"base_url":"http://tsb.example.com"}}"#).expect("cfg"),
    )
    .expect_err("plain http");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}

#[test]
fn key_requests_and_answers() {
    let req = CreateKey::new("doc", KeySpec::Rsa3072).with_policy(Policy::quorum(
        2,
        &[
            ("alice".into(), "QUE=".into()),
            ("bob".into(), "QkI=".into()),
            ("carol".into(), "Q0M=".into()),
        ],
        3600,
    ));
    req.validate().expect("valid");
    let w = req.wire();
    assert_eq!(w["algorithm"], "RSA");
    assert_eq!(w["keySize"], 3072);
    assert_eq!(w["attributes"]["sign"], true);
    assert_eq!(w["attributes"]["decrypt"], false);
    let p = &w["policy"];
    assert_eq!(p["ruleUse"]["tokens"][0]["groups"][0]["quorum"], 2);
    assert_eq!(
        p["ruleUse"]["tokens"][0]["groups"][0]["approvals"][1]["type"],
        "public_key"
    );
    assert_eq!(p["keyStatus"]["blocked"], false);
    assert!(p["ruleBlock"].is_null());
    let ec = CreateKey::new("e", KeySpec::Ed25519).wire();
    assert_eq!(ec["algorithm"], "ED");
    assert_eq!(ec["curveOid"], "1.3.101.112");
    // Local checks.
    let mut bad = CreateKey::new("x", KeySpec::P256);
    bad.policy = Some(Policy::quorum(1, &[("a".into(), "QQ==".into())], 90));
    assert_eq!(
        bad.validate().err().map(|e| e.code()),
        Some(ErrorCode::InvalidArgument)
    );
    bad.policy = Some(Policy::quorum(2, &[("a".into(), "QQ==".into())], 60));
    assert!(bad.validate().is_err(), "quorum above approvers");
    assert!(CreateKey::new("", KeySpec::P256).validate().is_err());
    let from_binding: CreateKey = serde_json::from_value(json!({
        "label": "k", "algorithm": "EC", "curve_oid": "1.2.840.10045.3.1.7"
    }))
    .expect("binding json");
    assert_eq!(from_binding.attributes, KeyAttributes::signing());

    // The answer of POST /v1/key (contract §4).
    let answer = r#"{"xml":"<x/>","xmlSignature":"AA==","attestationKeyName":"attestation-key",
      "json":{"label":"k","id":null,"algorithm":"RSA","algorithmOid":"1.2.840.113549.1.1.1",
      "curveOid":null,"keySize":2048,"createTime":"2021-02-24T15:10:03Z",
      "attestTime":"2021-02-24T15:10:03Z","publicKey":"MIIBIjAN","addressTruncated":null,
      "derivedAttributes":null,"attributes":{"decrypt":false,"sign":true,"ekaSign":null,
      "unwrap":false,"derive":false,"sensitive":true,"alwaysSensitive":true,"extractable":false,
      "neverExtractable":true,"modifiable":true,"copyable":true,"destroyable":true},
      "policy":null}}"#;
    let v: Value = serde_json::from_str(answer).expect("json");
    let k: KeyInfo = serde_json::from_value(v["json"].clone()).expect("key");
    assert_eq!(k.algorithm, Some(KeyAlgorithm::Rsa));
    assert_eq!(k.key_size, Some(2048));
    assert_eq!(
        k.attributes.as_ref().and_then(|a| a.never_extractable),
        Some(true)
    );
    assert!(k
        .public_key_pem()
        .expect("pem")
        .starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let out = serde_json::to_value(&k).expect("ser");
    assert_eq!(out["key_size"], 2048);
}

#[test]
fn digest_payloads_are_explicit_and_checked() {
    let d32 = [0u8; 32];
    assert_eq!(
        SignatureAlgorithm::Sha256WithRsa
            .for_payload(PayloadKind::Digest, &d32)
            .ok(),
        Some(SignatureAlgorithm::NoneSha256WithRsa)
    );
    assert_eq!(
        SignatureAlgorithm::Sha256WithRsaPss
            .for_payload(PayloadKind::Digest, &d32)
            .ok(),
        Some(SignatureAlgorithm::NoneSha256WithRsaPss)
    );
    assert_eq!(
        SignatureAlgorithm::Sha384WithEcdsa
            .for_payload(PayloadKind::Digest, &[0u8; 48])
            .ok(),
        Some(SignatureAlgorithm::NoneWithEcdsa)
    );
    let e = SignatureAlgorithm::Sha256WithEcdsa
        .for_payload(PayloadKind::Digest, &[0u8; 20])
        .expect_err("length");
    assert!(e.message().contains("32 bytes"));
    assert!(SignatureAlgorithm::EdDsa
        .for_payload(PayloadKind::Digest, &d32)
        .is_err());
    assert!(SignatureAlgorithm::EdDsa
        .for_payload(PayloadKind::Raw, b"")
        .is_err());
    assert_eq!(
        SignatureAlgorithm::EdDsa
            .for_payload(PayloadKind::Raw, b"m")
            .ok(),
        Some(SignatureAlgorithm::EdDsa)
    );
    assert_eq!(
        SignatureAlgorithm::parse("sha256_with_rsa"),
        SignatureAlgorithm::Sha256WithRsa
    );
    assert_eq!(
        serde_json::to_value(SignatureAlgorithm::Other("BLS".into())).expect("ser"),
        json!("BLS")
    );
    assert_eq!(
        serde_json::from_value::<PayloadKind>(json!("digest")).ok(),
        Some(PayloadKind::Digest)
    );
}

#[test]
fn approver_keys_sign_verifiably_and_timestamps_are_iso() {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
    let (k, pkcs8) = ApproverKey::generate_p256().expect("key");
    let spki = k.public_key_der();
    assert_eq!(spki.len(), 91);
    let sig = k.sign(b"2023-10-30T17:30:24+00:00").expect("sign");
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &spki[26..])
        .verify(b"2023-10-30T17:30:24+00:00", &sig)
        .expect("verifies");
    assert_eq!(k.digest_algorithm(), "SHA-256");
    let again = ApproverKey::from_pkcs8_der(&pkcs8).expect("reload");
    assert_eq!(again.public_key_b64(), k.public_key_b64());
    let pem = super::api::pem("PRIVATE KEY", &pkcs8);
    assert_eq!(
        ApproverKey::from_pem(&pem).expect("pem").public_key_b64(),
        k.public_key_b64()
    );
    assert!(!format!("{k:?}").contains(&super::api::b64(&pkcs8)));
    assert!(ApproverKey::from_pem("nope").is_err());
    assert_eq!(approval::utc_timestamp(0), "1970-01-01T00:00:00+00:00");
    assert_eq!(
        approval::utc_timestamp(1_698_687_024),
        "2023-10-30T17:30:24+00:00"
    );
    assert_eq!(
        approval::utc_timestamp(951_782_400),
        "2000-02-29T00:00:00+00:00"
    );
}

#[test]
fn approval_calls_use_the_approver_key_and_prove_possession() {
    let mock = Mock::start(|s| match (s.method.as_str(), s.path.as_str()) {
        ("POST", "/v1/filteredSignApprovalTask") => (
            200,
            r#"{"tasks":[{"id":"t-1","approvalToBeSigned":"AQIDBA==","approverPublicKey":"x",
                "metaData":"eyJhcHAiOiJzaWduYnJpZGdlIn0=","detailLevel":"level2"}]}"#
                .into(),
        ),
        ("POST", "/v1/approval") => (200, String::new()),
        ("DELETE", "/v1/task") => (200, String::new()),
        _ => (404, "{}".into()),
    });
    let c = client(all_roles(&mock.url));
    let hsm = c.securosys().expect("s");
    let (approver, _) = ApproverKey::generate_p256().expect("key");
    let tasks = run(hsm.list_approval_tasks(&approver, TaskKind::Sign, 25)).expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].metadata(), Some(json!({"app": "signbridge"})));
    run(hsm.approve(&approver, &tasks[0])).expect("approve");
    run(hsm.reject(&approver, "t-2")).expect("reject");
    let seen = mock.seen();
    assert!(seen.iter().all(|s| api_key_of(s) == "ap-key"));
    let list = seen[0].json();
    assert_eq!(list["approverPublicKey"], approver.public_key_b64());
    assert_eq!(list["paging"]["pageSize"], 25);
    let ts = list["timestamp"].as_str().expect("ts");
    let sig = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        list["timestampSignature"].as_str().expect("sig"),
    )
    .expect("b64");
    let spki = approver.public_key_der();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &spki[26..])
        .verify(ts.as_bytes(), &sig)
        .expect("timestamp signature verifies");
    let appr = seen[1].json();
    assert_eq!(appr["id"], "t-1");
    assert_eq!(appr["approvalToBeSigned"], "AQIDBA==");
    let sig = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        appr["signature"].as_str().expect("sig"),
    )
    .expect("b64");
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &spki[26..])
        .verify(&[1, 2, 3, 4], &sig)
        .expect("approval signature verifies");
    assert_eq!(seen[2].method, "DELETE");
    assert_eq!(seen[2].json()["id"], "t-2");
}
