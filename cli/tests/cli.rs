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
fn demo_signs_with_zignsec_then_onespan_end_to_end() {
    let out = tempfile::tempdir().expect("tmp");
    let run = signbridge()
        .args(["demo", "--out"])
        .arg(out.path())
        .env("SIGNBRIDGE_LOG", "debug")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("demo finished: 5 signed file(s)"),
        "{stdout}"
    );
    // Log lines to a pipe carry no ANSI colour codes; progress counts documents
    // (the second ZignSec run signs two) apart from signers.
    assert!(stderr.contains("DEBUG"), "debug lines are logged: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(
        stderr.contains(": 2 documents, 1 of 1 signer signed"),
        "{stderr}"
    );
    assert_eq!(
        stdout.matches("original bytes kept as prefix: yes").count(),
        5,
        "{stdout}"
    );
    assert!(stdout.contains("session zignsec:"), "{stdout}");
    assert!(stdout.contains("session onespan:"), "{stdout}");
    for f in [
        "zignsec/run-1/sample-contract.pdf",
        "zignsec/run-2/sample-contract.pdf",
        "zignsec/run-2/sample-appendix.pdf",
        "onespan/run-1/sample-contract.pdf",
        "onespan/run-1/sample-appendix.pdf",
    ] {
        let bytes = std::fs::read(out.path().join(f)).expect("signed file exists");
        assert!(bytes.starts_with(b"%PDF-"), "{f}");
    }
}

#[test]
fn demo_runs_one_provider_when_asked() {
    let out = tempfile::tempdir().expect("tmp");
    let run = signbridge()
        .args(["demo", "--provider", "onespan", "--out"])
        .arg(out.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("demo finished: 2 signed file(s)"),
        "{stdout}"
    );
    assert!(!out.path().join("zignsec").exists());
    assert!(out
        .path()
        .join("onespan/run-1/sample-appendix.pdf")
        .exists());
    let run = signbridge()
        .args(["demo", "--provider", "docusign"])
        .output()
        .expect("runs");
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("zignsec"),
        "the choices are listed"
    );
}

/// `key=value` of a line `key: value` in `stdout`.
fn field(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("{key} printed: {stdout}"))
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
        .args(["--field", "1,50,600"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reference = field(&stdout, "session:");
    let id = reference
        .strip_prefix("zignsec:")
        .expect("a zignsec session reference")
        .to_string();
    assert!(stdout.contains("signing URL: http://127.0.0.1"));

    let complete = signbridge_sim::client::send_json(
        "POST",
        &format!("{}/_sim/zignsec/signing/{id}/complete", sim.base_url()),
        &serde_json::json!({}),
    )
    .expect("complete");
    assert_eq!(complete.status, 200);

    // The reference as printed, and the bare id with --provider, name the same session.
    for args in [
        vec!["status", reference.as_str(), "--json"],
        vec!["status", id.as_str(), "--provider", "zignsec", "--json"],
    ] {
        let mut status = signbridge();
        with_env(&mut status);
        let run = status.args(&args).output().expect("runs");
        let state: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
        assert_eq!(state["status"], "Finished");
        assert_eq!(state["id"], reference.as_str());
        assert_eq!(state["signers"][0]["signed"], true);
    }

    let mut download = signbridge();
    with_env(&mut download);
    let out = dir.path().join("out");
    let run = download
        .args(["download", &reference, "--out"])
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

    // A reference of the wrong provider, and a malformed one.
    let mut status = signbridge();
    with_env(&mut status);
    let run = status
        .args(["status", &reference, "--provider", "onespan"])
        .output()
        .expect("runs");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("SB_ERR_INVALID_ARGUMENT"));
    let mut status = signbridge();
    with_env(&mut status);
    let run = status
        .args(["status", "zignsec:../../x"])
        .output()
        .expect("runs");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("SB_ERR_INVALID_ARGUMENT"));
}

