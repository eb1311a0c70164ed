//! Securosys Primus HSM REST API (TSB): role-based API keys and JWT (seed 003, contract §2),
//! service information (§9), keys (§4), synchronous sign/verify checked with `openssl` (§5),
//! asynchronous signing with approval quorums, rejection and expiry (§6, §7), and certificates
//! made with a key, checked with `openssl` (§8).

mod common;

use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::Method;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use signbridge_sim::{
    SECUROSYS_APPROVER_KEY, SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY, SECUROSYS_JWT,
    SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY, SECUROSYS_ROLES,
    SECUROSYS_SERVICE_KEY,
};

use common::Ctx;

const KM: &str = SECUROSYS_KEY_MANAGEMENT_KEY;
const OP: &str = SECUROSYS_KEY_OPERATION_KEY;
const AP: &str = SECUROSYS_APPROVER_KEY;
const SV: &str = SECUROSYS_SERVICE_KEY;
const AKM: &str = SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY;
const ALL_KEYS: [&str; 5] = [KM, OP, AP, SV, AKM];

const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_ED25519: &str = "1.3.101.112";

/// Sends a request with one `X-API-KEY` (or none) and returns status and JSON (Null when empty).
async fn call(
    ctx: &Ctx,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = ctx.http.request(method, ctx.url(path));
    if let Some(k) = key {
        rb = rb.header("X-API-KEY", k);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("body");
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("json body")
    };
    (status, v)
}

fn assert_error(got: &(u16, Value), status: u16, code: u64, reason: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["errorCode"], code, "{}", got.1);
    assert_eq!(got.1["reason"], reason, "{}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}

fn b64(b: &[u8]) -> String {
    STANDARD.encode(b)
}

fn unb64(v: &Value) -> Vec<u8> {
    STANDARD
        .decode(v.as_str().expect("b64 string"))
        .expect("b64")
}

fn key_body(label: &str, algorithm: &str, size_or_curve: Value, policy: Value) -> Value {
    let mut b = json!({
        "label": label, "password": null, "id": null, "algorithm": algorithm,
        "attributes": {"encrypt": false, "decrypt": false, "verify": true, "sign": true,
            "wrap": false, "unwrap": false, "derive": false, "extractable": false,
            "modifiable": true, "destroyable": true, "sensitive": true, "copyable": false},
        "policy": policy,
    });
    if algorithm == "RSA" {
        b["keySize"] = size_or_curve;
    } else {
        b["curveOid"] = size_or_curve;
    }
    b
}

async fn create(ctx: &Ctx, body: Value) -> Value {
    let got = call(ctx, Method::POST, "/v1/key", Some(KM), Some(body)).await;
    assert_eq!(got.0, 201, "{}", got.1);
    got.1
}

async fn sign(ctx: &Ctx, label: &str, alg: &str, payload: &[u8]) -> (u16, Value) {
    call(
        ctx,
        Method::POST,
        "/v1/synchronousSign",
        Some(OP),
        Some(
            json!({"signRequest": {"payload": b64(payload), "payloadType": "UNSPECIFIED",
            "signKeyName": label, "signatureAlgorithm": alg}}),
        ),
    )
    .await
}

async fn verify(ctx: &Ctx, label: &str, alg: &str, payload: &[u8], sig: &[u8]) -> bool {
    let got = call(
        ctx,
        Method::POST,
        "/v1/verify",
        Some(OP),
        Some(
            json!({"verifySignatureRequest": {"signKeyName": label, "signatureAlgorithm": alg,
            "payload": b64(payload), "signature": b64(sig)}}),
        ),
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);
    got.1["signatureValid"].as_bool().expect("signatureValid")
}

/// Verifies with the openssl CLI from the exported DER SPKI.
fn openssl_verify(spki: &[u8], alg: &str, data: &[u8], sig: &[u8]) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("pub.der"), spki).expect("write");
    std::fs::write(p("data.bin"), data).expect("write");
    std::fs::write(p("sig.bin"), sig).expect("write");
    let conv = Command::new("openssl")
        .args(["pkey", "-pubin", "-inform", "DER", "-in"])
        .arg(p("pub.der"))
        .arg("-out")
        .arg(p("pub.pem"))
        .output()
        .expect("run openssl");
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    let mut cmd = Command::new("openssl");
    match alg {
        "EDDSA" => {
            cmd.args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
                .arg(p("pub.pem"))
                .arg("-in")
                .arg(p("data.bin"))
                .arg("-sigfile")
                .arg(p("sig.bin"));
        }
        _ => {
            let digest = if alg.starts_with("SHA384") {
                "-sha384"
            } else {
                "-sha256"
            };
            cmd.args(["dgst", digest]);
            if alg.ends_with("_PSS") {
                cmd.args([
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:-1",
                ]);
            }
            cmd.arg("-verify")
                .arg(p("pub.pem"))
                .arg("-signature")
                .arg(p("sig.bin"))
                .arg(p("data.bin"));
        }
    }
    cmd.output().expect("run openssl").status.success()
}

// ---------------------------------------------------------------------------------------------
// Authentication

