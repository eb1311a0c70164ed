//! Securosys authentication beyond role keys, against the simulator: a static JWT (value or
//! file) and a JWT source (OAuth2 client credentials at the simulator's token endpoint) that is
//! refreshed when the TSB rejects an expired token, single-flight under concurrency.

use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{CreateKey, KeySpec, PayloadKind};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME_S, SECUROSYS_JWT, SECUROSYS_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_OPERATION_KEY, SECUROSYS_SERVICE_KEY, TOKEN_PATH,
};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
}

/// The TSB requires a JWT and accepts the simulator's own OAuth2 tokens.
fn require_oauth_jwt(sim: &BackgroundSimulator) {
    control(
        sim,
        "PUT",
        "/_sim/securosys/auth",
        json!({"require_jwt": true, "accept_oauth": true}),
    );
}

fn tokens_issued(sim: &BackgroundSimulator) -> u64 {
    let r = http::get(&format!("{}/_sim/oauth", sim.base_url())).expect("oauth state");
    r.json().expect("json")["tokens_issued"]
        .as_u64()
        .expect("count")
}

fn sim_log(sim: &BackgroundSimulator) -> Vec<Value> {
    let r = http::get(&format!("{}/_sim/securosys/requests", sim.base_url())).expect("log");
    r.json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn api_keys() -> Value {
    json!({"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
           "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
           "service": [SECUROSYS_SERVICE_KEY]})
}

fn config(sim: &BackgroundSimulator, auth: Value) -> signbridge::Result<Config> {
    let mut s = json!({"base_url": sim.base_url(), "api_keys": api_keys()});
    if let (Some(o), Some(a)) = (s.as_object_mut(), auth.as_object()) {
        for (k, v) in a {
            o.insert(k.clone(), v.clone());
        }
    }
    Config::from_json(&json!({"securosys": s, "transport": {"backoff_base_ms": 10}}).to_string())
}

fn client(sim: &BackgroundSimulator, auth: Value) -> Client {
    Client::new(config(sim, auth).expect("config")).expect("client")
}

fn oauth2(sim: &BackgroundSimulator, secret: &str) -> Value {
    json!({"oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": secret,
                      "token_url": format!("{}{TOKEN_PATH}", sim.base_url())}})
}

fn sign_once(hsm: &Securosys, label: &str) {
    let alg = KeySpec::P256.default_signature_algorithm();
    let sig = hsm
        .synchronous_sign(label, b"data", PayloadKind::Raw, &alg)
        .expect("sign");
    assert!(hsm
        .verify(label, b"data", PayloadKind::Raw, &alg, &sig)
        .expect("verify"));
}

#[test]
fn a_static_jwt_from_a_value_or_a_file() {
    let sim = sim();
    control(
        &sim,
        "PUT",
        "/_sim/securosys/auth",
        json!({"require_jwt": true}),
    );
    let e = client(&sim, json!({}))
        .securosys()
        .expect("securosys")
        .version_info()
        .expect_err("JWT required");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert_eq!(e.provider_code(), Some("406"));
    client(&sim, json!({"jwt": SECUROSYS_JWT}))
        .securosys()
        .expect("securosys")
        .version_info()
        .expect("JWT value");
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("tsb.jwt");
    std::fs::write(&file, format!("{SECUROSYS_JWT}\n")).expect("write");
    client(&sim, json!({"jwt": {"file": file}}))
        .securosys()
        .expect("securosys")
        .version_info()
        .expect("JWT from a file");
    let e = client(&sim, json!({"jwt": "not-the-jwt"}))
        .securosys()
        .expect("securosys")
        .version_info()
        .expect_err("wrong JWT");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert!(!e.to_string().contains("not-the-jwt"), "{e}");
}

