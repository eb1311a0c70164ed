//! Browser-based eID sessions: create, hosted page, redirects, result, control API and expiry.

mod common;

use common::{error_code, query_get, start, Ctx};
use reqwest::Method;
use serde_json::{json, Value};

/// (create path, GET path prefix, a test user, country, full name)
const PRODUCTS: [(&str, &str, &str, &str, &str); 6] = [
    (
        "/core/api/sessions/identity_verification/bankid_se",
        "/core/api/sessions/",
        "199001011234",
        "SE",
        "Astrid Lindqvist",
    ),
    (
        "/core/api/sessions/identity_verification/mitid",
        "/core/api/sessions/",
        "0101901234",
        "DK",
        "Mette Hansen",
    ),
    (
        "/core/api/sessions/match_cpr/mitid",
        "/core/api/sessions/",
        "0101901234",
        "DK",
        "Mette Hansen",
    ),
    (
        "/core/api/sessions/identity_verification/freja_id_ssn",
        "/core/api/sessions/",
        "198212121236",
        "SE",
        "Karin Berg",
    ),
    (
        "/api/v5/sessions/mitid/auth",
        "/api/v5/sessions/mitid/",
        "1505851237",
        "DK",
        "Lars Jensen",
    ),
    (
        "/api/v5/sessions/bankidno/auth",
        "/api/v5/sessions/bankidno/",
        "06046517928",
        "NO",
        "Aksel Herseth",
    ),
];

async fn create(ctx: &Ctx, path: &str, body: Value) -> (String, String) {
    let resp = ctx.post(path).json(&body).send().await.expect("create");
    assert_eq!(resp.status(), 201, "create {path}");
    let v: Value = resp.json().await.expect("json");
    let data = &v["data"];
    assert_eq!(data["status"], "created");
    let id = data["id"].as_str().expect("id").to_owned();
    let redirect = data["redirect_url"]
        .as_str()
        .expect("redirect_url")
        .to_owned();
    assert_eq!(redirect, format!("{}/ui/eid/{id}", ctx.sim.base_url()));
    (id, redirect)
}

async fn get_data(ctx: &Ctx, path: &str) -> Value {
    let resp = ctx.get(path).send().await.expect("get");
    assert_eq!(resp.status(), 200, "GET {path}");
    let v: Value = resp.json().await.expect("json");
    v["data"].clone()
}

async fn submit(ctx: &Ctx, page: &str, form: &[(&str, &str)]) -> reqwest::Response {
    ctx.http
        .post(page)
        .form(form)
        .send()
        .await
        .expect("form post")
}

fn location(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), 303);
    resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

fn envelope(relay: &str) -> Value {
    json!({
        "locale": "En",
        "redirect_success": "https://merchant.example/ok?shop=1",
        "redirect_failure": "https://merchant.example/fail",
        "relay_state": relay,
        "gdpr_user_id": "gdpr-7",
        "metadata": {"requested_attributes": ["DATE_OF_BIRTH"]},
        "an_unknown_field": {"is": "ignored"}
    })
}

#[tokio::test]
async fn every_product_identifies_through_the_hosted_page() {
    let ctx = start().await;
    for (create_path, get_prefix, pn, country, name) in PRODUCTS {
        let relay = format!("order & {pn} ✓");
        let (id, page) = create(&ctx, create_path, envelope(&relay)).await;
        let get_path = format!("{get_prefix}{id}");
        let s = get_data(&ctx, &get_path).await;
        assert_eq!(s["status"], "created");
        assert_eq!(s["relay_state"], relay.as_str());
        assert_eq!(s["metadata"]["requested_attributes"][0], "DATE_OF_BIRTH");
        assert_eq!(s["errors"], json!([]));

        let html = ctx.http.get(&page).send().await.expect("page");
        assert_eq!(html.status(), 200);
        let text = html.text().await.expect("html");
        assert!(text.contains("<form method=\"post\" action=\"/ui/eid/"));
        assert!(text.contains(pn), "{create_path}: page lists {pn}");
        assert_eq!(get_data(&ctx, &get_path).await["status"], "pending");

        let resp = submit(
            &ctx,
            &page,
            &[("personal_number", pn), ("action", "identify")],
        )
        .await;
        let loc = location(&resp);
        assert!(
            loc.starts_with("https://merchant.example/ok?shop=1&"),
            "{loc}"
        );
        assert_eq!(
            query_get(&loc, "relay_state").as_deref(),
            Some(relay.as_str())
        );
        assert_eq!(query_get(&loc, "session_id").as_deref(), Some(id.as_str()));

        let s = get_data(&ctx, &get_path).await;
        assert_eq!(s["id"], id.as_str());
        assert_eq!(s["status"], "Finished", "{create_path}");
        assert_eq!(s["relay_state"], relay.as_str());
        let identity = &s["result"]["identity"];
        assert_eq!(identity["personalNumber"], pn);
        assert_eq!(identity["countryCode"], country);
        assert_eq!(identity["fullName"], name);
        let (first, last) = name.split_once(' ').expect("two names");
        assert_eq!(identity["firstName"], first);
        assert_eq!(identity["lastName"], last);
        let dob = identity["dateOfBirth"].as_str().expect("dateOfBirth");
        assert_eq!(dob.len(), 10);
        assert_eq!(&dob[4..5], "-");
        assert!(["male", "female"].contains(&identity["gender"].as_str().expect("gender")));
        // The generic GET serves every eID session.
        assert_eq!(
            get_data(&ctx, &format!("/core/api/sessions/{id}")).await["status"],
            "Finished"
        );
        // A finished session's page is closed.
        let again = ctx.http.get(&page).send().await.expect("page");
        assert_eq!(again.status(), 409);
    }
}

