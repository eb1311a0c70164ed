//! Key attestation: the signed attribute document of a key, checked by the client
//! and by `openssl dgst -verify` with the attestation certificate's key.

use std::process::Command;

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::securosys::{CreateKey, KeySpec};
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, SECUROSYS_KEY_MANAGEMENT_KEY};

#[test]
fn a_key_attestation_verifies_here_and_with_openssl() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let hsm = Client::new(
        Config::from_json(
            &json!({"securosys": {"base_url": sim.base_url(),
                   "api_keys": {"key_management": [SECUROSYS_KEY_MANAGEMENT_KEY]}}})
            .to_string(),
        )
        .expect("config"),
    )
    .expect("client")
    .securosys()
    .expect("securosys");
    hsm.create_key(&CreateKey::new("attested", KeySpec::P256))
        .expect("key");
    let a = hsm.key_attestation("attested").expect("attestation");
    assert!(a.xml.contains("<label>attested</label>"), "{}", a.xml);
    a.verify().expect("verifies");
    let mut forged = a.clone();
    forged.xml = forged.xml.replace("attested", "attacker");
    assert_eq!(
        forged.verify().expect_err("forged").code(),
        ErrorCode::Integrity
    );
    let e = hsm.key_attestation("nope").expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound);

    // The served certificate is the one in the answer; openssl agrees with the signature.
    let pem = http::get(&format!(
        "{}/_sim/securosys/attestation.pem",
        sim.base_url()
    ))
    .expect("pem")
    .text();
    let dir = tempfile::tempdir().expect("tmp");
    let (cert, xml, sig, pubkey) = (
        dir.path().join("att.pem"),
        dir.path().join("doc.xml"),
        dir.path().join("doc.sig"),
        dir.path().join("pub.pem"),
    );
    std::fs::write(&cert, pem).expect("cert");
    std::fs::write(&xml, &a.xml).expect("xml");
    std::fs::write(&sig, &a.signature).expect("sig");
    let Ok(out) = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .output()
    else {
        eprintln!("openssl not found: not checked by it");
        return;
    };
    std::fs::write(&pubkey, &out.stdout).expect("pub");
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .output()
        .expect("openssl");
    assert_eq!(der.stdout, a.certificate_der, "the served certificate");
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&pubkey)
        .arg("-signature")
        .arg(&sig)
        .arg(&xml)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
