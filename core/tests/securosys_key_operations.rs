//! Securosys key operation role beyond signing against the simulator, checked by
//! tools we did not write (`openssl`): data encrypted by `openssl pkeyutl -encrypt` with the
//! exported public key decrypts through the HSM; a key imported by RSA-OAEP key transport gives
//! the HMAC `openssl mac` computes; a wrapped key unwraps to the same key material; decrypt,
//! block and unwrap with approvals; every endpoint gets only the key operation role's key.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    ApproverKey, CipherAlgorithm, CipherOptions, CreateKey, KeyAlgorithm, KeyAttributes, KeyInfo,
    KeySpec, Policy, SignOptions, TaskKind, UnwrapKey, WrapMethod,
};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_APPROVER_KEY, SECUROSYS_JWT,
    SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn hsm_with(sim: &BackgroundSimulator, extra: Value) -> Securosys {
    let mut s = json!({"base_url": sim.base_url(),
        "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
                     "key_operation": [SECUROSYS_KEY_OPERATION_KEY],
                     "approver": [SECUROSYS_APPROVER_KEY]}});
    if let (Some(o), Some(e)) = (s.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    let cfg = Config::from_json(
        &json!({"securosys": s, "transport": {"backoff_base_ms": 10}}).to_string(),
    )
    .expect("config");
    Client::new(cfg)
        .expect("client")
        .securosys()
        .expect("securosys")
}

fn hsm(sim: &BackgroundSimulator) -> Securosys {
    hsm_with(sim, json!({}))
}

fn attrs(encrypt: bool, sign: bool, wrap: bool, unwrap: bool, extractable: bool) -> KeyAttributes {
    KeyAttributes {
        encrypt: Some(encrypt),
        decrypt: Some(true),
        sign: Some(sign),
        wrap: Some(wrap),
        unwrap: Some(unwrap),
        extractable: Some(extractable),
        sensitive: Some(!extractable),
        ..KeyAttributes::default()
    }
}

fn key(label: &str, algorithm: KeyAlgorithm, size: u32, a: KeyAttributes) -> CreateKey {
    let mut k = CreateKey::new(label, KeySpec::Rsa2048);
    k.algorithm = algorithm;
    k.key_size = Some(size);
    k.attributes = a;
    k
}

fn wait() -> WaitOptions<signbridge::providers::securosys::RequestStatus> {
    WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(30)),
        ..WaitOptions::default()
    }
}