#[test]
fn onespan_sign_with_two_signers_status_and_download() {
    let sim = signbridge_sim::BackgroundSimulator::start(signbridge_sim::SimConfig {
        quiet: true,
        ..Default::default()
    })
    .expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("contract.pdf");
    let b = dir.path().join("appendix.pdf");
    std::fs::write(&a, signbridge_sim::sample_pdf("Contract", 1)).expect("write");
    std::fs::write(&b, signbridge_sim::sample_pdf("Appendix", 2)).expect("write");
    // Both providers configured: the command needs --provider.
    let with_env = |c: &mut Command| {
        c.env("SIGNBRIDGE_ZIGNSEC_URL", sim.base_url())
            .env(
                "SIGNBRIDGE_ZIGNSEC_KEY",
                signbridge_sim::DEFAULT_PRIMARY_KEY,
            )
            .env("SIGNBRIDGE_ONESPAN_URL", sim.base_url())
            .env(
                "SIGNBRIDGE_ONESPAN_API_KEY",
                signbridge_sim::ONESPAN_API_KEY,
            );
    };
    let signers = [
        "--signer",
        "Kari Nordmann <kari@example.com>",
        "--signer",
        "Ola Hansen <ola@example.com>",
    ];
    let mut sign = signbridge();
    with_env(&mut sign);
    let run = sign
        .arg("sign")
        .arg(&a)
        .args(signers)
        .output()
        .expect("runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("SB_ERR_INVALID_CONFIG"), "{stderr}");
    assert!(stderr.contains("\"signing\""), "{stderr}");

    let mut sign = signbridge();
    with_env(&mut sign);
    let run = sign
        .arg("sign")
        .arg(&a)
        .arg(&b)
        .args(["--provider", "onespan", "--title", "Boat sale"])
        .args(signers)
        .args(["--field", "1,60,650"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reference = field(&stdout, "session:");
    let id = reference
        .strip_prefix("onespan:")
        .expect("onespan")
        .to_string();
    assert_eq!(
        stdout.matches("signing URL: http://127.0.0.1").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("(signer2, Ola Hansen)"), "{stdout}");

    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let sign_as = |role: &str| {
        let r = signbridge_sim::client::send_json(
            "POST",
            &format!(
                "{}/_sim/onespan/packages/{encoded}/roles/{role}/sign",
                sim.base_url()
            ),
            &serde_json::json!({}),
        )
        .expect("sign");
        assert_eq!(r.status, 200, "{}", r.text());
    };
    sign_as("signer1");
    let mut status = signbridge();
    with_env(&mut status);
    let run = status.args(["status", &reference]).output().expect("runs");
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("status:  Pending"), "{text}");
    assert!(text.contains("signer:  signer1 (signed)"), "{text}");
    assert!(text.contains("signer:  signer2 (not signed yet)"), "{text}");
    // Nothing to download yet.
    let mut download = signbridge();
    with_env(&mut download);
    let run = download
        .args(["download", &reference, "--out"])
        .arg(dir.path().join("early"))
        .output()
        .expect("runs");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("SB_ERR_INVALID_STATE"));

    sign_as("signer2");
    let mut download = signbridge();
    with_env(&mut download);
    let out = dir.path().join("out");
    let run = download
        .args(["download", &reference, "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (name, original) in [("contract.pdf", &a), ("appendix.pdf", &b)] {
        let signed = std::fs::read(out.join(name)).expect("signed");
        assert!(signed.starts_with(&std::fs::read(original).expect("original")));
    }
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

#[test]
fn call_runs_any_operation_with_a_json_request() {
    let sim = signbridge_sim::BackgroundSimulator::start(signbridge_sim::SimConfig {
        quiet: true,
        ..signbridge_sim::SimConfig::default()
    })
    .expect("sim");
    let cfg = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(
        cfg.path(),
        serde_json::json!({"securosys": {"base_url": sim.base_url(),
            "api_keys": {"service": [signbridge_sim::SECUROSYS_SERVICE_KEY]}}})
        .to_string(),
    )
    .expect("config");
    let config = cfg.path().to_str().expect("utf-8 path");
    let ok = signbridge()
        .args(["--config", config, "call", "securosys.version_info"])
        .output()
        .expect("run");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON on stdout");
    assert!(out["version"].is_string(), "{out}");
    // A bad request names the field; an unknown operation the close ones, before any config.
    let bad = signbridge()
        .args([
            "--config",
            config,
            "call",
            "securosys.get_key",
            "--json",
            r#"{"lable": "k"}"#,
        ])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("SB_ERR_INVALID_ARGUMENT") && err.contains("lable"),
        "{err}"
    );
    let unknown = signbridge()
        .args(["call", "securosys.create_kee"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("securosys.create_key"), "{err}");
    // An operation that sends nothing anywhere runs without any configuration.
    let parsed = signbridge()
        .args([
            "call",
            "zignsec.parse_redirect",
            "--json",
            r#"{"returned_url": "?errorCode=CANCELLED&relay_state=r1"}"#,
        ])
        .env_remove("SIGNBRIDGE_CONFIG")
        .output()
        .expect("run");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&parsed.stdout).expect("JSON on stdout");
    assert_eq!(out["error_code"], "CANCELLED", "{out}");
    assert_eq!(out["relay_state"], "r1", "{out}");
    let list = signbridge().args(["call", "--list"]).output().expect("run");
    let text = String::from_utf8_lossy(&list.stdout);
    for op in signbridge::api::OPERATIONS {
        assert!(text.contains(op.name), "{} is not listed", op.name);
    }
}

#[test]
fn sim_prints_the_test_credentials_of_every_provider() {
    use std::io::{BufRead, BufReader};
    let mut child = signbridge()
        .args(["sim", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("utf-8");
        let done = line.starts_with("press Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let text = lines.join("\n");
    for expected in [
        signbridge_sim::DEFAULT_PRIMARY_KEY,
        signbridge_sim::ONESPAN_API_KEY,
        signbridge_sim::DEFAULT_CLIENT_SECRET,
        signbridge_sim::SECUROSYS_KEY_MANAGEMENT_KEY,
        signbridge_sim::SECUROSYS_KEY_OPERATION_KEY,
        signbridge_sim::SECUROSYS_APPROVER_KEY,
        signbridge_sim::SECUROSYS_SERVICE_KEY,
        signbridge_sim::SECUROSYS_JWT,
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(text.contains("api_keys.key_operation="), "{text}");
}
