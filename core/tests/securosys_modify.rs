//! Changing a key's approval policy: synchronously and under the modify rule's
//! approvals, with the key-management key only.

use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApproverKey, CreateKey, KeySpec, PayloadKind, Policy, SignOptions, TaskKind,
};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_APPROVER_KEY, SECUROSYS_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_OPERATION_KEY,
};

fn hsm_with(sim: &BackgroundSimulator, api_keys: Value) -> Securosys {
    let cfg = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "api_keys": api_keys}}).to_string(),
    )
    .expect("config");
    Client::new(cfg)
        .expect("client")
        .securosys()
        .expect("securosys")
}

#[test]
fn a_policy_changes_only_with_its_approvals_and_the_key_management_key() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let hsm = hsm_with(
        &sim,
        json!({"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
               "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
               "approver": [SECUROSYS_APPROVER_KEY]}),
    );
    let approver = ApproverKey::generate_p256().expect("approver").0;
    let rule = Policy::quorum(1, &[("a".into(), approver.public_key_b64())], 3600).rule_use;
    let guarded = Policy {
        rule_modify: rule.clone(),
        ..Policy::default()
    };
    hsm.create_key(&CreateKey::new("k", KeySpec::P256).with_policy(guarded))
        .expect("key");
    let alg = KeySpec::P256.default_signature_algorithm();
    hsm.synchronous_sign("k", b"x", PayloadKind::Raw, &alg)
        .expect("no use rule yet");
    let locked = Policy {
        rule_use: rule.clone(),
        rule_modify: rule,
        ..Policy::default()
    };
    let e = hsm
        .synchronous_modify("k", &locked)
        .expect_err("needs approvals");
    assert_eq!(e.provider_code(), Some("401"), "{e}");

    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(30)),
        ..WaitOptions::default()
    };
    let id = hsm
        .modify("k", &locked, &SignOptions::default())
        .expect("submit");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::ModifyKey, 25)
        .expect("tasks");
    hsm.reject(&approver, &tasks[0].id).expect("reject");
    let e = hsm.wait_request_done(&id, &opts).expect_err("rejected");
    assert_eq!(e.code(), ErrorCode::Rejected);
    hsm.synchronous_sign("k", b"x", PayloadKind::Raw, &alg)
        .expect("unchanged after a rejection");

    let id = hsm
        .modify("k", &locked, &SignOptions::default())
        .expect("submit");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::ModifyKey, 25)
        .expect("tasks");
    hsm.approve(&approver, &tasks[0]).expect("approve");
    hsm.wait_request_done(&id, &opts).expect("modified");
    let e = hsm
        .synchronous_sign("k", b"x", PayloadKind::Raw, &alg)
        .expect_err("now needs approvals");
    assert_eq!(e.provider_code(), Some("401"), "{e}");
    let info = hsm.get_key("k").expect("key");
    let policy = info.policy.expect("policy");
    assert!(policy.rule_use.is_some());
    assert_eq!(policy.key_status.map(|s| s.blocked), Some(false));

    let log = http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    for entry in log.as_array().into_iter().flatten() {
        if matches!(
            entry["path"].as_str(),
            Some("/v1/modify" | "/v1/synchronousModify")
        ) {
            assert_eq!(entry["required_role"], "keyManagementToken", "{entry}");
            assert_eq!(
                entry["api_key_roles"],
                json!(["keyManagementToken"]),
                "{entry}"
            );
        }
    }
    let wrong = hsm_with(
        &sim,
        json!({"key_management": [SECUROSYS_KEY_OPERATION_KEY]}),
    );
    let e = wrong
        .synchronous_modify("k", &Policy::default())
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
}
