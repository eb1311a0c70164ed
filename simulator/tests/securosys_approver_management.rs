//! Securosys wire checks of the key, file and approver endpoints: `importedKey`/`derivedKey`, `fileEncrypt`/
//! `synchronousFileDecrypt`, `approverManagement/**` and `approver/onboard` — their roles (403
//! with another role's key), error codes and reasons, and the onboarding payload opened by
//! `openssl pkcs12` after AES-GCM decryption with `ring` (neither is code of this project).

mod common;

use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};
use signbridge_sim::{
    SECUROSYS_APPROVER_KEY, SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_OPERATION_KEY,
};

use common::Ctx;

const KM: &str = SECUROSYS_KEY_MANAGEMENT_KEY;
const OP: &str = SECUROSYS_KEY_OPERATION_KEY;
const AP: &str = SECUROSYS_APPROVER_KEY;
const AKM: &str = SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY;

async fn call(
    ctx: &Ctx,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = ctx
        .http
        .request(method, ctx.url(path))
        .header("X-API-KEY", key);
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
}

#[tokio::test]
async fn each_new_endpoint_needs_its_role_and_answers_documented_errors() {
    let ctx = common::start().await;
    let attrs = json!({"sign": true, "decrypt": true, "unwrap": false, "encrypt": true});
    for (method, path, right, wrong, body) in [
        (Method::POST, "/v1/importedKey", KM, OP, json!({})),
        (Method::POST, "/v1/derivedKey", KM, OP, json!({})),
        (Method::POST, "/v1/fileEncrypt", OP, KM, json!({})),
        (
            Method::POST,
            "/v1/synchronousFileDecrypt",
            OP,
            KM,
            json!({}),
        ),
        (
            Method::POST,
            "/v1/approverManagement/create",
            AKM,
            AP,
            json!({}),
        ),
        (
            Method::POST,
            "/v1/approverManagement/renewOneTimeCode",
            AKM,
            AP,
            json!({}),
        ),
        (Method::POST, "/v1/approver/onboard", AP, AKM, json!({})),
    ] {
        let got = call(&ctx, method.clone(), path, wrong, Some(body.clone())).await;
        assert_eq!(got.0, 403, "{path} with the wrong role: {}", got.1);
        let got = call(&ctx, method, path, right, Some(body)).await;
        assert_eq!(
            got.0, 400,
            "{path}: an empty body is a validation error: {}",
            got.1
        );
    }
    let got = call(
        &ctx,
        Method::GET,
        "/v1/approverManagement/onboarding/status?approverName=x",
        AP,
        None,
    )
    .await;
    assert_eq!(got.0, 403, "{}", got.1);
    let got = call(
        &ctx,
        Method::DELETE,
        "/v1/approverManagement/delete/x",
        KM,
        None,
    )
    .await;
    assert_eq!(got.0, 403, "{}", got.1);

    // Seeds and derivation.
    let seed = STANDARD.encode([7u8; 32]);
    let got = call(
        &ctx,
        Method::POST,
        "/v1/importedKey",
        KM,
        Some(json!({
        "label": "hd", "seed": seed, "curveOid": "1.3.132.0.10", "attributes": attrs})),
    )
    .await;
    assert_error(
        &got,
        400,
        634,
        "res.error.derivation.not.supported.by.algorithm",
    );
    let got = call(
        &ctx,
        Method::POST,
        "/v1/importedKey",
        KM,
        Some(json!({
        "label": "hd", "seed": STANDARD.encode([1u8; 8]), "curveOid": "1.3.101.112",
        "attributes": attrs})),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/importedKey",
        KM,
        Some(json!({
        "label": "hd", "seed": seed, "curveOid": "1.3.101.112", "attributes": attrs})),
    )
    .await;
    assert_eq!(got.0, 201, "{}", got.1);
    assert_eq!(got.1["json"]["attributes"]["slip10"], true, "{}", got.1);
    let got = call(
        &ctx,
        Method::POST,
        "/v1/derivedKey",
        KM,
        Some(json!({
        "masterKeyLabel": "hd", "derivationPath": "m/1'/2"})),
    )
    .await;
    assert_error(
        &got,
        400,
        634,
        "res.error.derivation.not.supported.by.algorithm",
    );
    let got = call(
        &ctx,
        Method::POST,
        "/v1/derivedKey",
        KM,
        Some(json!({
        "masterKeyLabel": "hd", "derivationPath": "1'/2'"})),
    )
    .await;
    assert_error(&got, 400, 600, "res.error.input.validation.failed");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/derivedKey",
        KM,
        Some(json!({
        "masterKeyLabel": "hd", "derivationPath": "m/1'/2'"})),
    )
    .await;
    assert_eq!(got.0, 201, "{}", got.1);
    assert_eq!(got.1["json"]["label"], "hd/1'/2'", "{}", got.1);

    // Files: not a file, and an Ed25519 key.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/synchronousFileDecrypt",
        OP,
        Some(json!({
        "fileDecryptRequest": {"decryptKeyName": "hd", "encryptedFile": STANDARD.encode(b"xyz")}})),
    )
    .await;
    assert_error(&got, 400, 623, "res.error.invalid.file.header");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/fileEncrypt",
        OP,
        Some(json!({
        "fileEncryptRequest": {"encryptKeyName": "hd", "fileName": "a", "payload": "YQ=="}})),
    )
    .await;
    assert_error(&got, 400, 613, "res.error.invalid.key.type");

    // Approvers.
    let got = call(
        &ctx,
        Method::POST,
        "/v1/approverManagement/create",
        AKM,
        Some(json!({})),
    )
    .await;
    assert_error(&got, 400, 633, "res.error.input.no.value.for.approver.mgmt");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/approver/onboard",
        AP,
        Some(json!({
        "approverName": "nobody", "oneTimeCode": "123456",
        "transportPassword": "0123456789abcdef"})),
    )
    .await;
    assert_error(&got, 400, 413, "res.error.approver.not.existent");
    let got = call(
        &ctx,
        Method::PUT,
        "/v1/approverManagement/create",
        AKM,
        Some(json!({
        "approverName": "carol", "algorithm": "EC", "keySize": 256,
        "backupPassword": ["s","e","c","r","e","t","-","1"]})),
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);
    let code = got.1["oneTimeCode"].as_str().expect("code").to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let got = call(
        &ctx,
        Method::POST,
        "/v1/approverManagement/create",
        AKM,
        Some(json!({
        "approverName": "carol"})),
    )
    .await;
    assert_error(&got, 400, 632, "res.error.approver.already.existing");
    let transport = "0123456789abcdef0123456789abcdef";
    let got = call(
        &ctx,
        Method::POST,
        "/v1/approver/onboard",
        AP,
        Some(json!({
        "approverName": "carol", "oneTimeCode": "999999x", "transportPassword": transport})),
    )
    .await;
    assert_error(&got, 400, 412, "res.error.invalid.onetimepassword");
    let got = call(
        &ctx,
        Method::POST,
        "/v1/approver/onboard",
        AP,
        Some(json!({
        "approverName": "carol", "oneTimeCode": code, "transportPassword": transport})),
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);

    // AES-256-GCM under the transport password's bytes (ring), then openssl opens the PKCS#12.
    let iv = STANDARD
        .decode(got.1["initializationVector"].as_str().expect("iv"))
        .expect("b64");
    let mut sealed = STANDARD
        .decode(got.1["encryptedPayload"].as_str().expect("payload"))
        .expect("b64");
    let key = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, transport.as_bytes()).expect("key"),
    );
    let p12 = key
        .open_in_place(
            ring::aead::Nonce::try_assume_unique_for_key(&iv).expect("iv"),
            ring::aead::Aad::empty(),
            &mut sealed,
        )
        .expect("AES-GCM opens")
        .to_vec();
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("carol.p12");
    std::fs::write(&path, &p12).expect("write");
    let out = Command::new("openssl")
        .args(["pkcs12", "-nokeys", "-passin"])
        .arg(format!("pass:{transport}"))
        .arg("-in")
        .arg(&path)
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("CN=carol") || text.contains("CN = carol"),
        "{text}"
    );

    let got = call(
        &ctx,
        Method::GET,
        "/v1/approverManagement/onboarding/status?approverName=carol",
        AKM,
        None,
    )
    .await;
    assert_eq!(got.1["status"], "ONBOARDED", "{}", got.1);
    let got = call(
        &ctx,
        Method::DELETE,
        "/v1/approverManagement/delete/carol",
        AKM,
        None,
    )
    .await;
    assert_eq!(got.0, 200, "{}", got.1);
    let got = call(
        &ctx,
        Method::DELETE,
        "/v1/approverManagement/delete/carol",
        AKM,
        None,
    )
    .await;
    assert_error(&got, 400, 413, "res.error.approver.not.existent");
}
