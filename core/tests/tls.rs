//! TLS verification is always on: a server signed by an unknown CA is refused, and the same
//! server is accepted once its CA is configured. Uses a test CA made on the fly.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct TestPki {
    ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: Vec<u8>,
}

fn make_pki() -> TestPki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().expect("ca key");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .signed_by(&server_key, &ca)
        .expect("server cert");
    TestPki {
        ca_pem: ca.pem(),
        server_cert: server.der().clone(),
        server_key: server_key.serialize_der(),
    }
}

/// A one-route HTTPS server answering every request like a signing-session create.
fn start_tls_server(pki: &TestPki) -> (u16, std::thread::JoinHandle<()>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.server_cert.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone())),
        )
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = std_listener.local_addr().expect("addr").port();
    std_listener.set_nonblocking(true).expect("nonblocking");
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
            // Serve a bounded number of connections, then stop.
            for _ in 0..8 {
                let Ok(Ok((tcp, _))) = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    listener.accept(),
                )
                .await
                else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = vec![0u8; 16 * 1024];
                    let _ = tls.read(&mut buf).await;
                    let body = br#"{"id":"tls-session-1","status":"Created"}"#;
                    let head = format!(
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = tls.write_all(head.as_bytes()).await;
                    let _ = tls.write_all(body).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    (port, handle)
}

fn client(port: u16, ca_pem: Option<&str>) -> Client {
    let mut transport = json!({"max_attempts": 1});
    if let Some(pem) = ca_pem {
        transport["ca_pem"] = json!(pem);
    }
    let cfg = Config::from_json(
        &json!({
            "zignsec": {"base_url": format!("https://localhost:{port}"), "keys": ["k"]},
            "transport": transport
        })
        .to_string(),
    )
    .expect("config");
    Client::new(cfg).expect("client")
}

#[test]
fn unknown_ca_is_refused_and_a_configured_test_ca_is_trusted() {
    let pki = make_pki();
    let (port, _server) = start_tls_server(&pki);

    let untrusted = client(port, None).zignsec_signing().expect("signing");
    let err = untrusted
        .create(&CreateSigning::default())
        .expect_err("certificate from an unknown CA");
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");

    let other_ca = make_pki();
    let wrong = client(port, Some(&other_ca.ca_pem))
        .zignsec_signing()
        .expect("signing");
    let err = wrong
        .create(&CreateSigning::default())
        .expect_err("certificate from another CA");
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");

    let trusted = client(port, Some(&pki.ca_pem))
        .zignsec_signing()
        .expect("signing");
    let session = trusted
        .create(&CreateSigning::default())
        .expect("trusted through the configured CA");
    assert_eq!(session.id, "tls-session-1");
}
