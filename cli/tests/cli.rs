//! The `signbridge` command as a user runs it.

use std::process::Command;

fn signbridge() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_signbridge"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SIGNBRIDGE_") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn demo_signs_one_and_two_documents_end_to_end() {
    let out = tempfile::tempdir().expect("tmp");
    let run = signbridge()
        .args(["demo", "--out"])
        .arg(out.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("demo finished"), "{stdout}");
    assert_eq!(stdout.matches("md5 verified").count(), 3, "{stdout}");
    for f in [
        "run-1/sample-contract.pdf",
        "run-2/sample-contract.pdf",
        "run-2/sample-appendix.pdf",
    ] {
        let bytes = std::fs::read(out.path().join(f)).expect("signed file exists");
        assert!(bytes.starts_with(b"%PDF-"));
    }
}

#[test]
fn sign_status_and_download_against_the_simulator() {
    let sim = signbridge_sim::BackgroundSimulator::start(signbridge_sim::SimConfig {
        quiet: true,
        ..Default::default()
    })
    .expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let pdf = dir.path().join("contract.pdf");
    std::fs::write(&pdf, signbridge_sim::sample_pdf("CLI test", 1)).expect("write");
    let with_env = |c: &mut Command| {
        c.env("SIGNBRIDGE_ZIGNSEC_URL", sim.base_url()).env(
            "SIGNBRIDGE_ZIGNSEC_KEY",
            signbridge_sim::DEFAULT_PRIMARY_KEY,
        );
    };
    let mut sign = signbridge();
    with_env(&mut sign);
    let run = sign
        .arg("sign")
        .arg(&pdf)
        .args(["--placement", "1,50,60"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("session:"))
        .map(|s| s.trim().to_string())
        .expect("session id printed");
    assert!(stdout.contains("signing URL: http://127.0.0.1"));

    let complete = signbridge_sim::client::send_json(
        "POST",
        &format!("{}/_sim/zignsec/signing/{id}/complete", sim.base_url()),
        &serde_json::json!({}),
    )
    .expect("complete");
    assert_eq!(complete.status, 200);

    let mut status = signbridge();
    with_env(&mut status);
    let run = status
        .args(["status", &id, "--json"])
        .output()
        .expect("runs");
    let state: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(state["status"], "Finished");

    let mut download = signbridge();
    with_env(&mut download);
    let out = dir.path().join("out");
    let run = download
        .args(["download", &id, "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let signed = std::fs::read(out.join("contract.pdf")).expect("signed");
    assert!(signed.starts_with(&std::fs::read(&pdf).expect("original")));
}

#[test]
fn errors_print_the_code_and_what_to_do() {
    let run = signbridge().args(["status", "abc"]).output().expect("runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("SB_ERR_AUTH_CONFIG_MISSING"), "{stderr}");
    assert!(stderr.contains("SIGNBRIDGE_ZIGNSEC_KEY"), "{stderr}");

    let dir = tempfile::tempdir().expect("tmp");
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "not a pdf").expect("write");
    let run = signbridge()
        .env("SIGNBRIDGE_ZIGNSEC_URL", "http://127.0.0.1:9")
        .env("SIGNBRIDGE_ZIGNSEC_KEY", "k")
        .arg("sign")
        .arg(&txt)
        .output()
        .expect("runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("SB_ERR_INVALID_DOCUMENT"), "{stderr}");
    assert!(stderr.contains("not a PDF"), "{stderr}");
}

#[test]
fn sim_with_tls_dir_issues_certificates_and_listens_twice() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("tmp");
    let mut child = signbridge()
        .args(["sim", "--port", "0", "--tls-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.starts_with("press Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(
        text.contains("two-way TLS listening on https://localhost:"),
        "{text}"
    );
    for f in ["ca.pem", "client.pem", "client-key.pem", "server.pem"] {
        assert!(dir.path().join(f).exists(), "{f} issued");
    }
}