/// (method, path, body, index of the role in `ALL_KEYS`)
fn protected_endpoints() -> Vec<(Method, &'static str, Option<Value>, usize)> {
    let id = "/v1/request/4e8731d8-0ae6-4444-8a8c-b73ab5f0ba18";
    vec![
        (Method::GET, "/v1/versionInfo", None, 3),
        (Method::GET, "/v1/licenseInfo", None, 3),
        (Method::GET, "/v1/keystore/statistics", None, 3),
        (Method::GET, "/v1/key", None, 0),
        (Method::POST, "/v1/key", Some(json!({})), 0),
        (Method::GET, "/v1/key/nokey/attributes", None, 0),
        (
            Method::POST,
            "/v1/key/attributes",
            Some(json!({"label": "nokey"})),
            0,
        ),
        (Method::DELETE, "/v1/key/nokey", None, 0),
        (
            Method::POST,
            "/v1/certificate/synchronous/selfsign",
            Some(json!({})),
            1,
        ),
        (Method::POST, "/v1/synchronousSign", Some(json!({})), 1),
        (Method::POST, "/v1/verify", Some(json!({})), 1),
        (Method::POST, "/v1/sign", Some(json!({})), 1),
        (Method::GET, id, None, 1),
        (Method::POST, "/v1/filteredRequests", Some(json!({})), 1),
        (
            Method::POST,
            "/v1/filteredSignApprovalTask",
            Some(json!({})),
            2,
        ),
        (
            Method::POST,
            "/v1/filteredAllApprovalTask",
            Some(json!({})),
            2,
        ),
        (Method::POST, "/v1/approval", Some(json!({})), 2),
        (Method::DELETE, "/v1/task", Some(json!({})), 2),
        (
            Method::GET,
            "/v1/approverManagement/onboarding/status",
            None,
            4,
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_refuses_other_roles_missing_and_unknown_keys() {
    let ctx = common::start().await;
    for (method, path, body, role) in protected_endpoints() {
        for (i, key) in ALL_KEYS.iter().enumerate() {
            let got = call(&ctx, method.clone(), path, Some(key), body.clone()).await;
            if i == role {
                assert!(
                    got.0 != 401 && got.0 != 403,
                    "{method} {path} with its own role's key: {got:?}"
                );
            } else {
                assert_error(&got, 403, 400, "res.error.security.not.allowed");
            }
        }
        let got = call(&ctx, method.clone(), path, None, body.clone()).await;
        assert_error(&got, 401, 416, "res.error.missing.api.key");
        let got = call(&ctx, method.clone(), path, Some("not-a-key"), body.clone()).await;
        assert_error(&got, 401, 631, "res.error.invalid.api.key");
    }
}

#[tokio::test]
async fn role_table_is_data_and_defaults_to_the_seed() {
    let ctx = common::start().await;
    let (s, v) = call(&ctx, Method::GET, "/_sim/securosys/auth", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["api_keys"]["keyOperationToken"], 1);
    assert_eq!(v["require_jwt"], false);
    let table = v["role_table"].as_array().expect("table");
    assert!(table
        .iter()
        .any(|r| r["pattern"] == "/v1/certificate/**" && r["role"] == "keyOperationToken"));
    // Seed table: certificates belong to keyOperationToken.
    let (s, _) = call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"role_table": "seed"})),
    )
    .await;
    assert_eq!(s, 204);
    let path = "/v1/certificate/synchronous/selfsign";
    let got = call(&ctx, Method::POST, path, Some(KM), Some(json!({}))).await;
    assert_error(&got, 403, 400, "res.error.security.not.allowed");
    // With the right role the body is checked (and found empty).
    let got = call(&ctx, Method::POST, path, Some(OP), Some(json!({}))).await;
    assert_error(&got, 400, 610, "res.error.invalid.key.name");
    // A custom table.
    let (s, _) = call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"role_table": [{"pattern": "/v1/versionInfo", "role": "keyOperationToken"}]})),
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        call(&ctx, Method::GET, "/v1/versionInfo", Some(OP), None)
            .await
            .0,
        200
    );
    let got = call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None).await;
    assert_eq!(got.0, 403);
    // Unknown role → 400.
    let (s, _) = call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"api_keys": {"rootToken": ["x"]}})),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(SECUROSYS_ROLES.len(), 5);
}

#[tokio::test]
async fn several_keys_per_role_allow_rollover() {
    let ctx = common::start().await;
    let (s, _) = call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"api_keys": {"serviceToken": ["svc-old", "svc-new"]}})),
    )
    .await;
    assert_eq!(s, 204);
    for k in ["svc-old", "svc-new"] {
        assert_eq!(
            call(&ctx, Method::GET, "/v1/versionInfo", Some(k), None)
                .await
                .0,
            200
        );
    }
    // The built-in service key is gone; other roles are unchanged.
    let got = call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None).await;
    assert_error(&got, 401, 631, "res.error.invalid.api.key");
    assert_eq!(
        call(&ctx, Method::GET, "/v1/key", Some(KM), None).await.0,
        200
    );
    // Revoke the old key.
    call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"api_keys": {"serviceToken": ["svc-new"]}})),
    )
    .await;
    let got = call(&ctx, Method::GET, "/v1/versionInfo", Some("svc-old"), None).await;
    assert_error(&got, 401, 631, "res.error.invalid.api.key");
    assert_eq!(
        call(&ctx, Method::GET, "/v1/versionInfo", Some("svc-new"), None)
            .await
            .0,
        200
    );
    // API keys can be switched off entirely.
    call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"api_keys_enabled": false})),
    )
    .await;
    assert_eq!(
        call(&ctx, Method::GET, "/v1/versionInfo", None, None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn jwt_when_required() {
    let ctx = common::start().await;
    // Not required by default; any Authorization is ignored.
    assert_eq!(
        call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None)
            .await
            .0,
        200
    );
    call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"require_jwt": true})),
    )
    .await;
    let got = call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None).await;
    assert_error(&got, 401, 406, "res.error.missing.access.token");
    let with_bearer = |token: &str| {
        ctx.http
            .get(ctx.url("/v1/versionInfo"))
            .header("X-API-KEY", SV)
            .bearer_auth(token)
    };
    let resp = with_bearer("wrong").send().await.expect("send");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["errorCode"], 617);
    assert_eq!(v["reason"], "res.error.invalid.access.token");
    let resp = with_bearer(SECUROSYS_JWT).send().await.expect("send");
    assert_eq!(resp.status(), 200);
    // JWT and API key combine: a valid JWT does not replace the role key.
    let resp = ctx
        .http
        .get(ctx.url("/v1/versionInfo"))
        .bearer_auth(SECUROSYS_JWT)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 401);
    // The approval endpoints ignore JWTs (contract §7): refused for the body, not for auth.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/filteredSignApprovalTask",
        Some(AP),
        Some(json!({})),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    // Replace the token list.
    call(
        &ctx,
        Method::PUT,
        "/_sim/securosys/auth",
        None,
        Some(json!({"jwts": ["tok-2"]})),
    )
    .await;
    assert_eq!(
        with_bearer(SECUROSYS_JWT)
            .send()
            .await
            .expect("send")
            .status(),
        401
    );
    assert_eq!(
        with_bearer("tok-2").send().await.expect("send").status(),
        200
    );
}

