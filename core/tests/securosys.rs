//! Securosys Primus HSM (TSB REST API) against the simulator: role keys, keys, synchronous and
//! asynchronous signing with a quorum of approvers, expiry, and certificates made with a key
//! (checked with `openssl`).

use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApproverKey, ApproverSigner, CertificateRequest, CreateKey, CsrRequest, DistinguishedName,
    ExtendedKeyUsage, KeySpec, KeyUsage, PayloadKind, Policy, RequestState, SignOptions, TaskKind,
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

fn sim_log(sim: &BackgroundSimulator) -> Vec<Value> {
    let r = http::get(&format!("{}/_sim/securosys/requests", sim.base_url())).expect("log");
    r.json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn openssl_verifies(spec: KeySpec, pem: &str, data: &[u8], sig: &[u8]) -> Option<bool> {
    let dir = tempfile::tempdir().ok()?;
    let (p, d, s) = (
        dir.path().join("pub.pem"),
        dir.path().join("data"),
        dir.path().join("sig"),
    );
    std::fs::write(&p, pem).ok()?;
    std::fs::write(&d, data).ok()?;
    std::fs::write(&s, sig).ok()?;
    let mut cmd = std::process::Command::new("openssl");
    match spec {
        KeySpec::Ed25519 => cmd
            .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
            .arg(&p)
            .args(["-rawin", "-in"])
            .arg(&d)
            .arg("-sigfile")
            .arg(&s),
        KeySpec::P384 => cmd
            .args(["dgst", "-sha384", "-verify"])
            .arg(&p)
            .arg("-signature")
            .arg(&s)
            .arg(&d),
        _ => cmd
            .args(["dgst", "-sha256", "-verify"])
            .arg(&p)
            .arg("-signature")
            .arg(&s)
            .arg(&d),
    };
    let out = cmd.output().ok()?;
    Some(out.status.success())
}

#[test]
fn every_key_type_signs_and_verifies_here_and_with_openssl() {
    let sim = sim();
    let hsm = hsm(&sim);
    assert!(!hsm.version_info().expect("version").version.is_empty());
    let data = b"the document to sign";
    for (i, spec) in [
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::P256,
        KeySpec::P384,
        KeySpec::Ed25519,
    ]
    .into_iter()
    .enumerate()
    {
        let label = format!("key-{i}");
        let created = hsm
            .create_key(&CreateKey::new(&label, spec))
            .expect("create");
        assert_eq!(created.label, label);
        assert!(hsm.list_keys().expect("list").contains(&label));
        let info = hsm.get_key(&label).expect("get");
        assert_eq!(info.attributes.as_ref().and_then(|a| a.sign), Some(true));
        let alg = spec.default_signature_algorithm();
        let sig = hsm
            .synchronous_sign(&label, data, PayloadKind::Raw, &alg)
            .expect("sign");
        assert!(hsm
            .verify(&label, data, PayloadKind::Raw, &alg, &sig)
            .expect("verify"));
        assert!(!hsm
            .verify(&label, b"tampered document", PayloadKind::Raw, &alg, &sig)
            .expect("verify tampered"));
        let pem = info.public_key_pem().expect("pem");
        assert_eq!(
            hsm.public_key(&label).expect("pub"),
            info.public_key_der().expect("der")
        );
        if let Some(ok) = openssl_verifies(spec, &pem, data, &sig) {
            assert!(ok, "openssl rejects the {spec:?} signature");
        }
        // A pre-computed digest, explicit in the call.
        if spec != KeySpec::Ed25519 {
            use sha2::Digest as _;
            let digest: Vec<u8> = if spec == KeySpec::P384 {
                sha2::Sha384::digest(data).to_vec()
            } else {
                sha2::Sha256::digest(data).to_vec()
            };
            let sig = hsm
                .synchronous_sign(&label, &digest, PayloadKind::Digest, &alg)
                .expect("sign digest");
            if let Some(ok) = openssl_verifies(spec, &pem, data, &sig) {
                assert!(ok, "openssl rejects the {spec:?} digest signature");
            }
        }
        hsm.delete_key(&label).expect("delete");
        let e = hsm
            .synchronous_sign(&label, data, PayloadKind::Raw, &alg)
            .expect_err("deleted");
        assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    }
}

#[test]
fn the_wrong_roles_key_is_refused_before_any_request() {
    let sim = sim();
    let only_service = hsm_with(&sim, json!({"service": [SECUROSYS_SERVICE_KEY]}));
    only_service.version_info().expect("service works");
    let before = sim_log(&sim).len();
    let e = only_service
        .create_key(&CreateKey::new("k", KeySpec::P256))
        .expect_err("no key-management key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    assert!(e.message().contains("key_management"), "{}", e.message());
    let e = only_service
        .synchronous_sign(
            "k",
            b"x",
            PayloadKind::Raw,
            &KeySpec::P256.default_signature_algorithm(),
        )
        .expect_err("no key-operation key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    assert_eq!(sim_log(&sim).len(), before, "no request may reach the TSB");
    // Every logged call carried exactly the role its endpoint needs.
    let hsm = hsm(&sim);
    hsm.create_key(&CreateKey::new("k", KeySpec::P256))
        .expect("create");
    hsm.list_keys().expect("list");
    for entry in sim_log(&sim) {
        assert_eq!(
            entry["api_key_roles"],
            json!([entry["required_role"].clone()]),
            "{entry}"
        );
    }
    // An invalid key rolls over to the role's next key.
    let rolled = hsm_with(
        &sim,
        json!({"service": ["not-a-valid-key", SECUROSYS_SERVICE_KEY]}),
    );
    rolled.version_info().expect("rolled over");
    rolled.version_info().expect("remembered");
    let bad = hsm_with(&sim, json!({"service": ["not-a-valid-key"]}));
    let e = bad.version_info().expect_err("invalid");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_eq!(e.provider_code(), Some("631"));
}

fn approvers(n: usize) -> Vec<ApproverKey> {
    (0..n)
        .map(|_| ApproverKey::generate_p256().expect("approver").0)
        .collect()
}

fn approve_all(hsm: &Securosys, who: &ApproverKey) -> usize {
    let tasks = hsm
        .list_approval_tasks(who, TaskKind::Sign, 25)
        .expect("tasks");
    for t in &tasks {
        hsm.approve(who, t).expect("approve");
    }
    tasks.len()
}

#[test]
fn async_sign_with_two_of_three_approvals_and_rejection() {
    let sim = sim();
    let hsm = hsm(&sim);
    let keys = approvers(3);
    let policy = Policy::quorum(
        2,
        &keys
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("approver-{i}"), k.public_key_b64()))
            .collect::<Vec<_>>(),
        3600,
    );
    hsm.create_key(&CreateKey::new("ska", KeySpec::Rsa2048).with_policy(policy))
        .expect("create SKA key");
    let alg = KeySpec::Rsa2048.default_signature_algorithm();
    let data = b"pay 100 CHF";
    let id = hsm
        .sign("ska", data, PayloadKind::Raw, &alg, &SignOptions::default())
        .expect("submit");
    assert_eq!(approve_all(&hsm, &keys[0]), 1);
    let st = hsm.request_status(&id).expect("status");
    assert!(
        !st.status.is_terminal(),
        "one approval is not enough: {st:?}"
    );
    assert_eq!(approve_all(&hsm, &keys[1]), 1);
    let opts = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    };
    let sig = hsm.wait_request(&id, &opts).expect("executed");
    assert!(hsm
        .verify("ska", data, PayloadKind::Raw, &alg, &sig)
        .expect("verify"));
    assert_eq!(
        hsm.request_status(&id).expect("status").status,
        RequestState::Executed
    );

    // Rejected: two of three approvers reject, so the quorum cannot be reached any more.
    let id = hsm
        .sign("ska", data, PayloadKind::Raw, &alg, &SignOptions::default())
        .expect("submit");
    for who in &keys[..2] {
        let tasks = hsm
            .list_approval_tasks(who, TaskKind::Sign, 25)
            .expect("tasks");
        for t in tasks {
            hsm.reject(who, &t.id).expect("reject");
        }
    }
    let e = hsm.wait_request(&id, &opts).expect_err("rejected");
    assert_eq!(e.code(), ErrorCode::Rejected, "{e}");

    // Cancelled by the caller.
    let id = hsm
        .sign("ska", data, PayloadKind::Raw, &alg, &SignOptions::default())
        .expect("submit");
    hsm.cancel_request(&id).expect("cancel");
    let e = hsm.wait_request(&id, &opts).expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
    let _ = keys[2].digest_algorithm();
}

