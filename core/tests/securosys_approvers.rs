//! Approver management and onboarding against the simulator: an approver made with
//! the approver-key-management key, onboarded with its one-time code (approver key), then
//! named by a policy (`onboarded_approver_certificate`) and approving with the key it received.
//! The received certificate is read by `openssl x509` (not code of this project).

use std::process::Command;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApprovalType, ApproverAlgorithm, ApproverKey, CreateKey, KeySpec, NewApprover, PayloadKind,
    Policy, SignOptions, TaskKind,
};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_APPROVER_KEY, SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

fn hsm_with(sim: &BackgroundSimulator, approver: &str, akm: &str) -> Securosys {
    let cfg = json!({"securosys": {"base_url": sim.base_url(),
        "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
                     "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
                     "approver": [approver], "approver_key_management": [akm]}}});
    Client::new(Config::from_json(&cfg.to_string()).expect("config"))
        .expect("client")
        .securosys()
        .expect("securosys")
}

fn new_approver(name: &str) -> NewApprover {
    NewApprover {
        name: name.to_owned(),
        algorithm: ApproverAlgorithm::Ec,
        backup_password: SecretString::from("backup-password-1"),
        validity_days: 365,
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

#[test]
fn an_onboarded_approver_approves_with_the_key_it_received() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let hsm = hsm_with(
        &sim,
        SECUROSYS_APPROVER_KEY,
        SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY,
    );
    let name = "alice@example.com";
    let code = hsm.create_approver(&new_approver(name)).expect("create");
    assert_eq!(code.expose_secret().len(), 6, "a six-digit code");
    let st = hsm.approver_status(name).expect("status");
    assert!(!st.onboarded);
    let e = hsm
        .create_approver(&new_approver(name))
        .expect_err("exists");
    assert_eq!(e.provider_code(), Some("632"), "{e}");

    // A policy cannot name an approver before it has onboarded (414).
    let mut policy = Policy::quorum(1, &[(name.to_owned(), String::new())], 3600);
    if let Some(rule) = policy.rule_use.as_mut() {
        let a = &mut rule.tokens[0].groups[0].approvals[0];
        a.kind = ApprovalType::OnboardedApproverCertificate;
        a.value = None;
    }
    let ska = CreateKey::new("ska-onboarded", KeySpec::P256).with_policy(policy);
    let e = hsm.create_key(&ska).expect_err("not onboarded yet");
    assert_eq!(e.provider_code(), Some("414"), "{e}");

    // A wrong code (412), a bad transport password (refused before sending), a renewed code.
    let transport = secret("0123456789abcdef");
    let e = hsm
        .onboard_approver(name, &secret("000000x"), &transport)
        .expect_err("wrong code");
    assert_eq!(e.provider_code(), Some("412"), "{e}");
    let e = hsm
        .onboard_approver(name, &code, &secret("short"))
        .expect_err("transport password");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    let code = hsm.renew_approver_one_time_code(name).expect("renew");
    let got = hsm
        .onboard_approver(name, &code, &transport)
        .expect("onboard");
    assert!(!format!("{got:?}").contains("PRIVATE KEY"), "key redacted");
    let e = hsm
        .onboard_approver(name, &code, &transport)
        .expect_err("code used up");
    assert_eq!(e.provider_code(), Some("412"), "{e}");

    // The key received is the approver's (its public key is the one status reports), and
    // openssl reads the certificate: subject CN = the approver's name.
    let key = ApproverKey::from_pem(got.key_pem.expose_secret()).expect("key pem");
    let st = hsm.approver_status(name).expect("status");
    assert!(st.onboarded);
    assert_eq!(key.public_key_b64(), {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&st.public_key_der)
    });
    let dir = tempfile::tempdir().expect("tmp");
    let cert = dir.path().join("approver.pem");
    std::fs::write(&cert, &got.certificate_pem).expect("write");
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-in"])
        .arg(&cert)
        .output()
        .expect("openssl");
    let subject = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && subject.contains(name), "{subject}");

    // Named by a policy, the onboarded approver approves a signature with that key.
    hsm.create_key(&ska).expect("SKA key");
    let alg = KeySpec::P256.default_signature_algorithm();
    let id = hsm
        .sign(
            "ska-onboarded",
            b"onboarded",
            PayloadKind::Raw,
            &alg,
            &SignOptions::default(),
        )
        .expect("submit");
    let tasks = hsm
        .list_approval_tasks(&key, TaskKind::Sign, 25)
        .expect("tasks");
    assert_eq!(tasks.len(), 1);
    hsm.approve(&key, &tasks[0]).expect("approve");
    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    };
    let sig = hsm.wait_request(&id, &opts).expect("executed");
    assert!(hsm
        .verify("ska-onboarded", b"onboarded", PayloadKind::Raw, &alg, &sig)
        .expect("verify"));

    // Each endpoint got only its role's key; the other role's key is refused (403).
    let log = http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    for entry in log.as_array().into_iter().flatten() {
        let path = entry["path"].as_str().unwrap_or_default();
        let role = if path.starts_with("/v1/approverManagement/") {
            "approverKeyManagementToken"
        } else if path == "/v1/approver/onboard" {
            "approverToken"
        } else {
            continue;
        };
        assert_eq!(entry["required_role"], role, "{entry}");
        assert_eq!(entry["api_key_roles"], json!([role]), "{entry}");
    }
    let swapped = hsm_with(
        &sim,
        SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY,
        SECUROSYS_APPROVER_KEY,
    );
    let e = swapped.approver_status(name).expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    assert_eq!(e.code(), ErrorCode::Forbidden, "{e}");
    let e = swapped
        .create_approver(&new_approver("bob@example.com"))
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    let e = swapped
        .onboard_approver(name, &code, &transport)
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");

    hsm.delete_approver(name).expect("delete");
    let e = hsm.approver_status(name).expect_err("gone");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let e = hsm.delete_approver(name).expect_err("gone");
    assert_eq!(e.provider_code(), Some("413"), "{e}");
}