#[tokio::test]
async fn create_validation_auth_and_unknown_products() {
    let ctx = start().await;
    let path = "/core/api/sessions/identity_verification/bankid_se";
    let resp = ctx
        .post(path)
        .json(&json!({"relay_state": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .post(path)
        .json(&json!({"metadata": "nope"}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx.post(path).send().await.expect("post");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .post(path)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .post(path)
        .json(&json!({"metadata": {}, "webhook": "not a url"}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");

    for unknown in [
        "/core/api/sessions/identity_verification/nemid",
        "/api/v5/sessions/mitid/sign",
    ] {
        let resp = ctx
            .post(unknown)
            .json(&json!({"metadata": {}}))
            .send()
            .await
            .expect("post");
        assert_eq!(error_code(resp, 404).await, "NOT_FOUND", "{unknown}");
    }

    let resp = ctx
        .http
        .post(ctx.url(path))
        .json(&json!({"metadata": {}}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 401).await, "UNAUTHORIZED");
    let resp = ctx
        .http
        .post(ctx.url(path))
        .header("Authorization", "wrong-key")
        .json(&json!({"metadata": {}}))
        .send()
        .await
        .expect("post");
    assert_eq!(error_code(resp, 403).await, "FORBIDDEN");
    let (id, _) = create(&ctx, path, json!({"metadata": {}})).await;
    let resp = ctx
        .http
        .get(ctx.url(&format!("/core/api/sessions/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 401).await, "UNAUTHORIZED");
    // Legacy raw Authorization works too.
    let resp = ctx
        .http
        .get(ctx.url(&format!("/core/api/sessions/{id}")))
        .header("Authorization", &ctx.key)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);

    // Unknown ids, and a v5 GET under another provider.
    let resp = ctx
        .get(&format!("/core/api/sessions/{}", uuid_like()))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    let (v5, _) = create(&ctx, "/api/v5/sessions/mitid/auth", json!({"metadata": {}})).await;
    let resp = ctx
        .get(&format!("/api/v5/sessions/bankidno/{v5}"))
        .send()
        .await
        .expect("get");
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
    assert_eq!(
        get_data(&ctx, &format!("/api/v5/sessions/mitid/{v5}")).await["status"],
        "created"
    );
}

fn uuid_like() -> &'static str {
    "00000000-0000-4000-8000-000000000000"
}

#[tokio::test]
async fn cancel_redirect_carries_error_code_and_text() {
    let ctx = start().await;
    let (id, page) = create(
        &ctx,
        "/core/api/sessions/identity_verification/mitid",
        envelope("rs-cancel"),
    )
    .await;
    let resp = submit(&ctx, &page, &[("action", "cancel")]).await;
    let loc = location(&resp);
    assert!(loc.starts_with("https://merchant.example/fail?"), "{loc}");
    assert_eq!(query_get(&loc, "errorCode").as_deref(), Some("CANCELLED"));
    assert!(query_get(&loc, "errorText").is_some_and(|t| !t.is_empty()));
    assert_eq!(query_get(&loc, "relay_state").as_deref(), Some("rs-cancel"));
    assert_eq!(query_get(&loc, "session_id").as_deref(), Some(id.as_str()));
    assert_eq!(query_get(&loc, "error"), None);

    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(s["errors"][0]["code"], "CANCELLED_BY_USER");
    assert_eq!(s["errors"][0]["statusCode"], 410);
    assert!(s["errors"][0]["description"].is_string());
    assert_eq!(s["result"], json!({}));
}

#[tokio::test]
async fn bankid_no_cancel_uses_oauth_style_parameters() {
    let ctx = start().await;
    let (id, page) = create(&ctx, "/api/v5/sessions/bankidno/auth", envelope("rs-no")).await;
    let resp = submit(&ctx, &page, &[("action", "cancel")]).await;
    let loc = location(&resp);
    assert_eq!(query_get(&loc, "error").as_deref(), Some("access_denied"));
    assert!(query_get(&loc, "error_description").is_some_and(|t| !t.is_empty()));
    assert_eq!(query_get(&loc, "relay_state").as_deref(), Some("rs-no"));
    assert_eq!(query_get(&loc, "session_id").as_deref(), Some(id.as_str()));
    assert_eq!(query_get(&loc, "errorCode"), None);
    let s = get_data(&ctx, &format!("/api/v5/sessions/bankidno/{id}")).await;
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(s["errors"][0]["code"], "CANCELLED_BY_USER");
}

#[tokio::test]
async fn cpr_match_declines_another_person() {
    let ctx = start().await;
    let mut body = envelope("rs-cpr");
    body["metadata"] = json!({"cpr_number": "010190-1234", "level": "Substantial"});
    let (id, page) = create(&ctx, "/core/api/sessions/match_cpr/mitid", body.clone()).await;
    let html = ctx
        .http
        .get(&page)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("0101901234"));
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "1505851237"), ("action", "identify")],
    )
    .await;
    let loc = location(&resp);
    assert!(loc.starts_with("https://merchant.example/fail?"), "{loc}");
    assert_eq!(query_get(&loc, "errorCode").as_deref(), Some("DECLINED"));
    assert!(query_get(&loc, "errorText").is_some_and(|t| !t.is_empty()));
    assert_eq!(query_get(&loc, "relay_state").as_deref(), Some("rs-cpr"));
    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Failed");
    assert_eq!(s["errors"][0]["code"], "DECLINED");
    assert_eq!(s["errors"][0]["statusCode"], 403);
    assert_eq!(s["metadata"]["cpr_number"], "010190-1234");

    // The matching person succeeds.
    let (id, page) = create(&ctx, "/core/api/sessions/match_cpr/mitid", body).await;
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "0101901234"), ("action", "identify")],
    )
    .await;
    assert!(location(&resp).starts_with("https://merchant.example/ok"));
    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Finished");
    assert_eq!(s["result"]["identity"]["personalNumber"], "0101901234");
    assert_eq!(s["result"]["identity"]["cprNumberMatch"], true);
}

#[tokio::test]
async fn personal_number_in_metadata_restricts_who_may_identify() {
    let ctx = start().await;
    let path = "/core/api/sessions/identity_verification/bankid_se";
    let (id, page) = create(
        &ctx,
        path,
        json!({"metadata": {"personalnumber": "198505152385"}, "redirect_success": "https://m.example/ok"}),
    )
    .await;
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "199001011234"), ("action", "identify")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("class=\"error\""), "{html}");
    assert_eq!(
        get_data(&ctx, &format!("/core/api/sessions/{id}")).await["status"],
        "pending"
    );
    // Not a test user at all.
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "123"), ("action", "identify")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    // The control API refuses the other person, and defaults to the required one.
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/sessions/{id}/complete"),
            json!({"personal_number": "199001011234"}),
        )
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .http
        .post(ctx.url(&format!("/_sim/zignsec/sessions/{id}/complete")))
        .send()
        .await
        .expect("complete");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["data"]["status"], "Finished");
    assert_eq!(
        v["data"]["result"]["identity"]["personalNumber"],
        "198505152385"
    );

    // Freja's user_info.ssn works the same way.
    let (id, page) = create(
        &ctx,
        "/core/api/sessions/identity_verification/freja_id_ssn",
        json!({"metadata": {"user_info": {"country": "SE", "ssn": "199507074415"}}}),
    )
    .await;
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "198212121236"), ("action", "identify")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let resp = submit(
        &ctx,
        &page,
        &[("personal_number", "199507074415"), ("action", "identify")],
    )
    .await;
    // No redirect URL: a done page.
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("Johan Ek"));
    assert_eq!(
        get_data(&ctx, &format!("/core/api/sessions/{id}")).await["status"],
        "Finished"
    );
}

