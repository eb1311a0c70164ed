//! ZignSec authentication beyond the key pair: OAuth2/OIDC bearer tokens (with the product key)
//! and two-way TLS, against the simulator.

use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY,
    DEFAULT_SECONDARY_KEY,
};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) -> http::HttpResponse {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
    r
}

fn tokens_issued(sim: &BackgroundSimulator) -> u64 {
    let r = http::get(&format!("{}/_sim/oauth", sim.base_url())).expect("oauth state");
    r.json().expect("json")["tokens_issued"]
        .as_u64()
        .expect("count")
}

fn oauth_client(sim: &BackgroundSimulator, secret: Value, extra: Value) -> Client {
    let mut oauth = json!({"client_id": DEFAULT_CLIENT_ID, "client_secret": secret});
    if let (Some(o), Some(e)) = (oauth.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    let cfg = Config::from_json(
        &json!({
            "zignsec": {
                "base_url": sim.base_url(),
                "keys": [DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY],
                "oauth2": oauth
            },
            "transport": {"backoff_base_ms": 10}
        })
        .to_string(),
    )
    .expect("config");
    Client::new(cfg).expect("client")
}

#[test]
fn bearer_token_and_product_key_with_one_token_for_many_calls() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    // Without OAuth the gateway now refuses.
    let keys_only = Client::new(
        Config::from_json(
            &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]}})
                .to_string(),
        )
        .expect("config"),
    )
    .expect("client");
    let e = keys_only
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("bearer required");
    assert_eq!(e.code(), ErrorCode::Auth);

    control(&sim, "DELETE", "/_sim/oauth", json!(null));
    control(&sim, "DELETE", "/_sim/requests", json!(null));
    let s = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}))
        .zignsec_signing()
        .expect("signing");
    let session = s
        .create(&CreateSigning::default())
        .expect("create with bearer + key");
    for _ in 0..5 {
        s.status(&session.id).expect("status");
    }
    assert_eq!(tokens_issued(&sim), 1, "the token is cached");
    // Both headers went out on every API call.
    let reqs = http::get(&format!("{}/_sim/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    let api_calls: Vec<&Value> = reqs
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
        .collect();
    assert!(api_calls.len() >= 6);
    for r in api_calls {
        let h: Vec<String> = serde_json::from_value(r["headers"].clone()).expect("names");
        assert!(
            h.contains(&"authorization".into()) && h.contains(&"zs-product-key".into()),
            "{h:?}"
        );
    }
}

#[test]
fn client_auth_by_form_body_and_secret_from_a_file() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("client-secret");
    std::fs::write(&file, format!("{DEFAULT_CLIENT_SECRET}\n")).expect("write");
    let s = oauth_client(&sim, json!({"file": file}), json!({"client_auth": "post"}))
        .zignsec_signing()
        .expect("signing");
    s.create(&CreateSigning::default()).expect("create");
}

#[test]
fn wrong_client_secret_is_an_auth_error_without_the_secret() {
    let sim = sim();
    let secret = "definitely-wrong-client-secret-42";
    let client = oauth_client(&sim, json!(secret), json!({}));
    let e = client
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert_eq!(e.provider_code(), Some("invalid_client"), "{e:?}");
    assert!(
        e.message().contains("oauth2.client_secret"),
        "{}",
        e.message()
    );
    for text in [e.to_string(), format!("{e:?}"), format!("{client:?}")] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn token_expiring_mid_run_causes_no_failed_call() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    control(&sim, "DELETE", "/_sim/oauth", json!(null));
    let s = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}))
        .zignsec_signing()
        .expect("signing");
    let session = s.create(&CreateSigning::default()).expect("create");
    // The gateway's clock jumps past the token's expiry; the client still holds the token.
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        json!({"seconds": 1300}),
    );
    s.status(&session.id)
        .expect("the rejected token is replaced and the call retried");
    s.status(&session.id).expect("status");
    assert_eq!(tokens_issued(&sim), 2);
}

#[test]
fn sixty_four_concurrent_callers_cause_one_token_request() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    let client = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}));
    let setup = client.zignsec_signing().expect("signing");
    // A session to poll, created with a first token; then the token is made stale for everyone.
    let session = setup.create(&CreateSigning::default()).expect("create");
    control(&sim, "DELETE", "/_sim/oauth", json!(null));
    let fresh = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}));
    let api = fresh.as_async().zignsec().expect("zignsec").signing();
    let results = signbridge::runtime::block_on(async move {
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let api = api.clone();
            let id = session.id.clone();
            tasks.push(tokio::spawn(
                async move { api.status(&id).await.map(|_| ()) },
            ));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string()));
        }
        out
    })
    .expect("not in a runtime");
    for r in results {
        r.expect("joined").expect("status");
    }
    assert_eq!(tokens_issued(&sim), 1, "single-flight refresh");
}

