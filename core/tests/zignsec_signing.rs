//! BankID Norway signing end to end against the simulator on loopback.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use signbridge::blocking::{Client, Signing};
use signbridge::providers::zignsec::{
    CreateSigning, Document, FileToSign, Placement, SigningStatus, StartSigning,
};
use signbridge::{CancelToken, Config, ErrorCode, SessionStatus, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

fn client_with(sim: &BackgroundSimulator, keys: &[&str], header: &str) -> Client {
    let cfg = Config::from_json(
        &json!({
            "zignsec": {"base_url": sim.base_url(), "keys": keys, "key_header": header},
            "transport": {"backoff_base_ms": 20, "backoff_max_ms": 100}
        })
        .to_string(),
    )
    .expect("config");
    Client::new(cfg).expect("client")
}

fn signing(sim: &BackgroundSimulator) -> Signing {
    client_with(
        sim,
        &[DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY],
        "product-key",
    )
    .zignsec_signing()
    .expect("zignsec configured")
}

fn control(
    sim: &BackgroundSimulator,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> http::HttpResponse {
    let r =
        http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control call");
    assert!(
        r.status < 300,
        "control {path} failed: {} {}",
        r.status,
        r.text()
    );
    r
}

fn fault(sim: &BackgroundSimulator, spec: serde_json::Value) {
    control(sim, "POST", "/_sim/faults", spec);
}

fn recorded(sim: &BackgroundSimulator) -> Vec<serde_json::Value> {
    let r = http::get(&format!("{}/_sim/requests", sim.base_url())).expect("requests");
    r.json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn clear_recorded(sim: &BackgroundSimulator) {
    control(sim, "DELETE", "/_sim/requests", json!(null));
}

fn fast_wait() -> WaitOptions<SigningStatus> {
    WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    }
}

fn pdf(title: &str, pages: usize) -> Vec<u8> {
    signbridge_sim::sample_pdf(title, pages)
}

fn doc(name: &str, pages: usize, placement: Option<Placement>) -> Document {
    Document {
        name: name.into(),
        data: pdf(name, pages).into(),
        placement,
    }
}

/// Fill in the hosted page as the given test user with `password`; returns the answer.
fn submit_page(
    redirect_url: &str,
    personal_number: &str,
    password: &str,
    action: &str,
) -> http::HttpResponse {
    let page = http::get(redirect_url).expect("page");
    assert_eq!(page.status, 200, "{}", page.text());
    let action_url = http::form_action(&page.text()).expect("form");
    let base = url::Url::parse(redirect_url).expect("url");
    let target = base.join(&action_url).expect("join");
    http::post_form(
        target.as_str(),
        &[
            ("personal_number", personal_number),
            ("otp", "otp"),
            ("password", password),
            ("action", action),
        ],
    )
    .expect("form post")
}

const AKSEL: &str = "06046517928";

#[test]
fn single_document_from_path_to_finished_with_verified_download() {
    let sim = sim();
    let s = signing(&sim);
    let dir = tempfile::tempdir().expect("tmp");
    let original = pdf("Contract", 1);
    let path = dir.path().join("contract.pdf");
    std::fs::write(&path, &original).expect("write");

    let session = s
        .create(&CreateSigning {
            redirect_success: Some("https://app.example/ok".into()),
            redirect_failure: Some("https://app.example/fail".into()),
            relay_state: Some("order-42".into()),
            ..CreateSigning::default()
        })
        .expect("create");
    assert_eq!(session.status, SessionStatus::Created);
    let up = s.upload_path(&session.id, &path).expect("upload");
    assert_eq!(up.name, "contract.pdf");
    let started = s
        .start(
            &session.id,
            &StartSigning {
                files: vec![FileToSign {
                    file_id: up.file_id.clone(),
                    placement: Some(Placement {
                        page: 1,
                        x: 72.0,
                        y: 100.0,
                    }),
                }],
                ..StartSigning::default()
            },
        )
        .expect("start");
    assert_eq!(started.status, SessionStatus::Pending);
    assert_eq!(
        s.status(&session.id).expect("status").status,
        SessionStatus::Pending
    );

    let answer = submit_page(&started.redirect_url, AKSEL, "qwer1234", "sign");
    assert_eq!(answer.status / 100, 3, "{}", answer.text());
    let location = answer.header("location").expect("redirect");
    assert!(location.starts_with("https://app.example/ok"), "{location}");
    assert!(location.contains("relay_state=order-42"), "{location}");

    let done = s.wait(&session.id, &fast_wait()).expect("finished");
    assert_eq!(done.status, SessionStatus::Finished);
    assert_eq!(done.relay_state.as_deref(), Some("order-42"));
    assert_eq!(done.input_files.len(), 1);
    assert_eq!(done.signed_files.len(), 1);
    let signer = done.signer.clone().expect("signer reported");
    assert_eq!(signer.name.as_deref(), Some("Aksel Herseth"));

    let out = dir.path().join("out/signed.pdf");
    std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
    let n = s
        .download_to(&done.signed_files[0], &out)
        .expect("download");
    let signed = std::fs::read(&out).expect("read");
    assert_eq!(n as usize, signed.len());
    assert!(signed.len() > original.len());
    assert!(
        signed.starts_with(&original),
        "signed PDF keeps the original bytes as prefix"
    );
    assert!(String::from_utf8_lossy(&signed[original.len()..]).contains("%%EOF"));
    // The original can be fetched too, and matches what was uploaded.
    let back = s.download(&done.input_files[0]).expect("download original");
    assert_eq!(&back[..], &original[..]);
}

#[test]
fn two_documents_in_one_session_finish_and_save() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(
            &CreateSigning::default(),
            &[
                doc(
                    "contract.pdf",
                    1,
                    Some(Placement {
                        page: 1,
                        x: 50.0,
                        y: 50.0,
                    }),
                ),
                doc(
                    "appendix.pdf",
                    2,
                    Some(Placement {
                        page: 2,
                        x: 300.0,
                        y: 120.0,
                    }),
                ),
            ],
        )
        .expect("started");
    assert_eq!(started.files.len(), 2);
    assert_ne!(started.files[0].file_id, started.files[1].file_id);

    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({"personal_number": "11920287974"}),
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let opts = WaitOptions {
        on_progress: Some(Arc::new(move |st: &SigningStatus| {
            seen2.lock().expect("lock").push(st.status.clone())
        })),
        ..fast_wait()
    };
    let done = s.wait(&started.id, &opts).expect("finished");
    assert_eq!(
        seen.lock().expect("lock").last(),
        Some(&SessionStatus::Finished)
    );
    assert_eq!(done.signed_files.len(), 2);
    let dir = tempfile::tempdir().expect("tmp");
    let paths = s.save_signed_files(&done, dir.path()).expect("saved");
    assert_eq!(paths.len(), 2);
    for p in &paths {
        let bytes = std::fs::read(p).expect("read");
        assert!(bytes.starts_with(b"%PDF-"));
    }
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["contract.pdf", "appendix.pdf"]);
}

