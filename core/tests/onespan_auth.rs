//! OneSpan Sign authentication against the simulator: API key, Client App tokens and OAuth 2.0
//! client credentials; wrong secrets, tokens that expire or are revoked mid-run, single-flight
//! refresh, and secrets that never show in errors or Debug output.

use serde_json::{json, Value};
use signbridge::blocking::{Client, Onespan};
use signbridge::providers::onespan::{
    AuthMethod, DocumentSpec, ListQuery, NewPackage, SignatureField, Signer,
};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, ONESPAN_API_KEY, ONESPAN_CLIENT_APP_ID,
    ONESPAN_CLIENT_APP_SECRET, ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET,
    ONESPAN_SENDER_EMAIL,
};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) -> Value {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
    r.json().unwrap_or(Value::Null)
}

fn auth_state(sim: &BackgroundSimulator) -> Value {
    http::get(&format!("{}/_sim/onespan/auth", sim.base_url()))
        .expect("auth state")
        .json()
        .expect("json")
}

fn issued(sim: &BackgroundSimulator, which: &str) -> u64 {
    auth_state(sim)[which].as_u64().expect("count")
}

fn config(sim: &BackgroundSimulator, auth: Value) -> Config {
    let mut section = json!({"base_url": sim.base_url()});
    if let (Some(s), Some(a)) = (section.as_object_mut(), auth.as_object()) {
        for (k, v) in a {
            s.insert(k.clone(), v.clone());
        }
    }
    Config::from_json(
        &json!({"onespan": section, "transport": {"backoff_base_ms": 10, "backoff_max_ms": 50}})
            .to_string(),
    )
    .expect("config")
}

fn onespan(sim: &BackgroundSimulator, auth: Value) -> Onespan {
    Client::new(config(sim, auth))
        .expect("client")
        .onespan()
        .expect("onespan")
}

fn client_app(secret: &str) -> Value {
    json!({"client_app": {"client_id": ONESPAN_CLIENT_APP_ID, "secret": secret}})
}

fn oauth(secret: &str) -> Value {
    json!({"oauth2": {"client_id": ONESPAN_OAUTH_CLIENT_ID, "client_secret": secret}})
}

/// Create a one-signer draft: proves the credential works on a call that changes something.
fn create_draft(os: &Onespan, name: &str) -> String {
    let pdf = signbridge_sim::sample_pdf(name, 1);
    os.create_package(
        &NewPackage::new(name)
            .signer(Signer::new("signer1", "ann@example.com", "Ann", "Smith"))
            .document(
                DocumentSpec::from_bytes("Doc", pdf)
                    .expect("pdf")
                    .field(SignatureField::new("signer1", 0, 100.0, 100.0)),
            ),
    )
    .expect("create")
}

#[test]
fn api_key_is_sent_as_basic_and_a_wrong_key_is_an_auth_error() {
    let sim = sim();
    let os = onespan(&sim, json!({"api_key": ONESPAN_API_KEY}));
    assert_eq!(os.0.auth_method(), AuthMethod::ApiKey);
    let id = create_draft(&os, "api key");
    assert_eq!(os.get_package(&id).expect("read").name, "api key");

    let wrong = "d3JvbmdBY2N0Ondyb25nU2VjcmV0";
    let bad = onespan(&sim, json!({"api_key": wrong}));
    let e = bad.get_package(&id).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(e.provider_code(), Some("error.unauthorised.invalidApiKey"));
    for text in [e.to_string(), format!("{e:?}"), format!("{bad:?}")] {
        assert!(!text.contains(wrong), "{text}");
    }
    // The key from a file works the same.
    let dir = tempfile::tempdir().expect("dir");
    let f = dir.path().join("key");
    std::fs::write(&f, format!("{ONESPAN_API_KEY}\n")).expect("write");
    let from_file = onespan(&sim, json!({"api_key": {"file": f}}));
    assert_eq!(from_file.status(&id).expect("status").as_str(), "DRAFT");
}

#[test]
fn only_the_active_method_is_accepted() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "client_app"}),
    );
    let os = onespan(&sim, json!({"api_key": ONESPAN_API_KEY}));
    let e = os
        .list_all(ListQuery::new())
        .expect_err("api keys are disabled");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(
        e.provider_code(),
        Some("error.unauthorised.authMethodDisabled")
    );
    assert!(e.message().contains("one at a time"), "{}", e.message());
}

