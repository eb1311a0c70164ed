//! The CloudHSM profile: seed 003 makes the JWT mandatory on CloudHSM, so a client
//! configured for it refuses to start without one, and the simulator's CloudHSM mode refuses
//! requests without one.

use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::securosys::{CipherAlgorithm, CipherOptions, CreateKey, KeySpec};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_JWT, SECUROSYS_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_OPERATION_KEY, SECUROSYS_SERVICE_KEY,
};

fn client(securosys: Value) -> signbridge::Result<Client> {
    Client::new(Config::from_json(
        &json!({"securosys": securosys}).to_string(),
    )?)
}

fn keys() -> Value {
    json!({"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
           "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
           "service": [SECUROSYS_SERVICE_KEY]})
}

#[test]
fn a_cloudhsm_client_refuses_to_start_without_a_jwt() {
    let e = client(
        json!({"base_url": "https://rest-api.cloudshsm.com", "profile": "cloudhsm",
                          "api_keys": keys()}),
    )
    .expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("CloudHSM requires a JWT"), "{e}");
    assert!(e.message().contains("securosys.jwt"), "{e}");

    let e = client(
        json!({"base_url": "http://tsb.example.com", "profile": "cloudhsm",
                          "jwt": "a.b.c"}),
    )
    .expect_err("plain http");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.message().contains("https"), "{e}");

    client(
        json!({"base_url": "https://sbx-rest-api.cloudshsm.com", "profile": "cloudhsm",
                  "jwt": "a.b.c"}),
    )
    .expect("a JWT is enough");
    client(
        json!({"base_url": "https://sbx-rest-api.cloudshsm.com", "profile": "cloudhsm",
                  "oauth2": {"client_id": "id", "client_secret": "s",
                             "token_url": "https://idp.example.com/token"}}),
    )
    .expect("or an OAuth2 token source");
    // On premise the JWT stays optional.
    client(json!({"base_url": "http://localhost:8080", "api_keys": keys()})).expect("on premise");
    let e = client(json!({"base_url": "https://x", "profile": "cloudhms", "jwt": "j"}))
        .expect_err("misspelt profile");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}

#[test]
fn the_simulators_cloudhsm_mode_needs_the_jwt_on_every_call() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let auth = format!("{}/_sim/securosys/auth", sim.base_url());
    http::send_json("PUT", &auth, &json!({"mode": "cloudhsm"})).expect("cloudhsm mode");
    let state = http::get(&auth).expect("auth").json().expect("json");
    assert_eq!(state["mode"], "cloudhsm");

    let with_jwt = client(json!({"base_url": sim.base_url(), "profile": "cloudhsm",
                                 "jwt": SECUROSYS_JWT, "api_keys": keys()}))
    .expect("client")
    .securosys()
    .expect("securosys");
    with_jwt.version_info().expect("version");
    with_jwt
        .create_key(&{
            let mut k = CreateKey::new("k", KeySpec::P256);
            k.algorithm = signbridge::providers::securosys::KeyAlgorithm::Aes;
            k.key_size = Some(128);
            k.curve_oid = None;
            k.attributes.encrypt = Some(true);
            k
        })
        .expect("key");
    with_jwt
        .encrypt(
            "k",
            b"x",
            &CipherAlgorithm::AesGcm,
            &CipherOptions::default(),
        )
        .expect("encrypt");

    // A client that is not set up for CloudHSM (no JWT) is turned away by the service.
    let without = client(json!({"base_url": sim.base_url(), "api_keys": keys()}))
        .expect("client")
        .securosys()
        .expect("securosys");
    let e = without.version_info().expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert_eq!(e.provider_code(), Some("406"), "{e}");
    assert!(e.message().contains("CloudHSM"), "{e}");
    let e = without.generate_random(4).expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");

    http::send_json("PUT", &auth, &json!({"mode": "on_premise"})).expect("back");
    without.version_info().expect("on premise again");
    let bad = http::send_json("PUT", &auth, &json!({"mode": "cloud"}));
    assert!(bad.map(|r| r.status >= 400).unwrap_or(true));
}