#[test]
fn token_endpoint_outage_is_retried_then_reported() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "status", "status": 503, "count": 1, "path_prefix": "/auth/"}),
    );
    let s = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}))
        .zignsec_signing()
        .expect("signing");
    s.create(&CreateSigning::default())
        .expect("one 503 from the token endpoint is retried");

    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "status", "status": 503, "count": 20, "path_prefix": "/auth/"}),
    );
    let s = oauth_client(&sim, json!(DEFAULT_CLIENT_SECRET), json!({}))
        .zignsec_signing()
        .expect("signing");
    let e = s.create(&CreateSigning::default()).expect_err("outage");
    assert_eq!(e.code(), ErrorCode::ProviderUnavailable, "{e}");
    assert!(e.message().contains("access token"), "{}", e.message());
    control(&sim, "DELETE", "/_sim/faults", json!(null));
}

fn mtls_setup() -> (
    tempfile::TempDir,
    BackgroundSimulator,
    signbridge_sim::TestPki,
) {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .expect("sim");
    (dir, sim, pki)
}

fn mtls_client(
    url: &str,
    ca: Option<&std::path::Path>,
    cert: Option<(&std::path::Path, &std::path::Path)>,
) -> signbridge::Result<Client> {
    let mut z = json!({"base_url": url, "keys": [DEFAULT_PRIMARY_KEY]});
    if let Some((c, k)) = cert {
        z["client_cert"] = json!({"cert": {"file": c}, "key": {"file": k}});
    }
    let mut t = json!({"max_attempts": 1});
    if let Some(ca) = ca {
        t["ca_file"] = json!(ca);
    }
    Client::new(Config::from_json(
        &json!({"zignsec": z, "transport": t}).to_string(),
    )?)
}

#[test]
fn two_way_tls_with_the_right_client_certificate() {
    let (_dir, sim, pki) = mtls_setup();
    let url = sim.tls_base_url().expect("tls listener").to_string();
    let ok = mtls_client(
        &url,
        Some(&pki.ca_cert),
        Some((&pki.client_cert, &pki.client_key)),
    )
    .expect("client");
    let s = ok.zignsec_signing().expect("signing");
    let session = s
        .create(&CreateSigning::default())
        .expect("create over mTLS");
    s.status(&session.id).expect("status over mTLS");

    // The combined PEM (certificate + key in one file) works too.
    let cfg = json!({"zignsec": {"base_url": url, "keys": [DEFAULT_PRIMARY_KEY],
                     "client_cert": {"cert": {"file": pki.client_combined}}},
                     "transport": {"ca_file": pki.ca_cert}});
    Client::new(Config::from_json(&cfg.to_string()).expect("config"))
        .expect("client")
        .zignsec_signing()
        .expect("signing")
        .status(&session.id)
        .expect("combined PEM");
}

#[test]
fn two_way_tls_failures_are_tls_errors() {
    let (_dir, sim, pki) = mtls_setup();
    let url = sim.tls_base_url().expect("tls listener").to_string();
    let expect_tls = |c: Client, what: &str| {
        let e = c
            .zignsec_signing()
            .expect("signing")
            .create(&CreateSigning::default())
            .expect_err(what);
        assert!(
            matches!(e.code(), ErrorCode::Tls | ErrorCode::Network),
            "{what}: {e}"
        );
        e
    };
    let e = expect_tls(
        mtls_client(&url, Some(&pki.ca_cert), None).expect("client"),
        "no client cert",
    );
    assert!(
        e.message().to_lowercase().contains("certificate") || e.code() == ErrorCode::Tls,
        "{e}"
    );
    // The message names what to set.
    assert!(e.message().contains("client_cert"), "{e}");
    expect_tls(
        mtls_client(
            &url,
            Some(&pki.ca_cert),
            Some((&pki.other_client_cert, &pki.other_client_key)),
        )
        .expect("client"),
        "client cert from another CA",
    );
    let e = expect_tls(
        mtls_client(&url, None, Some((&pki.client_cert, &pki.client_key))).expect("client"),
        "server CA not trusted",
    );
    assert_eq!(e.code(), ErrorCode::Tls, "{e}");
    assert!(e.message().contains("transport.ca_file"), "{e}");
    // A key file that is not a key is a configuration error at construction.
    let e = mtls_client(
        &url,
        Some(&pki.ca_cert),
        Some((&pki.client_cert, &pki.ca_cert)),
    )
    .expect_err("bad key");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}

#[test]
fn subscription_key_from_a_file() {
    let sim = sim();
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("zs-key");
    std::fs::write(&file, format!("  {DEFAULT_PRIMARY_KEY}\n")).expect("write");
    let cfg = json!({"zignsec": {"base_url": sim.base_url(), "keys": [{"file": file}]}});
    Client::new(Config::from_json(&cfg.to_string()).expect("config"))
        .expect("client")
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("key read from the file");
    let missing = json!({"zignsec": {"base_url": sim.base_url(), "keys": [{"file": dir.path().join("nope")}]}});
    let e = Client::new(Config::from_json(&missing.to_string()).expect("config"))
        .expect_err("missing file");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("zignsec.keys[0]"), "{}", e.message());
}
