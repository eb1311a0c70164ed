//! Redirects are never followed, for every provider (SECURITY.md): a server
//! answering 3xx with a `Location` on another origin gets a `SB_ERR_PROTOCOL` error back, and
//! the other origin — a second listener that would record what it got — is never contacted, so
//! no credential travels with a redirect. The answering server is a raw TCP server of the
//! test's own (the one answering every request with the redirect).

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::{Config, ErrorCode};

const SECRET: &str = "redirect-canary-secret-4711";

/// A server answering every request with `status` and `Location: location`.
fn redirecting(status: u16, location: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let location = location.clone();
            std::thread::spawn(move || {
                let mut s = stream;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match s.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                );
            });
        }
    });
    format!("http://{addr}")
}

/// Run `call` against a server redirecting to a listener of its own, for each redirect status;
/// the call must fail and the listener must have seen nothing.
fn check(provider: &str, call: impl Fn(&str) -> signbridge::Error) {
    for status in [301u16, 302, 303, 307, 308] {
        let elsewhere = TcpListener::bind("127.0.0.1:0").expect("listen");
        let target = format!("http://{}/steal", elsewhere.local_addr().expect("addr"));
        let base = redirecting(status, target);
        let e = call(&base);
        assert_eq!(e.code(), ErrorCode::Protocol, "{provider} {status}: {e}");
        assert_eq!(e.http_status(), Some(status), "{provider} {status}: {e}");
        assert!(!e.to_string().contains(SECRET), "{provider}: {e}");
        elsewhere.set_nonblocking(true).expect("nonblocking");
        assert!(
            elsewhere.accept().is_err(),
            "{provider} {status}: the redirect was followed to the other origin"
        );
    }
}

fn client(config: serde_json::Value) -> Client {
    Client::new(Config::from_json(&config.to_string()).expect("config")).expect("client")
}

#[test]
fn zignsec_never_follows_a_redirect() {
    check("zignsec", |base| {
        client(json!({"zignsec": {"base_url": base, "keys": [SECRET]},
                      "transport": {"max_attempts": 1}}))
        .zignsec_signing()
        .expect("signing")
        .status("4a7a6c1e-2b3c-4d5e-8f90-123456789abc")
        .expect_err("redirect refused")
    });
}

#[test]
fn securosys_never_follows_a_redirect() {
    check("securosys", |base| {
        client(
            json!({"securosys": {"base_url": base, "api_keys": {"service": [SECRET]}},
                      "transport": {"max_attempts": 1}}),
        )
        .securosys()
        .expect("securosys")
        .version_info()
        .expect_err("redirect refused")
    });
}

#[test]
fn onespan_never_follows_a_redirect() {
    check("onespan", |base| {
        client(json!({"onespan": {"base_url": base, "api_key": SECRET},
                      "transport": {"max_attempts": 1}}))
        .onespan()
        .expect("onespan")
        .get_package("pkg-1")
        .expect_err("redirect refused")
    });
}