fn openssl(args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("openssl").args(args).output().ok()?;
    if !out.status.success() {
        panic!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(out.stdout)
}

/// The RSA key `label`'s public key in a PEM file in `dir`.
fn public_pem(hsm: &Securosys, label: &str, dir: &std::path::Path) -> String {
    let info: KeyInfo = hsm.get_key(label).expect("key");
    let path = dir.join(format!("{label}.pem"));
    std::fs::write(&path, info.public_key_pem().expect("pem")).expect("write pem");
    path.display().to_string()
}

#[test]
fn openssl_ciphertexts_decrypt_in_the_hsm_and_a_transported_key_gives_openssls_hmac() {
    let sim = sim();
    let hsm = hsm(&sim);
    let dir = tempfile::tempdir().expect("tmp");
    hsm.create_key(&key(
        "rsa",
        KeyAlgorithm::Rsa,
        2048,
        attrs(true, false, true, true, false),
    ))
    .expect("rsa key");
    let pem = public_pem(&hsm, "rsa", dir.path());
    let msg = dir.path().join("msg");
    std::fs::write(&msg, b"attack at dawn").expect("msg");
    let msg = msg.display().to_string();
    let none = CipherOptions::default();
    for (alg, opts) in [
        (
            CipherAlgorithm::RsaOaepSha256,
            &[
                "-pkeyopt",
                "rsa_padding_mode:oaep",
                "-pkeyopt",
                "rsa_oaep_md:sha256",
            ][..],
        ),
        (
            CipherAlgorithm::RsaOaep,
            &["-pkeyopt", "rsa_padding_mode:oaep"][..],
        ),
        (
            CipherAlgorithm::RsaPkcs1,
            &["-pkeyopt", "rsa_padding_mode:pkcs1"][..],
        ),
    ] {
        let mut args = vec!["pkeyutl", "-encrypt", "-pubin", "-inkey", &pem, "-in", &msg];
        args.extend_from_slice(opts);
        let Some(ct) = openssl(&args) else {
            eprintln!("openssl not found: skipping the interop half");
            return;
        };
        let pt = hsm
            .synchronous_decrypt("rsa", &ct, &alg, None, &none)
            .expect("the HSM decrypts what openssl encrypted");
        assert_eq!(pt, b"attack at dawn", "{alg}");
    }

    // A secret we know, transported into the HSM under its RSA key (openssl wraps it).
    let secret: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let secret_path = dir.path().join("secret");
    std::fs::write(&secret_path, &secret).expect("secret");
    let wrapped = openssl(&[
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        &pem,
        "-in",
        &secret_path.display().to_string(),
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
    ])
    .expect("openssl");
    let imported = hsm
        .synchronous_unwrap_key(&UnwrapKey {
            label: "known".into(),
            unwrap_key_name: "rsa".into(),
            wrapped_key: wrapped,
            wrap_method: WrapMethod::RsaWrapOaep,
            attributes: attrs(true, true, false, false, false),
            policy: None,
        })
        .expect("unwrap");
    assert_eq!(imported.algorithm, Some(KeyAlgorithm::Aes));
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let theirs = openssl(&[
        "dgst",
        "-sha256",
        "-mac",
        "HMAC",
        "-macopt",
        &format!("hexkey:{hex}"),
        "-binary",
        &msg,
    ])
    .expect("openssl");
    let ours = hsm
        .synchronous_hmac("known", b"attack at dawn")
        .expect("hmac");
    assert_eq!(ours, theirs, "the HSM's HMAC is openssl's");
    assert!(hsm
        .verify_hmac("known", b"attack at dawn", &theirs)
        .expect("verify"));
    assert!(!hsm
        .verify_hmac("known", b"attack at dusk", &theirs)
        .expect("verify"));
}

#[test]
fn aes_gcm_wrap_unwrap_and_random() {
    let sim = sim();
    let hsm = hsm(&sim);
    hsm.create_key(&key(
        "kek",
        KeyAlgorithm::Aes,
        256,
        attrs(true, true, true, true, false),
    ))
    .expect("kek");
    hsm.create_key(&key(
        "data",
        KeyAlgorithm::Aes,
        128,
        attrs(true, false, false, false, true),
    ))
    .expect("data key");
    let opts = CipherOptions {
        tag_length: Some(96),
        additional_authentication_data: Some(b"header".to_vec()),
    };
    let e = hsm
        .encrypt("data", b"payload", &CipherAlgorithm::AesGcm, &opts)
        .expect("encrypt");
    assert_eq!(e.ciphertext.len(), 7 + 12, "ciphertext and a 96-bit tag");
    assert_eq!(e.tag.as_deref(), Some(&e.ciphertext[7..]));
    let iv = e.initialization_vector.clone().expect("iv");
    assert_eq!(iv.len(), 12);
    let pt = hsm
        .synchronous_decrypt(
            "data",
            &e.ciphertext,
            &CipherAlgorithm::AesGcm,
            Some(&iv),
            &opts,
        )
        .expect("decrypt");
    assert_eq!(pt, b"payload");
    let mut tampered = e.ciphertext.clone();
    tampered[0] ^= 1;
    let err = hsm
        .synchronous_decrypt(
            "data",
            &tampered,
            &CipherAlgorithm::AesGcm,
            Some(&iv),
            &opts,
        )
        .expect_err("tampered");
    assert_eq!(err.code(), ErrorCode::Provider);
    assert_eq!(err.provider_code(), Some("410"), "{err}");

    // Wrapped and unwrapped: the same key material (what one encrypts, the other decrypts).
    for method in [WrapMethod::AesWrap, WrapMethod::AesWrapPad] {
        let wrapped = hsm.wrap_key("data", "kek", &method).expect("wrap");
        let label = format!("copy-{method}");
        let info = hsm
            .synchronous_unwrap_key(&UnwrapKey {
                label: label.clone(),
                unwrap_key_name: "kek".into(),
                wrapped_key: wrapped.clone(),
                wrap_method: method.clone(),
                attributes: attrs(true, false, false, false, false),
                policy: None,
            })
            .expect("unwrap");
        assert_eq!(info.key_size, Some(128));
        let e2 = hsm
            .encrypt(
                &label,
                b"same key?",
                &CipherAlgorithm::AesGcm,
                &CipherOptions::default(),
            )
            .expect("encrypt with the copy");
        let back = hsm
            .synchronous_decrypt(
                "data",
                &e2.ciphertext,
                &CipherAlgorithm::AesGcm,
                e2.initialization_vector.as_deref(),
                &CipherOptions::default(),
            )
            .expect("the original decrypts");
        assert_eq!(back, b"same key?");
        // Unwrapped with the wrong key: an integrity failure, not a key.
        let err = hsm
            .synchronous_unwrap_key(&UnwrapKey {
                label: format!("bad-{method}"),
                unwrap_key_name: "kek".into(),
                wrapped_key: {
                    let mut w = wrapped;
                    w[3] ^= 0x40;
                    w
                },
                wrap_method: method.clone(),
                attributes: attrs(true, false, false, false, false),
                policy: None,
            })
            .expect_err("integrity");
        assert_eq!(err.provider_code(), Some("410"), "{err}");
    }
    let err = hsm
        .wrap_key("kek", "kek", &WrapMethod::AesWrap)
        .expect_err("not extractable");
    assert_eq!(err.provider_code(), Some("614"), "{err}");

    let r = hsm.generate_random(48).expect("random");
    assert_eq!(r.len(), 48);
    assert_ne!(r, hsm.generate_random(48).expect("random"));
    let err = hsm.generate_random(0).expect_err("zero");
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

#[test]
fn decrypt_block_and_unwrap_with_approvals() {
    let sim = sim();
    let hsm = hsm(&sim);
    let approver = ApproverKey::generate_p256().expect("approver").0;
    let one = Policy::quorum(1, &[("a".into(), approver.public_key_b64())], 3600);
    let rule = one.rule_use.clone();
    let mut k = key(
        "ska",
        KeyAlgorithm::Aes,
        256,
        attrs(true, true, true, true, false),
    );
    k.policy = Some(Policy {
        rule_use: rule.clone(),
        rule_block: rule.clone(),
        rule_unblock: rule,
        ..Policy::default()
    });
    hsm.create_key(&k).expect("SKA AES key");
    let none = CipherOptions::default();
    let e = hsm
        .encrypt("ska", b"secret", &CipherAlgorithm::AesGcm, &none)
        .expect("encrypt needs no approval");
    let iv = e.initialization_vector.clone();
    let err = hsm
        .synchronous_decrypt(
            "ska",
            &e.ciphertext,
            &CipherAlgorithm::AesGcm,
            iv.as_deref(),
            &none,
        )
        .expect_err("needs approvals");
    assert_eq!(err.provider_code(), Some("401"), "{err}");
    let id = hsm
        .decrypt(
            "ska",
            &e.ciphertext,
            &CipherAlgorithm::AesGcm,
            iv.as_deref(),
            &none,
            &SignOptions::default(),
        )
        .expect("submit");
    assert!(hsm
        .list_approval_tasks(&approver, TaskKind::Sign, 25)
        .expect("sign tasks")
        .is_empty());
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::Decrypt, 25)
        .expect("decrypt tasks");
    assert_eq!(tasks.len(), 1);
    hsm.approve(&approver, &tasks[0]).expect("approve");
    assert_eq!(
        hsm.wait_request(&id, &wait()).expect("plaintext"),
        b"secret"
    );

    // Block under the block rule, rejected; then approved.
    let id = hsm.block("ska", &SignOptions::default()).expect("block");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::BlockKey, 25)
        .expect("block tasks");
    hsm.reject(&approver, &tasks[0].id).expect("reject");
    let err = hsm.wait_request_done(&id, &wait()).expect_err("rejected");
    assert_eq!(err.code(), ErrorCode::Rejected);
    let id = hsm.block("ska", &SignOptions::default()).expect("block");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::All, 25)
        .expect("all tasks");
    hsm.approve(&approver, &tasks[0]).expect("approve");
    hsm.wait_request_done(&id, &wait()).expect("blocked");
    let err = hsm
        .encrypt("ska", b"x", &CipherAlgorithm::AesGcm, &none)
        .expect_err("blocked");
    assert!(err.message().contains("blocked"), "{err}");
    let err = hsm.synchronous_unblock("ska").expect_err("needs approvals");
    assert_eq!(err.provider_code(), Some("401"), "{err}");
    let id = hsm
        .unblock("ska", &SignOptions::default())
        .expect("unblock");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::UnblockKey, 25)
        .expect("unblock tasks");
    hsm.approve(&approver, &tasks[0]).expect("approve");
    hsm.wait_request_done(&id, &wait()).expect("unblocked");

    // Unwrap under the unwrapping key's use rule.
    hsm.create_key(&key(
        "plain",
        KeyAlgorithm::Aes,
        128,
        attrs(true, false, false, false, true),
    ))
    .expect("extractable key");
    let wrapped = hsm
        .wrap_key("plain", "ska", &WrapMethod::AesWrapPad)
        .expect("wrap");
    let req = UnwrapKey {
        label: "imported".into(),
        unwrap_key_name: "ska".into(),
        wrapped_key: wrapped,
        wrap_method: WrapMethod::AesWrapPad,
        attributes: attrs(true, false, false, false, false),
        policy: None,
    };
    let err = hsm
        .synchronous_unwrap_key(&req)
        .expect_err("needs approvals");
    assert_eq!(err.provider_code(), Some("401"), "{err}");
    let id = hsm
        .unwrap_key(&req, &SignOptions::default())
        .expect("submit");
    let tasks = hsm
        .list_approval_tasks(&approver, TaskKind::UnwrapKey, 25)
        .expect("unwrap tasks");
    hsm.approve(&approver, &tasks[0]).expect("approve");
    hsm.wait_request_done(&id, &wait()).expect("unwrapped");
    assert_eq!(hsm.get_key("imported").expect("key").key_size, Some(128));
}