#[test]
fn client_app_token_is_fetched_once_and_reused() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "client_app"}),
    );
    let os = onespan(&sim, client_app(ONESPAN_CLIENT_APP_SECRET));
    assert_eq!(os.0.auth_method(), AuthMethod::ClientApp);
    let id = create_draft(&os, "client app");
    for _ in 0..5 {
        os.get_package(&id).expect("read");
    }
    assert_eq!(issued(&sim, "client_app_tokens_issued"), 1);
    // Acting as a sender.
    let sender = onespan(
        &sim,
        json!({"client_app": {"client_id": ONESPAN_CLIENT_APP_ID,
            "secret": ONESPAN_CLIENT_APP_SECRET, "type": "sender", "email": ONESPAN_SENDER_EMAIL}}),
    );
    let p = sender
        .get_package(&create_draft(&sender, "as sender"))
        .expect("read");
    assert_eq!(
        p.sender.as_ref().and_then(|s| s["email"].as_str()),
        Some(ONESPAN_SENDER_EMAIL)
    );
}

#[test]
fn client_app_wrong_secret_is_an_auth_error_without_the_secret() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "client_app"}),
    );
    let wrong = "not-the-client-app-secret-42";
    let os = onespan(&sim, client_app(wrong));
    let e = os.list_all(ListQuery::new()).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(
        e.provider_code(),
        Some("error.unauthorised.invalidClientCredentials")
    );
    // The token endpoint's own words are in the message.
    assert!(
        e.message().contains("the client id or secret is wrong"),
        "{}",
        e.message()
    );
    assert!(
        e.message().contains("onespan.client_app"),
        "{}",
        e.message()
    );
    for text in [e.to_string(), format!("{e:?}"), format!("{os:?}")] {
        assert!(!text.contains(wrong), "{text}");
        assert!(!text.contains(ONESPAN_CLIENT_APP_SECRET), "{text}");
    }
    assert_eq!(issued(&sim, "client_app_tokens_issued"), 0);
}

#[test]
fn client_app_token_expiring_or_revoked_mid_run_is_replaced_without_a_failed_call() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "client_app"}),
    );
    let os = onespan(&sim, client_app(ONESPAN_CLIENT_APP_SECRET));
    let id = create_draft(&os, "expiry");
    assert_eq!(issued(&sim, "client_app_tokens_issued"), 1);
    // The simulated clock passes the token's 30-minute lifetime: the next call is refused once
    // (401), a new token is fetched and the call repeated; the caller sees success.
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        json!({"seconds": 3600}),
    );
    assert_eq!(os.get_package(&id).expect("still works").id, id);
    assert_eq!(issued(&sim, "client_app_tokens_issued"), 2);
    // Revoked tokens likewise.
    control(&sim, "POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
    assert_eq!(os.status(&id).expect("still works").as_str(), "DRAFT");
    assert_eq!(issued(&sim, "client_app_tokens_issued"), 3);
}

#[test]
fn sixty_four_concurrent_calls_share_one_token_request() {
    for (method, auth, counter) in [
        (
            "client_app",
            client_app(ONESPAN_CLIENT_APP_SECRET),
            "client_app_tokens_issued",
        ),
        (
            "oauth2",
            oauth(ONESPAN_OAUTH_CLIENT_SECRET),
            "oauth_tokens_issued",
        ),
    ] {
        let sim = sim();
        control(&sim, "PUT", "/_sim/onespan/auth", json!({"method": method}));
        let client = signbridge::Client::new(config(&sim, auth)).expect("client");
        let os = client.onespan().expect("onespan").clone();
        let results = signbridge::runtime::block_on(async move {
            let mut tasks = Vec::new();
            for _ in 0..64 {
                let os = os.clone();
                tasks.push(tokio::spawn(async move {
                    os.list(ListQuery::new().page_size(1)).next_page().await
                }));
            }
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.map_err(|e| e.to_string()));
            }
            out
        })
        .expect("runtime");
        for r in results {
            let page = r.expect("task").expect("call succeeded");
            assert!(page.is_none(), "an empty account lists nothing");
        }
        assert_eq!(issued(&sim, counter), 1, "{method}");
    }
}

#[test]
fn oauth2_token_with_basic_client_auth_and_sender_fields() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "oauth2"}),
    );
    let os = onespan(&sim, oauth(ONESPAN_OAUTH_CLIENT_SECRET));
    assert_eq!(os.0.auth_method(), AuthMethod::OAuth2);
    let id = create_draft(&os, "oauth");
    os.get_package(&id).expect("read");
    assert_eq!(issued(&sim, "oauth_tokens_issued"), 1);
    // The token request carried the client credentials only in the Authorization header.
    let log = http::get(&format!("{}/_sim/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    let token_calls: Vec<&Value> = log
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["path"] == "/oauth2/token")
        .collect();
    assert_eq!(token_calls.len(), 1);
    let headers = token_calls[0]["headers"].as_array().expect("headers");
    assert!(headers.iter().any(|h| h == "authorization"), "{headers:?}");

    // Acting as a sender.
    let sender = onespan(
        &sim,
        json!({"oauth2": {"client_id": ONESPAN_OAUTH_CLIENT_ID,
            "client_secret": ONESPAN_OAUTH_CLIENT_SECRET, "sender_id": signbridge_sim::ONESPAN_SENDER_ID}}),
    );
    let p = sender
        .get_package(&create_draft(&sender, "oauth sender"))
        .expect("read");
    assert_eq!(
        p.sender.as_ref().and_then(|s| s["email"].as_str()),
        Some(ONESPAN_SENDER_EMAIL)
    );
}

