//! Browser-based eID sessions, every way to receive results: polling, the browser's return to the
//! target URL, and verified webhooks — against the simulator.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use signbridge::providers::zignsec::{
    BankIdSeOptions, EidApi, EidProduct, EidRequest, EidResult, FrejaOptions, MitIdOptions,
};
use signbridge::runtime::block_on;
use signbridge::webhook::WebhookVerifier;
use signbridge::{Client, Config, ErrorCode, SessionStatus, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY, DEFAULT_WEBHOOK_SECRET};

fn setup() -> (BackgroundSimulator, EidApi) {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]}})
            .to_string(),
    )
    .expect("config");
    let eid = Client::new(cfg)
        .expect("client")
        .zignsec()
        .expect("zignsec")
        .eid();
    (sim, eid)
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    block_on(f).expect("not inside a runtime")
}

fn fast() -> WaitOptions<EidResult> {
    WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    }
}

fn request(relay: &str) -> EidRequest {
    EidRequest {
        redirect_success: Some("https://app.example/ok".into()),
        redirect_failure: Some("https://app.example/fail".into()),
        relay_state: Some(relay.into()),
        ..EidRequest::default()
    }
}

/// Identify (or cancel) on the hosted page as a browser would; returns the Location header.
fn browser(redirect_url: &str, personal_number: &str, action: &str) -> String {
    let page = http::get(redirect_url).expect("page");
    assert_eq!(page.status, 200, "{}", page.text());
    let action_url = http::form_action(&page.text()).expect("form");
    let target = url::Url::parse(redirect_url)
        .expect("url")
        .join(&action_url)
        .expect("join");
    let answer = http::post_form(
        target.as_str(),
        &[("personal_number", personal_number), ("action", action)],
    )
    .expect("post");
    assert_eq!(answer.status / 100, 3, "{}", answer.text());
    answer.header("location").expect("location").to_string()
}

#[test]
fn polling_bankid_se_and_mitid_to_a_typed_identity() {
    let (_sim, eid) = setup();
    let s = run(eid.bankid_se(&request("se-1"), &BankIdSeOptions::default())).expect("create");
    browser(&s.redirect_url, "199001011234", "identify");
    let r = run(eid.wait(&EidProduct::bankid_se(), &s.id, &fast())).expect("finished");
    assert_eq!(r.status, SessionStatus::Finished);
    assert_eq!(r.relay_state.as_deref(), Some("se-1"));
    let id = r.identity.expect("identity");
    assert_eq!(id.full_name.as_deref(), Some("Astrid Lindqvist"));
    assert_eq!(id.personal_number.as_deref(), Some("199001011234"));
    assert_eq!(id.country_code.as_deref(), Some("SE"));
    assert!(r.raw_result.get("identity").is_some(), "raw result kept");

    let m = run(eid.mitid(
        &request("dk-1"),
        &MitIdOptions {
            level: Some("Substantial".into()),
            ..MitIdOptions::default()
        },
    ))
    .expect("create");
    browser(&m.redirect_url, "0101901234", "identify");
    let r = run(eid.wait(&EidProduct::mitid(), &m.id, &fast())).expect("finished");
    assert_eq!(
        r.identity.and_then(|i| i.country_code).as_deref(),
        Some("DK")
    );
}

#[test]
fn redirect_return_success_cancel_declined_and_access_denied() {
    let (_sim, eid) = setup();
    // Success: the returned URL carries relay_state and the session id; then the result is fetched.
    let s = run(eid.freja(
        &request("fr-1"),
        &FrejaOptions {
            country: "SE".into(),
            ssn: "198212121236".into(),
            ..FrejaOptions::default()
        },
    ))
    .expect("create");
    let back = browser(&s.redirect_url, "198212121236", "identify");
    let r =
        run(eid.complete_redirect(&EidProduct::freja(), &s.id, &back, Some("fr-1"))).expect("ok");
    assert_eq!(
        r.identity.and_then(|i| i.full_name).as_deref(),
        Some("Karin Berg")
    );
    // The relay state must be ours.
    let e = run(eid.complete_redirect(&EidProduct::freja(), &s.id, &back, Some("someone-else")))
        .expect_err("foreign");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);

    // Cancel: errorCode=CANCELLED.
    let s = run(eid.bankid_se(&request("se-2"), &BankIdSeOptions::default())).expect("create");
    let back = browser(&s.redirect_url, "199001011234", "cancel");
    assert!(back.starts_with("https://app.example/fail"), "{back}");
    let e = run(eid.complete_redirect(&EidProduct::bankid_se(), &s.id, &back, Some("se-2")))
        .expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled);
    let polled = run(eid.wait(&EidProduct::bankid_se(), &s.id, &fast())).expect_err("cancelled");
    assert_eq!(polled.provider_code(), Some("CANCELLED_BY_USER"));

    // CPR mismatch: DECLINED maps to rejected, both from the URL and from polling.
    let s = run(eid.mitid(
        &request("dk-2"),
        &MitIdOptions {
            cpr_number: Some("0101901234".into()),
            ..MitIdOptions::default()
        },
    ))
    .expect("create");
    let back = browser(&s.redirect_url, "1505851237", "identify");
    assert!(back.contains("errorCode=DECLINED"), "{back}");
    let e = run(eid.complete_redirect(&EidProduct::mitid_cpr_match(), &s.id, &back, Some("dk-2")))
        .expect_err("declined");
    assert_eq!(e.code(), ErrorCode::Rejected);
    let e = run(eid.wait(&EidProduct::mitid_cpr_match(), &s.id, &fast())).expect_err("declined");
    assert_eq!(e.code(), ErrorCode::Rejected);

    // BankID NO uses OAuth-style error=access_denied.
    let s = run(eid.bankid_no(&request("no-1"))).expect("create");
    let back = browser(&s.redirect_url, "06046517928", "cancel");
    assert!(back.contains("error=access_denied"), "{back}");
    let e = run(eid.complete_redirect(&EidProduct::bankid_no(), &s.id, &back, Some("no-1")))
        .expect_err("denied");
    assert_eq!(e.code(), ErrorCode::Cancelled);
}