#[test]
fn signer_cancels_on_the_page() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(
            &CreateSigning {
                redirect_failure: Some("https://app.example/fail".into()),
                ..CreateSigning::default()
            },
            &[doc("a.pdf", 1, None)],
        )
        .expect("started");
    let answer = submit_page(&started.redirect_url, AKSEL, "", "cancel");
    assert_eq!(answer.status / 100, 3);
    let loc = answer.header("location").expect("location");
    assert!(
        loc.starts_with("https://app.example/fail") && loc.contains("errorCode=CANCELLED"),
        "{loc}"
    );
    let err = s.wait(&started.id, &fast_wait()).expect_err("cancelled");
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert_eq!(err.provider_code(), Some("CANCELLED_BY_USER"));
    assert_eq!(err.http_status(), Some(410));
    let st = s.status(&started.id).expect("status");
    assert_eq!(st.status, SessionStatus::Cancelled);
    assert!(st.signed_files.is_empty());
    let dir = tempfile::tempdir().expect("tmp");
    let e = s
        .save_signed_files(&st, dir.path())
        .expect_err("nothing to save");
    assert_eq!(e.code(), ErrorCode::InvalidState);
}

#[test]
fn wrong_password_shows_an_error_then_the_right_one_signs() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
        .expect("started");
    let answer = submit_page(&started.redirect_url, AKSEL, "wrong-password", "sign");
    assert_eq!(answer.status, 200);
    assert!(
        answer.text().to_lowercase().contains("password"),
        "{}",
        answer.text()
    );
    assert_eq!(
        s.status(&started.id).expect("status").status,
        SessionStatus::Pending
    );
    let answer = submit_page(&started.redirect_url, AKSEL, "qwer1234", "sign");
    assert!(answer.status == 200 || answer.status / 100 == 3);
    assert_eq!(
        s.wait(&started.id, &fast_wait()).expect("done").status,
        SessionStatus::Finished
    );
}