#[tokio::test]
async fn jwt_from_the_simulators_token_endpoint_when_accept_oauth() {
    let ctx = common::start().await;
    let set = |body: Value| {
        let ctx = &ctx;
        async move {
            let (s, v) = call(ctx, Method::PUT, "/_sim/securosys/auth", None, Some(body)).await;
            assert_eq!(s, 204, "{v}");
        }
    };
    set(json!({"require_jwt": true})).await;
    let resp = ctx
        .http
        .post(ctx.url(signbridge_sim::TOKEN_PATH))
        .basic_auth(
            signbridge_sim::DEFAULT_CLIENT_ID,
            Some(signbridge_sim::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    let token = resp.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let with_bearer = |t: &str| {
        ctx.http
            .get(ctx.url("/v1/versionInfo"))
            .header("X-API-KEY", SV)
            .bearer_auth(t)
            .send()
    };
    // Off by default: an OAuth token is not one of the configured JWTs.
    let resp = with_bearer(&token).await.expect("send");
    assert_eq!(resp.status(), 401);
    set(json!({"accept_oauth": true})).await;
    let (_, v) = call(&ctx, Method::GET, "/_sim/securosys/auth", None, None).await;
    assert_eq!(v["accept_oauth"], true);
    assert_eq!(with_bearer(&token).await.expect("send").status(), 200);
    // The static JWTs still work; a tampered token does not.
    assert_eq!(
        with_bearer(SECUROSYS_JWT).await.expect("send").status(),
        200
    );
    // One character of the signature changed.
    let at = token.len() - 10;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
    let resp = with_bearer(&forged).await.expect("send");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["errorCode"], 617, "{v}");
    // Expired on the simulated clock.
    let (s, _) = call(
        &ctx,
        Method::POST,
        "/_sim/clock/advance",
        None,
        Some(json!({"seconds": signbridge_sim::DEFAULT_TOKEN_LIFETIME_S + 1})),
    )
    .await;
    assert_eq!(s, 200);
    let resp = with_bearer(&token).await.expect("send");
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["errorCode"], 617, "{v}");
    assert_eq!(v["reason"], "res.error.invalid.access.token");
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("expired")),
        "{v}"
    );
}

#[tokio::test]
async fn request_logs_show_which_role_key_arrived() {
    let ctx = common::start().await;
    call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None).await;
    call(&ctx, Method::GET, "/v1/key", Some(KM), None).await;
    let (_, log) = call(&ctx, Method::GET, "/_sim/securosys/requests", None, None).await;
    assert_eq!(
        log,
        json!([
            {"method": "GET", "path": "/v1/versionInfo", "required_role": "serviceToken",
             "api_key_roles": ["serviceToken"], "bearer": false, "status": 200},
            {"method": "GET", "path": "/v1/key", "required_role": "keyManagementToken",
             "api_key_roles": ["keyManagementToken"], "bearer": false, "status": 200},
        ])
    );
    // The generic log has the header names only.
    let (_, all) = call(&ctx, Method::GET, "/_sim/requests", None, None).await;
    let first = &all[0];
    let headers: Vec<&str> = first["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(headers.contains(&"x-api-key"), "{headers:?}");
    assert!(!headers.contains(&"authorization"), "{headers:?}");
    assert!(!all.to_string().contains(SV), "key values never logged");
    let (s, _) = call(&ctx, Method::DELETE, "/_sim/securosys/requests", None, None).await;
    assert_eq!(s, 204);
    let (_, log) = call(&ctx, Method::GET, "/_sim/securosys/requests", None, None).await;
    assert_eq!(log, json!([]));
}

// ---------------------------------------------------------------------------------------------
// Service

#[tokio::test]
async fn service_endpoints() {
    let ctx = common::start().await;
    let (s, v) = call(&ctx, Method::GET, "/v1/versionInfo", Some(SV), None).await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"Version": "2.5.1", "Vendor": "Securosys SA"}));
    let (s, v) = call(&ctx, Method::GET, "/v1/licenseInfo", Some(SV), None).await;
    assert_eq!(s, 200);
    assert!(v["clientFlags"]
        .as_array()
        .is_some_and(|f| f.contains(&json!("REST_API"))));
    let (s, v) = call(&ctx, Method::GET, "/v1/keystore/statistics", Some(SV), None).await;
    assert_eq!(s, 200);
    assert!(v["keyStoreStatistics"].is_string());
}

// ---------------------------------------------------------------------------------------------
// Keys