/// Login CSRF: an attacker finishes a session of their own and sends the victim a crafted return
/// URL. With an expected relay state, a URL without one, or a session whose result carries
/// another (or none), is refused — not only a URL that names a different one.
#[test]
fn a_return_without_the_expected_relay_state_is_refused() {
    let (_sim, eid) = setup();
    let freja = FrejaOptions {
        country: "SE".into(),
        ssn: "198212121236".into(),
        ..FrejaOptions::default()
    };
    // The attacker's session, finished in the attacker's browser.
    let theirs = run(eid.freja(&request("attacker-relay"), &freja)).expect("create");
    let back = browser(&theirs.redirect_url, "198212121236", "identify");
    assert!(back.contains("relay_state=attacker-relay"), "{back}");
    // The victim's application expects its own relay state.
    let mine = Some("victim-relay");
    let no_relay = format!("https://app.example/ok?session_id={}", theirs.id);
    let forged_relay = format!(
        "https://app.example/ok?session_id={}&relay_state=victim-relay",
        theirs.id
    );
    for (url, what) in [
        (no_relay.as_str(), "no relay_state in the URL"),
        (
            forged_relay.as_str(),
            "the URL's relay_state, not the session's",
        ),
    ] {
        let e = run(eid.complete_redirect(&EidProduct::freja(), &theirs.id, url, mine))
            .expect_err(what);
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{what}: {e}");
        assert!(e.message().contains("relay_state"), "{what}: {e}");
    }
    // A session started without a relay state cannot satisfy an expected one either.
    let bare = EidRequest {
        relay_state: None,
        ..request("unused")
    };
    let bare = run(eid.freja(&bare, &freja)).expect("create");
    let back = browser(&bare.redirect_url, "198212121236", "identify");
    let forged = format!("{back}&relay_state=victim-relay");
    let e = run(eid.complete_redirect(&EidProduct::freja(), &bare.id, &forged, mine))
        .expect_err("no relay state in the result");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    // Without an expected relay state nothing is compared (the caller chose not to).
    let r = run(eid.complete_redirect(&EidProduct::freja(), &theirs.id, &no_relay, None))
        .expect("unchecked");
    assert_eq!(r.relay_state.as_deref(), Some("attacker-relay"));
}