#[test]
fn primary_key_revoked_mid_run_causes_no_failed_call() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
        .expect("started with the primary key");
    control(
        &sim,
        "POST",
        "/_sim/zignsec/keys/revoke",
        json!({"key": DEFAULT_PRIMARY_KEY}),
    );
    // Every later call succeeds: the first is retried with the secondary key, which then sticks.
    for _ in 0..3 {
        s.status(&started.id).expect("status after rotation");
    }
    clear_recorded(&sim);
    s.status(&started.id).expect("status");
    assert_eq!(
        recorded(&sim).len(),
        1,
        "the working key is used first from now on"
    );
    // A new pair is issued; the old secondary keeps working until the client restarts.
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/keys",
        json!({"keys": [DEFAULT_SECONDARY_KEY, "new-key-3"]}),
    );
    s.status(&started.id).expect("status with the new pair");
}

#[test]
fn legacy_authorization_header_scheme() {
    let sim = sim();
    let s = client_with(&sim, &[DEFAULT_PRIMARY_KEY], "authorization")
        .zignsec_signing()
        .expect("signing");
    clear_recorded(&sim);
    let session = s.create(&CreateSigning::default()).expect("create");
    s.status(&session.id).expect("status");
    let reqs = recorded(&sim);
    assert_eq!(reqs.len(), 2);
    for r in reqs {
        let headers: Vec<String> = serde_json::from_value(r["headers"].clone()).expect("names");
        assert!(headers.contains(&"authorization".to_string()));
        assert!(!headers.contains(&"zs-product-key".to_string()));
    }
}

#[test]
fn both_keys_wrong_is_an_auth_error_that_names_the_fix() {
    let sim = sim();
    let secret_a = "wrong-key-aaaaaaaaaaaaaaaa";
    let secret_b = "wrong-key-bbbbbbbbbbbbbbbb";
    let client = client_with(&sim, &[secret_a, secret_b], "product-key");
    let s = client.zignsec_signing().expect("signing");
    let err = s.create(&CreateSigning::default()).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::Auth);
    assert_eq!(err.http_status(), Some(403));
    assert!(
        err.message().contains("SIGNBRIDGE_ZIGNSEC_KEY"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("all 2 configured keys"),
        "{}",
        err.message()
    );
    // No secret in any rendering of the error or the client.
    for text in [
        err.to_string(),
        format!("{err:?}"),
        format!("{client:?}"),
        format!("{s:?}"),
    ] {
        assert!(
            !text.contains(secret_a) && !text.contains(secret_b),
            "{text}"
        );
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": "http://127.0.0.1:9", "keys": ["s3cr3t-primary", "s3cr3t-secondary"]}})
            .to_string(),
    )
    .expect("config");
    let text = format!("{cfg:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    let client = Client::new(cfg).expect("client");
    let text = format!("{client:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    let err = Config::from_json(r#"{"zignsec": {"keys": "s3cr3t-not-a-list"}}"#).expect_err("bad");
    assert!(!format!("{err:?}{err}").contains("s3cr3t"));
}

#[test]
fn bad_documents_are_refused_before_any_request() {
    let sim = sim();
    let s = signing(&sim);
    let session = s.create(&CreateSigning::default()).expect("create");
    clear_recorded(&sim);
    for (name, data) in [
        ("notes.txt", b"just some text\n".to_vec()),
        ("empty.pdf", Vec::new()),
        ("truncated.pdf", pdf("x", 1)[..40].to_vec()),
    ] {
        let err = s
            .upload_bytes(&session.id, name, data)
            .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::InvalidDocument, "{name}: {err}");
        assert!(err.message().contains(name));
    }
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("missing.pdf");
    assert_eq!(
        s.upload_path(&session.id, &missing)
            .expect_err("missing")
            .code(),
        ErrorCode::Io
    );
    let err = s
        .sign_documents(
            &CreateSigning::default(),
            &[Document {
                name: "x.doc".into(),
                data: b"PK\x03\x04".to_vec().into(),
                placement: None,
            }],
        )
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidDocument);
    assert!(
        recorded(&sim).is_empty(),
        "no request was sent for a bad document"
    );
}