/// Runs openssl in `dir`; returns success and stdout + stderr.
fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The public key openssl reads from a certificate or CSR, as PEM.
fn openssl_pubkey(dir: &std::path::Path, kind: &str, file: &str) -> String {
    let (ok, text) = openssl(dir, &[kind, "-in", file, "-noout", "-pubkey"]);
    assert!(ok, "{text}");
    text
}

#[test]
fn certificates_and_csrs_are_made_and_signed_by_the_hsm_key() {
    let sim = sim();
    let hsm = hsm(&sim);
    let dir = tempfile::tempdir().expect("tmp");
    for spec in [
        KeySpec::P256,
        KeySpec::Rsa2048,
        KeySpec::P384,
        KeySpec::Ed25519,
    ] {
        let label = format!("cert-{spec:?}");
        let key = hsm
            .create_key(&CreateKey::new(&label, spec))
            .expect("create");
        let key_pem = key.public_key_pem().expect("pem");
        let alg = spec.default_signature_algorithm();

        // A self-signed CA certificate.
        let ca = CertificateRequest::new("signbridge test CA", alg.clone())
            .authority()
            .with_validity_days(30);
        let cert = hsm
            .self_signed_certificate(&label, &ca)
            .expect("self-signed");
        assert!(cert.pem().starts_with("-----BEGIN CERTIFICATE-----"));
        std::fs::write(dir.path().join("cert.pem"), cert.pem()).expect("write");
        let (ok, text) = openssl(dir.path(), &["x509", "-in", "cert.pem", "-noout", "-text"]);
        assert!(ok, "{spec:?}: {text}");
        assert!(text.contains("CN = signbridge test CA"), "{text}");
        assert!(text.contains("CA:TRUE"), "{text}");
        let (ok, text) = openssl(dir.path(), &["verify", "-CAfile", "cert.pem", "cert.pem"]);
        assert!(ok && text.contains("cert.pem: OK"), "{spec:?}: {text}");
        assert_eq!(
            openssl_pubkey(dir.path(), "x509", "cert.pem"),
            key_pem,
            "{spec:?}: the certificate certifies the HSM key"
        );

        // A CSR with a subject and usages.
        let mut subject = DistinguishedName::new("Doc Signer");
        subject.country = Some("CH".into());
        subject.organization_name = Some("Example AG".into());
        subject.email = Some("signer@example.com".into());
        let mut req = CsrRequest::new(subject, alg);
        req.key_usage.push(KeyUsage::ContentCommitment);
        req.extended_key_usage.push(ExtendedKeyUsage::ClientAuth);
        let csr = hsm.certificate_signing_request(&label, &req).expect("csr");
        std::fs::write(dir.path().join("csr.pem"), csr.pem()).expect("write");
        let (ok, text) = openssl(
            dir.path(),
            &["req", "-in", "csr.pem", "-verify", "-noout", "-text"],
        );
        assert!(ok, "{spec:?}: {text}");
        for part in [
            "C = CH",
            "O = Example AG",
            "CN = Doc Signer",
            "Non Repudiation",
        ] {
            assert!(text.contains(part), "{part} missing: {text}");
        }
        assert_eq!(openssl_pubkey(dir.path(), "req", "csr.pem"), key_pem);
    }

    // An unknown key, and an algorithm of another key type.
    let p256 = KeySpec::P256.default_signature_algorithm();
    let e = hsm
        .self_signed_certificate("no-such-key", &CertificateRequest::new("x", p256.clone()))
        .expect_err("unknown key");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let e = hsm
        .self_signed_certificate("cert-Ed25519", &CertificateRequest::new("x", p256.clone()))
        .expect_err("wrong algorithm");
    assert_eq!(e.code(), ErrorCode::Provider, "{e}");
    assert_eq!(e.provider_code(), Some("607"));

    // Seed 003: certificates need the key-operation key by default; a client with only the
    // key-management key (what the old default sent) is refused before anything is sent, and
    // the simulator refuses that key on /v1/certificate/** too.
    let mgmt_only = hsm_with(
        &sim,
        json!({"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY]}),
    );
    let before = sim_log(&sim).len();
    let e = mgmt_only
        .self_signed_certificate("cert-P256", &CertificateRequest::new("x", p256.clone()))
        .expect_err("no key-operation key");
    assert_eq!(e.code(), ErrorCode::AuthConfigMissing, "{e}");
    assert!(e.message().contains("key_operation"), "{}", e.message());
    assert_eq!(sim_log(&sim).len(), before, "no request may reach the TSB");
    let old_default = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "certificate_role": "key_management",
                "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY]}}})
        .to_string(),
    )
    .expect("config");
    let e = Client::new(old_default)
        .expect("client")
        .securosys()
        .expect("securosys")
        .self_signed_certificate("cert-P256", &CertificateRequest::new("x", p256.clone()))
        .expect_err("the simulator wants the key-operation key");
    assert!(
        matches!(e.code(), ErrorCode::Auth | ErrorCode::Forbidden),
        "{e}"
    );
    let op_only = hsm_with(
        &sim,
        json!({"key_operation": [SECUROSYS_KEY_OPERATION_KEY]}),
    );
    op_only
        .self_signed_certificate("cert-P256", &CertificateRequest::new("seed", p256.clone()))
        .expect("with the key-operation key");

    // A TSB on the newer documentation's table: certificate_role says so.
    http::send_json(
        "PUT",
        &format!("{}/_sim/securosys/auth", sim.base_url()),
        &json!({"role_table": "newer"}),
    )
    .expect("newer table");
    let cfg = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "certificate_role": "key_management",
                "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY]}}})
        .to_string(),
    )
    .expect("config");
    let newer = Client::new(cfg)
        .expect("client")
        .securosys()
        .expect("securosys");
    newer
        .self_signed_certificate("cert-P256", &CertificateRequest::new("newer TSB", p256))
        .expect("with the key-management key");
    let bad = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "certificate_role": "approver"}})
            .to_string(),
    )
    .expect("config");
    let e = Client::new(bad).expect_err("not a certificate role");
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}