#[tokio::test]
async fn key_lifecycle_and_errors() {
    let ctx = common::start().await;
    let created = create(&ctx, key_body("k1", "EC", json!(OID_P256), Value::Null)).await;
    let doc = &created["json"];
    assert_eq!(doc["label"], "k1");
    assert_eq!(doc["algorithm"], "EC");
    assert_eq!(doc["curveOid"], OID_P256);
    assert_eq!(doc["attributes"]["sign"], true);
    assert_eq!(doc["attributes"]["neverExtractable"], true);
    assert_eq!(doc["policy"], Value::Null);
    assert!(created["xml"].is_string() && created["xmlSignature"].is_string());
    let spki = unb64(&doc["publicKey"]);
    assert_eq!(spki[0], 0x30);

    // Duplicate label → 400 / 608.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/key",
        Some(KM),
        Some(key_body("k1", "ED", json!(OID_ED25519), Value::Null)),
    )
    .await;
    assert_error(&got, 400, 608, "res.error.key.already.existing");

    // Reads.
    for (method, path, body) in [
        (Method::GET, "/v1/key/k1/attributes", None),
        (Method::GET, "/v1/key/k1", None),
        (
            Method::POST,
            "/v1/key/attributes",
            Some(json!({"label": "k1"})),
        ),
    ] {
        let (s, v) = call(&ctx, method, path, Some(KM), body).await;
        assert_eq!(s, 200, "{path}");
        assert_eq!(v["json"]["publicKey"], doc["publicKey"]);
    }
    create(&ctx, key_body("k0", "ED", json!(OID_ED25519), Value::Null)).await;
    let (_, list) = call(&ctx, Method::GET, "/v1/key", Some(KM), None).await;
    assert_eq!(list, json!(["k0", "k1"]));

    // Unknown → 404 / 650.
    let got = call(&ctx, Method::GET, "/v1/key/nope/attributes", Some(KM), None).await;
    assert_error(&got, 404, 650, "res.error.key.not.existent");

    // Invalid inputs.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/key",
        Some(KM),
        Some(key_body("r", "RSA", json!(1024), Value::Null)),
    )
    .await;
    assert_error(&got, 400, 603, "res.error.input.keysize");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/key",
        Some(KM),
        Some(key_body("s", "EC", json!("1.3.132.0.10"), Value::Null)),
    )
    .await;
    assert_error(&got, 501, 101, "res.error.not.implemented");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/key",
        Some(KM),
        Some(json!({"label": "x", "algorithm": "EC", "curveOid": OID_P256, "attributes": {"sign": true}})),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");

    // Not destroyable → 614.
    let mut body = key_body("keep", "EC", json!(OID_P256), Value::Null);
    body["attributes"]["destroyable"] = json!(false);
    create(&ctx, body).await;
    let got = call(&ctx, Method::DELETE, "/v1/key/keep", Some(KM), None).await;
    assert_error(&got, 400, 614, "res.error.operation.forbidden.for.key");

    // Delete, then sign → not found.
    let (s, _) = call(&ctx, Method::DELETE, "/v1/key/k1", Some(KM), None).await;
    assert_eq!(s, 200);
    let got = sign(&ctx, "k1", "SHA256_WITH_ECDSA", b"doc").await;
    assert_error(&got, 404, 650, "res.error.key.not.existent");
    let (s, _) = call(
        &ctx,
        Method::POST,
        "/v1/key/deleteKey",
        Some(KM),
        Some(json!({"label": "k0"})),
    )
    .await;
    assert_eq!(s, 200);
    let got = call(&ctx, Method::DELETE, "/v1/key/k0", Some(KM), None).await;
    assert_error(&got, 404, 650, "res.error.key.not.existent");
}

#[tokio::test]
async fn key_passwords_as_string_or_char_array() {
    let ctx = common::start().await;
    let mut body = key_body("pw", "EC", json!(OID_P256), Value::Null);
    body["password"] = json!(["p", "w", "1"]);
    create(&ctx, body).await;
    let req = |pw: Value| {
        json!({"signRequest": {"payload": b64(b"x"), "signKeyName": "pw",
            "signatureAlgorithm": "SHA256_WITH_ECDSA", "keyPassword": pw}})
    };
    let got = call(
        &ctx,
        Method::POST,
        "/v1/synchronousSign",
        Some(OP),
        Some(req(json!("bad"))),
    )
    .await;
    assert_error(&got, 400, 620, "res.error.key.password.mismatch");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/synchronousSign",
        Some(OP),
        Some(req(json!("pw1"))),
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);
}

// ---------------------------------------------------------------------------------------------
// Synchronous sign / verify, checked with openssl

#[tokio::test]
async fn sign_and_verify_every_key_type_with_openssl() {
    let ctx = common::start().await;
    let cases: [(&str, &str, Value, &[&str]); 4] = [
        (
            "ec256",
            "EC",
            json!(OID_P256),
            &["SHA256_WITH_ECDSA", "SHA384_WITH_ECDSA"],
        ),
        (
            "ec384",
            "EC",
            json!(OID_P384),
            &["SHA384_WITH_ECDSA", "SHA256_WITH_ECDSA"],
        ),
        ("ed", "ED", json!(OID_ED25519), &["EDDSA"]),
        (
            "rsa",
            "RSA",
            json!(2048),
            &["SHA256_WITH_RSA", "SHA256_WITH_RSA_PSS", "SHA384_WITH_RSA"],
        ),
    ];
    let doc = b"The document to be signed.\n";
    for (label, alg_family, param, algs) in cases {
        let created = create(&ctx, key_body(label, alg_family, param, Value::Null)).await;
        let spki = unb64(&created["json"]["publicKey"]);
        for alg in algs {
            let (s, v) = sign(&ctx, label, alg, doc).await;
            assert_eq!(s, 200, "{label} {alg}: {v}");
            let sig = unb64(&v["signature"]);
            assert!(verify(&ctx, label, alg, doc, &sig).await, "{label} {alg}");
            assert!(
                !verify(&ctx, label, alg, b"tampered", &sig).await,
                "{label} {alg}"
            );
            assert!(
                openssl_verify(&spki, alg, doc, &sig),
                "openssl {label} {alg}"
            );
            assert!(
                !openssl_verify(&spki, alg, b"tampered", &sig),
                "openssl {label} {alg}"
            );
        }
    }
    // Pre-computed digests: NONESHA256_WITH_RSA and NONE_WITH_ECDSA sign the given hash.
    let digest = Sha256::digest(doc).to_vec();
    for (label, alg, same_as) in [
        ("rsa", "NONESHA256_WITH_RSA", "SHA256_WITH_RSA"),
        ("ec256", "NONE_WITH_ECDSA", "SHA256_WITH_ECDSA"),
    ] {
        let (s, v) = sign(&ctx, label, alg, &digest).await;
        assert_eq!(s, 200, "{v}");
        let sig = unb64(&v["signature"]);
        let (_, key) = call(
            &ctx,
            Method::GET,
            &format!("/v1/key/{label}"),
            Some(KM),
            None,
        )
        .await;
        let spki = unb64(&key["json"]["publicKey"]);
        assert!(openssl_verify(&spki, same_as, doc, &sig), "{alg}");
        assert!(verify(&ctx, label, alg, &digest, &sig).await);
    }
    let got = sign(&ctx, "rsa", "NONESHA256_WITH_RSA", b"short").await;
    assert_error(&got, 400, 612, "res.error.invalid.payload");
    // Algorithm of another key type → 607; unknown name → 600; known but not simulated → 501.
    let got = sign(&ctx, "ed", "SHA256_WITH_ECDSA", doc).await;
    assert_error(&got, 400, 607, "res.error.algorithm.not.supported.by.key");
    let got = sign(&ctx, "ed", "FOO_WITH_BAR", doc).await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    let got = sign(&ctx, "ec256", "KECCAK256_WITH_ECDSA", doc).await;
    assert_error(&got, 501, 101, "res.error.not.implemented");
    // RAW signature type for ECDSA: r‖s, 64 bytes on P-256.
    let (s, v) = call(
        &ctx,
        Method::POST,
        "/v1/synchronousSign",
        Some(OP),
        Some(
            json!({"signRequest": {"payload": b64(doc), "signKeyName": "ec256",
            "signatureAlgorithm": "SHA256_WITH_ECDSA", "signatureType": "RAW"}}),
        ),
    )
    .await;
    assert_eq!(s, 200);
    let raw = unb64(&v["signature"]);
    assert_eq!(raw.len(), 64);
    assert!(verify(&ctx, "ec256", "SHA256_WITH_ECDSA", doc, &raw).await);
    // A key without the sign attribute.
    let mut body = key_body("nosign", "EC", json!(OID_P256), Value::Null);
    body["attributes"]["sign"] = json!(false);
    create(&ctx, body).await;
    let got = sign(&ctx, "nosign", "SHA256_WITH_ECDSA", doc).await;
    assert_error(&got, 400, 614, "res.error.operation.forbidden.for.key");
}

