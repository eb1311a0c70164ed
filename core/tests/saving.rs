//! Saving signed documents never clobbers: a second package's `Contract.pdf`
//! saved into the same directory gets a numbered name instead of replacing the first one's;
//! `transport.save_overwrite` replaces on request; files are 0600 unless `transport.save_mode`
//! says otherwise; names with Unicode format characters are cleaned.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use signbridge::blocking::{Client, Signing};
use signbridge::providers::zignsec::{CreateSigning, Document, SigningStatus};
use signbridge::{Config, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY};

const AKSEL: &str = "06046517928";

fn signing(sim: &BackgroundSimulator, transport: serde_json::Value) -> Signing {
    let cfg = Config::from_json(
        &json!({
            "zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]},
            "transport": transport
        })
        .to_string(),
    )
    .expect("config");
    Client::new(cfg)
        .expect("client")
        .zignsec_signing()
        .expect("signing")
}

/// A finished session whose signed documents are named `names`, each with `title` inside.
fn finished(sim: &BackgroundSimulator, s: &Signing, names: &[&str], title: &str) -> SigningStatus {
    let docs: Vec<Document> = names
        .iter()
        .map(|n| Document {
            name: (*n).into(),
            data: signbridge_sim::sample_pdf(title, 1).into(),
            placement: None,
        })
        .collect();
    let started = s
        .sign_documents(&CreateSigning::default(), &docs)
        .expect("started");
    let r = http::send_json(
        "POST",
        &format!(
            "{}/_sim/zignsec/signing/{}/complete",
            sim.base_url(),
            started.id
        ),
        &json!({"personal_number": AKSEL}),
    )
    .expect("complete");
    assert!(r.status < 300, "{}", r.text());
    s.wait(
        &started.id,
        &WaitOptions {
            interval: Duration::from_millis(100),
            timeout: Some(Duration::from_secs(20)),
            ..WaitOptions::default()
        },
    )
    .expect("finished")
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect()
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn a_second_package_never_replaces_the_first_ones_file() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let s = signing(&sim, json!({}));
    let first = finished(&sim, &s, &["Contract.pdf"], "first");
    let second = finished(&sim, &s, &["Contract.pdf"], "second");
    let dir = tempfile::tempdir().expect("dir");
    let a = s.save_signed_files(&first, dir.path()).expect("saved");
    let before = std::fs::read(&a[0]).expect("first file");
    let b = s.save_signed_files(&second, dir.path()).expect("saved");
    assert_eq!(names(&a), ["Contract.pdf"]);
    assert_eq!(names(&b), ["Contract-2.pdf"]);
    assert_eq!(
        std::fs::read(&a[0]).expect("first file"),
        before,
        "replaced"
    );
    assert_ne!(std::fs::read(&b[0]).expect("second file"), before);
    #[cfg(unix)]
    {
        assert_eq!(mode(&a[0]), 0o600);
        assert_eq!(mode(&b[0]), 0o600);
    }
    // Nothing else is left behind (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);

    // On request: replaced, with the mode asked for.
    let replacing = signing(&sim, json!({"save_overwrite": true, "save_mode": 0o640}));
    let c = replacing
        .save_signed_files(&second, dir.path())
        .expect("saved");
    assert_eq!(names(&c), ["Contract.pdf"]);
    assert_ne!(std::fs::read(&c[0]).expect("replaced"), before);
    #[cfg(unix)]
    assert_eq!(mode(&c[0]), 0o640);
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
}

#[test]
fn format_characters_never_reach_a_saved_name() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let s = signing(&sim, json!({}));
    // "invoice\u{202E}fdp.exe" shows as "invoiceexe.pdf" in a right-to-left aware viewer.
    let done = finished(&sim, &s, &["invoice\u{202E}fdp.exe", "a\u{200B}b.pdf"], "x");
    let dir = tempfile::tempdir().expect("dir");
    let saved = s.save_signed_files(&done, dir.path()).expect("saved");
    assert_eq!(names(&saved), ["invoicefdp.exe", "ab.pdf"]);
}

#[test]
fn an_absurd_save_mode_is_a_configuration_error() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({
            "zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]},
            "transport": {"save_mode": 0o4777}
        })
        .to_string(),
    )
    .expect("config");
    let e = Client::new(cfg).expect_err("refused");
    assert_eq!(e.code(), signbridge::ErrorCode::InvalidConfig);
    assert!(e.message().contains("save_mode"), "{e}");
}