#[test]
fn a_certificate_of_a_key_with_approvals_waits_for_them() {
    let sim = sim();
    let hsm = hsm(&sim);
    let keys = approvers(2);
    let policy = Policy::quorum(
        1,
        &keys
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("approver-{i}"), k.public_key_b64()))
            .collect::<Vec<_>>(),
        3600,
    );
    hsm.create_key(&CreateKey::new("ska-ca", KeySpec::P256).with_policy(policy))
        .expect("create SKA key");
    let ca = CertificateRequest::new("approved CA", KeySpec::P256.default_signature_algorithm())
        .authority();
    let e = hsm
        .self_signed_certificate("ska-ca", &ca)
        .expect_err("needs approvals");
    assert_eq!(e.provider_code(), Some("401"), "{e}");
    let id = hsm
        .request_self_signed_certificate("ska-ca", &ca, &SignOptions::default())
        .expect("submit");
    assert_eq!(approve_all(&hsm, &keys[1]), 1);
    let opts = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    };
    let cert = hsm.wait_certificate(&id, &opts).expect("certificate");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("ca.pem"), cert.pem()).expect("write");
    let (ok, text) = openssl(dir.path(), &["verify", "-CAfile", "ca.pem", "ca.pem"]);
    assert!(ok, "{text}");
    assert_eq!(
        openssl_pubkey(dir.path(), "x509", "ca.pem"),
        hsm.get_key("ska-ca")
            .expect("key")
            .public_key_pem()
            .expect("pem")
    );

    let id = hsm
        .request_certificate_signing_request(
            "ska-ca",
            &CsrRequest::new(
                DistinguishedName::new("approved CSR"),
                KeySpec::P256.default_signature_algorithm(),
            ),
            &SignOptions::default(),
        )
        .expect("submit csr");
    assert_eq!(approve_all(&hsm, &keys[0]), 1);
    let csr = hsm
        .wait_certificate_signing_request(&id, &opts)
        .expect("csr");
    std::fs::write(dir.path().join("csr.pem"), csr.pem()).expect("write");
    let (ok, text) = openssl(dir.path(), &["req", "-in", "csr.pem", "-verify", "-noout"]);
    assert!(ok, "{text}");
}