#[test]
fn bad_ids_and_unknown_sessions() {
    let sim = sim();
    let s = signing(&sim);
    assert_eq!(
        s.status("../../admin").expect_err("bad id").code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        s.status("").expect_err("empty").code(),
        ErrorCode::InvalidArgument
    );
    let e = s
        .status("00000000-0000-4000-8000-000000000000")
        .expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(e.http_status(), Some(404));
    assert_eq!(e.provider_code(), Some("NOT_FOUND"));
    let e = s
        .start(
            "00000000-0000-4000-8000-000000000000",
            &StartSigning::default(),
        )
        .expect_err("no files");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    let bad = Placement {
        page: 0,
        x: 1.0,
        y: 1.0,
    };
    let e = s
        .start(
            "abc",
            &StartSigning {
                files: vec![FileToSign {
                    file_id: "f".into(),
                    placement: Some(bad),
                }],
                ..StartSigning::default()
            },
        )
        .expect_err("page 0");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

#[test]
fn corrupted_download_is_an_integrity_error_and_leaves_nothing() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
        .expect("started");
    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({}),
    );
    let done = s.wait(&started.id, &fast_wait()).expect("finished");
    fault(
        &sim,
        json!({"kind": "corrupt", "count": 1, "path_prefix": "/folders/"}),
    );
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("signed.pdf");
    let err = s
        .download_to(&done.signed_files[0], &target)
        .expect_err("corrupt");
    assert_eq!(err.code(), ErrorCode::Integrity);
    assert!(!target.exists(), "nothing is left at the path");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
    // The next download (no fault) succeeds.
    s.download_to(&done.signed_files[0], &target)
        .expect("download");
    assert!(target.exists());
}

#[test]
fn server_error_on_get_is_retried_but_create_is_never_repeated() {
    let sim = sim();
    let s = signing(&sim);
    let session = s.create(&CreateSigning::default()).expect("create");
    fault(
        &sim,
        json!({"kind": "status", "status": 500, "count": 1, "method": "GET"}),
    );
    s.status(&session.id).expect("GET retried after a 500");
    fault(&sim, json!({"kind": "drop", "count": 1, "method": "GET"}));
    s.status(&session.id)
        .expect("GET retried after a dropped connection");

    fault(
        &sim,
        json!({"kind": "status", "status": 503, "count": 1, "method": "POST"}),
    );
    clear_recorded(&sim);
    let err = s
        .create(&CreateSigning::default())
        .expect_err("not retried");
    assert_eq!(err.code(), ErrorCode::ProviderUnavailable);
    assert!(err.is_retryable());
    assert_eq!(recorded(&sim).len(), 1, "a create is sent once");

    fault(
        &sim,
        json!({"kind": "status", "status": 500, "count": 5, "method": "GET"}),
    );
    let e = s.status(&session.id).expect_err("retries exhausted");
    assert_eq!(e.code(), ErrorCode::ProviderUnavailable);
    control(&sim, "DELETE", "/_sim/faults", json!(null));
}

