//! The ZignSec seed statements and the download rules, each against
//! the simulator, which refuses what the service would refuse: the old client's requests fail.

use std::time::Duration;

use serde_json::json;
use signbridge::blocking::{Client, Signing};
use signbridge::providers::zignsec::{CreateSigning, Document, FileRef, SigningStatus};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

fn client(zignsec: serde_json::Value) -> Client {
    let cfg = Config::from_json(
        &json!({"zignsec": zignsec, "transport": {"backoff_base_ms": 20, "backoff_max_ms": 100}})
            .to_string(),
    )
    .expect("config");
    Client::new(cfg).expect("client")
}

fn signing(sim: &BackgroundSimulator, extra: serde_json::Value) -> Signing {
    let mut z =
        json!({"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY]});
    if let (Some(z), Some(e)) = (z.as_object_mut(), extra.as_object()) {
        z.extend(e.clone());
    }
    client(z).zignsec_signing().expect("zignsec configured")
}

fn control(base: &str, method: &str, path: &str, body: serde_json::Value) {
    let r = http::send_json(method, &format!("{base}{path}"), &body).expect("control call");
    assert!(r.status < 300, "control {path}: {} {}", r.status, r.text());
}

fn recorded(base: &str) -> Vec<serde_json::Value> {
    let r = http::get(&format!("{base}/_sim/requests")).expect("requests");
    r.json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn fast_wait() -> WaitOptions<SigningStatus> {
    WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    }
}

fn doc(name: &str) -> Document {
    Document {
        name: name.into(),
        data: signbridge_sim::sample_pdf(name, 1).into(),
        placement: None,
    }
}

/// Two documents signed and finished (completed through the control API).
fn finished(sim_base: &str, s: &Signing) -> SigningStatus {
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc("a.pdf"), doc("b.pdf")])
        .expect("started");
    // Seed 001: the second upload's answer numbers both files; the client took file_id_2.
    assert_ne!(started.files[0].file_id, started.files[1].file_id);
    control(
        sim_base,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({}),
    );
    s.wait(&started.id, &fast_wait()).expect("finished")
}

fn header_names(r: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(r["headers"].clone()).expect("names")
}

/// Seed 001, GET document: "You must use Authorization header with your Subscription key".
/// The old client sent `Zs-Product-Key` there, which the simulator now refuses (401).
#[test]
fn seed_001_documents_are_fetched_with_the_key_in_authorization() {
    let sim = sim();
    let s = signing(&sim, json!({}));
    let done = finished(sim.base_url(), &s);
    assert_eq!(done.signed_files.len(), 2);
    control(sim.base_url(), "DELETE", "/_sim/requests", json!(null));
    for f in &done.signed_files {
        s.download(f).expect("download");
    }
    let media: Vec<_> = recorded(sim.base_url())
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/folders/"))
        })
        .collect();
    assert_eq!(media.len(), 2);
    for r in &media {
        let h = header_names(r);
        assert!(h.iter().any(|h| h == "authorization"), "{h:?}");
        assert!(!h.iter().any(|h| h == "zs-product-key"), "{h:?}");
    }
    // Rotation to the other key on 401/403, as everywhere.
    control(
        sim.base_url(),
        "POST",
        "/_sim/zignsec/keys/revoke",
        json!({"key": DEFAULT_PRIMARY_KEY}),
    );
    s.download(&done.signed_files[0])
        .expect("the secondary key downloads");
}

/// Seed 001: the multi-document flow's numbered ids, and the one documented start body. The
/// old client's `{"files": [...]}` start body is refused by the simulator (400).
#[test]
fn seed_001_multi_document_upload_and_start_body() {
    let sim = sim();
    let s = signing(&sim, json!({}));
    let done = finished(sim.base_url(), &s);
    assert_eq!(done.input_files.len(), 2);
    let names: Vec<&str> = done.input_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a.pdf", "b.pdf"]);
    // The old body is what the simulator now refuses.
    let fresh = s.create(&CreateSigning::default()).expect("create");
    let up = s
        .upload_bytes(&fresh.id, "c.pdf", signbridge_sim::sample_pdf("c", 1))
        .expect("upload");
    let r = http::send_json_with(
        "POST",
        &format!(
            "{}/api/v5/sessions/signing/{}/sign",
            sim.base_url(),
            fresh.id
        ),
        &json!({"files": [{"file_id": up.file_id}]}),
        &[("Zs-Product-Key", DEFAULT_PRIMARY_KEY)],
    )
    .expect("sign");
    assert_eq!(r.status, 400, "{}", r.text());
}