#[tokio::test]
async fn control_api_moves_eid_sessions() {
    let ctx = start().await;
    let path = "/api/v5/sessions/mitid/auth";
    let ctl = |id: &str, action: &str| format!("/_sim/zignsec/sessions/{id}/{action}");

    let (id, _) = create(&ctx, path, json!({"metadata": {}})).await;
    let resp = ctx
        .control(Method::POST, &ctl(&id, "complete"), json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let s = get_data(&ctx, &format!("/api/v5/sessions/mitid/{id}")).await;
    assert_eq!(s["status"], "Finished");
    assert_eq!(s["result"]["identity"]["fullName"], "Mette Hansen");
    let resp = ctx
        .control(Method::POST, &ctl(&id, "cancel"), json!({}))
        .await;
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");

    let (id, _) = create(&ctx, path, json!({"metadata": {}})).await;
    let resp = ctx
        .control(
            Method::POST,
            &ctl(&id, "complete"),
            json!({"personal_number": "199001011234"}),
        )
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    let resp = ctx
        .control(Method::POST, &ctl(&id, "cancel"), json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(s["errors"][0]["code"], "CANCELLED_BY_USER");

    let (id, _) = create(&ctx, path, json!({"metadata": {}})).await;
    let resp = ctx
        .control(Method::POST, &ctl(&id, "fail"), json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Failed");
    assert_eq!(s["errors"][0]["statusCode"], 500);

    let (id, _) = create(&ctx, path, json!({"metadata": {}})).await;
    let resp = ctx
        .control(Method::POST, &ctl(&id, "expire"), json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let s = get_data(&ctx, &format!("/core/api/sessions/{id}")).await;
    assert_eq!(s["status"], "Expired");
    assert_eq!(s["errors"][0]["code"], "SESSION_EXPIRED");
    assert_eq!(s["errors"][0]["statusCode"], 410);
    let resp = ctx
        .control(Method::POST, &ctl(&id, "expire"), json!({}))
        .await;
    assert_eq!(error_code(resp, 409).await, "INVALID_STATE");

    let resp = ctx
        .control(Method::POST, &ctl(uuid_like(), "complete"), json!({}))
        .await;
    assert_eq!(error_code(resp, 404).await, "NOT_FOUND");
}

#[tokio::test]
async fn clock_control() {
    let ctx = start().await;
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/clock"))
        .send()
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    assert_eq!(v["speed"], 1.0);
    let now = v["now"].as_i64().expect("now");
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    assert!((now - real).abs() <= 2, "{now} vs {real}");
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/clock/advance",
            json!({"seconds": 3600}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert!(v["now"].as_i64().expect("now") >= now + 3600);
    let resp = ctx
        .control(Method::PUT, "/_sim/clock", json!({"speed": 3600}))
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["speed"], 3600.0);
    for bad in [json!({"speed": 0}), json!({"speed": -1}), json!({})] {
        let resp = ctx.control(Method::PUT, "/_sim/clock", bad).await;
        assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
    }
    let resp = ctx
        .control(Method::POST, "/_sim/clock/advance", json!({"seconds": -5}))
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
}

#[tokio::test]
async fn sessions_and_files_expire_after_48_hours() {
    let ctx = start().await;
    // An open eID session, a finished eID session, a pending and a finished signing session.
    let (open_eid, page) = create(
        &ctx,
        "/core/api/sessions/identity_verification/bankid_se",
        json!({"metadata": {}}),
    )
    .await;
    let (done_eid, _) = create(
        &ctx,
        "/api/v5/sessions/bankidno/auth",
        json!({"metadata": {}}),
    )
    .await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/sessions/{done_eid}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let (pending_sign, pending_file) = ctx.pending_session(json!({})).await;
    let (done_sign, _) = ctx.pending_session(json!({})).await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/signing/{done_sign}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let signed_url = ctx.session(&done_sign).await["result"]["signedFiles"][0]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let resp = ctx
        .http
        .get(&signed_url)
        .header("Authorization", &ctx.key)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status(), 200);

    // Just under 48 h: nothing changes.
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/clock/advance",
            json!({"seconds": 172_700}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        get_data(&ctx, &format!("/core/api/sessions/{open_eid}")).await["status"],
        "created"
    );
    assert_eq!(ctx.session(&pending_sign).await["status"], "Pending");

    let resp = ctx
        .control(
            Method::POST,
            "/_sim/clock/advance",
            json!({"seconds": 172_800}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let s = get_data(&ctx, &format!("/core/api/sessions/{open_eid}")).await;
    assert_eq!(s["status"], "Expired");
    assert_eq!(s["errors"][0]["code"], "SESSION_EXPIRED");
    assert_eq!(s["errors"][0]["statusCode"], 410);
    let s = get_data(&ctx, &format!("/api/v5/sessions/bankidno/{done_eid}")).await;
    assert_eq!(s["status"], "Finished", "final sessions keep their state");
    let s = ctx.session(&pending_sign).await;
    assert_eq!(s["status"], "Expired");
    assert_eq!(s["errors"][0]["code"], "SESSION_EXPIRED");
    assert_eq!(ctx.session(&done_sign).await["status"], "Finished");

    // Files of any session older than 48 h are gone.
    let resp = ctx
        .http
        .get(&signed_url)
        .header("Authorization", &ctx.key)
        .send()
        .await
        .expect("download");
    assert_eq!(error_code(resp, 410).await, "GONE");
    let resp = ctx
        .get_media(&format!("/folders/{pending_sign}/media/{pending_file}"))
        .send()
        .await
        .expect("download");
    assert_eq!(error_code(resp, 410).await, "GONE");
    // The expired session's page is closed.
    let resp = ctx.http.get(&page).send().await.expect("page");
    assert_eq!(resp.status(), 409);
}