#[test]
fn rate_limit_honours_retry_after() {
    let sim = sim();
    let s = signing(&sim);
    let session = s.create(&CreateSigning::default()).expect("create");
    fault(
        &sim,
        json!({"kind": "rate_limit", "retry_after": 1, "count": 1, "method": "GET"}),
    );
    let t0 = Instant::now();
    s.status(&session.id).expect("succeeds after waiting");
    assert!(
        t0.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    // A Retry-After longer than the client accepts is handed to the caller.
    fault(
        &sim,
        json!({"kind": "rate_limit", "retry_after": 3600, "count": 1, "method": "GET"}),
    );
    let e = s.status(&session.id).expect_err("rate limited");
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(e.http_status(), Some(429));
}

#[test]
fn malformed_answers_are_protocol_errors() {
    let sim = sim();
    let s = signing(&sim);
    fault(
        &sim,
        json!({"kind": "malformed", "count": 1, "method": "POST"}),
    );
    // The provider said it created the session: an unreadable answer must not invite a retry.
    let e = s.create(&CreateSigning::default()).expect_err("malformed");
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown);
    assert_eq!(e.http_status(), Some(200));
    assert!(e.message().contains("carried out"), "{}", e.message());
    // A read with an unreadable answer is a protocol error.
    let session = s.create(&CreateSigning::default()).expect("create");
    fault(
        &sim,
        json!({"kind": "malformed", "count": 1, "method": "GET"}),
    );
    let e = s.status(&session.id).expect_err("malformed");
    assert_eq!(e.code(), ErrorCode::Protocol);
}

#[test]
fn download_url_on_a_foreign_origin_never_receives_a_key() {
    let sim = sim();
    let other = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("second listener");
    let s = signing(&sim);
    control(
        &sim,
        "PUT",
        "/_sim/config",
        json!({"media_base_url": other.base_url()}),
    );
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
        .expect("started");
    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({}),
    );
    let done = s.wait(&started.id, &fast_wait()).expect("finished");
    let url = done.signed_files[0].url.clone().expect("url");
    assert!(url.starts_with(other.base_url()), "{url}");
    clear_recorded(&other);
    // A URL outside the service's origins is not fetched at all.
    let err = s
        .download(&done.signed_files[0])
        .expect_err("not one of the service's origins");
    assert_eq!(err.code(), ErrorCode::Protocol);
    assert!(err.message().contains("zignsec.service_origins"), "{err}");
    assert!(
        recorded(&other).is_empty(),
        "the foreign host was not asked"
    );
}

#[test]
fn wait_deadline_and_cancel_token() {
    let sim = sim();
    let s = signing(&sim);
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
        .expect("started");
    let opts = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_millis(400)),
        ..WaitOptions::default()
    };
    let e = s.wait(&started.id, &opts).expect_err("still pending");
    assert_eq!(e.code(), ErrorCode::Timeout);
    assert!(e.message().contains("wait again"), "{}", e.message());

    let token = CancelToken::new();
    let t2 = token.clone();
    let opts = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: None,
        cancel: Some(token),
        on_progress: None,
    };
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        t2.cancel();
    });
    let e = s.wait(&started.id, &opts).expect_err("aborted");
    assert_eq!(e.code(), ErrorCode::Aborted);
    canceller.join().expect("join");
    // The session itself goes on and can still be finished.
    assert_eq!(
        s.status(&started.id).expect("status").status,
        SessionStatus::Pending
    );
}

#[test]
fn expired_and_failed_sessions_map_to_their_codes() {
    let sim = sim();
    let s = signing(&sim);
    for (action, code) in [
        ("expire", ErrorCode::SessionExpired),
        ("fail", ErrorCode::SigningFailed),
    ] {
        let started = s
            .sign_documents(&CreateSigning::default(), &[doc("a.pdf", 1, None)])
            .expect("started");
        control(
            &sim,
            "POST",
            &format!("/_sim/zignsec/signing/{}/{action}", started.id),
            json!({}),
        );
        let e = s.wait(&started.id, &fast_wait()).expect_err("unsuccessful");
        assert_eq!(e.code(), code, "{e}");
    }
}

#[test]
fn unreachable_gateway_is_a_network_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": format!("http://127.0.0.1:{port}"), "keys": ["k"]},
                "transport": {"max_attempts": 2, "backoff_base_ms": 10}})
        .to_string(),
    )
    .expect("config");
    let s = Client::new(cfg)
        .expect("client")
        .zignsec_signing()
        .expect("signing");
    let e = s.create(&CreateSigning::default()).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Network);
    assert!(e.is_retryable());
}

