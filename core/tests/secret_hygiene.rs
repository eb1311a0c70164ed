//! Run flows with every log at TRACE level (signbridge, reqwest, hyper, rustls…) and scan all
//! log lines, error messages and Debug strings for the configured secrets: zero hits allowed.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::{CreateSigning, Document};
use signbridge::webhook::{sign_v5, WebhookVerifier};
use signbridge::{Config, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_secret_in_trace_logs_errors_or_debug_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let primary = "hygiene-primary-7f3a9c21d4e8";
    let secondary = "hygiene-secondary-0b6e5d4c3a21";
    let wrong = "hygiene-wrong-key-5a5a5a5a5a";
    let webhook_secret = "hygiene-webhook-secret-99";
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        zignsec_keys: vec![primary.into(), secondary.into()],
        ..SimConfig::default()
    })
    .expect("sim");
    let make = |keys: &[&str]| {
        let cfg = Config::from_json(
            &json!({"zignsec": {"base_url": sim.base_url(), "keys": keys},
                    "transport": {"backoff_base_ms": 10}})
            .to_string(),
        )
        .expect("config");
        (format!("{cfg:?}"), Client::new(cfg).expect("client"))
    };
    let (cfg_dbg, client) = make(&[wrong, secondary]);
    let s = client.zignsec_signing().expect("signing");
    let mut texts = vec![cfg_dbg, format!("{client:?}"), format!("{s:?}")];

    // A whole flow, with the first key rejected (rotation) and faults on the way.
    let doc = Document {
        name: "a.pdf".into(),
        data: signbridge_sim::sample_pdf("hygiene", 1).into(),
        placement: None,
    };
    http::send_json(
        "POST",
        &format!("{}/_sim/faults", sim.base_url()),
        &json!({"kind": "status", "status": 500, "count": 1, "method": "GET"}),
    )
    .expect("fault");
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc])
        .expect("started");
    http::send_json(
        "POST",
        &format!(
            "{}/_sim/zignsec/signing/{}/complete",
            sim.base_url(),
            started.id
        ),
        &json!({}),
    )
    .expect("complete");
    let done = s
        .wait(
            &started.id,
            &WaitOptions {
                interval: Duration::from_millis(50),
                ..WaitOptions::default()
            },
        )
        .expect("finished");
    texts.push(format!("{done:?}"));
    let dir = tempfile::tempdir().expect("tmp");
    s.save_signed_files(&done, dir.path()).expect("saved");

    // Failures: both keys wrong, unknown session, corrupted download.
    let (cfg_dbg, bad) = make(&[wrong, "hygiene-also-wrong-1234"]);
    texts.push(cfg_dbg);
    let e = bad
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("auth");
    texts.push(format!("{e} {e:?}"));
    let e = s
        .status("00000000-0000-4000-8000-000000000000")
        .expect_err("unknown");
    texts.push(format!("{e} {e:?}"));
    let e = Config::from_json(&format!(r#"{{"zignsec": {{"keys": "{primary}"}}}}"#))
        .expect_err("bad config");
    texts.push(format!("{e} {e:?}"));

    // OAuth2: a bearer token fetched and used, then a wrong client secret refused.
    let oauth_cfg = |secret: &str| {
        Config::from_json(
            &json!({"zignsec": {"base_url": sim.base_url(), "keys": [primary],
                    "oauth2": {"client_id": signbridge_sim::DEFAULT_CLIENT_ID, "client_secret": secret}}})
            .to_string(),
        )
        .expect("config")
    };
    let cfg = oauth_cfg(signbridge_sim::DEFAULT_CLIENT_SECRET);
    texts.push(format!("{cfg:?}"));
    let oauth = Client::new(cfg).expect("client");
    texts.push(format!("{oauth:?}"));
    oauth
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("bearer create");
    let bad = Client::new(oauth_cfg("hygiene-wrong-client-secret")).expect("client");
    let e = bad
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("refused");
    texts.push(format!("{e} {e:?} {bad:?}"));

    // Webhook verification failures.
    let v = WebhookVerifier::new(vec![webhook_secret.to_string().into()]).expect("verifier");
    texts.push(format!("{v:?}"));
    let body = br#"{"event":"session_finished","id":"x"}"#;
    let e = v
        .verify(&sign_v5("other", 1, body), body)
        .expect_err("stale");
    texts.push(format!("{e} {e:?}"));

    let logs = String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned();
    assert!(
        logs.lines().count() > 20,
        "TRACE logging was captured ({} lines)",
        logs.lines().count()
    );
    texts.push(logs);
    let all = texts.join("\n");
    for secret in [
        primary,
        secondary,
        wrong,
        webhook_secret,
        "hygiene-also-wrong-1234",
    ] {
        assert!(
            !all.contains(secret),
            "secret {secret} leaked:\n{}",
            all.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
