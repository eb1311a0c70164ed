//! Keys from a seed, derived keys and file encryption against the simulator.
//!
//! The derived keys are checked against the published SLIP-0010 test vectors ("Test vector 1
//! for nist256p1" and "for ed25519", seed 000102…0f), and their signatures against `ring`
//! with the exported public key: neither is code of this project.

use serde_json::json;
use signbridge::blocking::{Client, Securosys};
use signbridge::providers::securosys::{
    CreateKey, Curve, ImportSeedKey, KeyAlgorithm, KeyAttributes, PayloadKind, SignatureAlgorithm,
};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

const SEED: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn hsm_with(sim: &BackgroundSimulator, km: &str, op: &str) -> Securosys {
    let cfg = json!({"securosys": {"base_url": sim.base_url(),
        "api_keys": {"key_management": [km], "key_operation": [op]}}});
    Client::new(Config::from_json(&cfg.to_string()).expect("config"))
        .expect("client")
        .securosys()
        .expect("securosys")
}

fn hsm(sim: &BackgroundSimulator) -> Securosys {
    hsm_with(
        sim,
        SECUROSYS_KEY_MANAGEMENT_KEY,
        SECUROSYS_KEY_OPERATION_KEY,
    )
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The SEC1 compressed form of a P-256 SPKI's point.
fn compressed_p256(spki: &[u8]) -> Vec<u8> {
    let point = &spki[spki.len() - 65..];
    assert_eq!(point[0], 4, "uncompressed point");
    let mut out = vec![if point[64] % 2 == 0 { 2 } else { 3 }];
    out.extend_from_slice(&point[1..33]);
    out
}

fn seed_key(label: &str, curve: Curve) -> ImportSeedKey {
    ImportSeedKey {
        label: label.to_owned(),
        seed: SEED.to_vec().into(),
        curve,
        attributes: KeyAttributes::signing(),
        policy: None,
    }
}

fn log(sim: &BackgroundSimulator) -> Vec<serde_json::Value> {
    http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn slip10_p256_keys_match_the_published_vectors_and_sign() {
    let sim = sim();
    let hsm = hsm(&sim);
    let master = hsm
        .import_seed_key(&seed_key("tv1", Curve::P256))
        .expect("import");
    assert_eq!(
        compressed_p256(&master.public_key_der().expect("spki")),
        unhex("0266874dc6ade47b3ecd096745ca09bcd29638dd52c2c12117b11ed3e458cfa9e8")
    );
    let child = hsm.derive_key("tv1", "m/0'/1", None).expect("derive");
    assert_eq!(child.label, "tv1/0'/1");
    let spki = child.public_key_der().expect("spki");
    assert_eq!(
        compressed_p256(&spki),
        unhex("03526c63f8d0b4bbbf9c80df553fe66742df4676b241dabefdef67733e070f6844")
    );
    // Deriving again answers the same key; `H` is the same as `'`.
    let again = hsm.derive_key("tv1", "m/0H/1", None).expect("again");
    assert_eq!(again.public_key, child.public_key);

    // The derived key signs like any key; ring checks the signature with its public key.
    let alg = SignatureAlgorithm::Sha256WithEcdsa;
    let sig = hsm
        .synchronous_sign("tv1/0'/1", b"derived", PayloadKind::Raw, &alg)
        .expect("sign");
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_ASN1,
        &spki[spki.len() - 65..],
    )
    .verify(b"derived", &sig)
    .expect("ring verifies the derived key's signature");

    // A label taken, a seed too short, a bad path (refused before sending), no chain code.
    let e = hsm
        .import_seed_key(&seed_key("tv1", Curve::P256))
        .expect_err("exists");
    assert_eq!(e.provider_code(), Some("608"), "{e}");
    let mut short = seed_key("short", Curve::P256);
    short.seed = vec![1u8; 15].into();
    let e = hsm.import_seed_key(&short).expect_err("short seed");
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    assert!(!format!("{short:?}").contains("[1, 1"), "seed redacted");
    let before = log(&sim).len();
    for bad in ["0/1", "m", "m/2147483648", "m/1''"] {
        let e = hsm.derive_key("tv1", bad, None).expect_err(bad);
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}: {e}");
    }
    assert_eq!(log(&sim).len(), before, "bad paths are not sent");
    let mut plain = CreateKey::new("plain", signbridge::providers::securosys::KeySpec::P256);
    plain.algorithm = KeyAlgorithm::Ec;
    hsm.create_key(&plain).expect("plain key");
    let e = hsm.derive_key("plain", "m/0'", None).expect_err("no seed");
    assert_eq!(e.provider_code(), Some("634"), "{e}");
    let e = hsm.derive_key("nope", "m/0'", None).expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    let e = hsm
        .import_seed_key(&seed_key("k1", Curve::Secp256k1))
        .expect_err("no secp256k1 in the simulated HSM");
    assert_eq!(e.provider_code(), Some("634"), "{e}");

    // Only the key-management key is sent; the key-operation key in its slot is refused.
    for entry in log(&sim) {
        let path = entry["path"].as_str().unwrap_or_default();
        if path == "/v1/importedKey" || path == "/v1/derivedKey" {
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
        SECUROSYS_KEY_OPERATION_KEY,
        SECUROSYS_KEY_OPERATION_KEY,
    );
    let e = wrong
        .import_seed_key(&seed_key("w", Curve::P256))
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    assert_eq!(e.code(), ErrorCode::Forbidden, "{e}");
    let e = wrong
        .derive_key("tv1", "m/1'", None)
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
}

#[test]
fn slip10_ed25519_keys_match_the_published_vectors() {
    let sim = sim();
    let hsm = hsm(&sim);
    hsm.import_seed_key(&seed_key("ed", Curve::Ed25519))
        .expect("import");
    let child = hsm.derive_key("ed", "m/0'/1'", None).expect("derive");
    // SLIP-0010 ed25519 vector 1, m/0H/1H: private key b1d0…84f2; ring gives its public key.
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&unhex(
        "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
    ))
    .expect("seed");
    let spki = child.public_key_der().expect("spki");
    assert_eq!(
        &spki[spki.len() - 32..],
        ring::signature::KeyPair::public_key(&pair).as_ref()
    );
    let sig = hsm
        .synchronous_sign(
            "ed/0'/1'",
            b"ed",
            PayloadKind::Raw,
            &SignatureAlgorithm::EdDsa,
        )
        .expect("sign");
    assert_eq!(sig, pair.sign(b"ed").as_ref(), "Ed25519 is deterministic");
    let e = hsm
        .derive_key("ed", "m/0'/1", None)
        .expect_err("ed25519 has hardened indices only");
    assert_eq!(e.provider_code(), Some("634"), "{e}");
}