#[test]
fn oauth2_wrong_secret_and_token_expiry() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "oauth2"}),
    );
    let wrong = "not-the-oauth-secret-77";
    let bad = onespan(&sim, oauth(wrong));
    let e = bad.list_all(ListQuery::new()).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.http_status(), Some(401));
    for text in [e.to_string(), format!("{e:?}"), format!("{bad:?}")] {
        assert!(!text.contains(wrong), "{text}");
    }

    let os = onespan(&sim, oauth(ONESPAN_OAUTH_CLIENT_SECRET));
    let id = create_draft(&os, "oauth expiry");
    assert_eq!(issued(&sim, "oauth_tokens_issued"), 1);
    // Past the 5-minute JWT on the simulated clock: refused once, refreshed, repeated.
    control(&sim, "POST", "/_sim/clock/advance", json!({"seconds": 600}));
    assert_eq!(os.get_package(&id).expect("still works").id, id);
    assert_eq!(issued(&sim, "oauth_tokens_issued"), 2);
    control(&sim, "POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
    os.get_package(&id).expect("still works");
    assert_eq!(issued(&sim, "oauth_tokens_issued"), 3);
}

#[test]
fn config_errors_name_the_fields_and_never_the_secrets() {
    let secret = "s3cr3t-never-printed";
    let cases = [
        (
            json!({"onespan": {"environment": "sandbox"}}),
            ErrorCode::AuthConfigMissing,
        ),
        (
            json!({"onespan": {"environment": "sandbox", "api_key": secret,
                "client_app": {"client_id": "a", "secret": secret}}}),
            ErrorCode::InvalidConfig,
        ),
        (
            json!({"onespan": {"environment": "sandbox",
                "client_app": {"client_id": "a", "secret": secret, "type": "sender"}}}),
            ErrorCode::InvalidConfig,
        ),
        (
            json!({"onespan": {"environment": "sandbox", "oauth2": {"client_id": "a",
                "client_secret": secret, "token_url": "ftp://x"}}}),
            ErrorCode::InvalidConfig,
        ),
    ];
    for (cfg, code) in cases {
        let e = Config::from_json(&cfg.to_string())
            .and_then(signbridge::Client::new)
            .expect_err("refused");
        assert_eq!(e.code(), code, "{cfg}: {e}");
        assert!(e.message().contains("onespan"), "{}", e.message());
        assert!(!format!("{e:?}").contains(secret));
    }
    let e = Config::from_json(
        &json!({"onespan": {"environment": "sandbox", "apikey": secret}}).to_string(),
    )
    .expect_err("typo");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("apikey") && !e.message().contains(secret));
    let c = signbridge::Client::new(
        Config::from_json(
            &json!({"onespan": {"environment": "sandbox", "api_key": secret}}).to_string(),
        )
        .expect("config"),
    )
    .expect("client");
    assert!(!format!("{c:?}").contains(secret));
}

#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_credential_in_trace_logs() {
    use base64::Engine as _;
    let capture = Capture::default();
    let writer = capture.clone();
    // Every crate at TRACE (reqwest, hyper, rustls included); other tests of this binary log
    // into it too, which only widens the scan.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init();
    let sim = sim();
    let api = onespan(&sim, json!({"api_key": ONESPAN_API_KEY}));
    create_draft(&api, "traced api key");
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "client_app"}),
    );
    let app = onespan(&sim, client_app(ONESPAN_CLIENT_APP_SECRET));
    create_draft(&app, "traced client app");
    control(&sim, "POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
    app.list_all(ListQuery::new()).expect("after revocation");
    control(
        &sim,
        "PUT",
        "/_sim/onespan/auth",
        json!({"method": "oauth2"}),
    );
    let oa = onespan(&sim, oauth(ONESPAN_OAUTH_CLIENT_SECRET));
    create_draft(&oa, "traced oauth");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{ONESPAN_OAUTH_CLIENT_ID}:{ONESPAN_OAUTH_CLIENT_SECRET}"
    ));
    let logs = capture
        .0
        .lock()
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default();
    assert!(logs.contains("signbridge"), "TRACE logs were captured");
    for secret in [
        ONESPAN_API_KEY,
        ONESPAN_CLIENT_APP_SECRET,
        ONESPAN_OAUTH_CLIENT_SECRET,
        basic.as_str(),
    ] {
        assert!(!logs.contains(secret), "a credential appears in the logs");
    }
    // Issued bearer tokens are long random strings sent only in headers; none is logged either.
    assert!(
        !logs.contains("Bearer "),
        "a bearer token appears in the logs"
    );
}
