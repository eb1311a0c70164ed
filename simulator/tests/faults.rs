//! Fault injection through `/_sim/faults`.

mod common;

use std::time::{Duration, Instant};

use common::{error_code, md5_b64, start};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn status_fault_counts_and_precedes_auth() {
    let ctx = start().await;
    ctx.fault(json!({"kind": "status", "status": 503, "count": 2, "path_prefix": "/api/v5/"}))
        .await;
    // No key at all: the fault still wins (faults are consumed before auth).
    let resp = ctx
        .http
        .post(ctx.url("/api/v5/sessions/signing"))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 503).await, "INTERNAL_ERROR");
    // Control endpoints never consume faults.
    let resp = ctx
        .http
        .get(ctx.url("/_sim/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 503).await, "INTERNAL_ERROR");
    // Exhausted.
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);

    // A 4xx status fault uses the matching code.
    ctx.fault(json!({"kind": "status", "status": 404})).await;
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
}

#[tokio::test]
async fn fault_filters_by_method_and_prefix() {
    let ctx = start().await;
    let id = ctx.create(json!({})).await;
    ctx.fault(json!({"kind": "status", "status": 500, "method": "GET", "path_prefix": "/api/v5/sessions/signing/"}))
        .await;
    // POST does not match the method filter.
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    // A GET outside the prefix does not match either.
    let resp = ctx
        .get_media("/folders/x/media/y")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 404);
    let resp = ctx
        .get(&format!("/api/v5/sessions/signing/{id}"))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 500).await, "INTERNAL_ERROR");
    let resp = ctx
        .get(&format!("/api/v5/sessions/signing/{id}"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn rate_limit_fault() {
    let ctx = start().await;
    ctx.fault(json!({"kind": "rate_limit", "retry_after": 2}))
        .await;
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(
        resp.headers()["retry-after"].to_str().expect("retry-after"),
        "2"
    );
    assert_eq!(error_code(resp, 429).await, "TOO_MANY_REQUESTS");
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn delay_fault() {
    let ctx = start().await;
    ctx.fault(json!({"kind": "delay", "delay_ms": 400})).await;
    let started = Instant::now();
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn drop_fault() {
    let ctx = start().await;
    ctx.fault(json!({"kind": "drop"})).await;
    let result = ctx.post("/api/v5/sessions/signing").send().await;
    let err = result.expect_err("the connection must be dropped");
    assert!(!err.is_status());
    // The next request works (a fresh connection).
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    // The dropped request was still recorded.
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/requests"))
        .send()
        .await
        .expect("requests")
        .json()
        .await
        .expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn corrupt_fault_keeps_length_and_breaks_md5() {
    let ctx = start().await;
    let (id, file_id) = ctx.pending_session(json!({})).await;
    let path = format!("/folders/{id}/media/{file_id}");
    let good = ctx
        .get_media(&path)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    ctx.fault(json!({"kind": "corrupt", "path_prefix": "/folders/"}))
        .await;
    let bad = ctx
        .get_media(&path)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(good.len(), bad.len());
    assert_ne!(good, bad);
    assert_ne!(md5_b64(&good), md5_b64(&bad));

    // Corrupt JSON no longer parses.
    ctx.fault(json!({"kind": "corrupt", "method": "GET"})).await;
    let resp = ctx
        .get(&format!("/api/v5/sessions/signing/{id}"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
    let body = resp.bytes().await.expect("bytes");
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

#[tokio::test]
async fn malformed_fault_and_clear() {
    let ctx = start().await;
    ctx.fault(json!({"kind": "malformed"})).await;
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.expect("text"), "{\"data\": <<not json");

    ctx.fault(json!({"kind": "status", "count": 5})).await;
    let resp = ctx.control(Method::DELETE, "/_sim/faults", json!({})).await;
    assert_eq!(resp.status(), 204);
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);

    // Bad fault definitions are rejected.
    let resp = ctx
        .control(Method::POST, "/_sim/faults", json!({"kind": "meteor"}))
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/faults",
            json!({"kind": "drop", "count": 0}),
        )
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
}

#[tokio::test]
async fn echo_fault_reflects_headers_and_body_in_each_providers_error_shape() {
    let ctx = start().await;
    // ZignSec: the contract error, the request in its description.
    ctx.fault(json!({"kind": "echo", "status": 401, "path_prefix": "/api/v5/"}))
        .await;
    let resp = ctx
        .post("/api/v5/sessions/signing")
        .json(&json!({"relay_state": "echoed-body-value"}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    let d = v["errors"][0]["description"].as_str().expect("description");
    assert!(d.starts_with("POST /api/v5/sessions/signing\n"), "{d}");
    assert!(
        d.contains(&format!(
            "zs-product-key: {}",
            signbridge_sim::DEFAULT_PRIMARY_KEY
        )),
        "{d}"
    );
    assert!(
        d.ends_with("\n\n{\"relay_state\":\"echoed-body-value\"}"),
        "{d}"
    );
    assert_eq!(v["errors"][0]["code"], "UNAUTHORIZED");
    // The OAuth2 token endpoint: error_description.
    ctx.fault(json!({"kind": "echo", "status": 401, "path_prefix": signbridge_sim::TOKEN_PATH}))
        .await;
    let resp = ctx
        .http
        .post(ctx.url(signbridge_sim::TOKEN_PATH))
        .basic_auth("echo-client", Some("echo-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["error"], "invalid_client");
    let d = v["error_description"].as_str().expect("error_description");
    assert!(
        d.contains("authorization: Basic ZWNoby1jbGllbnQ6ZWNoby1zZWNyZXQ="),
        "{d}"
    );
    assert!(d.ends_with("grant_type=client_credentials"), "{d}");
    // Securosys: `message`, with the given errorCode.
    ctx.fault(json!({"kind": "echo", "status": 401, "error_code": 631, "path_prefix": "/v1/"}))
        .await;
    let resp = ctx
        .http
        .get(ctx.url("/v1/versionInfo"))
        .header("x-api-key", "echoed-api-key")
        .send()
        .await
        .expect("tsb");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["errorCode"], 631);
    let m = v["message"].as_str().expect("message");
    assert!(m.contains("x-api-key: echoed-api-key"), "{m}");
    // OneSpan: `message` and `technical`.
    ctx.fault(json!({"kind": "echo", "status": 400, "path_prefix": "/api/packages"}))
        .await;
    let resp = ctx
        .http
        .get(ctx.url("/api/packages"))
        .header("authorization", "Basic echoed-onespan-key")
        .send()
        .await
        .expect("onespan");
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["messageKey"], "error.simulator.echo");
    let m = v["message"].as_str().expect("message");
    assert!(m.contains("authorization: Basic echoed-onespan-key"), "{m}");
    // An echo answers with an error status only.
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/faults",
            json!({"kind": "echo", "status": 200}),
        )
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
}