#[test]
fn slow_server_hits_the_request_timeout() {
    let sim = sim();
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]},
                "transport": {"request_timeout_ms": 300, "max_attempts": 1}})
        .to_string(),
    )
    .expect("config");
    let s = Client::new(cfg)
        .expect("client")
        .zignsec_signing()
        .expect("signing");
    let session = s.create(&CreateSigning::default()).expect("create");
    fault(
        &sim,
        json!({"kind": "delay", "delay_ms": 2000, "count": 1, "method": "GET"}),
    );
    let e = s.status(&session.id).expect_err("timeout");
    assert_eq!(e.code(), ErrorCode::Timeout);
    // A create that times out may have been carried out: it is reported as such, not resent.
    fault(
        &sim,
        json!({"kind": "delay", "delay_ms": 2000, "count": 1, "method": "POST"}),
    );
    let e = s.create(&CreateSigning::default()).expect_err("timeout");
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown);
    assert!(e.message().contains("timed out"), "{}", e.message());
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let cfg = Config::from_json(
        r#"{"zignsec": {"base_url": "http://gateway.example.com", "keys": ["k"]}}"#,
    )
    .expect("parses");
    let e = Client::new(cfg).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    let e = Client::new(Config::default()).expect_err("nothing configured");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
}

#[test]
fn async_api_from_a_callers_own_runtime() {
    let sim = sim();
    let client = client_with(&sim, &[DEFAULT_PRIMARY_KEY], "product-key");
    // Two short-lived runtimes in a row: pooled connections must not die with the first one.
    for _ in 0..2 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let c = client.as_async().clone();
        rt.block_on(async move {
            let s = c.zignsec().expect("zignsec").signing();
            let session = s.create(&CreateSigning::default()).await.expect("create");
            s.status(&session.id).await.expect("status");
            // The blocking API refuses to run here instead of deadlocking.
            let blocking = Client::from_async(c.clone())
                .zignsec_signing()
                .expect("signing");
            assert_eq!(
                blocking
                    .status(&session.id)
                    .expect_err("wrong context")
                    .code(),
                ErrorCode::WrongContext
            );
        });
    }
}

/// A valid PDF of about `mb` megabytes (the sample PDF, padded with PDF comment lines).
fn large_pdf(mb: usize) -> Vec<u8> {
    let mut data = pdf("Large", 1);
    let line = b"%0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    while data.len() < mb * 1_000_000 {
        data.extend_from_slice(line);
    }
    data.extend_from_slice(b"%%EOF\n");
    data
}

/// The md5 of `data` in hex and in base64 (the gateway may report either).
fn md5_of(data: &[u8]) -> (String, String) {
    use base64::Engine as _;
    use md5::Digest as _;
    let digest = md5::Md5::digest(data);
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    (
        hex,
        base64::engine::general_purpose::STANDARD.encode(digest),
    )
}

