//! Resource exhaustion by a hostile server, against a raw TCP server of the
//! test's own: a server that stops sending, one that announces 256 MiB and trickles bytes, and
//! one whose error answer is huge. Each call ends with an error instead of holding the caller
//! (the old code waited ~46 minutes on the trickle). A call still running after 60 s counts as
//! hung (a guard, not a timing threshold: the limits under test are about a second).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::{Config, ErrorCode};
use signbridge_sim::DEFAULT_PRIMARY_KEY;

const ID: &str = "4a7a6c1e-2b3c-4d5e-8f90-123456789abc";

/// Serve every connection with `answer` (given the stream after the request head was read).
fn serve(answer: fn(&mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
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
                answer(&mut s);
            });
        }
    });
    format!("http://{addr}")
}

/// The error of a status call against `base`, or a panic if it is still running after 60 s.
fn status_error(base: &str, transport: serde_json::Value) -> signbridge::Error {
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": base, "keys": [DEFAULT_PRIMARY_KEY]},
                "transport": transport})
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(signing.status(ID).map(|_| ()));
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(r) => r.expect_err("the hostile server's answer is refused"),
        Err(_) => panic!("the call is still running after 60 s: held by the server"),
    }
}

#[test]
fn a_server_that_stops_sending_is_a_timeout_after_the_idle_limit() {
    let base = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":",
        );
        // Then nothing, for longer than the test runs.
        std::thread::sleep(Duration::from_secs(120));
    });
    let e = status_error(
        &base,
        json!({"request_timeout_ms": 600_000, "read_idle_timeout_ms": 500, "max_attempts": 1}),
    );
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(e.message().contains("read_idle_timeout_ms"), "{e}");
}

#[test]
fn an_announced_huge_length_does_not_extend_the_deadline() {
    let base = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 268435456\r\n\r\n",
        );
        // One byte every 100 ms: never idle, never done.
        for _ in 0..1200 {
            if s.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let e = status_error(
        &base,
        json!({"request_timeout_ms": 1000, "read_idle_timeout_ms": 5000, "max_attempts": 1}),
    );
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
}

#[test]
fn a_json_answer_above_16_mib_is_refused_before_it_is_read() {
    let base = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n[",
        );
        std::thread::sleep(Duration::from_secs(120));
    });
    let e = status_error(&base, json!({"max_attempts": 1}));
    assert_eq!(e.code(), ErrorCode::Protocol, "{e}");
    assert!(e.message().contains("20000000 bytes"), "{e}");
}

#[test]
fn a_huge_error_answer_is_read_only_up_to_64_kib() {
    // 32 MiB of `[0,0,…]` (parsed into values it would take ~16x that): the client reads
    // 64 KiB, answers with the status's error and closes the connection, so the server cannot
    // write it all.
    let (tx, rx) = mpsc::channel::<bool>();
    let tx = std::sync::Mutex::new(tx);
    static DONE: std::sync::OnceLock<std::sync::Mutex<mpsc::Sender<bool>>> =
        std::sync::OnceLock::new();
    let _ = DONE.set(tx);
    let base = serve(|s| {
        let len = 32 * 1024 * 1024;
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n["
        );
        let mut ok = s.write_all(head.as_bytes()).is_ok();
        let chunk = "0,".repeat(32 * 1024);
        let mut sent = 1;
        while ok && sent + chunk.len() < len {
            ok = s.write_all(chunk.as_bytes()).is_ok();
            sent += chunk.len();
        }
        if let Some(d) = DONE.get() {
            let _ = d.lock().map(|t| t.send(ok));
        }
    });
    let e = status_error(&base, json!({"max_attempts": 1}));
    assert_eq!(e.http_status(), Some(500), "{e}");
    assert!(e.to_string().len() < 4096, "{e}");
    let wrote_all = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server done");
    assert!(!wrote_all, "the client read the whole 32 MiB error body");
}

#[test]
fn waiting_for_a_request_slot_counts_and_ends() {
    // One slot per origin, held by an exchange whose server trickles its body (each byte
    // received extends that exchange's deadline): the next call gets no slot within
    // request_timeout_ms and fails as a timeout, unsent, instead of queueing behind it for as
    // long as the trickle lasts.
    let base = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
        );
        for _ in 0..1200 {
            if s.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": base, "keys": [DEFAULT_PRIMARY_KEY]},
                "transport": {"max_requests_per_origin": 1, "request_timeout_ms": 1500,
                              "min_transfer_bytes_per_s": 1, "max_attempts": 1}})
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let first = client.zignsec_signing().expect("signing");
    let second = client.zignsec_signing().expect("signing");
    // The first call takes the only slot and keeps it while the server trickles.
    std::thread::spawn(move || {
        let _ = first.status(ID);
    });
    std::thread::sleep(Duration::from_millis(500));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(second.status(ID).map(|_| ()));
    });
    let e = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(r) => r.expect_err("no slot"),
        Err(_) => panic!("the second call is still waiting for a slot after 60 s"),
    };
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(e.message().contains("max_requests_per_origin"), "{e}");
    assert!(e.message().contains("not sent"), "{e}");
}