#[test]
fn an_oauth2_token_source_signs_and_is_refreshed_when_the_token_expires() {
    let sim = sim();
    require_oauth_jwt(&sim);
    control(&sim, "DELETE", "/_sim/oauth", json!(null));
    let hsm = client(&sim, oauth2(&sim, DEFAULT_CLIENT_SECRET))
        .securosys()
        .expect("securosys");
    hsm.create_key(&CreateKey::new("k", KeySpec::P256))
        .expect("create with a fetched token");
    sign_once(&hsm, "k");
    assert_eq!(tokens_issued(&sim), 1, "one token serves many calls");

    // The TSB's clock passes the token's expiry; the client still holds the token.
    control(&sim, "DELETE", "/_sim/securosys/requests", json!(null));
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        json!({"seconds": DEFAULT_TOKEN_LIFETIME_S + 60}),
    );
    sign_once(&hsm, "k");
    assert_eq!(
        tokens_issued(&sim),
        2,
        "the rejected token was replaced once"
    );
    // The first attempt was refused as an expired token, its repeat passed; every call carried
    // a bearer token and the role's key.
    let log = sim_log(&sim);
    assert_eq!(log[0]["status"], 401, "{log:?}");
    assert_eq!(log[1]["status"], 200, "{log:?}");
    assert_eq!(log[0]["path"], log[1]["path"]);
    for entry in &log {
        assert_eq!(entry["bearer"], true, "{entry}");
        assert_eq!(
            entry["api_key_roles"],
            json!([entry["required_role"].clone()]),
            "{entry}"
        );
    }
}

#[test]
fn sixty_four_concurrent_calls_at_expiry_cause_one_token_request() {
    let sim = sim();
    require_oauth_jwt(&sim);
    let blocking = client(&sim, oauth2(&sim, DEFAULT_CLIENT_SECRET));
    let hsm = blocking.securosys().expect("securosys");
    hsm.create_key(&CreateKey::new("k", KeySpec::P256))
        .expect("create");
    // Every caller now holds a token the TSB considers expired.
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        json!({"seconds": DEFAULT_TOKEN_LIFETIME_S + 60}),
    );
    control(&sim, "DELETE", "/_sim/oauth", json!(null));
    control(&sim, "DELETE", "/_sim/securosys/requests", json!(null));
    let api = blocking.as_async().securosys().expect("securosys").clone();
    let alg = KeySpec::P256.default_signature_algorithm();
    let results = signbridge::runtime::block_on(async move {
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let api = api.clone();
            let alg = alg.clone();
            tasks.push(tokio::spawn(async move {
                let data = format!("document {i}");
                api.synchronous_sign("k", data.as_bytes(), PayloadKind::Raw, &alg)
                    .await
                    .map(|_| ())
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string()));
        }
        out
    })
    .expect("not in a runtime");
    for r in results {
        r.expect("joined").expect("sign at expiry");
    }
    assert_eq!(tokens_issued(&sim), 1, "single-flight refresh");
    let refused = sim_log(&sim).iter().filter(|e| e["status"] == 401).count();
    assert!(refused >= 1, "the expired token was presented and refused");
}

#[test]
fn oauth2_configuration_errors_never_show_the_secret() {
    let sim = sim();
    require_oauth_jwt(&sim);
    let secret = "definitely-wrong-client-secret-42";
    let c = client(&sim, oauth2(&sim, secret));
    let hsm = c.securosys().expect("securosys");
    let e = hsm.version_info().expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert_eq!(e.provider_code(), Some("invalid_client"), "{e:?}");
    assert!(
        e.message().contains("oauth2.client_secret"),
        "{}",
        e.message()
    );
    let cfg = config(&sim, oauth2(&sim, secret)).expect("config");
    for text in [
        e.to_string(),
        format!("{e:?}"),
        format!("{c:?}"),
        format!("{hsm:?}"),
        format!("{cfg:?}"),
    ] {
        assert!(!text.contains(secret), "{text}");
    }

    // A static JWT and a token source together.
    let mut both = oauth2(&sim, DEFAULT_CLIENT_SECRET);
    both["jwt"] = json!(SECUROSYS_JWT);
    let e = Client::new(config(&sim, both).expect("config")).expect_err("both");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("securosys.oauth2"), "{}", e.message());
    // No token endpoint: Securosys has no default discovery document.
    let e = Client::new(
        config(
            &sim,
            json!({"oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": "x"}}),
        )
        .expect("config"),
    )
    .expect_err("no endpoint");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("token_url"), "{}", e.message());
    // Discovery works as for ZignSec.
    let discovered = client(
        &sim,
        json!({"oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                          "discovery_url": format!(
                              "{}/auth/realms/zignsec/.well-known/openid-configuration",
                              sim.base_url())}}),
    );
    discovered
        .securosys()
        .expect("securosys")
        .version_info()
        .expect("token endpoint from discovery");
}