#[test]
fn files_encrypt_and_decrypt_with_aes_and_rsa_keys() {
    let sim = sim();
    let hsm = hsm(&sim);
    let attrs = KeyAttributes {
        encrypt: Some(true),
        decrypt: Some(true),
        sign: Some(false),
        unwrap: Some(false),
        ..KeyAttributes::default()
    };
    for (label, algorithm, size) in [
        ("aes", KeyAlgorithm::Aes, 256),
        ("rsa", KeyAlgorithm::Rsa, 2048),
    ] {
        let mut k = CreateKey::new(label, signbridge::providers::securosys::KeySpec::P256);
        k.algorithm = algorithm;
        k.key_size = Some(size);
        k.curve_oid = None;
        k.attributes = attrs.clone();
        hsm.create_key(&k).expect("key");
        let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let file = hsm
            .file_encrypt(label, "report.pdf", &content)
            .expect("encrypt");
        assert!(!file.windows(16).any(|w| w == &content[..16]), "encrypted");
        let back = hsm.synchronous_file_decrypt(label, &file).expect("decrypt");
        assert_eq!(back.file_name, "report.pdf");
        assert_eq!(back.content, content);
        assert!(
            !format!("{back:?}").contains("[0, 1, 2"),
            "content not in Debug"
        );

        // One bit changed in the ciphertext, or in the header: the tag does not match.
        let mut altered = file.clone();
        let last = altered.len() - 20;
        altered[last] ^= 1;
        let e = hsm
            .synchronous_file_decrypt(label, &altered)
            .expect_err("altered");
        assert_eq!(e.provider_code(), Some("410"), "{e}");
        let e = hsm
            .synchronous_file_decrypt(label, b"not a file at all")
            .expect_err("no header");
        assert_eq!(e.provider_code(), Some("623"), "{e}");
    }
    let aes_file = hsm.file_encrypt("aes", "a.txt", b"hello").expect("encrypt");
    let e = hsm
        .synchronous_file_decrypt("rsa", &aes_file)
        .expect_err("made for another key");
    assert_eq!(e.provider_code(), Some("623"), "{e}");
    let e = hsm
        .file_encrypt("aes", "bad\nname", b"x")
        .expect_err("name");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);

    for entry in log(&sim) {
        let path = entry["path"].as_str().unwrap_or_default();
        if path.contains("File") || path.contains("file") {
            assert_eq!(entry["required_role"], "keyOperationToken", "{entry}");
            assert_eq!(
                entry["api_key_roles"],
                json!(["keyOperationToken"]),
                "{entry}"
            );
        }
    }
    let wrong = hsm_with(
        &sim,
        SECUROSYS_KEY_MANAGEMENT_KEY,
        SECUROSYS_KEY_MANAGEMENT_KEY,
    );
    let e = wrong
        .file_encrypt("aes", "a", b"x")
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    assert_eq!(e.code(), ErrorCode::Forbidden, "{e}");
    let e = wrong
        .synchronous_file_decrypt("aes", &aes_file)
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
}