#[test]
fn every_key_operation_sends_only_the_key_operation_key_and_refuses_another_role() {
    let sim = sim();
    http::send_json(
        "PUT",
        &format!("{}/_sim/securosys/auth", sim.base_url()),
        &json!({"require_jwt": true}),
    )
    .expect("require a JWT");
    let hsm = hsm_with(&sim, json!({"jwt": SECUROSYS_JWT}));
    hsm.create_key(&key(
        "k",
        KeyAlgorithm::Aes,
        256,
        attrs(true, true, true, true, true),
    ))
    .expect("key");
    let ska = Policy {
        key_status: Some(Default::default()),
        ..Policy::default()
    };
    let mut k = CreateKey::new("ska", KeySpec::P256);
    k.policy = Some(ska);
    hsm.create_key(&k).expect("ska key");
    http::send_json(
        "DELETE",
        &format!("{}/_sim/securosys/requests", sim.base_url()),
        &json!({}),
    )
    .expect("clear log");

    let none = CipherOptions::default();
    let gcm = CipherAlgorithm::AesGcm;
    let e = hsm.encrypt("k", b"x", &gcm, &none).expect("encrypt");
    let iv = e.initialization_vector.clone();
    hsm.synchronous_decrypt("k", &e.ciphertext, &gcm, iv.as_deref(), &none)
        .expect("decrypt");
    let id = hsm
        .decrypt(
            "k",
            &e.ciphertext,
            &gcm,
            iv.as_deref(),
            &none,
            &SignOptions::default(),
        )
        .expect("async decrypt");
    hsm.wait_request(&id, &wait())
        .expect("no policy: executed at once");
    let mac = hsm.synchronous_hmac("k", b"x").expect("hmac");
    assert!(hsm.verify_hmac("k", b"x", &mac).expect("verify"));
    hsm.generate_random(8).expect("random");
    hsm.synchronous_block("ska").expect("block");
    hsm.synchronous_unblock("ska").expect("unblock");
    let id = hsm.block("ska", &SignOptions::default()).expect("block");
    hsm.wait_request_done(&id, &wait()).expect("blocked");
    let id = hsm
        .unblock("ska", &SignOptions::default())
        .expect("unblock");
    hsm.wait_request_done(&id, &wait()).expect("unblocked");
    let w = hsm.wrap_key("k", "k", &WrapMethod::AesWrap).expect("wrap");
    let req = UnwrapKey {
        label: "u1".into(),
        unwrap_key_name: "k".into(),
        wrapped_key: w,
        wrap_method: WrapMethod::AesWrap,
        attributes: attrs(true, false, false, false, false),
        policy: None,
    };
    hsm.synchronous_unwrap_key(&req).expect("unwrap");
    let id = hsm
        .unwrap_key(
            &UnwrapKey {
                label: "u2".into(),
                ..req.clone()
            },
            &SignOptions::default(),
        )
        .expect("async unwrap");
    hsm.wait_request_done(&id, &wait()).expect("unwrapped");

    let log = http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    let log = log.as_array().cloned().unwrap_or_default();
    let mut paths = std::collections::BTreeSet::new();
    for entry in &log {
        assert_eq!(entry["required_role"], "keyOperationToken", "{entry}");
        assert_eq!(
            entry["api_key_roles"],
            json!(["keyOperationToken"]),
            "{entry}"
        );
        assert_eq!(entry["bearer"], true, "{entry}");
        assert_eq!(
            entry["status"].as_u64().map(|s| s < 300),
            Some(true),
            "{entry}"
        );
        let p = entry["path"].as_str().unwrap_or_default();
        if !p.starts_with("/v1/request/") {
            paths.insert(
                p.split("/v1/generateRandom/")
                    .next()
                    .unwrap_or(p)
                    .to_string(),
            );
        }
    }
    for p in [
        "/v1/encrypt",
        "/v1/synchronousDecrypt",
        "/v1/decrypt",
        "/v1/synchronousHmac",
        "/v1/verify",
        "/v1/synchronousBlock",
        "/v1/synchronousUnblock",
        "/v1/block",
        "/v1/unblock",
        "/v1/wrap",
        "/v1/synchronousUnwrap",
        "/v1/unwrap",
    ] {
        assert!(paths.contains(p), "{p} not called: {paths:?}");
    }
    assert!(log.iter().any(|e| e["path"] == "/v1/generateRandom/8"));

    // A key of another role in the key-operation slot: the TSB refuses (403), and nothing
    // else is sent; no key-operation key at all: nothing is sent.
    let wrong = hsm_with(
        &sim,
        json!({"jwt": SECUROSYS_JWT,
               "api_keys": {"key_operation": [SECUROSYS_KEY_MANAGEMENT_KEY]}}),
    );
    let err = wrong
        .encrypt("k", b"x", &gcm, &none)
        .expect_err("wrong role");
    assert_eq!(err.http_status(), Some(403), "{err}");
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    let err = wrong.generate_random(4).expect_err("wrong role");
    assert_eq!(err.http_status(), Some(403), "{err}");
    let missing = hsm_with(
        &sim,
        json!({"jwt": SECUROSYS_JWT,
               "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY]}}),
    );
    let err = missing.synchronous_hmac("k", b"x").expect_err("no key");
    assert_eq!(err.code(), ErrorCode::AuthConfigMissing);
    // Without the JWT the CloudHSM-like TSB refuses before the role check.
    let no_jwt = hsm_with(&sim, json!({}));
    let err = no_jwt.generate_random(4).expect_err("no jwt");
    assert_eq!(err.code(), ErrorCode::Auth, "{err}");
}

/// `securosys.public_key` gives the key as DER and as PEM, and openssl reads the PEM as the same
/// key.
#[test]
fn public_key_operation_gives_pem_that_openssl_reads_as_the_der() {
    let sim = sim();
    let cfg = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(),
            "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY],
                         "key_operation": [SECUROSYS_KEY_OPERATION_KEY]}}})
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let ctx = signbridge::api::CallContext::default();
    client
        .call(
            "securosys.create_key",
            json!({"label": "pem-k", "algorithm": "EC", "curve_oid": "1.2.840.10045.3.1.7"}),
            &ctx,
        )
        .expect("key");
    let out = client
        .call("securosys.public_key", json!({"label": "pem-k"}), &ctx)
        .expect("public key");
    let pem = out["pem"].as_str().expect("pem");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("k.pem");
    std::fs::write(&path, pem).expect("write");
    let path = path.display().to_string();
    let Some(der) = openssl(&["pkey", "-pubin", "-in", &path, "-outform", "DER"]) else {
        return;
    };
    use base64::Engine as _;
    let want = base64::engine::general_purpose::STANDARD
        .decode(out["der_base64"].as_str().expect("der"))
        .expect("base64");
    assert_eq!(der, want);
}