/// Provider URLs are https (loopback exempt), on the service's origins, never
/// link-local; a document without a checksum is refused unless the user opts in.
#[test]
fn download_urls_and_checksums_are_checked() {
    let sim = sim();
    let other = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("second listener");
    let s = signing(&sim, json!({}));
    let done = finished(sim.base_url(), &s);
    let file = |url: String, md5: Option<String>| FileRef {
        url: Some(url),
        md5,
        ..done.signed_files[0].clone()
    };
    let path = url::Url::parse(done.signed_files[0].url.as_deref().expect("url"))
        .expect("url")
        .path()
        .to_owned();
    for (url, what) in [
        (format!("http://gateway.example{path}"), "plain http"),
        (format!("https://169.254.169.254{path}"), "metadata"),
        (format!("https://[fd00:ec2::254]{path}"), "metadata v6"),
        (format!("{}{path}", other.base_url()), "another origin"),
    ] {
        let e = s
            .download(&file(url, done.signed_files[0].md5.clone()))
            .expect_err(what);
        assert_eq!(e.code(), ErrorCode::Protocol, "{what}: {e}");
    }
    // No checksum: refused, unless opted in.
    let bare = file(format!("{}{path}", sim.base_url()), None);
    let e = s.download(&bare).expect_err("no md5");
    assert_eq!(e.code(), ErrorCode::Integrity, "{e}");
    let lax = signing(&sim, json!({"allow_unverified_downloads": true}));
    assert!(!lax.download(&bare).expect("opted in").is_empty());
    // An origin the user adds is part of the service: the key goes there too.
    control(
        sim.base_url(),
        "PUT",
        "/_sim/config",
        json!({"media_base_url": other.base_url()}),
    );
    let moved = s.status(&done.id).expect("status");
    assert!(moved.signed_files[0]
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with(other.base_url())));
    let wide = signing(&sim, json!({"service_origins": [other.base_url()]}));
    // The second simulator knows neither the session nor the file, but it was asked with the key.
    let e = wide
        .download(&moved.signed_files[0])
        .expect_err("unknown there");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let asked = recorded(other.base_url());
    assert!(asked
        .iter()
        .any(|r| header_names(r).iter().any(|h| h == "authorization")));
}

fn mtls_config(
    sim: &BackgroundSimulator,
    pki: &signbridge_sim::TestPki,
    with_gateway: bool,
) -> serde_json::Value {
    let mut z = json!({
        "base_url": sim.tls_base_url().expect("tls listener"),
        "keys": [DEFAULT_PRIMARY_KEY],
        "client_cert": {"cert": {"file": pki.client_cert}, "key": {"file": pki.client_key}},
    });
    if with_gateway {
        // The simulator's file URLs name its plain listener, as the real session's file URLs
        // name the gateway host while the API is called on the two-way TLS host.
        z["service_origins"] = json!([sim.base_url()]);
    }
    z
}

/// Seed 000: with a client certificate the API is on the two-way TLS host while the session's
/// file URLs point at the gateway host. Both are origins of one service: the download works
/// (the old client withheld the key there and failed with 401).
#[test]
fn seed_000_two_way_tls_downloads_from_the_gateway_host() {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = |with_gateway| {
        Config::from_json(
            &json!({"zignsec": mtls_config(&sim, &pki, with_gateway),
                    "transport": {"ca_file": pki.ca_cert, "max_attempts": 1}})
            .to_string(),
        )
        .expect("config")
    };
    let s = Client::new(cfg(true))
        .expect("client")
        .zignsec_signing()
        .expect("signing");
    let done = finished(sim.base_url(), &s);
    let out = dir.path().join("signed");
    let saved = s.save_signed_files(&done, &out).expect("saved");
    assert_eq!(saved.len(), 2);
    let reqs = recorded(sim.base_url());
    assert!(
        reqs.iter().any(|r| r["mtls"] == true),
        "the API went over mTLS"
    );
    // Without the gateway among the service's origins the URL is refused before any request.
    let narrow = Client::new(cfg(false))
        .expect("client")
        .zignsec_signing()
        .expect("signing");
    let e = narrow
        .download(&done.signed_files[0])
        .expect_err("not the service");
    assert_eq!(e.code(), ErrorCode::Protocol, "{e}");
}

