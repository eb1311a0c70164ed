//! Many instances: two webhook verifiers in two processes share a Redis replay store, and a
//! delivery accepted by one is refused as a replay by the other. Against a real `redis-server`
//! (installed by `make deps`, `scripts/install-deps.sh`) that this test starts on a free loopback
//! port and stops; without it the test fails, it is never skipped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use signbridge::webhook::{sign_v5, WebhookVerifier};
use signbridge::ErrorCode;

const SECRET: &str = "whsec-shared-by-every-instance";
const BODY: &[u8] = br#"{"id":"5f1c9a53-6e08-4b2a-9d7e-3c0f7a1b2c3d","status":"Finished"}"#;
/// The child process's environment: the store URL and the delivery to verify.
const CHILD_URL: &str = "SB_REPLAY_CHILD_URL";
const CHILD_HEADER: &str = "SB_REPLAY_CHILD_HEADER";

/// A redis-server of this test's own, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> (Server, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "redis-server could not be started ({e}): install it (Debian package \
                 `redis-server`, `make deps` does) — this test is never skipped"
            )
        });
    let server = Server(child);
    // Ready when it accepts connections (bounded: a server that never listens fails the test).
    let mut tries = 0;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        tries += 1;
        assert!(tries < 500, "redis-server did not listen on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, format!("redis://127.0.0.1:{port}/"))
}

fn verifier(url: &str) -> WebhookVerifier {
    WebhookVerifier::new(vec![SecretString::from(SECRET)])
        .expect("verifier")
        .with_replay_store_url(url)
        .expect("store")
}

fn header(t: u64) -> String {
    format!("t={t},v1={}", sign_v5(SECRET, t, BODY))
}

/// Verify the delivery in another process (this test binary, running [`child`]); its verdict.
fn verify_in_child(url: &str, header: &str) -> String {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env(CHILD_URL, url)
        .env(CHILD_HEADER, header)
        .output()
        .expect("child process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.split_once("VERDICT ").map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("no verdict from the child: {stdout}"))
        .to_string()
}

/// The other instance: verifies one delivery with its own verifier and prints the verdict.
/// (Does nothing when run as a test of its own.)
#[test]
fn child() {
    let (Ok(url), Ok(header)) = (std::env::var(CHILD_URL), std::env::var(CHILD_HEADER)) else {
        return;
    };
    let verdict = match verifier(&url).verify(&header, BODY) {
        Ok(_) => "accepted".to_string(),
        Err(e) => e.code().name().to_string(),
    };
    println!("VERDICT {verdict}");
}

#[test]
fn two_verifiers_in_two_processes_sharing_redis_refuse_the_second_delivery() {
    let (_server, url) = start_redis();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let here = verifier(&url);

    // Accepted here first: the other process refuses it.
    let first = header(now);
    here.verify(&first, BODY).expect("first delivery accepted");
    assert_eq!(
        verify_in_child(&url, &first),
        ErrorCode::WebhookReplay.name()
    );

    // Accepted by the other process first: refused here.
    let second = header(now + 1);
    assert_eq!(verify_in_child(&url, &second), "accepted");
    let e = here.verify(&second, BODY).expect_err("a replay");
    assert_eq!(e.code(), ErrorCode::WebhookReplay);

    // Two verifiers of one process share it as well; a redelivery signed anew is accepted.
    let other = verifier(&url);
    assert_eq!(
        other.verify(&first, BODY).map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::WebhookReplay)
    );
    other
        .verify(&header(now + 2), BODY)
        .expect("a new delivery");

    // Each process's own memory (the default) would have accepted it: the store is what refuses.
    let alone = WebhookVerifier::new(vec![SecretString::from(SECRET)]).expect("verifier");
    alone
        .verify(&first, BODY)
        .expect("a separate memory does not know it");
}

#[test]
fn an_unreachable_store_refuses_the_delivery_and_never_shows_the_password() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let v = verifier(&format!("redis://:hunter2-secret@127.0.0.1:{port}/"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let e = v.verify(&header(now), BODY).expect_err("refused");
    assert!(
        matches!(e.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{e}"
    );
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(!format!("{v:?}").contains("hunter2"));
}
