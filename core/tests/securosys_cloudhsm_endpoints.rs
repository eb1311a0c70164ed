//! The key, file and approver endpoints on a CloudHSM-mode simulator: each works with the JWT alongside its
//! role's API key (every request carries `Authorization: Bearer` and exactly its role's key),
//! and a client without the JWT is turned away (406, `SB_ERR_AUTH`) before any key material
//! or approver secret is processed.

use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApproverAlgorithm, CreateKey, Curve, ImportSeedKey, KeyAlgorithm, KeyAttributes, KeySpec,
    NewApprover,
};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_APPROVER_KEY, SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY,
    SECUROSYS_JWT, SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

fn hsm(sim: &BackgroundSimulator, jwt: Option<&str>) -> Securosys {
    let mut s = json!({"base_url": sim.base_url(),
        "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
                     "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
                     "approver": [SECUROSYS_APPROVER_KEY],
                     "approver_key_management": [SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY]}});
    if let (Some(j), Some(o)) = (jwt, s.as_object_mut()) {
        o.insert("jwt".into(), json!(j));
        o.insert("profile".into(), json!("cloudhsm"));
    }
    Client::new(Config::from_json(&json!({"securosys": s}).to_string()).expect("config"))
        .expect("client")
        .securosys()
        .expect("securosys")
}

#[test]
fn issue_26_endpoints_work_with_the_jwt_and_refuse_without_it() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let auth = format!("{}/_sim/securosys/auth", sim.base_url());
    http::send_json("PUT", &auth, &json!({"mode": "cloudhsm"})).expect("cloudhsm mode");
    let hsm_jwt = hsm(&sim, Some(SECUROSYS_JWT));

    hsm_jwt
        .import_seed_key(&ImportSeedKey {
            label: "hd".into(),
            seed: vec![9u8; 32].into(),
            curve: Curve::Ed25519,
            attributes: KeyAttributes::signing(),
            policy: None,
        })
        .expect("import");
    hsm_jwt.derive_key("hd", "m/0'", None).expect("derive");
    let mut aes = CreateKey::new("aes", KeySpec::P256);
    aes.algorithm = KeyAlgorithm::Aes;
    aes.key_size = Some(128);
    aes.curve_oid = None;
    aes.attributes.encrypt = Some(true);
    aes.attributes.decrypt = Some(true);
    hsm_jwt.create_key(&aes).expect("aes key");
    let file = hsm_jwt
        .file_encrypt("aes", "f.bin", b"cloud")
        .expect("encrypt");
    assert_eq!(
        hsm_jwt
            .synchronous_file_decrypt("aes", &file)
            .expect("decrypt")
            .content,
        b"cloud"
    );
    let code = hsm_jwt
        .create_approver(&NewApprover {
            name: "dana".into(),
            algorithm: ApproverAlgorithm::Ec,
            backup_password: SecretString::from("backup-password-1"),
            validity_days: 30,
        })
        .expect("create approver");
    let got = hsm_jwt
        .onboard_approver("dana", &code, &SecretString::from("0123456789abcdef"))
        .expect("onboard");
    assert!(got.key_pem.expose_secret().contains("PRIVATE KEY"));
    assert!(hsm_jwt.approver_status("dana").expect("status").onboarded);

    let log: Value = http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    let log = log.as_array().cloned().unwrap_or_default();
    let paths: Vec<&str> = log.iter().filter_map(|e| e["path"].as_str()).collect();
    for p in [
        "/v1/importedKey",
        "/v1/derivedKey",
        "/v1/fileEncrypt",
        "/v1/synchronousFileDecrypt",
        "/v1/approverManagement/create",
        "/v1/approver/onboard",
        "/v1/approverManagement/onboarding/status",
    ] {
        assert!(paths.contains(&p), "{p} not called: {paths:?}");
    }
    for entry in &log {
        assert_eq!(entry["bearer"], true, "{entry}");
        assert_eq!(
            entry["api_key_roles"],
            json!([entry["required_role"].clone()]),
            "{entry}"
        );
        assert!(entry["status"].as_u64().is_some_and(|s| s < 300), "{entry}");
    }

    // Without the JWT: 406 from the service, nothing done.
    let plain = hsm(&sim, None);
    let e = plain.derive_key("hd", "m/1'", None).expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert_eq!(e.provider_code(), Some("406"), "{e}");
    let e = plain.file_encrypt("aes", "f", b"x").expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    let e = plain.approver_status("dana").expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    let e = plain
        .onboard_approver("dana", &code, &SecretString::from("0123456789abcdef"))
        .expect_err("no jwt");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
}