/// Fill in the hosted page as a test user and press `action` (`sign` or `cancel`); the URL the
/// browser is sent back to.
fn browser_returns(redirect_url: &str, action: &str) -> String {
    let page = http::get(redirect_url).expect("page");
    let action_url = http::form_action(&page.text()).expect("form");
    let target = url::Url::parse(redirect_url)
        .expect("url")
        .join(&action_url)
        .expect("join");
    let answer = http::post_form(
        target.as_str(),
        &[
            ("personal_number", "06046517928"),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", action),
        ],
    )
    .expect("form post");
    assert_eq!(answer.status / 100, 3, "{}", answer.text());
    answer.header("location").expect("redirect").to_owned()
}

/// Seeds 002/001: the signing redirect-return helper, like the eID one — the target redirect
/// after signing, the cancel redirect, and a return that is not the session's.
#[test]
fn seed_002_signing_redirect_return_helper() {
    let sim = sim();
    let s = signing(&sim, json!({}));
    let create = CreateSigning {
        redirect_success: Some("https://app.example/ok".into()),
        redirect_failure: Some("https://app.example/fail".into()),
        relay_state: Some("order-42".into()),
        ..CreateSigning::default()
    };
    let started = s.sign_documents(&create, &[doc("a.pdf")]).expect("started");
    let back = browser_returns(&started.redirect_url, "sign");
    assert!(back.starts_with("https://app.example/ok"), "{back}");
    // Someone else's return, or another relay state: refused before the session counts.
    let e = s
        .complete_redirect(&started.id, &back, Some("order-43"))
        .expect_err("foreign relay state");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    let done = s
        .complete_redirect(&started.id, &back, Some("order-42"))
        .expect("finished");
    assert_eq!(done.status, signbridge::SessionStatus::Finished);
    assert_eq!(done.signed_files.len(), 1);

    let cancelled = s.sign_documents(&create, &[doc("b.pdf")]).expect("started");
    let back = browser_returns(&cancelled.redirect_url, "cancel");
    assert!(back.starts_with("https://app.example/fail"), "{back}");
    let e = s
        .complete_redirect(&cancelled.id, &back, Some("order-42"))
        .expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
    // The OAuth-style error of seed 001's error handling, without any request.
    let e = s
        .complete_redirect(
            &cancelled.id,
            "https://app.example/fail?error=access_denied&error_description=User+left&relay_state=order-42",
            Some("order-42"),
        )
        .expect_err("access_denied");
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert!(
        e.message().contains("the signer cancelled the signing"),
        "{e}"
    );
    assert_eq!(e.provider_code(), Some("access_denied"));
    // The same helper from every language goes through the operation table.
    let c = client(json!({"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]}));
    let e = c
        .call(
            "zignsec.complete_signing_redirect",
            json!({"session_id": cancelled.id, "returned_url": "?errorCode=CANCELLED"}),
            &signbridge::api::CallContext::default(),
        )
        .expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled);
}

/// Seed 000: any product path with any body, authenticated and error-mapped — the seed's own
/// two-way TLS example runs against the simulator's TLS listener (which before answered 404).
#[test]
fn seed_000_any_product_path_and_the_two_way_tls_example() {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .expect("sim");
    let c = Client::new(
        Config::from_json(
            &json!({"zignsec": mtls_config(&sim, &pki, false),
                    "transport": {"ca_file": pki.ca_cert, "max_attempts": 1}})
            .to_string(),
        )
        .expect("config"),
    )
    .expect("client");
    let ctx = signbridge::api::CallContext::default();
    let answer = c
        .call(
            "zignsec.session_call",
            json!({"path": "/core/api/sessions/bankidse/auth",
                   "body": {"personalNumber": "198001011234", "endUserIp": "192.168.1.1"}}),
            &ctx,
        )
        .expect("the seed's example");
    assert!(answer["id"].is_string(), "{answer}");
    assert!(answer["orderRef"].is_string(), "{answer}");
    let reqs = recorded(sim.base_url());
    let last = reqs.last().expect("recorded");
    assert_eq!(last["mtls"], true);
    assert!(header_names(last).iter().any(|h| h == "zs-product-key"));
    // Errors are mapped like the typed calls'.
    let e = c
        .call(
            "zignsec.session_call",
            json!({"path": "/core/api/sessions/bankidse/auth", "body": {"personalNumber": "1"}}),
            &ctx,
        )
        .expect_err("refused");
    assert_eq!(e.http_status(), Some(400), "{e}");
    let e = c
        .call(
            "zignsec.session_call",
            json!({"method": "GET", "path": "/core/api/sessions/00000000-0000-4000-8000-000000000000"}),
            &ctx,
        )
        .expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let e = c
        .call(
            "zignsec.session_call",
            json!({"path": "https://evil.example/x"}),
            &ctx,
        )
        .expect_err("not a gateway path");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

/// A bearer token the gateway refuses is reported as a refused token with the
/// gateway's `WWW-Authenticate` reason, not as "the configured key was rejected".
#[test]
fn a_rejected_bearer_token_says_so_with_the_gateways_reason() {
    let gateway = sim();
    // Tokens from another issuer (signed with another key): the gateway refuses every one.
    let other = sim();
    let c = client(json!({
        "base_url": gateway.base_url(),
        "keys": [DEFAULT_PRIMARY_KEY],
        "oauth2": {"client_id": signbridge_sim::DEFAULT_CLIENT_ID,
                   "client_secret": signbridge_sim::DEFAULT_CLIENT_SECRET,
                   "token_url": format!("{}{}", other.base_url(), signbridge_sim::TOKEN_PATH)},
    }));
    let e = c
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("token refused");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert!(e.message().contains("access token was rejected"), "{e}");
    assert!(e.message().contains("invalid_token"), "{e}");
    assert!(!e.message().contains("configured key"), "{e}");
}

/// A directory given as a document is SB_ERR_IO (as the C header documents),
/// a placement page beyond the document is refused locally, and a plain-http discovery URL names
/// the field to fix.
#[test]
fn local_errors_name_what_to_fix() {
    let sim = sim();
    let s = signing(&sim, json!({}));
    let session = s.create(&CreateSigning::default()).expect("create");
    let dir = tempfile::tempdir().expect("tmp");
    let e = s
        .upload_path(&session.id, dir.path())
        .expect_err("a directory");
    assert_eq!(e.code(), ErrorCode::Io, "{e}");
    control(sim.base_url(), "DELETE", "/_sim/requests", json!(null));
    let beyond = Document {
        placement: Some(signbridge::providers::zignsec::Placement {
            page: 3,
            x: 10.0,
            y: 10.0,
        }),
        ..doc("two-pages.pdf")
    };
    let e = s
        .sign_documents(&CreateSigning::default(), &[beyond])
        .expect_err("no page 3");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    assert!(e.message().contains("has 1 page"), "{e}");
    assert!(recorded(sim.base_url()).is_empty(), "nothing was sent");
    let cfg = Config::from_json(
        &json!({"zignsec": {"keys": [DEFAULT_PRIMARY_KEY], "oauth2": {
            "client_id": "c", "client_secret": "s",
            "discovery_url": "http://idp.example/.well-known/openid-configuration"}}})
        .to_string(),
    )
    .expect("config");
    let e = Client::new(cfg).expect_err("plain http discovery");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("zignsec.oauth2.discovery_url"), "{e}");
}

/// A discovery URL that answers 404 names the fix, not "the provider does not know
/// this session or file"; an issuer is discovered at {issuer}/.well-known/openid-configuration.
#[test]
fn discovery_404_and_the_issuer() {
    let sim = sim();
    let with = |oauth: serde_json::Value| {
        let mut o = json!({"client_id": signbridge_sim::DEFAULT_CLIENT_ID,
                           "client_secret": signbridge_sim::DEFAULT_CLIENT_SECRET});
        if let (Some(o), Some(extra)) = (o.as_object_mut(), oauth.as_object()) {
            o.extend(extra.clone());
        }
        client(json!({"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY], "oauth2": o}))
            .zignsec_signing()
            .expect("signing")
            .create(&CreateSigning::default())
    };
    let e = with(json!({"discovery_url": format!("{}/no/such/.well-known/openid-configuration", sim.base_url())}))
        .expect_err("404");
    assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
    assert!(e.message().contains("no OpenID configuration at"), "{e}");
    assert!(e.message().contains("oauth2.issuer"), "{e}");
    with(json!({"issuer": format!("{}/auth/realms/zignsec", sim.base_url())}))
        .expect("the issuer's discovery document names the token endpoint");
}
