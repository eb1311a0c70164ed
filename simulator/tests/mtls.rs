//! The mutual-TLS listener (contract §2.3): a client certificate signed by the simulator's CA is
//! required; none, or one from another CA, fails the handshake; the plain listener keeps working.

mod common;

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{json, Value};
use signbridge_sim::{
    issue_test_pki, SimConfig, Simulator, TestPki, DEFAULT_PRIMARY_KEY, OIDC_DISCOVERY_PATH,
    TEST_CLIENT_CN,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .expect("pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("certs")
}

fn tls_client(ca: &Path, identity: Option<(&Path, &Path)>) -> rustls::ClientConfig {
    let _ = common::client(); // installs the ring provider once
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in certs(ca) {
        roots.add(c).expect("root");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots);
    match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(certs(cert), PrivateKeyDer::from_pem_file(key).expect("key"))
            .expect("client auth"),
        None => builder.with_no_client_auth(),
    }
}

async fn start(dir: &Path) -> Simulator {
    Simulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.to_path_buf()),
        ..SimConfig::default()
    })
    .await
    .expect("start with TLS")
}

/// One HTTP/1.1 GET over a raw TLS connection; the error text when the handshake or the read fails.
async fn raw_get(sim: &Simulator, config: rustls::ClientConfig) -> Result<String, String> {
    let addr = sim.tls_addr().expect("tls addr");
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    // With TLS 1.3 the client finishes its side before the server checks its certificate: the
    // refusal (an alert) arrives on the first read.
    tls.write_all(b"GET /_sim/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut buf = Vec::new();
    match tls.read_to_end(&mut buf).await {
        Ok(_) if buf.starts_with(b"HTTP/1.1 200") => Ok(String::from_utf8_lossy(&buf).into_owned()),
        Ok(_) => Err(format!("no HTTP answer ({} bytes)", buf.len())),
        Err(e) => Err(format!("read: {e}")),
    }
}

#[tokio::test]
async fn client_certificate_from_the_ca_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = start(dir.path()).await;
    let pki = TestPki::in_dir(dir.path());
    for f in [
        &pki.ca_cert,
        &pki.ca_key,
        &pki.server_cert,
        &pki.server_key,
        &pki.client_cert,
        &pki.client_key,
        &pki.client_combined,
        &pki.other_ca_cert,
        &pki.other_client_cert,
        &pki.other_client_key,
    ] {
        assert!(f.is_file(), "{} was issued", f.display());
    }
    let tls_base = sim.tls_base_url().expect("tls base").to_owned();
    assert!(tls_base.starts_with("https://localhost:"), "{tls_base}");
    assert_eq!(
        sim.tls_addr().map(|a| a.port()),
        tls_base.rsplit(':').next().and_then(|p| p.parse().ok())
    );

    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_client(
            &pki.ca_cert,
            Some((&pki.client_cert, &pki.client_key)),
        ))
        .build()
        .expect("client");
    let resp = http
        .post(format!("{tls_base}/api/v5/sessions/signing"))
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("request over mTLS");
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Same state on both listeners: the session is visible over plain HTTP.
    let plain = common::client();
    let resp = plain
        .get(format!("{}/api/v5/sessions/signing/{id}", sim.base_url()))
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .send()
        .await
        .expect("plain");
    assert_eq!(resp.status(), 200);

    // Discovery over mTLS names the TLS listener, and its tokens work on both listeners.
    let d: Value = http
        .get(format!("{tls_base}{OIDC_DISCOVERY_PATH}"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(d["issuer"], format!("{tls_base}/auth/realms/zignsec"));
    let tok: Value = http
        .post(d["token_endpoint"].as_str().expect("endpoint"))
        .basic_auth(
            signbridge_sim::DEFAULT_CLIENT_ID,
            Some(signbridge_sim::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let tok = tok["access_token"].as_str().expect("token");
    let resp = plain
        .get(format!("{}/api/v5/sessions/signing/{id}", sim.base_url()))
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .bearer_auth(tok)
        .send()
        .await
        .expect("plain with TLS-issued token");
    assert_eq!(resp.status(), 200);

    // The request log tells the listeners apart and names the client certificate.
    let log: Value = plain
        .get(format!("{}/_sim/requests", sim.base_url()))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let log = log.as_array().expect("array");
    let first = &log[0];
    assert_eq!(first["path"], "/api/v5/sessions/signing");
    assert_eq!(first["mtls"], true);
    assert_eq!(
        first["client_cert_subject"],
        format!("CN={TEST_CLIENT_CN}, O=signbridge-sim")
    );
    assert!(first["headers"].is_array());
    let second = &log[1];
    assert_eq!(second["mtls"], false);
    assert_eq!(second["client_cert_subject"], Value::Null);

    // A raw TLS connection with the client certificate gets an HTTP answer too.
    let ok = raw_get(
        &sim,
        tls_client(&pki.ca_cert, Some((&pki.client_cert, &pki.client_key))),
    )
    .await;
    assert!(ok.is_ok(), "{ok:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn no_client_certificate_or_one_from_another_ca_fails_the_handshake() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = start(dir.path()).await;
    let pki = TestPki::in_dir(dir.path());

    let err = raw_get(&sim, tls_client(&pki.ca_cert, None))
        .await
        .expect_err("no client certificate");
    assert!(err.contains("CertificateRequired"), "{err}");

    let err = raw_get(
        &sim,
        tls_client(
            &pki.ca_cert,
            Some((&pki.other_client_cert, &pki.other_client_key)),
        ),
    )
    .await
    .expect_err("client certificate of another CA");
    assert!(err.contains("UnknownCA"), "{err}");

    // A client that does not trust the simulator's CA refuses the server.
    let err = raw_get(
        &sim,
        tls_client(
            &pki.other_ca_cert,
            Some((&pki.client_cert, &pki.client_key)),
        ),
    )
    .await
    .expect_err("untrusted server");
    assert!(
        err.starts_with("handshake") && err.contains("UnknownIssuer"),
        "{err}"
    );

    // reqwest without an identity fails too; nothing reached the API.
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_client(&pki.ca_cert, None))
        .build()
        .expect("client");
    let res = http
        .get(format!(
            "{}/api/v5/sessions/signing/x",
            sim.tls_base_url().expect("tls")
        ))
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .send()
        .await;
    assert!(res.is_err(), "{res:?}");

    // The plain-HTTP listener keeps working.
    let plain = common::client();
    let resp = plain
        .post(format!("{}/api/v5/sessions/signing", sim.base_url()))
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("plain");
    assert_eq!(resp.status(), 201);
    let log: Value = plain
        .get(format!("{}/_sim/requests", sim.base_url()))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let log = log.as_array().expect("array");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["mtls"], false);
    sim.shutdown().await;
}

#[tokio::test]
async fn existing_pki_is_reused_and_no_tls_without_a_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let issued = issue_test_pki(dir.path()).expect("issue");
    assert_eq!(issued, TestPki::in_dir(dir.path()));
    let ca_before = std::fs::read(&issued.ca_cert).expect("ca");
    let sim = start(dir.path()).await;
    assert_eq!(std::fs::read(&issued.ca_cert).expect("ca"), ca_before);
    let ok = raw_get(
        &sim,
        tls_client(
            &issued.ca_cert,
            Some((&issued.client_cert, &issued.client_key)),
        ),
    )
    .await;
    assert!(ok.is_ok(), "{ok:?}");
    sim.shutdown().await;

    let plain = common::start().await;
    assert!(plain.sim.tls_base_url().is_none());
    assert!(plain.sim.tls_addr().is_none());
}

#[test]
fn background_simulator_reports_the_tls_listener() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = signbridge_sim::BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().join("pki")),
        ..SimConfig::default()
    })
    .expect("start");
    let url = sim.tls_base_url().expect("tls url");
    assert!(url.starts_with("https://localhost:"));
    assert_eq!(sim.tls_addr().map(|a| a.ip().is_loopback()), Some(true));
    assert!(TestPki::in_dir(&dir.path().join("pki")).server_files_exist());
}