/// A webhook receiver on loopback that answers with the given statuses in turn and hands every
/// delivery (signature header, raw body) to the test.
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<(String, Vec<u8>, u16)>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, content_len) = loop {
                let Ok(n) = stream.read(&mut chunk) else {
                    return;
                };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..p]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (p + 4, len);
                }
            };
            while buf.len() < head_end + content_len {
                let Ok(n) = stream.read(&mut chunk) else {
                    return;
                };
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let sig = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("x-zignsec-hmac-sha256")
                        .then(|| v.trim().to_string())
                })
                .unwrap_or_default();
            let status = statuses.get(i).copied().unwrap_or(200);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let body = buf[head_end..(head_end + content_len).min(buf.len())].to_vec();
            if tx.send((sig, body, status)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn webhooks_verified_for_two_products_and_redelivered_after_a_500() {
    let (sim, eid) = setup();
    let verifier = WebhookVerifier::new(vec![
        "an-old-secret".to_string().into(),
        DEFAULT_WEBHOOK_SECRET.to_string().into(),
    ])
    .expect("verifier")
    // The sim clock runs fast in this test, so its timestamps drift ahead of real time.
    .with_tolerance(Duration::from_secs(3600))
    .expect("tolerance");
    // The receiver fails the first finished delivery with a 500; it must come again.
    let (hook, deliveries) = receiver(vec![200, 500, 200, 200, 200]);
    http::send_json(
        "PUT",
        &format!("{}/_sim/clock", sim.base_url()),
        &json!({"speed": 20}),
    )
    .expect("clock");

    let mut req = request("hook-se");
    req.webhook = Some(hook.clone());
    let s = run(eid.bankid_se(&req, &BankIdSeOptions::default())).expect("create");
    browser(&s.redirect_url, "199001011234", "identify");

    let next = || {
        deliveries
            .recv_timeout(Duration::from_secs(15))
            .expect("a delivery")
    };
    let (sig, body, st) = next();
    assert_eq!(st, 200);
    let created = verifier
        .verify(&sig, &body)
        .expect("created event verifies");
    assert_eq!(created.event, "session_created");
    let (sig, body, st) = next();
    assert_eq!(st, 500, "first finished delivery refused by the receiver");
    let first = verifier.verify(&sig, &body).expect("verifies");
    assert_eq!(first.event, "session_finished");
    let (sig2, body2, _) = next();
    assert_eq!(body2, body, "redelivery carries the same event");
    let again = verifier
        .verify(&sig2, &body2)
        .expect("redelivery is signed anew, not a replay");
    assert_eq!(again.relay_state.as_deref(), Some("hook-se"));
    assert_eq!(again.status, Some(SessionStatus::Finished));
    assert_eq!(
        again.identity.and_then(|i| i.personal_number).as_deref(),
        Some("199001011234")
    );
    // The same delivery presented twice is a replay.
    assert_eq!(
        verifier.verify(&sig2, &body2).expect_err("replay").code(),
        ErrorCode::WebhookReplay
    );
    // A tampered body or a wrong secret fail.
    let mut tampered = body2.clone();
    if let Some(b) = tampered.iter_mut().find(|b| **b == b'F') {
        *b = b'G';
    }
    assert_eq!(
        verifier
            .verify(&sig2, &tampered)
            .expect_err("tampered")
            .code(),
        ErrorCode::WebhookInvalid
    );
    let other = WebhookVerifier::new(vec!["wrong".to_string().into()]).expect("verifier");
    let (sig3, body3, _) = {
        // A second product: MitID, cancelled, delivered with its error.
        let mut req = request("hook-dk");
        req.webhook = Some(hook);
        let m = run(eid.mitid(&req, &MitIdOptions::default())).expect("create");
        browser(&m.redirect_url, "0101901234", "cancel");
        let _created = next();
        next()
    };
    assert_eq!(
        other
            .verify(&sig3, &body3)
            .expect_err("wrong secret")
            .code(),
        ErrorCode::WebhookInvalid
    );
    let cancelled = verifier.verify(&sig3, &body3).expect("verifies");
    assert_eq!(cancelled.relay_state.as_deref(), Some("hook-dk"));
    assert_eq!(cancelled.status, Some(SessionStatus::Cancelled));
    assert_eq!(
        cancelled.errors.first().map(|e| e.code.as_str()),
        Some("CANCELLED_BY_USER")
    );
}

#[test]
fn stale_delivery_is_refused() {
    let verifier =
        WebhookVerifier::new(vec![DEFAULT_WEBHOOK_SECRET.to_string().into()]).expect("verifier");
    let body =
        br#"{"event":"session_finished","id":"x","result":{"status":"Finished","errors":[]}}"#;
    let old = signbridge::webhook::sign_v5(DEFAULT_WEBHOOK_SECRET, 1_000_000_000, body);
    assert_eq!(
        verifier.verify(&old, body).expect_err("stale").code(),
        ErrorCode::WebhookReplay
    );
}

#[test]
fn expired_sessions_and_bad_product_input() {
    let (sim, eid) = setup();
    let s = run(eid.bankid_se(&request("exp"), &BankIdSeOptions::default())).expect("create");
    http::send_json(
        "POST",
        &format!("{}/_sim/clock/advance", sim.base_url()),
        &json!({"seconds": 172_801}),
    )
    .expect("advance");
    let e = run(eid.wait(&EidProduct::bankid_se(), &s.id, &fast())).expect_err("expired");
    assert_eq!(e.code(), ErrorCode::SessionExpired);
    // Local validation before any request.
    let e = run(eid.bankid_se(
        &request("x"),
        &BankIdSeOptions {
            personal_number: Some("123".into()),
        },
    ))
    .expect_err("bad pn");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert!(EidProduct::core("identity_verification", "../x").is_err());
    let e = run(eid.create(
        &EidProduct::core("identity_verification", "nope").expect("path"),
        &request("x"),
    ))
    .expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound);
}
