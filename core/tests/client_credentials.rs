//! Client certificates as users hold them: PEM with ECDSA P-256 and RSA-2048 keys,
//! encrypted PKCS#8 keys and PKCS#12 files, each over mutual TLS against the simulator's TLS
//! listener, on both mutual-TLS services (the ZignSec gateway and the Securosys TSB).

use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, TestPki, DEFAULT_PRIMARY_KEY, SECUROSYS_SERVICE_KEY,
    TEST_CLIENT_CN, TEST_PKI_PASSWORD, TEST_RSA_CLIENT_CN,
};

fn setup() -> (tempfile::TempDir, BackgroundSimulator, TestPki) {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .expect("sim");
    (dir, sim, pki)
}

/// Every form of the two client identities, with the subject the listener must see.
fn identities(pki: &TestPki) -> Vec<(&'static str, Value, &'static str)> {
    let pw = TEST_PKI_PASSWORD;
    vec![
        (
            "PEM, ECDSA",
            json!({"cert": {"file": pki.client_cert}, "key": {"file": pki.client_key}}),
            TEST_CLIENT_CN,
        ),
        (
            "PEM, RSA",
            json!({"cert": {"file": pki.client_rsa_cert}, "key": {"file": pki.client_rsa_key}}),
            TEST_RSA_CLIENT_CN,
        ),
        (
            "encrypted PEM, ECDSA",
            json!({"cert": {"file": pki.client_cert}, "key": {"file": pki.client_key_encrypted},
                   "password": pw}),
            TEST_CLIENT_CN,
        ),
        (
            "encrypted PEM, RSA",
            json!({"cert": {"file": pki.client_rsa_cert},
                   "key": {"file": pki.client_rsa_key_encrypted}, "password": pw}),
            TEST_RSA_CLIENT_CN,
        ),
        (
            "PKCS#12, ECDSA",
            json!({"pkcs12": {"file": pki.client_p12}, "password": pw}),
            TEST_CLIENT_CN,
        ),
        (
            "PKCS#12, RSA",
            json!({"pkcs12": {"file": pki.client_rsa_p12}, "password": pw}),
            TEST_RSA_CLIENT_CN,
        ),
    ]
}

fn client(section: &str, provider: Value, pki: &TestPki) -> signbridge::Result<Client> {
    Client::new(Config::from_json(
        &json!({section: provider, "transport": {"ca_file": pki.ca_cert, "max_attempts": 1}})
            .to_string(),
    )?)
}

fn zignsec(sim: &BackgroundSimulator, cert: &Value, pki: &TestPki) -> signbridge::Result<Client> {
    client(
        "zignsec",
        json!({"base_url": sim.tls_base_url().expect("tls"), "keys": [DEFAULT_PRIMARY_KEY],
               "client_cert": cert}),
        pki,
    )
}

fn last_subject(sim: &BackgroundSimulator, path_start: &str) -> Option<String> {
    let r = http::get(&format!("{}/_sim/requests", sim.base_url())).expect("requests");
    let all = r.json().expect("json");
    all.as_array()?
        .iter()
        .rev()
        .find(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with(path_start))
        })
        .and_then(|r| r["client_cert_subject"].as_str().map(str::to_owned))
}

#[test]
fn every_identity_form_works_on_both_mutual_tls_services() {
    let (_dir, sim, pki) = setup();
    for (what, cert, cn) in identities(&pki) {
        let s = zignsec(&sim, &cert, &pki)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .zignsec_signing()
            .expect("signing");
        s.create(&CreateSigning::default())
            .unwrap_or_else(|e| panic!("ZignSec, {what}: {e}"));
        let subject = last_subject(&sim, "/api/v5/sessions/signing").expect("mTLS request");
        assert!(subject.contains(cn), "ZignSec, {what}: {subject}");

        let hsm = client(
            "securosys",
            json!({"base_url": sim.tls_base_url().expect("tls"),
                   "api_keys": {"service": [SECUROSYS_SERVICE_KEY]}, "client_cert": cert}),
            &pki,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .securosys()
        .expect("securosys");
        hsm.version_info()
            .unwrap_or_else(|e| panic!("Securosys, {what}: {e}"));
        let subject = last_subject(&sim, "/v1/").expect("mTLS request");
        assert!(subject.contains(cn), "Securosys, {what}: {subject}");
    }
}

#[test]
fn passwords_come_from_config_env_or_file_and_a_wrong_one_says_so() {
    let (dir, sim, pki) = setup();
    let pw_file = dir.path().join("p12-password");
    std::fs::write(&pw_file, format!("{TEST_PKI_PASSWORD}\n")).expect("write");
    std::env::set_var("SIGNBRIDGE_TEST_P12_PASSWORD", TEST_PKI_PASSWORD);
    for password in [
        json!({"file": pw_file}),
        json!({"env": "SIGNBRIDGE_TEST_P12_PASSWORD"}),
    ] {
        let cert = json!({"pkcs12": {"file": pki.client_p12}, "password": password});
        zignsec(&sim, &cert, &pki)
            .expect("client")
            .zignsec_signing()
            .expect("signing")
            .create(&CreateSigning::default())
            .expect("created over mTLS");
    }
    let refused = |cert: Value| -> signbridge::Error {
        match zignsec(&sim, &cert, &pki) {
            Ok(_) => panic!("accepted {cert}"),
            Err(e) => e,
        }
    };
    for cert in [
        json!({"pkcs12": {"file": pki.client_p12}, "password": "wrong"}),
        json!({"cert": {"file": pki.client_cert}, "key": {"file": pki.client_key_encrypted},
               "password": "wrong"}),
    ] {
        let e = refused(cert);
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains("password is wrong"), "{e}");
        assert!(!e.message().contains("wrong\""), "{e}");
    }
    let e = refused(json!({"cert": {"file": pki.client_cert},
                           "key": {"file": pki.client_key_encrypted}}));
    assert!(e.message().contains("client_cert.password"), "{e}");
    // A .p12 given as a PEM certificate: named, not "stream did not contain valid UTF-8".
    let e = refused(json!({"cert": {"file": pki.client_p12}}));
    assert!(e.message().contains("pkcs12"), "{e}");
    let e = refused(json!({"pkcs12": {"file": pki.client_p12},
                           "password": {"env": "SIGNBRIDGE_TEST_NO_SUCH_VARIABLE"}}));
    assert!(
        e.message().contains("SIGNBRIDGE_TEST_NO_SUCH_VARIABLE"),
        "{e}"
    );
}