#[test]
fn large_document_streams_up_from_a_file_and_down_into_one() {
    let sim = sim();
    let s = signing(&sim);
    let dir = tempfile::tempdir().expect("tmp");
    let original = large_pdf(12);
    let path = dir.path().join("large.pdf");
    std::fs::write(&path, &original).expect("write");
    let session = s.create(&CreateSigning::default()).expect("create");
    let up = s.upload_path(&session.id, &path).expect("upload");
    assert_eq!(up.name, "large.pdf");
    // The gateway received exactly the file: its md5 is the file's.
    let st = s.status(&session.id).expect("status");
    let file = st
        .input_files
        .iter()
        .find(|f| f.id == up.file_id)
        .expect("listed")
        .clone();
    let reported = file.md5.clone().expect("md5 reported");
    let (hex, b64) = md5_of(&original);
    assert!(
        reported == b64 || reported.eq_ignore_ascii_case(&hex),
        "{reported}"
    );
    // Streamed into a file, verified, renamed; nothing else left in the directory.
    let out = dir.path().join("back.pdf");
    let n = s.download_to(&file, &out).expect("download");
    assert_eq!(n as usize, original.len());
    assert!(
        std::fs::read(&out).expect("read") == original,
        "same bytes back"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Downloading over an existing file replaces it; a bad md5 leaves it untouched.
    let mut wrong = file.clone();
    wrong.md5 = Some("AAAAAAAAAAAAAAAAAAAAAA==".into());
    let e = s.download_to(&wrong, &out).expect_err("mismatch");
    assert_eq!(e.code(), ErrorCode::Integrity);
    assert!(std::fs::read(&out).expect("read") == original, "untouched");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
    // A non-PDF file is refused before anything is sent, from its first bytes.
    let text = dir.path().join("notes.pdf");
    std::fs::write(&text, vec![b'x'; 5000]).expect("write");
    clear_recorded(&sim);
    let e = s.upload_path(&session.id, &text).expect_err("not a pdf");
    assert_eq!(e.code(), ErrorCode::InvalidDocument);
    let mut truncated = original.clone();
    truncated.truncate(original.len() - 4000);
    std::fs::write(&text, &truncated).expect("write");
    let e = s.upload_path(&session.id, &text).expect_err("no %%EOF");
    assert_eq!(e.code(), ErrorCode::InvalidDocument);
    assert!(recorded(&sim).is_empty(), "nothing sent for bad files");
}

#[test]
fn an_upload_gets_time_for_its_size_a_status_call_does_not() {
    let sim = sim();
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]},
                "transport": {"request_timeout_ms": 300, "max_attempts": 1,
                              "min_transfer_bytes_per_s": 1000}})
        .to_string(),
    )
    .expect("config");
    let s = Client::new(cfg)
        .expect("client")
        .zignsec_signing()
        .expect("signing");
    let session = s.create(&CreateSigning::default()).expect("create");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, large_pdf(1)).expect("write");
    // The gateway takes longer than request_timeout_ms to take the upload: 1 MB at the
    // assumed 1000 bytes/s is given 1000 s more, so it completes.
    fault(
        &sim,
        json!({"kind": "delay", "delay_ms": 1500, "count": 1, "method": "POST",
               "path_prefix": "/api/v5/sessions/signing/"}),
    );
    let up = s
        .upload_path(&session.id, &path)
        .expect("upload within its time");
    assert!(!up.file_id.is_empty());
    // The same delay on a small call is a timeout.
    fault(
        &sim,
        json!({"kind": "delay", "delay_ms": 1500, "count": 1, "method": "GET"}),
    );
    let e = s.status(&session.id).expect_err("timeout");
    assert_eq!(e.code(), ErrorCode::Timeout);
    assert!(
        e.message().contains("request_timeout_ms"),
        "{}",
        e.message()
    );
}

/// Document names are made safe once, by the same rule as everywhere (no hidden files, no
/// characters Windows refuses, at most 200 bytes keeping `.pdf`) before they are uploaded, and
/// signed files whose names differ only in case are saved side by side, not over each other.
#[test]
fn document_names_are_uploaded_and_saved_safely() {
    let sim = sim();
    let s = signing(&sim);
    let long = format!("{}.pdf", "æ".repeat(300));
    let names = [
        ".hidden.pdf",
        "Q3: report?.pdf",
        "../Contract.pdf",
        "contract.pdf",
        long.as_str(),
    ];
    let docs: Vec<Document> = names.iter().map(|n| doc(n, 1, None)).collect();
    let started = s
        .sign_documents(&CreateSigning::default(), &docs)
        .expect("started");
    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({"personal_number": AKSEL}),
    );
    let done = s.wait(&started.id, &fast_wait()).expect("finished");
    let short = format!("{}.pdf", "æ".repeat(98));
    let uploaded: Vec<&str> = done.input_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        uploaded,
        [
            "hidden.pdf",
            "Q3 report.pdf",
            "Contract.pdf",
            "contract.pdf",
            short.as_str()
        ]
    );
    let dir = tempfile::tempdir().expect("tmp");
    let paths = s.save_signed_files(&done, dir.path()).expect("saved");
    let saved: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        saved,
        [
            "hidden.pdf",
            "Q3 report.pdf",
            "Contract.pdf",
            "contract-2.pdf",
            short.as_str()
        ]
    );
    for (p, f) in paths.iter().zip(&done.signed_files) {
        assert!(std::fs::read(p).expect("read") == s.download(f).expect("download"));
    }
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 5);
}
