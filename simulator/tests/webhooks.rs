//! Webhooks: payloads, both signature schemes, retries with backoff on the test clock, expiry.

mod common;

use std::time::{Duration, Instant};

use common::{error_code, hmac_hex, start, Ctx, Receiver};
use reqwest::Method;
use serde_json::{json, Value};
use signbridge_sim::{DEFAULT_WEBHOOK_SECRET, WEBHOOK_SIGNATURE_HEADER};

const WAIT: Duration = Duration::from_secs(10);

async fn create_eid(ctx: &Ctx, path: &str, body: Value) -> (String, String) {
    let resp = ctx.post(path).json(&body).send().await.expect("create");
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("json");
    (
        v["data"]["id"].as_str().expect("id").to_owned(),
        v["data"]["redirect_url"].as_str().expect("url").to_owned(),
    )
}

async fn log(ctx: &Ctx) -> Vec<Value> {
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/webhooks"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    v.as_array().expect("array").clone()
}

async fn clock_now(ctx: &Ctx) -> i64 {
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/clock"))
        .send()
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    v["now"].as_i64().expect("now")
}

/// Checks `t=..,v1=..` over `t + "." + body` and returns `t`.
fn verify_v1(header: &str, secret: &str, body: &[u8]) -> i64 {
    let (t_part, v1_part) = header.split_once(',').expect("t=..,v1=..");
    let t = t_part.strip_prefix("t=").expect("t=");
    let v1 = v1_part.strip_prefix("v1=").expect("v1=");
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    assert_eq!(v1, hmac_hex(secret, &signed), "v1 signature");
    assert_eq!(v1, v1.to_ascii_lowercase());
    t.parse().expect("t is Unix seconds")
}

#[tokio::test]
async fn eid_webhooks_are_signed_and_carry_the_identity() {
    let ctx = start().await;
    let hook = Receiver::start(vec![]);
    let (id, page) = create_eid(
        &ctx,
        "/core/api/sessions/identity_verification/bankid_se",
        json!({"metadata": {}, "webhook": hook.url, "relay_state": "corr-77 &x",
               "redirect_success": "https://m.example/ok"}),
    )
    .await;
    let got = hook.wait_for(1, WAIT).await;
    let created = &got[0];
    assert_eq!(created.method, "POST");
    assert_eq!(created.path, "/hooks/zignsec");
    assert_eq!(created.header("content-type"), Some("application/json"));
    let header = created
        .header(&WEBHOOK_SIGNATURE_HEADER.to_ascii_lowercase())
        .expect("signature header");
    let t = verify_v1(header, DEFAULT_WEBHOOK_SECRET, &created.body);
    assert!((t - clock_now(&ctx).await).abs() <= 2);
    let v = created.json();
    assert_eq!(v["event"], "session_created");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["integration_id"], "Zignsec.v5.bankid_se");
    assert_eq!(v["relay_state"], "corr-77 &x");
    assert_eq!(v["result"]["status"], "created");
    assert_eq!(v["result"]["errors"], json!([]));
    assert_eq!(v["workflow_session_id"], Value::Null);

    let resp = ctx
        .http
        .post(&page)
        .form(&[("personal_number", "198505152385"), ("action", "identify")])
        .send()
        .await
        .expect("submit");
    assert_eq!(resp.status(), 303);
    let got = hook.wait_for(2, WAIT).await;
    let finished = &got[1];
    verify_v1(
        finished
            .header("x-zignsec-hmac-sha256")
            .expect("signature header"),
        DEFAULT_WEBHOOK_SECRET,
        &finished.body,
    );
    let v = finished.json();
    assert_eq!(v["event"], "session_finished");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["relay_state"], "corr-77 &x");
    assert_eq!(v["result"]["status"], "Finished");
    let identity = &v["result"]["eventSpecificData"]["identity"];
    assert_eq!(identity["personalNumber"], "198505152385");
    assert_eq!(identity["fullName"], "Erik Johansson");
    assert_eq!(identity["countryCode"], "SE");

    let entries = log(&ctx).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["event"], "session_created");
    assert_eq!(entries[0]["session_id"], id.as_str());
    assert_eq!(entries[0]["url"], hook.url.as_str());
    assert_eq!(entries[0]["attempt"], 1);
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["error"], Value::Null);
    assert!(entries[0]["at"].is_i64());
    assert!(entries[0]["delivery_id"].is_string());
    assert_eq!(entries[1]["event"], "session_finished");

    let resp = ctx
        .http
        .delete(ctx.url("/_sim/webhooks"))
        .send()
        .await
        .expect("clear");
    assert_eq!(resp.status(), 204);
    assert!(log(&ctx).await.is_empty());
}

