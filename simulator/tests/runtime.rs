//! The background simulator and the `signbridge-sim` binary.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;
use signbridge_sim::{BackgroundSimulator, SimConfig};

fn health(base_url: &str) -> Result<Value, reqwest::Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        common::client()
            .get(format!("{base_url}/_sim/health"))
            .send()
            .await?
            .json::<Value>()
            .await
    })
}

#[test]
fn background_simulator_runs_on_its_own_thread_and_stops_on_drop() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("start");
    let base = sim.base_url().to_owned();
    assert_eq!(base, format!("http://{}", sim.addr()));
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(health(&base).expect("health")["ok"], true);
    // A client runtime that comes and goes does not affect the server.
    assert_eq!(health(&base).expect("health again")["ok"], true);
    drop(sim);
    assert!(health(&base).is_err(), "server must be gone after drop");
}

#[tokio::test]
async fn simulator_shutdown_closes_the_port() {
    let ctx = common::start().await;
    let base = ctx.sim.base_url().to_owned();
    let resp = ctx
        .http
        .get(format!("{base}/_sim/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(resp.status(), 200);
    ctx.sim.shutdown().await;
    let fresh = common::client();
    assert!(fresh
        .get(format!("{base}/_sim/health"))
        .send()
        .await
        .is_err());
}

#[test]
fn binary_prints_its_url_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signbridge-sim"))
        .args(["--port", "0", "--quiet", "--key", "k1", "--key", "k2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read line");
    let url = line
        .trim_end()
        .strip_prefix("signbridge-sim listening on ")
        .expect("listening line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let health_result = health(&url);

    // Check a key from --key is accepted and a default one is not.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (ok, forbidden) = rt.block_on(async {
        let http = common::client();
        let ok = http
            .post(format!("{url}/api/v5/sessions/signing"))
            .header("Zs-Product-Key", "k2")
            .send()
            .await
            .map(|r| r.status().as_u16());
        let forbidden = http
            .post(format!("{url}/api/v5/sessions/signing"))
            .header("Zs-Product-Key", signbridge_sim::DEFAULT_PRIMARY_KEY)
            .send()
            .await
            .map(|r| r.status().as_u16());
        (ok, forbidden)
    });

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait");
    assert_eq!(health_result.expect("health")["ok"], true);
    assert_eq!(ok.expect("create"), 201);
    assert_eq!(forbidden.expect("create"), 403);
    assert!(status.success(), "exit status {status:?}");
}