#[test]
fn a_request_whose_approval_timeout_passes_expires_and_a_deleted_key_is_gone() {
    let sim = sim();
    let hsm = hsm(&sim);
    let keys = approvers(3);
    let policy = Policy::quorum(
        2,
        &keys
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("approver-{i}"), k.public_key_b64()))
            .collect::<Vec<_>>(),
        60,
    );
    hsm.create_key(&CreateKey::new("ska", KeySpec::P256).with_policy(policy))
        .expect("create SKA key");
    let alg = KeySpec::P256.default_signature_algorithm();
    let opts = WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(20)),
        ..WaitOptions::default()
    };

    // One approval of the two needed, then the policy's 60 s approval timeout passes.
    let id = hsm
        .sign(
            "ska",
            b"late",
            PayloadKind::Raw,
            &alg,
            &SignOptions::default(),
        )
        .expect("submit");
    assert_eq!(approve_all(&hsm, &keys[0]), 1);
    let r = http::send_json(
        "POST",
        &format!("{}/_sim/clock/advance", sim.base_url()),
        &json!({"seconds": 120}),
    )
    .expect("advance the clock");
    assert_eq!(r.status, 200);
    let e = hsm.wait_request(&id, &opts).expect_err("expired");
    assert_eq!(e.code(), ErrorCode::SessionExpired, "{e}");
    assert_eq!(e.provider_code(), Some("EXPIRED"));
    assert_eq!(
        hsm.request_status(&id).expect("status").status,
        RequestState::Expired
    );
    assert!(
        hsm.list_approval_tasks(&keys[1], TaskKind::Sign, 25)
            .expect("tasks")
            .is_empty(),
        "an expired request has no task left to approve"
    );

    // Deleting the key cancels its pending request; afterwards the key is not found.
    let id = hsm
        .sign(
            "ska",
            b"orphan",
            PayloadKind::Raw,
            &alg,
            &SignOptions::default(),
        )
        .expect("submit");
    hsm.delete_key("ska").expect("delete");
    let e = hsm.wait_request(&id, &opts).expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled, "{e}");
    let e = hsm
        .sign(
            "ska",
            b"after",
            PayloadKind::Raw,
            &alg,
            &SignOptions::default(),
        )
        .expect_err("deleted");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    assert_eq!(e.provider_code(), Some("650"));
    let e = hsm.get_key("ska").expect_err("deleted");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    // The message says which thing is unknown: a key label, not "this session or file".
    assert!(e.message().contains("no key with this label"), "{e}");
    assert!(!e.message().contains("session"), "{e}");
    let e = hsm.delete_key("ska").expect_err("deleted twice");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
}