// ---------------------------------------------------------------------------------------------
// Asynchronous sign with approvals

/// A test approver (Ed25519 or ECDSA P-256) holding its own private key.
enum Approver {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
}

impl Approver {
    fn ed() -> Approver {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("gen");
        Approver::Ed(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("key"))
    }

    fn ec() -> Approver {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("gen");
        Approver::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                .expect("key"),
        )
    }

    fn spki(&self) -> String {
        let der = match self {
            Approver::Ed(k) => {
                let mut v = vec![
                    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
                ];
                v.extend_from_slice(k.public_key().as_ref());
                v
            }
            Approver::Ec(k) => {
                let mut v = vec![
                    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
                ];
                v.extend_from_slice(k.public_key().as_ref());
                v
            }
        };
        b64(&der)
    }

    fn digest(&self) -> &'static str {
        match self {
            Approver::Ed(_) => "EdDSA",
            Approver::Ec(_) => "SHA-256",
        }
    }

    fn sign(&self, msg: &[u8]) -> String {
        match self {
            Approver::Ed(k) => b64(k.sign(msg).as_ref()),
            Approver::Ec(k) => {
                let rng = ring::rand::SystemRandom::new();
                b64(k.sign(&rng, msg).expect("sign").as_ref())
            }
        }
    }

    /// The proof-of-possession fields of `filtered*ApprovalTask` and `DELETE /v1/task`.
    fn timestamped(&self, at_unix: i64) -> Value {
        let ts = iso(at_unix);
        json!({"timestamp": ts, "timestampSignature": self.sign(ts.as_bytes()),
            "approverPublicKey": self.spki(), "approverCertificate": null,
            "timestampDigestAlgorithm": self.digest()})
    }
}

fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

async fn sim_now(ctx: &Ctx) -> i64 {
    let (_, v) = call(ctx, Method::GET, "/_sim/clock", None, None).await;
    v["now"].as_i64().expect("now")
}

fn quorum_policy(approvers: &[&Approver], quorum: u64, timeout: u64) -> Value {
    let approvals: Vec<Value> = approvers
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"type": "public_key", "name": format!("approver{i}"), "value": a.spki()}))
        .collect();
    json!({"ruleUse": {"tokens": [{"name": "Token1", "timelock": 0, "timeout": timeout,
        "groups": [{"name": "Group1", "quorum": quorum, "approvals": approvals}]}]},
        "ruleBlock": null, "ruleUnblock": null, "ruleModify": null,
        "keyStatus": {"blocked": false}})
}

