//! Securosys service role (key store statistics, HSM log whole and paged) and approval tasks of
//! every kind, page by page, against the simulator.

use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApproverKey, CipherAlgorithm, CipherOptions, CreateKey, KeyAlgorithm, KeyAttributes, KeySpec,
    PayloadKind, Policy, RequestState, SignOptions, TaskKind, TaskOrder,
};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_APPROVER_KEY, SECUROSYS_KEY_MANAGEMENT_KEY,
    SECUROSYS_KEY_OPERATION_KEY, SECUROSYS_SERVICE_KEY,
};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn hsm_with(sim: &BackgroundSimulator, api_keys: Value) -> Securosys {
    let cfg = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "api_keys": api_keys},
                "transport": {"backoff_base_ms": 10}})
        .to_string(),
    )
    .expect("config");
    Client::new(cfg)
        .expect("client")
        .securosys()
        .expect("securosys")
}

fn hsm(sim: &BackgroundSimulator) -> Securosys {
    hsm_with(
        sim,
        json!({"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
               "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
               "approver": [SECUROSYS_APPROVER_KEY],
               "service": [SECUROSYS_SERVICE_KEY]}),
    )
}

fn log(sim: &BackgroundSimulator) -> Vec<Value> {
    http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn statistics_and_the_hsm_log_whole_and_paged_with_the_service_key_only() {
    let sim = sim();
    let hsm = hsm(&sim);
    hsm.create_key(&CreateKey::new("k", KeySpec::P256))
        .expect("key");
    let stats = hsm.keystore_statistics().expect("statistics");
    assert!(stats.contains("1 keys"), "{stats}");
    let whole = hsm.hsm_log().expect("log");
    let lines: Vec<&str> = whole.lines().collect();
    assert!(lines.len() >= 2, "{whole}");
    assert!(lines[0].contains("POST /v1/key"), "{whole}");
    let first = hsm.hsm_log_page(0, 1).expect("page 0");
    assert_eq!(first, lines[0]);
    let second = hsm.hsm_log_page(1, 1).expect("page 1");
    assert_eq!(second, lines[1]);
    assert_eq!(hsm.hsm_log_page(1_000_000, 10).expect("past the end"), "");
    let e = hsm.hsm_log_page(0, 0).expect_err("bad size");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);

    for entry in log(&sim) {
        let p = entry["path"].as_str().unwrap_or_default();
        if p.starts_with("/v1/keystore") || p.starts_with("/v1/hsm/log") {
            assert_eq!(entry["required_role"], "serviceToken", "{entry}");
            assert_eq!(entry["api_key_roles"], json!(["serviceToken"]), "{entry}");
        }
    }
    let wrong = hsm_with(&sim, json!({"service": [SECUROSYS_KEY_OPERATION_KEY]}));
    let e = wrong.hsm_log().expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    let none = hsm_with(
        &sim,
        json!({"key_operation": [SECUROSYS_KEY_OPERATION_KEY]}),
    );
    let e = none.keystore_statistics().expect_err("no service key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
}

#[test]
fn approval_tasks_of_every_kind_page_by_page() {
    let sim = sim();
    let hsm = hsm(&sim);
    let approver = ApproverKey::generate_p256().expect("approver").0;
    let rule = Policy::quorum(1, &[("a".into(), approver.public_key_b64())], 3600).rule_use;
    let policy = Policy {
        rule_use: rule.clone(),
        rule_block: rule,
        ..Policy::default()
    };
    hsm.create_key(&CreateKey::new("signer", KeySpec::P256).with_policy(policy.clone()))
        .expect("signing key");
    let mut aes = CreateKey::new("aes", KeySpec::P256).with_policy(policy);
    aes.algorithm = KeyAlgorithm::Aes;
    aes.key_size = Some(256);
    aes.curve_oid = None;
    aes.attributes = KeyAttributes {
        encrypt: Some(true),
        decrypt: Some(true),
        sign: Some(false),
        unwrap: Some(false),
        ..KeyAttributes::default()
    };
    hsm.create_key(&aes).expect("aes key");

    let alg = KeySpec::P256.default_signature_algorithm();
    let mut signs = Vec::new();
    for i in 0..5u8 {
        signs.push(
            hsm.sign(
                "signer",
                &[i],
                PayloadKind::Raw,
                &alg,
                &SignOptions::default(),
            )
            .expect("sign"),
        );
    }
    let e = hsm
        .encrypt(
            "aes",
            b"x",
            &CipherAlgorithm::AesGcm,
            &CipherOptions::default(),
        )
        .expect("encrypt");
    let decrypt = hsm
        .decrypt(
            "aes",
            &e.ciphertext,
            &CipherAlgorithm::AesGcm,
            e.initialization_vector.as_deref(),
            &CipherOptions::default(),
            &SignOptions::default(),
        )
        .expect("decrypt");
    let block = hsm.block("signer", &SignOptions::default()).expect("block");

    let ids = |tasks: Vec<signbridge::providers::securosys::ApprovalTask>| {
        tasks.into_iter().map(|t| t.id).collect::<Vec<_>>()
    };
    let asc = TaskOrder::CreationDateAsc;
    assert_eq!(
        ids(hsm
            .approval_tasks_page(&approver, TaskKind::Sign, 0, 2, asc)
            .expect("page 0")),
        signs[0..2]
    );
    assert_eq!(
        ids(hsm
            .approval_tasks_page(&approver, TaskKind::Sign, 2, 2, asc)
            .expect("page 2")),
        signs[4..5]
    );
    assert_eq!(
        ids(hsm
            .approval_tasks_page(&approver, TaskKind::Sign, 0, 1, TaskOrder::CreationDateDesc)
            .expect("newest")),
        signs[4..5]
    );
    assert_eq!(
        ids(hsm
            .all_approval_tasks(&approver, TaskKind::Sign, 2)
            .expect("all sign")),
        signs
    );
    assert_eq!(
        ids(hsm
            .all_approval_tasks(&approver, TaskKind::Decrypt, 2)
            .expect("decrypt")),
        vec![decrypt.clone()]
    );
    assert_eq!(
        ids(hsm
            .all_approval_tasks(&approver, TaskKind::BlockKey, 2)
            .expect("block")),
        vec![block.clone()]
    );
    for kind in [
        TaskKind::ModifyKey,
        TaskKind::UnblockKey,
        TaskKind::UnwrapKey,
    ] {
        assert!(hsm
            .all_approval_tasks(&approver, kind, 2)
            .expect("none")
            .is_empty());
    }
    let all = ids(hsm
        .all_approval_tasks(&approver, TaskKind::All, 3)
        .expect("all"));
    assert_eq!(all.len(), 7);
    let e = hsm
        .approval_tasks_page(&approver, TaskKind::All, 0, 0, asc)
        .expect_err("page size 0");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);

    // filteredRequests: by state.
    let pending = hsm
        .filtered_requests(&[RequestState::Pending])
        .expect("pending");
    assert_eq!(pending.len(), 7);
    assert_eq!(pending[0].id, signs[0]);
    assert!(hsm
        .filtered_requests(&[RequestState::Executed])
        .expect("executed")
        .is_empty());
    assert_eq!(hsm.filtered_requests(&[]).expect("all").len(), 7);

    // Approving from a later page works like from the first.
    let tasks = hsm
        .approval_tasks_page(&approver, TaskKind::Sign, 1, 2, asc)
        .expect("page 1");
    hsm.approve(&approver, &tasks[0]).expect("approve");
    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(30)),
        ..WaitOptions::default()
    };
    hsm.wait_request(&signs[2], &opts).expect("signed");
    let done = hsm
        .filtered_requests(&[RequestState::Executed])
        .expect("executed");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].id, signs[2]);
    assert_eq!(
        hsm.all_approval_tasks(&approver, TaskKind::Sign, 2)
            .expect("left")
            .len(),
        4
    );
}
