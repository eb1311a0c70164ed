//! A child process created by fork() gets a fresh runtime and HTTP pool and can make calls,
//! while the parent goes on with its own (a connection pooled before the fork is never shared).
//! A child forked while a token request is in flight fetches its own token instead of waiting
//! for the parent's (no lock is held across the request).
//! (A separate test binary: fork in a multi-threaded test harness is only safe for a child that
//! does its work and exits; the tests here take turns, so no test holds a lock at a fork.)

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::Config;
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The tests fork: one at a time.
static TURN: Mutex<()> = Mutex::new(());

/// Wait for child `pid`; a child still running after `patience` is killed (it hangs) and `None`.
fn wait_child(pid: libc::pid_t, patience: Duration) -> Option<libc::c_int> {
    let until = Instant::now() + patience;
    loop {
        let mut status = 0;
        // SAFETY: polling the child we created.
        let waited = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if waited == pid {
            return Some(status);
        }
        if Instant::now() > until {
            // SAFETY: killing and reaping the child we created.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn child_forked_during_a_token_request_fetches_its_own_token() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY],
                "oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}}})
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    // The parent's first token request is slow (the endpoint answers after 3 s).
    let token_path = "/auth/realms/zignsec/protocol/openid-connect/token";
    let r = http::send_json(
        "POST",
        &format!("{}/_sim/faults", sim.base_url()),
        &json!({"kind": "delay", "delay_ms": 3000, "count": 1, "path_prefix": token_path}),
    )
    .expect("fault");
    assert!(r.status < 300, "{}", r.text());
    let in_flight = {
        let s = signing.clone();
        std::thread::spawn(move || s.create(&CreateSigning::default()).map(|_| ()))
    };
    // Fork once the simulator holds the token request (the parent's fetch is in flight).
    loop {
        let log = http::get(&format!("{}/_sim/requests", sim.base_url()))
            .expect("requests")
            .json()
            .expect("json");
        let arrived = log
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["path"] == token_path));
        if arrived {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: the child only runs signbridge calls and then _exits without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match signing.create(&CreateSigning::default()) {
            Ok(_) => 0,
            Err(_) => 12,
        };
        unsafe { libc::_exit(code) };
    }
    // Generous: the child's own token request is not delayed; only a hang takes this long.
    let status = wait_child(pid, Duration::from_secs(60));
    in_flight
        .join()
        .expect("thread")
        .expect("the parent's call completes");
    let status = status.expect("the child hung waiting for its parent's token request");
    assert!(libc::WIFEXITED(status), "child crashed: status {status}");
    assert_eq!(libc::WEXITSTATUS(status), 0, "the child's call failed");
}

#[test]
fn child_after_fork_gets_a_working_runtime() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]}})
            .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    // The parent uses the runtime (and pools a connection) before forking.
    let parent_runtime = signbridge::runtime::runtime() as *const _ as usize;
    let session = signing
        .create(&CreateSigning::default())
        .expect("parent create");
    let child_session = signing
        .create(&CreateSigning::default())
        .expect("parent create");

    // SAFETY: the child only runs signbridge calls and then _exits without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = (|| {
            let child_runtime = signbridge::runtime::runtime() as *const _ as usize;
            if child_runtime == parent_runtime {
                return 10;
            }
            // Polled while the parent polls its own session: each gets its own answers.
            for _ in 0..50 {
                match signing.status(&child_session.id) {
                    Ok(s) if s.id == child_session.id => {}
                    _ => return 11,
                }
            }
            // From another thread of the child too.
            let other = signing.clone();
            let id = child_session.id.clone();
            let on_thread = std::thread::spawn(move || other.status(&id).map(|s| s.id));
            match on_thread.join() {
                Ok(Ok(got)) if got == child_session.id => {}
                _ => return 13,
            }
            match signing.create(&CreateSigning::default()) {
                Ok(_) => 0,
                Err(_) => 12,
            }
        })();
        unsafe { libc::_exit(ok) };
    }
    for _ in 0..50 {
        let s = signing
            .status(&session.id)
            .expect("parent while the child runs");
        assert_eq!(s.id, session.id);
    }
    let mut status = 0;
    // SAFETY: waiting for the child we created.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status), "child crashed: status {status}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "child failed at step {}",
        libc::WEXITSTATUS(status)
    );
    // The parent goes on working too.
    signing.status(&session.id).expect("parent after fork");
}