async fn submit(ctx: &Ctx, label: &str, payload: &[u8]) -> String {
    let (s, v) = call(
        ctx,
        Method::POST,
        "/v1/sign",
        Some(OP),
        Some(
            json!({"signRequest": {"payload": b64(payload), "payloadType": "UNSPECIFIED",
            "signKeyName": label, "signatureAlgorithm": "SHA256_WITH_ECDSA",
            "metaData": b64(br#"{"app":"test","type":"Sign"}"#), "metaDataSignature": null},
            "requestSignature": null}),
        ),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["signRequestId"].as_str().expect("id").to_owned()
}

async fn status(ctx: &Ctx, id: &str) -> Value {
    let (s, v) = call(
        ctx,
        Method::GET,
        &format!("/v1/request/{id}"),
        Some(OP),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn tasks(ctx: &Ctx, a: &Approver, level: &str) -> Vec<Value> {
    let mut body = a.timestamped(sim_now(ctx).await);
    body["detailLevel"] = json!(level);
    body["paging"] = json!({"pageNumber": 0, "pageSize": 25, "sortOrder": "CREATION_DATE_ASC"});
    let (s, v) = call(
        ctx,
        Method::POST,
        "/v1/filteredSignApprovalTask",
        Some(AP),
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v["tasks"].as_array().expect("tasks").clone()
}

async fn approve(ctx: &Ctx, a: &Approver, task: &Value) -> (u16, Value) {
    let tbs = unb64(&task["approvalToBeSigned"]);
    call(
        ctx,
        Method::POST,
        "/v1/approval",
        Some(AP),
        Some(
            json!({"id": task["id"], "approvalToBeSigned": task["approvalToBeSigned"],
            "signature": a.sign(&tbs), "approvalDigestAlgorithm": a.digest(),
            "approverPublicKey": a.spki()}),
        ),
    )
    .await
}

async fn reject(ctx: &Ctx, a: &Approver, id: &str) -> (u16, Value) {
    let mut body = a.timestamped(sim_now(ctx).await);
    body["id"] = json!(id);
    call(ctx, Method::DELETE, "/v1/task", Some(AP), Some(body)).await
}

#[tokio::test]
async fn two_of_three_quorum_executes_after_the_second_approval() {
    let ctx = common::start().await;
    let (a, b, c) = (Approver::ed(), Approver::ec(), Approver::ed());
    let created = create(
        &ctx,
        key_body(
            "ska",
            "EC",
            json!(OID_P256),
            quorum_policy(&[&a, &b, &c], 2, 3600),
        ),
    )
    .await;
    assert_eq!(
        created["json"]["policy"]["ruleUse"]["tokens"][0]["groups"][0]["quorum"],
        2
    );
    let spki = unb64(&created["json"]["publicKey"]);
    // Synchronous signing needs approvals.
    let got = sign(&ctx, "ska", "SHA256_WITH_ECDSA", b"x").await;
    assert_error(&got, 400, 401, "res.error.missing.approval");

    let doc = b"transfer 100 CHF";
    let id = submit(&ctx, "ska", doc).await;
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "PENDING");
    assert_eq!(st["executionTime"], Value::Null);
    assert_eq!(st["notYetApprovedBy"].as_array().map(Vec::len), Some(3));

    let ta = tasks(&ctx, &a, "level2").await;
    assert_eq!(ta.len(), 1);
    assert_eq!(ta[0]["id"], json!(id));
    assert_eq!(ta[0]["approverPublicKey"], json!(a.spki()));
    assert_eq!(ta[0]["payload"], json!(b64(doc)));
    assert_eq!(ta[0]["payloadType"], "UNSPECIFIED");
    assert!(ta[0]["metaData"].is_string());

    // A signature by another approver's key is refused.
    let forged = call(
        &ctx,
        Method::POST,
        "/v1/approval",
        Some(AP),
        Some(
            json!({"id": id, "approvalToBeSigned": ta[0]["approvalToBeSigned"],
            "signature": c.sign(&unb64(&ta[0]["approvalToBeSigned"])),
            "approvalDigestAlgorithm": "EdDSA", "approverPublicKey": a.spki()}),
        ),
    )
    .await;
    assert_error(&forged, 400, 403, "res.error.input.invalid.signature");

    let (s, _) = approve(&ctx, &a, &ta[0]).await;
    assert_eq!(s, 200);
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "PENDING");
    assert_eq!(st["approvedBy"], json!([a.spki()]));
    assert!(
        tasks(&ctx, &a, "level1").await.is_empty(),
        "no task after approving"
    );

    let tb = tasks(&ctx, &b, "level1").await;
    assert_eq!(tb.len(), 1);
    let (s, _) = approve(&ctx, &b, &tb[0]).await;
    assert_eq!(s, 200);
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "EXECUTED", "{st}");
    assert!(st["executionTime"].is_string());
    let sig = unb64(&st["result"]);
    assert!(openssl_verify(&spki, "SHA256_WITH_ECDSA", doc, &sig));
    assert!(verify(&ctx, "ska", "SHA256_WITH_ECDSA", doc, &sig).await);
    // The third approver has nothing left to do.
    assert!(tasks(&ctx, &c, "level1").await.is_empty());
    let (_, list) = call(
        &ctx,
        Method::POST,
        "/v1/filteredRequests",
        Some(OP),
        Some(json!({"requestStatusList": ["EXECUTED"]})),
    )
    .await;
    assert_eq!(
        list,
        json!({"requests": [{"id": id, "status": "EXECUTED"}]})
    );
}

#[tokio::test]
async fn rejections_expiry_cancel_and_stale_timestamps() {
    let ctx = common::start().await;
    let (a, b, c) = (Approver::ed(), Approver::ec(), Approver::ed());
    create(
        &ctx,
        key_body(
            "ska",
            "EC",
            json!(OID_P256),
            quorum_policy(&[&a, &b, &c], 2, 120),
        ),
    )
    .await;

    // Rejected: after one rejection 2 of 3 is still reachable, after two it is not.
    let id = submit(&ctx, "ska", b"one").await;
    let (s, v) = reject(&ctx, &a, &id).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(status(&ctx, &id).await["status"], "PENDING");
    reject(&ctx, &b, &id).await;
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "REJECTED");
    assert_eq!(st["rejectedBy"].as_array().map(Vec::len), Some(2));
    let got = reject(&ctx, &c, &id).await;
    assert_error(&got, 404, 652, "res.error.task.not.existent");

    // Expired: the token's timeout passes on the simulated clock.
    let id = submit(&ctx, "ska", b"two").await;
    let t = tasks(&ctx, &a, "level1").await;
    assert_eq!(t.len(), 1);
    let (s, _) = call(
        &ctx,
        Method::POST,
        "/_sim/clock/advance",
        None,
        Some(json!({"seconds": 180})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(status(&ctx, &id).await["status"], "EXPIRED");
    let got = approve(&ctx, &a, &t[0]).await;
    assert_error(&got, 404, 652, "res.error.task.not.existent");

    // Cancel and delete-key cancel.
    let id = submit(&ctx, "ska", b"three").await;
    let (s, _) = call(
        &ctx,
        Method::DELETE,
        &format!("/v1/request/{id}"),
        Some(OP),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(status(&ctx, &id).await["status"], "CANCELLED");
    let id = submit(&ctx, "ska", b"four").await;
    call(&ctx, Method::DELETE, "/v1/key/ska", Some(KM), None).await;
    assert_eq!(status(&ctx, &id).await["status"], "CANCELLED");

    // Stale timestamp and bad timestamp signature.
    let mut body = a.timestamped(sim_now(&ctx).await - 3600);
    body["detailLevel"] = json!("level1");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/filteredSignApprovalTask",
        Some(AP),
        Some(body),
    )
    .await;
    assert_error(&got, 400, 404, "res.error.input.timestamp.off");
    let mut body = a.timestamped(sim_now(&ctx).await);
    body["timestampSignature"] = json!(b.sign(b"other"));
    let got = call(
        &ctx,
        Method::POST,
        "/v1/filteredSignApprovalTask",
        Some(AP),
        Some(body),
    )
    .await;
    assert_error(&got, 400, 403, "res.error.input.invalid.signature");

    // Unknown request.
    let got = call(
        &ctx,
        Method::GET,
        "/v1/request/4e8731d8-0ae6-4444-8a8c-b73ab5f0ba18",
        Some(OP),
        None,
    )
    .await;
    assert_error(&got, 404, 651, "res.error.request.not.existent");
}

#[tokio::test]
async fn keys_without_policy_or_with_empty_policy_execute_at_once() {
    let ctx = common::start().await;
    create(&ctx, key_body("plain", "EC", json!(OID_P256), Value::Null)).await;
    let empty = json!({"ruleUse": null, "ruleBlock": null, "ruleUnblock": null,
        "ruleModify": null, "keyStatus": {"blocked": false}});
    create(&ctx, key_body("empty", "EC", json!(OID_P256), empty)).await;
    for label in ["plain", "empty"] {
        let id = submit(&ctx, label, b"now").await;
        let st = status(&ctx, &id).await;
        assert_eq!(st["status"], "EXECUTED", "{label}");
        assert!(
            verify(
                &ctx,
                label,
                "SHA256_WITH_ECDSA",
                b"now",
                &unb64(&st["result"])
            )
            .await
        );
    }
    // Synchronous signing works on the empty-policy SKA key.
    assert_eq!(sign(&ctx, "empty", "SHA256_WITH_ECDSA", b"x").await.0, 200);
}

// ---------------------------------------------------------------------------------------------
// Certificates (§8)

fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Runs openssl in `dir`; returns success and stdout + stderr.
fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The DER of the first PEM block in `text`.
fn pem_der(text: &str) -> Vec<u8> {
    let b: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    STANDARD.decode(b).expect("pem body")
}

#[tokio::test]
async fn certificates_and_csrs_are_real_and_signed_by_the_key() {
    let ctx = common::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    for (label, algorithm, size_or_curve, cert_alg) in [
        ("cert-rsa", "RSA", json!(2048), "SHA256_WITH_RSA"),
        ("cert-p256", "EC", json!(OID_P256), "SHA256_WITH_ECDSA"),
        ("cert-p384", "EC", json!(OID_P384), "SHA384_WITH_ECDSA"),
        ("cert-ed", "ED", json!(OID_ED25519), "EDDSA"),
    ] {
        let created = create(&ctx, key_body(label, algorithm, size_or_curve, Value::Null)).await;
        let spki = unb64(&created["json"]["publicKey"]);

        // A self-signed CA certificate (keyOperationToken by default, seed 003).
        let (s, v) = call(
            &ctx,
            Method::POST,
            "/v1/certificate/synchronous/selfsign",
            Some(OP),
            Some(
                json!({"signKeyName": label, "keyPassword": null, "validity": 30,
                "signatureAlgorithm": cert_alg, "commonName": "signbridge test CA",
                "certificateAuthority": true,
                "keyUsage": ["DIGITAL_SIGNATURE", "KEY_CERT_SIGN", "CRL_SIGN"],
                "extendedKeyUsage": ["ANY_EXTENDED_KEY_USAGE"]}),
            ),
        )
        .await;
        assert_eq!(s, 200, "{label}: {v}");
        assert_eq!(v["label"], label);
        std::fs::write(
            dir.path().join("cert.pem"),
            pem("CERTIFICATE", &unb64(&v["certificate"])),
        )
        .expect("write");
        let (ok, text) = openssl(dir.path(), &["x509", "-in", "cert.pem", "-noout", "-text"]);
        assert!(ok, "{label}: {text}");
        assert!(text.contains("CN = signbridge test CA"), "{text}");
        assert!(text.contains("CA:TRUE"), "{text}");
        assert!(text.contains("Certificate Sign"), "{text}");
        let (ok, text) = openssl(dir.path(), &["verify", "-CAfile", "cert.pem", "cert.pem"]);
        assert!(ok && text.contains("cert.pem: OK"), "{label}: {text}");
        let (ok, text) = openssl(
            dir.path(),
            &["x509", "-in", "cert.pem", "-noout", "-pubkey"],
        );
        assert!(ok, "{text}");
        assert_eq!(
            pem_der(&text),
            spki,
            "{label}: the certificate holds the key"
        );

        // A PKCS#10 request with a full subject.
        let (s, v) = call(
            &ctx,
            Method::POST,
            "/v1/certificate/synchronous/request",
            Some(OP),
            Some(
                json!({"signKeyName": label, "signatureAlgorithm": cert_alg, "validity": 365,
                "standardCertificateAttributes": {"commonName": "Doc Signer", "country": "CH",
                    "stateOrProvinceName": "Zurich", "locality": "Zurich",
                    "organizationName": "Example AG", "organizationUnitName": "Signing",
                    "email": "signer@example.com", "title": "Dr", "surname": "Muster",
                    "givenName": "Erika"},
                "keyUsage": ["DIGITAL_SIGNATURE", "CONTENT_COMMITMENT"],
                "extendedKeyUsage": ["CLIENT_AUTH", "EMAIL_PROTECTION"]}),
            ),
        )
        .await;
        assert_eq!(s, 200, "{label}: {v}");
        std::fs::write(
            dir.path().join("csr.pem"),
            pem(
                "CERTIFICATE REQUEST",
                &unb64(&v["certificateSigningRequest"]),
            ),
        )
        .expect("write");
        let (ok, text) = openssl(
            dir.path(),
            &["req", "-in", "csr.pem", "-verify", "-noout", "-text"],
        );
        assert!(ok, "{label}: {text}");
        for part in [
            "C = CH",
            "O = Example AG",
            "CN = Doc Signer",
            "emailAddress = signer@example.com",
            "TLS Web Client Authentication",
            "Non Repudiation",
        ] {
            assert!(text.contains(part), "{label}: {part} missing in {text}");
        }
        let (ok, text) = openssl(dir.path(), &["req", "-in", "csr.pem", "-noout", "-pubkey"]);
        assert!(ok, "{text}");
        assert_eq!(pem_der(&text), spki, "{label}: the CSR holds the key");
    }

    // Errors.
    let selfsign = |label: &str, alg: &str| json!({"signKeyName": label, "signatureAlgorithm": alg, "commonName": "x"});
    let path = "/v1/certificate/synchronous/selfsign";
    let got = call(
        &ctx,
        Method::POST,
        path,
        Some(OP),
        Some(selfsign("nokey", "EDDSA")),
    )
    .await;
    assert_error(&got, 404, 650, "res.error.key.not.existent");
    let got = call(
        &ctx,
        Method::POST,
        path,
        Some(OP),
        Some(selfsign("cert-ed", "SHA256_WITH_ECDSA")),
    )
    .await;
    assert_error(&got, 400, 607, "res.error.algorithm.not.supported.by.key");
    let got = call(
        &ctx,
        Method::POST,
        path,
        Some(OP),
        Some(selfsign("cert-p256", "NONE_WITH_ECDSA")),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    let mut bad_usage = selfsign("cert-p256", "SHA256_WITH_ECDSA");
    bad_usage["keyUsage"] = json!(["SIGN_EVERYTHING"]);
    let got = call(&ctx, Method::POST, path, Some(OP), Some(bad_usage)).await;
    assert_error(&got, 400, 501, "res.error.invalid.value.for.enum");
    let got = call(
        &ctx,
        Method::POST,
        path,
        Some(KM),
        Some(selfsign("cert-ed", "EDDSA")),
    )
    .await;
    // The key-management key is not this endpoint's role (seed 003: key operation).
    assert_error(&got, 403, 400, "res.error.security.not.allowed");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/certificate/synchronous/request",
        Some(OP),
        Some(
            json!({"signKeyName": "cert-ed", "signatureAlgorithm": "EDDSA",
            "standardCertificateAttributes": {"commonName": "x", "country": "Switzerland"}}),
        ),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
}

#[tokio::test]
async fn certificates_of_a_key_with_approvals_wait_for_them() {
    let ctx = common::start().await;
    let a = Approver::ed();
    create(
        &ctx,
        key_body(
            "ska-ca",
            "EC",
            json!(OID_P256),
            quorum_policy(&[&a], 1, 3600),
        ),
    )
    .await;
    let inner = json!({"signKeyName": "ska-ca", "validity": 30,
        "signatureAlgorithm": "SHA256_WITH_ECDSA", "commonName": "approved CA",
        "certificateAuthority": true, "keyUsage": ["KEY_CERT_SIGN", "CRL_SIGN"],
        "extendedKeyUsage": [], "metaData": b64(br#"{"type":"Certificate"}"#),
        "metaDataSignature": null});
    // Synchronously: refused, approvals are needed.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/certificate/synchronous/selfsign",
        Some(OP),
        Some(inner.clone()),
    )
    .await;
    assert_error(&got, 400, 401, "res.error.missing.approval");
    let (s, v) = call(
        &ctx,
        Method::POST,
        "/v1/certificate/selfsign",
        Some(OP),
        Some(json!({"selfSignCertificateRequest": inner, "requestSignature": null})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["signRequestId"].as_str().expect("id").to_owned();
    assert_eq!(status(&ctx, &id).await["status"], "PENDING");
    let t = tasks(&ctx, &a, "level2").await;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["id"], json!(id));
    let shown: Value = serde_json::from_slice(&unb64(&t[0]["payload"])).expect("json payload");
    assert_eq!(shown["commonName"], "approved CA");
    let (s, _) = approve(&ctx, &a, &t[0]).await;
    assert_eq!(s, 200);
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "EXECUTED", "{st}");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("ca.pem"),
        pem("CERTIFICATE", &unb64(&st["result"])),
    )
    .expect("write");
    let (ok, text) = openssl(dir.path(), &["verify", "-CAfile", "ca.pem", "ca.pem"]);
    assert!(ok, "{text}");

    // A CSR request on the same key, without its envelope → 600; with it → pending.
    let csr = json!({"signKeyName": "ska-ca", "signatureAlgorithm": "SHA256_WITH_ECDSA",
        "standardCertificateAttributes": {"commonName": "approved CSR"}});
    let got = call(
        &ctx,
        Method::POST,
        "/v1/certificate/request",
        Some(OP),
        Some(csr.clone()),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    let (s, v) = call(
        &ctx,
        Method::POST,
        "/v1/certificate/request",
        Some(OP),
        Some(json!({"csrSignRequest": csr})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["signRequestId"].as_str().expect("id").to_owned();
    let t = tasks(&ctx, &a, "level1").await;
    approve(&ctx, &a, &t[0]).await;
    let st = status(&ctx, &id).await;
    assert_eq!(st["status"], "EXECUTED", "{st}");
    std::fs::write(
        dir.path().join("csr.pem"),
        pem("CERTIFICATE REQUEST", &unb64(&st["result"])),
    )
    .expect("write");
    let (ok, text) = openssl(dir.path(), &["req", "-in", "csr.pem", "-verify", "-noout"]);
    assert!(ok, "{text}");
}
