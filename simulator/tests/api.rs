//! End-to-end tests of the ZignSec signing API surface, driven over plain HTTP.

mod common;

use common::{error_code, md5_b64, start};
use reqwest::Method;
use serde_json::{json, Value};
use signbridge_sim::{sample_pdf, DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY};

async fn download(ctx: &common::Ctx, url: &str) -> Vec<u8> {
    let resp = ctx
        .http
        .get(url)
        .header("Authorization", &ctx.key)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().expect("ct"),
        "application/pdf"
    );
    resp.bytes().await.expect("bytes").to_vec()
}

async fn submit_form(ctx: &common::Ctx, id: &str, form: &[(&str, &str)]) -> reqwest::Response {
    ctx.http
        .post(ctx.url(&format!("/ui/{id}")))
        .form(form)
        .send()
        .await
        .expect("form post")
}

#[tokio::test]
async fn full_flow_with_hosted_page() {
    let ctx = start().await;
    let id = ctx
        .create(json!({
            "locale": "En",
            "redirect_success": "https://merchant.example/ok",
            "redirect_failure": "https://merchant.example/fail",
            "relay_state": "order 42",
            "gdpr_user_id": "gdpr-1",
            "webhook": "https://merchant.example/hook",
            "metadata": {},
            "some_unknown_field": [1, 2, 3]
        }))
        .await;
    assert_eq!(ctx.session(&id).await["status"], "Created");

    let pdf1 = sample_pdf("Contract", 2);
    let pdf2 = sample_pdf("Appendix", 1);
    let up1 = ctx.upload(&id, "contract.pdf", pdf1.clone()).await;
    assert_eq!(up1["id"], id.as_str());
    assert_eq!(up1["name"], "contract.pdf");
    assert_eq!(up1["mimeType"], "application/pdf");
    assert_eq!(up1["md5"], md5_b64(&pdf1).as_str());
    let f1 = up1["file_id"].as_str().expect("file_id").to_owned();
    let up2 = ctx.upload(&id, "appendix.pdf", pdf2.clone()).await;
    // Seed 001: the second upload's answer carries the id, file_id_1 and file_id_2.
    assert_eq!(up2["id"], id.as_str());
    assert_eq!(up2["file_id_1"], f1.as_str());
    assert!(up2.get("file_id").is_none(), "{up2}");
    let f2 = up2["file_id_2"].as_str().expect("file_id_2").to_owned();
    assert_eq!(ctx.session(&id).await["status"], "Created");

    let resp = ctx
        .sign(
            &id,
            json!({"id": id, "file_id_1": f1, "file_id_2": f2,
                   "placement_1": {"page": 2, "x": 100, "y": 120}}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["status"], "Pending");
    let redirect = v["redirect_url"].as_str().expect("redirect_url");
    assert_eq!(redirect, format!("{}/ui/{id}", ctx.sim.base_url()));

    let s = ctx.session(&id).await;
    assert_eq!(s["status"], "Pending");
    assert_eq!(s["relay_state"], "order 42");
    assert_eq!(s["result"]["inputFiles"].as_array().map(Vec::len), Some(2));
    assert_eq!(s["result"]["signedFiles"], json!([]));

    // The hosted page (no API key).
    let page = ctx.http.get(redirect).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    let html = page.text().await.expect("html");
    for needle in [
        "contract.pdf",
        "appendix.pdf",
        "name=\"personal_number\"",
        "name=\"otp\"",
        "name=\"password\"",
        "value=\"sign\"",
        "value=\"cancel\"",
        &format!("action=\"/ui/{id}\""),
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }

    // Wrong password: page again with an error, still pending.
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "11920287974"),
            ("otp", "otp"),
            ("password", "nope"),
            ("action", "sign"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp
        .text()
        .await
        .expect("html")
        .contains("Wrong personal password"));
    // Unknown user and wrong OTP.
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "01010100000"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .await;
    assert!(resp
        .text()
        .await
        .expect("html")
        .contains("Unknown personal number"));
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "11920287974"),
            ("otp", "123"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .await;
    assert!(resp
        .text()
        .await
        .expect("html")
        .contains("Wrong one-time code"));
    assert_eq!(ctx.session(&id).await["status"], "Pending");

    // Correct credentials: 303 to redirect_success with relay_state and session_id.
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "11920287974"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().expect("location");
    assert_eq!(
        location,
        format!("https://merchant.example/ok?relay_state=order+42&session_id={id}")
    );

    let s = ctx.session(&id).await;
    assert_eq!(s["status"], "Finished");
    assert_eq!(s["errors"], json!([]));
    assert_eq!(
        s["result"]["signer"],
        json!({"name": "Ole Bramserud", "personalNumber": "11920287974"})
    );
    let inputs = s["result"]["inputFiles"]
        .as_array()
        .expect("inputs")
        .clone();
    let signed = s["result"]["signedFiles"]
        .as_array()
        .expect("signed")
        .clone();
    assert_eq!(signed.len(), 2);
    for (i, (input, original)) in inputs.iter().zip([&pdf1, &pdf2]).enumerate() {
        let url = input["url"].as_str().expect("url");
        assert_eq!(
            url,
            format!(
                "{}/folders/{id}/media/{}",
                ctx.sim.base_url(),
                input["id"].as_str().expect("id")
            )
        );
        let bytes = download(&ctx, url).await;
        assert_eq!(&bytes, original);
        assert_eq!(input["md5"], md5_b64(&bytes).as_str());

        let sf = &signed[i];
        assert_eq!(sf["name"], input["name"]);
        assert_eq!(sf["mimeType"], "application/pdf");
        assert_ne!(sf["id"], input["id"]);
        let signed_bytes = download(&ctx, sf["url"].as_str().expect("url")).await;
        assert!(
            signed_bytes.starts_with(original),
            "signed file must extend the original"
        );
        assert!(signed_bytes.len() > original.len());
        assert_eq!(sf["md5"], md5_b64(&signed_bytes).as_str());
        let doc = lopdf::Document::load_mem(&signed_bytes).expect("signed file parses");
        let page_no = if i == 0 { 2 } else { 1 };
        // The stamp is the appearance of the signature widget on the requested page.
        let page = doc.get_dictionary(doc.get_pages()[&page_no]).expect("page");
        let annots = page
            .get(b"Annots")
            .and_then(|a| a.as_array())
            .expect("the signature widget is on the page");
        let shown = annots.iter().any(|a| {
            let text = a
                .as_reference()
                .and_then(|r| doc.get_dictionary(r))
                .and_then(|w| w.get(b"AP"))
                .and_then(|ap| ap.as_dict())
                .and_then(|ap| ap.get(b"N"))
                .and_then(|n| n.as_reference())
                .and_then(|n| doc.get_object(n))
                .and_then(|n| n.as_stream())
                .map(|s| String::from_utf8_lossy(&s.content).into_owned())
                .unwrap_or_default();
            text.contains("Ole Bramserud")
        });
        assert!(shown, "stamp missing on page {page_no}");
    }

    // The page is closed now.
    let page = ctx.http.get(redirect).send().await.expect("page");
    assert_eq!(page.status(), 409);
    // Unknown session page.
    let page = ctx
        .http
        .get(ctx.url("/ui/00000000-0000-0000-0000-000000000000"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 404);
}

#[tokio::test]
async fn cancel_via_page() {
    let ctx = start().await;
    let (id, _) = ctx
        .pending_session(json!({
            "redirect_success": "https://m.example/ok?x=1",
            "redirect_failure": "https://m.example/fail?x=1",
            "relay_state": "rs"
        }))
        .await;
    let resp = submit_form(&ctx, &id, &[("action", "cancel")]).await;
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().expect("location");
    assert!(location.starts_with("https://m.example/fail?x=1&errorCode=CANCELLED&errorText="));
    assert!(location.contains("&relay_state=rs"));
    let s = ctx.session(&id).await;
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(
        s["errors"],
        json!([{"code": "CANCELLED_BY_USER", "description": "Signing cancelled by the end-user", "statusCode": 410}])
    );
    assert_eq!(s["result"]["signedFiles"], json!([]));
    assert_eq!(s["result"]["inputFiles"].as_array().map(Vec::len), Some(1));
    let page = ctx
        .http
        .get(ctx.url(&format!("/ui/{id}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 409);
}

#[tokio::test]
async fn page_without_redirects_shows_done() {
    let ctx = start().await;
    let (id, _) = ctx.pending_session(json!({})).await;
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "06046517928"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("Done"));
    let s = ctx.session(&id).await;
    assert_eq!(s["status"], "Finished");
    assert_eq!(s["relay_state"], Value::Null);
}

#[tokio::test]
async fn sign_redirects_override_create() {
    let ctx = start().await;
    let id = ctx
        .create(json!({"redirect_success": "https://a.example/ok", "relay_state": "r"}))
        .await;
    let up = ctx.upload(&id, "a.pdf", sample_pdf("A", 1)).await;
    let resp = ctx
        .sign(
            &id,
            json!({"file_id": up["file_id"], "redirect_success": "https://b.example/ok"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = submit_form(
        &ctx,
        &id,
        &[
            ("personal_number", "12829025475"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["location"]
        .to_str()
        .expect("location")
        .starts_with("https://b.example/ok?relay_state=r&session_id="));
}

#[tokio::test]
async fn raw_pdf_upload_and_numbered_sign() {
    let ctx = start().await;
    // Trailing-slash create with an empty body.
    let resp = ctx
        .post("/api/v5/sessions/signing/")
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("json");
    let id = v["id"].as_str().expect("id").to_owned();

    let pdf = sample_pdf("Raw", 1);
    let resp = ctx
        .post(&format!("/api/v5/sessions/signing/{id}/files?name=raw.pdf"))
        .header("Content-Type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 201);
    let up: Value = resp.json().await.expect("json");
    assert_eq!(up["name"], "raw.pdf");
    assert_eq!(up["md5"], md5_b64(&pdf).as_str());

    let resp = ctx
        .post(&format!("/api/v5/sessions/signing/{id}/files"))
        .header("Content-Type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .expect("upload");
    let up2: Value = resp.json().await.expect("json");
    assert_eq!(up2["name"], "document.pdf");

    let resp = ctx
        .sign(
            &id,
            json!({"file_id_1": up["file_id"], "file_id_2": up2["file_id_2"]}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let s: Value = resp.json().await.expect("json");
    assert_eq!(s["status"], "Finished");
    assert_eq!(s["result"]["signer"]["name"], "Aksel Herseth");
    assert_eq!(s["result"]["signedFiles"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn validation_errors() {
    let ctx = start().await;
    let id = ctx.create(json!({})).await;
    let files = format!("/api/v5/sessions/signing/{id}/files");

    // Empty upload.
    let resp = ctx
        .post(&files)
        .header("Content-Type", "application/pdf")
        .send()
        .await
        .expect("empty");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    // Non-PDF bytes (multipart and raw).
    let part = reqwest::multipart::Part::bytes(b"hello world".to_vec())
        .file_name("x.txt")
        .mime_str("text/plain")
        .expect("mime");
    let resp = ctx
        .post(&files)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 415).await, "UNSUPPORTED_MEDIA_TYPE");
    let resp = ctx
        .post(&files)
        .header("Content-Type", "application/pdf")
        .body("GIF89a....")
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 415).await, "UNSUPPORTED_MEDIA_TYPE");
    // Empty multipart file.
    let part = reqwest::multipart::Part::bytes(Vec::new()).file_name("e.pdf");
    let resp = ctx
        .post(&files)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    // Multipart without a "file" part.
    let resp = ctx
        .post(&files)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");

    // Unknown session: upload, get, sign.
    let unknown = "11111111-2222-4333-8444-555555555555";
    let resp = ctx
        .post(&format!("/api/v5/sessions/signing/{unknown}/files"))
        .header("Content-Type", "application/pdf")
        .body(sample_pdf("x", 1))
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    let resp = ctx
        .get(&format!("/api/v5/sessions/signing/{unknown}"))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    let resp = ctx
        .get("/api/v5/sessions/signing/not-a-uuid")
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");

    // Sign: no files, unknown file, invalid JSON.
    let resp = ctx.sign(&id, json!({})).await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .sign(
            &id,
            json!({"file_id": "22222222-2222-4222-8222-222222222222"}),
        )
        .await;
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    let resp = ctx
        .post(&format!("/api/v5/sessions/signing/{id}/sign"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sign");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");

    // After /sign: upload and sign again are 409; complete twice is 409.
    let up = ctx.upload(&id, "a.pdf", sample_pdf("A", 1)).await;
    // Only the documented start body (contract §4): the shapes an older client sent, and
    // unknown fields, are refused.
    for old in [
        json!({"files": [{"file_id": up["file_id"]}]}),
        json!({"file_ids": [up["file_id"]]}),
        json!({"fileId": up["file_id"]}),
        json!({"file_id": up["file_id"], "extra": true}),
        json!({"file_id": up["file_id"], "file_id_1": up["file_id"]}),
        json!({"file_id_2": up["file_id"]}),
        json!({"id": "33333333-3333-4333-8333-333333333333", "file_id": up["file_id"]}),
    ] {
        let resp = ctx.sign(&id, old.clone()).await;
        assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR", "{old}");
    }
    let resp = ctx
        .sign(
            &id,
            json!({"id": id, "file_id": up["file_id"], "placement": {"page": 1, "x": 10, "y": 10}}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = ctx.sign(&id, json!({"file_id": up["file_id"]})).await;
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");
    let resp = ctx
        .post(&files)
        .header("Content-Type", "application/pdf")
        .body(sample_pdf("late", 1))
        .send()
        .await
        .expect("upload");
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");
    let complete = format!("/_sim/zignsec/signing/{id}/complete");
    let resp = ctx
        .control(
            Method::POST,
            &complete,
            json!({"personal_number": "00000000000"}),
        )
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .control(
            Method::POST,
            &complete,
            json!({"personal_number": "20872329758"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = ctx.control(Method::POST, &complete, json!({})).await;
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");
    assert_eq!(
        ctx.session(&id).await["result"]["signer"]["name"],
        "Test Testsen"
    );

    // Unknown route keeps the contract shape.
    let resp = ctx.get("/api/v5/nothing-here").send().await.expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
}

#[tokio::test]
async fn authentication_and_key_rotation() {
    let ctx = start().await;
    let create = ctx.url("/api/v5/sessions/signing");

    // No key.
    let resp = ctx
        .http
        .post(&create)
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 401).await, "UNAUTHORIZED");
    // Wrong key in either header.
    let resp = ctx
        .http
        .post(&create)
        .header("Zs-Product-Key", "wrong")
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    let resp = ctx
        .http
        .post(&create)
        .header("Authorization", format!("Bearer {DEFAULT_PRIMARY_KEY}"))
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    // Both default keys, both headers.
    for key in [DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY] {
        for header in ["Zs-Product-Key", "Authorization"] {
            let resp = ctx
                .http
                .post(&create)
                .header(header, key)
                .json(&json!({}))
                .send()
                .await
                .expect("post");
            assert_eq!(resp.status(), 201, "{header} with {key}");
        }
    }
    // Downloads need a key too.
    let id = ctx.create(json!({})).await;
    let up = ctx.upload(&id, "a.pdf", sample_pdf("A", 1)).await;
    let media = ctx.url(&format!(
        "/folders/{id}/media/{}",
        up["file_id"].as_str().expect("id")
    ));
    let resp = ctx.http.get(&media).send().await.expect("get");
    assert_eq!(error_code(resp, 401).await, "UNAUTHORIZED");
    let resp = ctx
        .http
        .get(&media)
        .header("Authorization", "x")
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    // Seed 001: "You must use Authorization header with your Subscription key" — the key in
    // Zs-Product-Key (what the old client sent) is refused on documents, unless a test opts in.
    let resp = ctx
        .http
        .get(&media)
        .header("Zs-Product-Key", &ctx.key)
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 401).await, "UNAUTHORIZED");
    let resp = ctx
        .get_media(&media.replace(ctx.sim.base_url(), ""))
        .send()
        .await;
    assert_eq!(resp.expect("get").status(), 200);
    let lenient = ctx
        .control(
            Method::PUT,
            "/_sim/zignsec/lenient",
            json!({"media_any_header": true}),
        )
        .await;
    assert_eq!(lenient.status(), 204);
    let resp = ctx
        .http
        .get(&media)
        .header("Zs-Product-Key", &ctx.key)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
    ctx.control(Method::PUT, "/_sim/zignsec/lenient", json!({}))
        .await;
    // Seed 001: a JSON body needs Content-Type: application/json (a switch may allow others).
    let plain = || {
        ctx.post("/api/v5/sessions/signing/")
            .header("Content-Type", "text/plain")
            .body("{}")
    };
    let resp = plain().send().await.expect("post");
    assert_eq!(error_code(resp, 415).await, "UNSUPPORTED_MEDIA_TYPE");
    ctx.control(
        Method::PUT,
        "/_sim/zignsec/lenient",
        json!({"any_content_type": true}),
    )
    .await;
    assert_eq!(plain().send().await.expect("post").status(), 201);
    ctx.control(Method::PUT, "/_sim/zignsec/lenient", json!({}))
        .await;

    // Rotation: replace the key set.
    let resp = ctx
        .control(
            Method::PUT,
            "/_sim/zignsec/keys",
            json!({"keys": ["new-primary", DEFAULT_SECONDARY_KEY]}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let resp = ctx
        .http
        .post(&create)
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    let resp = ctx
        .http
        .post(&create)
        .header("Zs-Product-Key", "new-primary")
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    // Revoke one.
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/zignsec/keys/revoke",
            json!({"key": DEFAULT_SECONDARY_KEY}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let resp = ctx
        .http
        .post(&create)
        .header("Authorization", DEFAULT_SECONDARY_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    // The hosted page and control API need no key.
    let resp = ctx
        .http
        .get(ctx.url("/_sim/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({"ok": true})
    );
}

#[tokio::test]
async fn control_outcomes_and_expiry() {
    let ctx = start().await;

    let (id, _) = ctx.pending_session(json!({})).await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/fail"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let s: Value = resp.json().await.expect("json");
    assert_eq!(s["status"], "Failed");
    assert_eq!(s["errors"][0]["code"], "SIGNING_FAILED");
    assert_eq!(s["errors"][0]["statusCode"], 500);

    let (id, _) = ctx.pending_session(json!({})).await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/cancel"),
            json!({}),
        )
        .await;
    let s: Value = resp.json().await.expect("json");
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(s["errors"][0]["code"], "CANCELLED_BY_USER");
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");

    let (id, file_id) = ctx.pending_session(json!({})).await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{id}/expire"),
            json!({}),
        )
        .await;
    let s: Value = resp.json().await.expect("json");
    assert_eq!(s["status"], "Expired");
    assert_eq!(s["errors"][0]["code"], "SESSION_EXPIRED");
    assert_eq!(s["errors"][0]["statusCode"], 410);
    let resp = ctx
        .get_media(&format!("/folders/{id}/media/{file_id}"))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 410).await, "GONE");
    let resp = ctx
        .get_media(&format!(
            "/folders/{id}/media/33333333-3333-4333-8333-333333333333"
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/zignsec/signing/44444444-4444-4444-8444-444444444444/cancel",
            json!({}),
        )
        .await;
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
}

#[tokio::test]
async fn media_base_url_override() {
    let ctx = start().await;
    let (id, _) = ctx.pending_session(json!({})).await;
    let resp = ctx
        .control(
            Method::PUT,
            "/_sim/config",
            json!({"media_base_url": "http://127.0.0.1:9/"}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let s = ctx.session(&id).await;
    let url = s["result"]["inputFiles"][0]["url"].as_str().expect("url");
    assert!(
        url.starts_with(&format!("http://127.0.0.1:9/folders/{id}/media/")),
        "{url}"
    );
    // redirect_url keeps the simulator's own host.
    let resp = ctx
        .control(Method::PUT, "/_sim/config", json!({"media_base_url": null}))
        .await;
    assert_eq!(resp.status(), 204);
    let s = ctx.session(&id).await;
    let url = s["result"]["inputFiles"][0]["url"].as_str().expect("url");
    assert!(url.starts_with(ctx.sim.base_url()), "{url}");
}

#[tokio::test]
async fn request_log_records_header_names_only() {
    let ctx = start().await;
    ctx.create(json!({})).await;
    let _ = ctx
        .http
        .get(ctx.url("/api/v5/sessions/signing/nope"))
        .header("Authorization", "secret-value-123")
        .send()
        .await
        .expect("get");
    let resp = ctx
        .http
        .get(ctx.url("/_sim/requests"))
        .send()
        .await
        .expect("requests");
    let text = resp.text().await.expect("text");
    assert!(!text.contains(DEFAULT_PRIMARY_KEY));
    assert!(!text.contains("secret-value-123"));
    let v: Value = serde_json::from_str(&text).expect("json");
    let list = v.as_array().expect("array");
    assert_eq!(list.len(), 2, "control requests are not recorded: {v}");
    assert_eq!(list[0]["method"], "POST");
    assert_eq!(list[0]["path"], "/api/v5/sessions/signing");
    let headers: Vec<&str> = list[0]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(headers.contains(&"zs-product-key"));
    assert!(headers.contains(&"content-type"));
    assert_eq!(list[1]["path"], "/api/v5/sessions/signing/nope");

    let resp = ctx
        .control(Method::DELETE, "/_sim/requests", json!({}))
        .await;
    assert_eq!(resp.status(), 204);
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/requests"))
        .send()
        .await
        .expect("requests")
        .json()
        .await
        .expect("json");
    assert_eq!(v, json!([]));
}
