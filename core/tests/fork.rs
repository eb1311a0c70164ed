//! A child process created by fork() gets a fresh runtime and HTTP pool and can make calls,
//! while the parent goes on with its own (a connection pooled before the fork is never shared).
//! (A separate test binary: fork in a multi-threaded test harness is only safe for a child that
//! does its work and exits.)

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::Config;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY};

#[test]
fn child_after_fork_gets_a_working_runtime() {
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
