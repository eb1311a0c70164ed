//! RFC 3161 time stamps: a token from `createRfcTimestamp` verifies with
//! `openssl ts -verify` against the simulator TSA's certificates, for the data it was made
//! for and not for other data.

use std::process::Command;

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::securosys::TimestampHash;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

#[test]
fn a_time_stamp_token_verifies_with_openssl_ts() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let client = |key: &str| {
        Client::new(
            Config::from_json(
                &json!({"securosys": {"base_url": sim.base_url(),
                                      "api_keys": {"key_operation": [key]}}})
                .to_string(),
            )
            .expect("config"),
        )
        .expect("client")
        .securosys()
        .expect("securosys")
    };
    let hsm = client(SECUROSYS_KEY_OPERATION_KEY);
    let data = b"contract v7, signed 2026-12-06";
    let token = hsm
        .create_rfc_timestamp(data, TimestampHash::Sha256)
        .expect("token");
    assert!(token.len() > 300);
    let other = hsm
        .create_rfc_timestamp(data, TimestampHash::Sha512)
        .expect("sha-512 token");
    assert_ne!(token, other);

    let wrong = client(SECUROSYS_KEY_MANAGEMENT_KEY);
    let e = wrong
        .create_rfc_timestamp(data, TimestampHash::Sha256)
        .expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    assert_eq!(e.code(), ErrorCode::Forbidden);

    let pem = http::get(&format!("{}/_sim/securosys/tsa.pem", sim.base_url()))
        .expect("tsa certificates")
        .text();
    let dir = tempfile::tempdir().expect("tmp");
    let (ca, tsr, good, bad) = (
        dir.path().join("tsa.pem"),
        dir.path().join("token.der"),
        dir.path().join("data"),
        dir.path().join("other"),
    );
    std::fs::write(&ca, &pem).expect("pem");
    std::fs::write(&tsr, &token).expect("token");
    std::fs::write(&good, data).expect("data");
    std::fs::write(&bad, b"contract v8").expect("other");
    let verify = |file: &std::path::Path| {
        Command::new("openssl")
            .args(["ts", "-verify", "-token_in", "-in"])
            .arg(&tsr)
            .arg("-data")
            .arg(file)
            .arg("-CAfile")
            .arg(&ca)
            .output()
    };
    let Ok(out) = verify(&good) else {
        eprintln!("openssl not found: the token was not checked by it");
        return;
    };
    assert!(
        out.status.success(),
        "openssl ts -verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(&bad).expect("openssl");
    assert!(!out.status.success(), "other data must not verify");
}