#[tokio::test]
async fn legacy_scheme_and_custom_secret() {
    let ctx = start().await;
    let resp = ctx
        .control(
            Method::PUT,
            "/_sim/config",
            json!({"webhook_secret": "s3cret-rotated", "webhook_scheme": "legacy"}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let hook = Receiver::start(vec![]);
    let (id, _) = create_eid(
        &ctx,
        "/api/v5/sessions/mitid/auth",
        json!({"metadata": {}, "webhook": hook.url}),
    )
    .await;
    let resp = ctx
        .control(
            Method::POST,
            &format!("/_sim/zignsec/sessions/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let got = hook.wait_for(2, WAIT).await;
    for r in &got {
        let header = r.header("x-zignsec-hmac-sha256").expect("header");
        assert_eq!(header, hmac_hex("s3cret-rotated", &r.body));
        assert_ne!(header, hmac_hex(DEFAULT_WEBHOOK_SECRET, &r.body));
    }
    let v = got[1].json();
    assert_eq!(v["event"], "session_finished");
    assert_eq!(v["integration_id"], "Zignsec.v5.mitid_auth");
    assert_eq!(v["result"]["status"], "Cancelled");
    assert_eq!(v["result"]["errors"][0]["code"], "CANCELLED_BY_USER");
    assert_eq!(v["relay_state"], Value::Null);

    // Back to v1 with the new secret.
    let resp = ctx
        .control(Method::PUT, "/_sim/config", json!({"webhook_scheme": "v1"}))
        .await;
    assert_eq!(resp.status(), 204);
    let cfg: Value = ctx
        .http
        .get(ctx.url("/_sim/config"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(cfg["webhook_scheme"], "v1");
    assert_eq!(cfg["webhook_secret"], "s3cret-rotated");
    create_eid(
        &ctx,
        "/api/v5/sessions/mitid/auth",
        json!({"metadata": {}, "webhook": hook.url}),
    )
    .await;
    let got = hook.wait_for(3, WAIT).await;
    verify_v1(
        got[2].header("x-zignsec-hmac-sha256").expect("header"),
        "s3cret-rotated",
        &got[2].body,
    );
    let resp = ctx
        .control(Method::PUT, "/_sim/config", json!({"webhook_scheme": "v2"}))
        .await;
    assert_eq!(error_code(resp, 400).await, "VALIDATION_ERROR");
}

#[tokio::test]
async fn signing_sessions_send_webhooks_with_signed_files() {
    let ctx = start().await;
    let hook = Receiver::start(vec![]);
    let (id, _) = ctx
        .pending_session(json!({"webhook": hook.url, "relay_state": "sign-1"}))
        .await;
    let got = hook.wait_for(1, WAIT).await;
    let v = got[0].json();
    assert_eq!(v["event"], "session_created");
    assert_eq!(v["integration_id"], "Zignsec.v5.signing");
    assert_eq!(v["result"]["status"], "Created");
    let resp = ctx
        .http
        .post(ctx.url(&format!("/ui/{id}")))
        .form(&[
            ("personal_number", "06046517928"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ])
        .send()
        .await
        .expect("sign");
    assert_eq!(resp.status(), 200);
    let got = hook.wait_for(2, WAIT).await;
    verify_v1(
        got[1].header("x-zignsec-hmac-sha256").expect("header"),
        DEFAULT_WEBHOOK_SECRET,
        &got[1].body,
    );
    let v = got[1].json();
    assert_eq!(v["event"], "session_finished");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["relay_state"], "sign-1");
    assert_eq!(v["result"]["status"], "Finished");
    let signed = &v["result"]["eventSpecificData"]["signedFiles"];
    assert_eq!(signed.as_array().map(Vec::len), Some(1));
    assert!(signed[0]["url"].is_string());
    assert!(signed[0]["md5"].is_string());
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff() {
    let ctx = start().await;
    let resp = ctx
        .control(Method::PUT, "/_sim/clock", json!({"speed": 3600}))
        .await;
    assert_eq!(resp.status(), 200);
    let hook = Receiver::start(vec![500, 500, 200]);
    let started = Instant::now();
    let (id, _) = create_eid(
        &ctx,
        "/core/api/sessions/identity_verification/mitid",
        json!({"metadata": {}, "webhook": hook.url}),
    )
    .await;
    let got = hook.wait_for(3, WAIT).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the clock speed applies"
    );
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.json()["event"] == "session_created"));
    // Give a wrongly scheduled fourth attempt the chance to show up.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(hook.received().len(), 3);
    let entries = log(&ctx).await;
    assert_eq!(entries.len(), 3, "{entries:?}");
    let statuses: Vec<&Value> = entries.iter().map(|e| &e["status"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    let attempts: Vec<&Value> = entries.iter().map(|e| &e["attempt"]).collect();
    assert_eq!(attempts, [&json!(1), &json!(2), &json!(3)]);
    assert!(entries
        .iter()
        .all(|e| e["delivery_id"] == entries[0]["delivery_id"] && e["session_id"] == id.as_str()));
    // Backoff of 1 s then 2 s on the simulated clock.
    let at: Vec<i64> = entries
        .iter()
        .map(|e| e["at"].as_i64().expect("at"))
        .collect();
    assert!(at[1] - at[0] >= 1 && at[2] - at[1] >= 2, "{at:?}");
}

#[tokio::test]
async fn advancing_the_clock_releases_a_pending_retry() {
    let ctx = start().await;
    let hook = Receiver::start(vec![500, 500, 500, 200]);
    create_eid(
        &ctx,
        "/api/v5/sessions/bankidno/auth",
        json!({"metadata": {}, "webhook": hook.url}),
    )
    .await;
    hook.wait_for(1, WAIT).await;
    for n in 2..=4 {
        // At real speed the next attempt is 1-4 s away; a jump releases it at once.
        let started = Instant::now();
        let resp = ctx
            .control(Method::POST, "/_sim/clock/advance", json!({"seconds": 30}))
            .await;
        assert_eq!(resp.status(), 200);
        hook.wait_for(n, WAIT).await;
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "attempt {n} took {:?}",
            started.elapsed()
        );
    }
    let entries = log(&ctx).await;
    assert_eq!(entries.last().expect("entry")["status"], 200);
    assert_eq!(entries.len(), 4);
}

#[tokio::test]
async fn delivery_gives_up_after_20_attempts() {
    let ctx = start().await;
    let resp = ctx
        .control(Method::PUT, "/_sim/clock", json!({"speed": 100_000}))
        .await;
    assert_eq!(resp.status(), 200);
    let hook = Receiver::start(vec![503; 100]);
    create_eid(
        &ctx,
        "/core/api/sessions/identity_verification/freja_id_ssn",
        json!({"metadata": {}, "webhook": hook.url}),
    )
    .await;
    // At this speed the session also expires (48 h pass in 1.7 s real time), which queues a
    // second webhook with its own attempts: look at `session_created` only.
    hook.wait_for(20, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = hook
        .received()
        .iter()
        .filter(|r| r.json()["event"] == "session_created")
        .count();
    assert_eq!(created, 20);
    let entries: Vec<Value> = log(&ctx)
        .await
        .into_iter()
        .filter(|e| e["event"] == "session_created")
        .collect();
    assert_eq!(entries.len(), 20);
    assert_eq!(entries[19]["attempt"], 20);
    let at: Vec<i64> = entries
        .iter()
        .map(|e| e["at"].as_i64().expect("at"))
        .collect();
    // Exponential backoff (1 s, 2 s, 4 s, ...) capped at one hour, all within 48 h. At this
    // speed each real millisecond is 100 simulated seconds, hence the loose upper bound.
    for (n, w) in at.windows(2).enumerate() {
        let backoff = (1i64 << n.min(20)).min(3600);
        assert!(w[1] - w[0] >= backoff - 1, "gap {n}: {at:?}");
        assert!(w[1] - w[0] <= backoff + 5000, "gap {n}: {at:?}");
    }
    assert!(at[19] - at[0] <= 48 * 3600);
}

#[tokio::test]
async fn connection_errors_are_logged_and_retried() {
    let ctx = start().await;
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let url = format!("http://{closed}/hook");
    create_eid(
        &ctx,
        "/core/api/sessions/identity_verification/mitid",
        json!({"metadata": {}, "webhook": url}),
    )
    .await;
    let deadline = Instant::now() + WAIT;
    let entries = loop {
        let entries = log(&ctx).await;
        if !entries.is_empty() {
            break entries;
        }
        assert!(Instant::now() < deadline, "no attempt logged");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(entries[0]["status"], Value::Null);
    assert!(entries[0]["error"].is_string());
    // Retried after a clock jump.
    ctx.control(Method::POST, "/_sim/clock/advance", json!({"seconds": 5}))
        .await;
    let deadline = Instant::now() + WAIT;
    while log(&ctx).await.len() < 2 {
        assert!(Instant::now() < deadline, "no retry");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn non_loopback_receivers_are_never_contacted() {
    let ctx = start().await;
    create_eid(
        &ctx,
        "/core/api/sessions/identity_verification/mitid",
        json!({"metadata": {}, "webhook": "https://merchant.example/hook"}),
    )
    .await;
    let deadline = Instant::now() + WAIT;
    let entries = loop {
        let entries = log(&ctx).await;
        if !entries.is_empty() {
            break entries;
        }
        assert!(Instant::now() < deadline, "no attempt logged");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    ctx.control(Method::POST, "/_sim/clock/advance", json!({"seconds": 100}))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(log(&ctx).await.len(), 1, "not retried");
    assert_eq!(entries[0]["status"], Value::Null);
    assert!(entries[0]["error"]
        .as_str()
        .expect("error")
        .contains("loopback"));
}

#[tokio::test]
async fn expiry_sends_session_finished_with_status_expired() {
    let ctx = start().await;
    let hook = Receiver::start(vec![]);
    let (eid, _) = create_eid(
        &ctx,
        "/core/api/sessions/match_cpr/mitid",
        json!({"metadata": {"cpr_number": "0101901234"}, "webhook": hook.url, "relay_state": "exp"}),
    )
    .await;
    let sign = ctx.create(json!({"webhook": hook.url})).await;
    hook.wait_for(2, WAIT).await;
    let resp = ctx
        .control(
            Method::POST,
            "/_sim/clock/advance",
            json!({"seconds": 172_800}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let got = hook.wait_for(4, WAIT).await;
    let finished: Vec<Value> = got[2..].iter().map(|r| r.json()).collect();
    for id in [&eid, &sign] {
        let v = finished
            .iter()
            .find(|v| v["id"] == id.as_str())
            .expect("session_finished for each session");
        assert_eq!(v["event"], "session_finished");
        assert_eq!(v["result"]["status"], "Expired");
        assert_eq!(v["result"]["errors"][0]["code"], "SESSION_EXPIRED");
    }
    let v = finished
        .iter()
        .find(|v| v["id"] == eid.as_str())
        .expect("eid");
    assert_eq!(v["relay_state"], "exp");
    assert_eq!(v["integration_id"], "Zignsec.v5.match_cpr_mitid");
}
