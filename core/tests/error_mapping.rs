//! Transport failures map to the code that says what happened, whatever the URL contains.

use std::io::Read as _;
use std::net::TcpListener;

use signbridge::blocking::Client;
use signbridge::{Config, ErrorCode};

/// A server that reads each request and closes the connection without answering.
fn resetting_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            // Closed without an answer: "connection closed before message completed".
            drop(conn);
        }
    });
    port
}

#[test]
fn a_lost_connection_on_plain_http_is_a_network_error_even_when_the_url_says_tls() {
    let port = resetting_server();
    // Ids, labels and paths are the user's or the provider's: words like "tls", "certificate",
    // "handshake" or "alert" in them must not make a reset look like a TLS failure.
    let cfg = Config::from_value(serde_json::json!({
        "zignsec": {"base_url": format!("http://127.0.0.1:{port}/tls-certificate-handshake-alert/"),
                    "keys": ["k1"]},
        "transport": {"max_attempts": 1}
    }))
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    let e = signing
        .status("tls-alert-certificate")
        .expect_err("the server closes every connection");
    assert_eq!(e.code(), ErrorCode::Network, "{e}");
    assert!(e.is_retryable(), "{e}");
}

/// A server that accepts connections and never says anything (a stalled TLS handshake).
fn silent_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(conn);
        }
    });
    (port, accepted)
}

#[test]
fn a_stalled_tls_handshake_is_a_connect_timeout_and_a_create_is_retried() {
    let (port, accepted) = silent_server();
    // The request timeout is far away: only the connect timeout (name resolution, TCP and the
    // TLS handshake) can end this call, and as nothing was sent, even a create is tried again.
    let cfg = Config::from_value(serde_json::json!({
        "zignsec": {"base_url": format!("https://127.0.0.1:{port}/"), "keys": ["k1"]},
        "transport": {"connect_timeout_ms": 200, "request_timeout_ms": 600000,
                      "max_attempts": 2, "backoff_base_ms": 1, "backoff_max_ms": 1}
    }))
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    let e = signing
        .create(&signbridge::providers::zignsec::CreateSigning::default())
        .expect_err("the server never completes a handshake");
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(e.message().contains("connecting"), "{e}");
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "a create that was never sent is tried again"
    );
}
