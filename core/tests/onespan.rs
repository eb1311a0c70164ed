//! OneSpan Sign transactions against the simulator: create (one step and in steps), send,
//! signing URLs and status, two signers in order, decline / opt-out / expiry / trash outcomes,
//! edits refused after sending, downloads (PDF, original, ZIP, evidence) written atomically,
//! paging, callbacks authenticated with the callback key, percent-encoded ids, and error answers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Onespan};
use signbridge::providers::onespan::{
    CallbackEventName, CallbackVerifier, DocumentSpec, DownloadKind, ListQuery, NewPackage,
    Package, PackageStatus, PackageUpdate, SignatureField, Signer, SigningStatus,
};
use signbridge::{CancelToken, Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, ONESPAN_API_KEY};

fn sim() -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim")
}

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) -> Value {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
    r.json().unwrap_or(Value::Null)
}

fn onespan_at(base_url: &str) -> Onespan {
    let cfg = Config::from_json(
        &json!({"onespan": {"base_url": base_url, "api_key": ONESPAN_API_KEY},
                "transport": {"backoff_base_ms": 10, "backoff_max_ms": 50}})
        .to_string(),
    )
    .expect("config");
    Client::new(cfg)
        .expect("client")
        .onespan()
        .expect("onespan")
}

fn onespan(sim: &BackgroundSimulator) -> Onespan {
    onespan_at(sim.base_url())
}

fn pdf(title: &str, pages: usize) -> Vec<u8> {
    signbridge_sim::sample_pdf(title, pages)
}

/// Two signers (buyer signs first, then seller) over two documents.
fn two_signer_package(name: &str) -> NewPackage {
    NewPackage::new(name)
        .description("two signers in order")
        .signer(Signer::new("buyer", "buyer@example.com", "Bea", "Buyer"))
        .signer(Signer::new("seller", "seller@example.com", "Sam", "Seller").company("ACME"))
        .document(
            DocumentSpec::from_bytes("Purchase agreement", pdf("Purchase agreement", 2))
                .expect("pdf")
                .field(SignatureField::new("buyer", 0, 600.0, 80.0))
                .field(SignatureField::new("seller", 1, 600.0, 300.0)),
        )
        .document(
            DocumentSpec::from_bytes("Annex", pdf("Annex", 1))
                .expect("pdf")
                .field(SignatureField::new("buyer", 0, 500.0, 80.0)),
        )
        .send_on_create(true)
}

fn one_signer_package(name: &str) -> NewPackage {
    NewPackage::new(name)
        .signer(Signer::new("signer1", "ann@example.com", "Ann", "Smith"))
        .document(
            DocumentSpec::from_bytes("Contract", pdf(name, 1))
                .expect("pdf")
                .field(SignatureField::new("signer1", 0, 100.0, 100.0)),
        )
}

fn sign(sim: &BackgroundSimulator, id: &str, role: &str) -> http::HttpResponse {
    http::send_json(
        "POST",
        &format!(
            "{}/_sim/onespan/packages/{}/roles/{role}/sign",
            sim.base_url(),
            pct(id)
        ),
        &json!({}),
    )
    .expect("sign")
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn fast_wait() -> WaitOptions<Package> {
    WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(30)),
        ..WaitOptions::default()
    }
}

/// A ZIP's central directory: the names of its entries.
fn zip_entries(data: &[u8]) -> Vec<String> {
    let eocd = data
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("end of central directory");
    let u16_at = |i: usize| u16::from_le_bytes([data[i], data[i + 1]]) as usize;
    let u32_at =
        |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize;
    let count = u16_at(eocd + 10);
    let mut at = u32_at(eocd + 16);
    let mut names = Vec::new();
    for _ in 0..count {
        assert_eq!(&data[at..at + 4], b"PK\x01\x02", "central directory entry");
        let name_len = u16_at(at + 28);
        let extra_len = u16_at(at + 30);
        let comment_len = u16_at(at + 32);
        let local = u32_at(at + 42);
        assert_eq!(&data[local..local + 4], b"PK\x03\x04", "local header");
        names.push(String::from_utf8_lossy(&data[at + 46..at + 46 + name_len]).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    names
}

fn no_temp_files(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.starts_with(".signbridge"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn two_signers_sign_in_order_and_the_signed_files_download() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&two_signer_package("Purchase"))
        .expect("create");
    let p = os.get_package(&id).expect("read");
    assert_eq!(p.status, PackageStatus::Sent);
    assert_eq!(p.name, "Purchase");
    assert_eq!(
        p.documents.iter().filter(|d| d.name != "Consent").count(),
        2
    );
    let buyer = p.role("buyer").expect("buyer role");
    assert_eq!(buyer.signers[0].email, "buyer@example.com");

    // Each role has its own signing page.
    let url_buyer = os.signing_url(&id, "buyer").expect("buyer url");
    let url_seller = os.signing_url(&id, "seller").expect("seller url");
    assert!(url_buyer.starts_with(sim.base_url()), "{url_buyer}");
    assert_ne!(url_buyer, url_seller);
    assert_eq!(
        os.signing_status(&id, None, None).expect("status"),
        SigningStatus::SigningPending
    );

    // The seller cannot sign before the buyer.
    assert_eq!(sign(&sim, &id, "seller").status, 400);
    assert_eq!(sign(&sim, &id, "buyer").status, 200);
    assert_eq!(
        os.signing_status(&id, Some("buyer"), None).expect("status"),
        SigningStatus::SigningCompleted
    );
    assert_eq!(os.status(&id).expect("status"), PackageStatus::Sent);
    assert_eq!(sign(&sim, &id, "seller").status, 200);

    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let opts = WaitOptions {
        on_progress: Some(Arc::new(move |_: &Package| {
            counter.fetch_add(1, Ordering::SeqCst);
        })),
        ..fast_wait()
    };
    let done = os.wait(&id, &opts).expect("completed");
    assert_eq!(done.status, PackageStatus::Completed);
    assert!(seen.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        os.signing_status(&id, None, None).expect("status"),
        SigningStatus::Completed
    );

    // Downloads: each document (signed and original), the ZIP, the evidence summary.
    let dir = tempfile::tempdir().expect("dir");
    for d in done.documents.iter() {
        let signed = os
            .download(&id, &DownloadKind::Document(d.id.clone()))
            .expect("signed pdf");
        assert!(signed.data.starts_with(b"%PDF-"));
        let original = os
            .download(&id, &DownloadKind::Original(d.id.clone()))
            .expect("original");
        assert!(original.data.starts_with(b"%PDF-"));
        assert_ne!(signed.data, original.data, "signing changed {}", d.name);
        let name = signed.file_name.clone().expect("Content-Disposition name");
        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
        // Streamed to disk: the same bytes as in memory, under the same suggested name, from
        // the calling thread (blocking) and from the shared runtime (async).
        let kind = DownloadKind::Document(d.id.clone());
        let target = dir.path().join("streamed.pdf");
        let n = os.download_to(&id, &kind, &target).expect("download_to");
        assert_eq!(n, signed.data.len() as u64);
        assert_eq!(std::fs::read(&target).expect("read"), signed.data);
        let into = dir.path().join("into");
        let saved = os.download_into(&id, &kind, &into).expect("download_into");
        assert_eq!(saved, into.join(&name));
        assert_eq!(std::fs::read(&saved).expect("read"), signed.data);
        let async_target = dir.path().join("streamed-async.pdf");
        let n = signbridge::runtime::runtime()
            .block_on(os.0.download_to(&id, &kind, &async_target))
            .expect("async download_to");
        assert_eq!(n, signed.data.len() as u64);
        assert_eq!(std::fs::read(&async_target).expect("read"), signed.data);
        no_temp_files(dir.path());
        no_temp_files(&into);
    }
    let zip = os.download(&id, &DownloadKind::Zip).expect("zip");
    let entries = zip_entries(&zip.data);
    assert!(entries.len() >= 2, "{entries:?}");
    assert!(
        entries.iter().any(|e| e.contains("Purchase agreement")),
        "{entries:?}"
    );
    let evidence = os
        .download(&id, &DownloadKind::EvidenceSummary)
        .expect("evidence");
    assert!(evidence.data.starts_with(b"%PDF"));
    let tail = &evidence.data[evidence.data.len().saturating_sub(32)..];
    assert!(
        String::from_utf8_lossy(tail).trim_end().ends_with("%%EOF"),
        "evidence summary ends with %%EOF"
    );
    let saved = os
        .download_into(&id, &DownloadKind::Zip, dir.path().join("out"))
        .expect("saved");
    assert!(saved.starts_with(dir.path().join("out")));
    assert_eq!(std::fs::read(&saved).expect("read"), zip.data);
    no_temp_files(&dir.path().join("out"));

    // The audit trail records both signatures.
    let audit = os.audit(&id).expect("audit");
    let signs = audit
        .events
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("sign"))
        .count();
    assert!(signs >= 2, "{:?}", audit.events);
    // Archive once completed.
    os.archive(&id).expect("archive");
    assert_eq!(os.status(&id).expect("status"), PackageStatus::Archived);
}

#[test]
fn a_decline_is_rejected_with_the_reason() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&two_signer_package("Declined deal"))
        .expect("create");
    assert_eq!(sign(&sim, &id, "buyer").status, 200);
    control(
        &sim,
        "POST",
        &format!("/_sim/onespan/packages/{}/roles/seller/decline", pct(&id)),
        json!({"reason": "The price is wrong"}),
    );
    let e = os.wait(&id, &fast_wait()).expect_err("declined");
    assert_eq!(e.code(), ErrorCode::Rejected);
    assert_eq!(e.provider_code(), Some("DECLINED"));
    assert_eq!(e.provider_description(), Some("The price is wrong"));
    assert!(
        e.message().contains("The price is wrong"),
        "{}",
        e.message()
    );
    assert_eq!(os.status(&id).expect("status"), PackageStatus::Declined);

    // Opting out is a rejection too, told apart by the provider code.
    let id = os
        .create_package(&one_signer_package("Opt out").send_on_create(true))
        .expect("create");
    control(
        &sim,
        "POST",
        &format!("/_sim/onespan/packages/{}/roles/signer1/opt_out", pct(&id)),
        json!({"reason": "I want paper"}),
    );
    let e = os.wait(&id, &fast_wait()).expect_err("opted out");
    assert_eq!(e.code(), ErrorCode::Rejected);
    assert_eq!(e.provider_code(), Some("OPTED_OUT"));
    assert_eq!(e.provider_description(), Some("I want paper"));
}

#[test]
fn expiry_trash_delete_and_drafts_end_a_wait_with_their_codes() {
    let sim = sim();
    let os = onespan(&sim);
    let expired = os
        .create_package(&one_signer_package("Expires").send_on_create(true))
        .expect("create");
    control(
        &sim,
        "POST",
        &format!("/_sim/onespan/packages/{}/expire", pct(&expired)),
        json!({}),
    );
    let e = os.wait(&expired, &fast_wait()).expect_err("expired");
    assert_eq!(e.code(), ErrorCode::SessionExpired);

    let trashed = os
        .create_package(&one_signer_package("Trashed").send_on_create(true))
        .expect("create");
    os.trash(&trashed).expect("trash");
    let e = os.wait(&trashed, &fast_wait()).expect_err("trashed");
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert_eq!(e.provider_code(), Some("TRASHED"));
    assert!(os
        .list_all(ListQuery::new())
        .expect("list")
        .iter()
        .all(|p| p.id != trashed));
    os.restore(&trashed).expect("restore");
    assert!(!os.get_package(&trashed).expect("read").trashed);
    os.delete(&trashed).expect("delete");
    let e = os.wait(&trashed, &fast_wait()).expect_err("deleted");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(
        os.get_package(&trashed).expect_err("gone").provider_code(),
        Some("error.notFound.packageNotFound")
    );

    let draft = os
        .create_package(&one_signer_package("Draft"))
        .expect("create");
    let e = os.wait(&draft, &fast_wait()).expect_err("draft");
    assert_eq!(e.code(), ErrorCode::InvalidState);
    let e = os.signing_url(&draft, "signer1").expect_err("not sent");
    assert_eq!(e.code(), ErrorCode::InvalidState);
    assert_eq!(e.provider_code(), Some("error.validation.packageNotActive"));
}

#[test]
fn a_wait_times_out_or_is_cancelled_while_signers_take_their_time() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&one_signer_package("Slow").send_on_create(true))
        .expect("create");
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_millis(400)),
        on_progress: Some(Arc::new(move |p: &Package| {
            assert_eq!(p.status, PackageStatus::Sent);
            counter.fetch_add(1, Ordering::SeqCst);
        })),
        ..WaitOptions::default()
    };
    let e = os.wait(&id, &opts).expect_err("timeout");
    assert_eq!(e.code(), ErrorCode::Timeout);
    assert!(polls.load(Ordering::SeqCst) >= 1);
    let cancel = CancelToken::new();
    cancel.cancel();
    let opts = WaitOptions {
        cancel: Some(cancel),
        ..fast_wait()
    };
    assert_eq!(
        os.wait(&id, &opts).expect_err("cancelled").code(),
        ErrorCode::Aborted
    );
}

#[test]
fn edits_after_sending_are_refused_with_the_providers_message_key() {
    let sim = sim();
    let os = onespan(&sim);
    // In steps: a draft, then the documents, then send.
    let id = os
        .create_package_in_steps(&two_signer_package("Stepwise"))
        .expect("create in steps");
    let p = os.get_package(&id).expect("read");
    assert_eq!(p.status, PackageStatus::Sent);
    assert!(p.documents.iter().any(|d| d.name == "Annex"));

    let e = os
        .update_package(
            &id,
            &PackageUpdate {
                name: Some("Renamed".into()),
                ..PackageUpdate::default()
            },
        )
        .expect_err("sent packages cannot change");
    assert_eq!(e.code(), ErrorCode::InvalidState);
    assert_eq!(e.provider_code(), Some("error.validation.packageActive"));
    assert_eq!(e.http_status(), Some(400));
    let doc = DocumentSpec::from_bytes("Late", pdf("Late", 1)).expect("pdf");
    let e = os
        .add_document(&id, &doc)
        .expect_err("no documents after sending");
    assert_eq!(e.code(), ErrorCode::InvalidState);

    // A draft can change.
    let draft = os
        .create_package(&one_signer_package("Editable"))
        .expect("create");
    os.update_package(
        &draft,
        &PackageUpdate {
            name: Some("Edited".into()),
            ..PackageUpdate::default()
        },
    )
    .expect("draft edit");
    os.add_document(&draft, &doc).expect("add document");
    let p = os.get_package(&draft).expect("read");
    assert_eq!(p.name, "Edited");
    assert!(p.documents.iter().any(|d| d.name == "Late"));
    os.send(&draft).expect("send");
    assert_eq!(os.status(&draft).expect("status"), PackageStatus::Sent);
}

/// One request received: its Authorization header and body.
type Delivery = (Option<String>, Vec<u8>);

/// A loopback HTTP receiver answering 200; yields each request.
fn receiver() -> (String, mpsc::Receiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/onespan/events",
        listener.local_addr().expect("addr")
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, len) = loop {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..p]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (p + 4, len);
                }
            };
            while buf.len() < head_end + len {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let auth = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("authorization")
                    .then(|| v.trim().to_string())
            });
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let body = buf[head_end..(head_end + len).min(buf.len())].to_vec();
            if tx.send((auth, body)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn callbacks_arrive_and_authenticate_with_the_callback_key() {
    let sim = sim();
    let os = onespan(&sim);
    let (url, deliveries) = receiver();
    let key = "callback-key-for-tests-0001";
    os.register_callback(
        &url,
        key,
        &[
            CallbackEventName::PackageActivate,
            CallbackEventName::SignerComplete,
            CallbackEventName::PackageComplete,
        ],
    )
    .expect("register");
    let reg = os.get_callback().expect("registration");
    assert_eq!(reg.url.as_deref(), Some(url.as_str()));
    assert!(reg.events.contains(&CallbackEventName::PackageComplete));
    assert!(!format!("{reg:?}").contains(key));

    let id = os
        .create_package(&one_signer_package("Called back").send_on_create(true))
        .expect("create");
    assert_eq!(sign(&sim, &id, "signer1").status, 200);

    let verifier = CallbackVerifier::new(key);
    let wrong = CallbackVerifier::new("some-other-key");
    let mut names = Vec::new();
    while !names.contains(&CallbackEventName::PackageComplete) {
        let (auth, body) = deliveries
            .recv_timeout(Duration::from_secs(30))
            .expect("a delivery");
        let event = verifier.verify(auth.as_deref(), &body).expect("authentic");
        assert_eq!(event.package_id.as_deref(), Some(id.as_str()));
        assert!(event.created_date.is_some());
        let e = wrong.verify(auth.as_deref(), &body).expect_err("wrong key");
        assert_eq!(e.code(), ErrorCode::WebhookInvalid);
        assert_eq!(
            verifier.verify(None, &body).expect_err("no header").code(),
            ErrorCode::WebhookInvalid
        );
        names.push(event.name);
    }
    assert_eq!(
        names,
        vec![
            CallbackEventName::PackageActivate,
            CallbackEventName::SignerComplete,
            CallbackEventName::PackageComplete
        ]
    );
    let e = os
        .register_callback("not a url", key, &[CallbackEventName::PackageComplete])
        .expect_err("bad url");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

#[test]
fn a_callback_url_must_be_https_except_to_loopback() {
    let sim = sim();
    let os = onespan(&sim);
    let key = "callback-key-for-tests-0002";
    let events = [CallbackEventName::PackageComplete];
    // Plain http to another host would carry the callback key in cleartext: refused before
    // anything is sent, and the registration is unchanged.
    for url in [
        "http://app.example/onespan/callback?token=cb-token-4711",
        "http://10.0.0.8:8080/cb",
        "HTTP://app.example/cb",
    ] {
        let e = os
            .register_callback(url, key, &events)
            .expect_err("plain http to a remote host");
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{url}");
        assert!(e.message().contains("https://"), "{}", e.message());
        assert!(!e.message().contains("cb-token-4711"), "{}", e.message());
        assert!(!e.message().contains(key), "{}", e.message());
    }
    assert_eq!(
        os.get_callback().expect_err("nothing registered").code(),
        ErrorCode::NotFound
    );
    // https anywhere, and plain http to loopback (a local receiver), are accepted.
    os.register_callback("https://app.example/onespan/callback", key, &events)
        .expect("https");
    for url in [
        "http://127.0.0.1:9/cb",
        "http://localhost:9/cb",
        "http://[::1]:9/cb",
    ] {
        os.register_callback(url, key, &events).expect(url);
    }
}

#[test]
fn paging_walks_250_transactions() {
    let sim = sim();
    let os = onespan(&sim);
    let mut created = std::collections::HashSet::new();
    for i in 0..250 {
        let p = one_signer_package(&format!("Bulk {i:03}"));
        created.insert(os.create_package(&p).expect("create"));
    }
    let mut pages = os.list(ListQuery::new().page_size(100));
    let mut sizes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(page) = pages.next_page().expect("page") {
        sizes.push(page.len());
        seen.extend(page.into_iter().map(|p| p.id));
    }
    assert_eq!(sizes, vec![100, 100, 50]);
    assert_eq!(pages.total(), Some(250));
    assert_eq!(seen, created);
    // The iterator and the collect helper agree.
    let iterated: Vec<_> = os
        .list(ListQuery::new().page_size(30))
        .collect::<signbridge::Result<Vec<_>>>()
        .expect("iterate");
    assert_eq!(iterated.len(), 250);
    assert_eq!(
        os.list_all(ListQuery::new().status(PackageStatus::Draft))
            .expect("drafts")
            .len(),
        250
    );
    assert!(os
        .list_all(ListQuery::new().status(PackageStatus::Sent))
        .expect("sent")
        .is_empty());
    let found = os
        .list_all(ListQuery::new().search("Bulk 117"))
        .expect("search");
    assert_eq!(found.len(), 1);
    let e = os
        .list_all(ListQuery::new().page_size(101))
        .expect_err("too big a page");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

#[test]
fn downloads_are_atomic_and_checked() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&one_signer_package("Atomic").send_on_create(true))
        .expect("create");
    let doc = os.get_package(&id).expect("read").documents[0].id.clone();
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("contract.pdf");
    std::fs::write(&target, b"previous content").expect("seed");

    // The provider fails every attempt: the existing file is untouched, nothing is left over.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "status", "status": 500, "count": 3, "path_prefix": "/api/packages/"}),
    );
    let e = os
        .download_to(&id, &DownloadKind::Document(doc.clone()), &target)
        .expect_err("failed");
    assert_eq!(e.code(), ErrorCode::ProviderUnavailable);
    assert_eq!(std::fs::read(&target).expect("read"), b"previous content");
    no_temp_files(dir.path());

    // An answer that is not a PDF is refused before anything is written.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "malformed", "count": 3, "path_prefix": "/api/packages/"}),
    );
    let e = os
        .download_to(&id, &DownloadKind::Document(doc.clone()), &target)
        .expect_err("not a pdf");
    assert_eq!(e.code(), ErrorCode::Integrity);
    assert_eq!(std::fs::read(&target).expect("read"), b"previous content");
    no_temp_files(dir.path());
    control(&sim, "DELETE", "/_sim/faults", json!({}));

    // A directory that does not exist: an I/O error, nothing written.
    let e = os
        .download_to(
            &id,
            &DownloadKind::EvidenceSummary,
            dir.path().join("missing/evidence.pdf"),
        )
        .expect_err("no directory");
    assert_eq!(e.code(), ErrorCode::Io);

    // And a good one replaces the file whole.
    let n = os
        .download_to(&id, &DownloadKind::Document(doc), &target)
        .expect("downloaded");
    let data = std::fs::read(&target).expect("read");
    assert_eq!(data.len() as u64, n);
    assert!(data.starts_with(b"%PDF-"));
    no_temp_files(dir.path());
}

/// A download that fails — unknown transaction or document, an answer that is not what was
/// asked for, a failed provider — leaves no file and no temporary file, and a file already at
/// the target keeps its content; for `download_to` and `download_into`, blocking and async.
#[test]
fn failed_downloads_leave_nothing_behind() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&one_signer_package("Leftovers").send_on_create(true))
        .expect("create");
    let doc = os.get_package(&id).expect("read").documents[0].id.clone();
    let kind = DownloadKind::Document(doc.clone());
    let dir = tempfile::tempdir().expect("dir");
    let existing = dir.path().join("contract.pdf");
    std::fs::write(&existing, b"previous content").expect("seed");
    let fresh = dir.path().join("fresh.pdf");
    // What download_into would call the file: seed it too.
    let into = dir.path().join("into");
    let named = os.download_into(&id, &kind, &into).expect("download_into");
    std::fs::write(&named, b"previous content").expect("seed");
    let entries = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = (entries(dir.path()), entries(&into));
    let untouched = |what: &str| {
        assert_eq!(
            std::fs::read(&existing).expect("read"),
            b"previous content",
            "{what}"
        );
        assert_eq!(
            std::fs::read(&named).expect("read"),
            b"previous content",
            "{what}"
        );
        assert!(!fresh.exists(), "{what}: a file was created");
        assert_eq!((entries(dir.path()), entries(&into)), before, "{what}");
    };
    let fail = |kind: &DownloadKind, package: &str, what: &str| -> Vec<ErrorCode> {
        let mut codes = Vec::new();
        for target in [&existing, &fresh] {
            let e = os.download_to(package, kind, target).expect_err(what);
            codes.push(e.code());
            untouched(what);
            let e = signbridge::runtime::runtime()
                .block_on(os.0.download_to(package, kind, target))
                .expect_err(what);
            codes.push(e.code());
            untouched(what);
        }
        let e = os.download_into(package, kind, &into).expect_err(what);
        codes.push(e.code());
        untouched(what);
        codes
    };

    // Unknown transaction, unknown document.
    for code in fail(&kind, "no-such-package", "unknown package") {
        assert_eq!(code, ErrorCode::NotFound);
    }
    let unknown_doc = DownloadKind::Document("no-such-document".into());
    for code in fail(&unknown_doc, &id, "unknown document") {
        assert_eq!(code, ErrorCode::NotFound);
    }

    // An answer that is not a PDF (a JSON body cut short), every time.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "malformed", "count": 100, "path_prefix": "/api/packages/"}),
    );
    for code in fail(&kind, &id, "not a pdf") {
        assert_eq!(code, ErrorCode::Integrity);
    }
    control(&sim, "DELETE", "/_sim/faults", json!({}));

    // A ZIP asked for, a ZIP must come.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "malformed", "count": 100, "path_prefix": "/api/packages/"}),
    );
    for code in fail(&DownloadKind::Zip, &id, "not a zip") {
        assert_eq!(code, ErrorCode::Integrity);
    }
    control(&sim, "DELETE", "/_sim/faults", json!({}));

    // The connection is dropped on every attempt.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "drop", "count": 100, "path_prefix": "/api/packages/"}),
    );
    for code in fail(&kind, &id, "dropped") {
        assert_eq!(code, ErrorCode::Network);
    }
    control(&sim, "DELETE", "/_sim/faults", json!({}));

    // And then the same calls succeed: a path named by the caller is replaced whole; saving
    // into a directory never clobbers, so the taken name gets the next number.
    let good = os.download(&id, &kind).expect("download").data;
    os.download_to(&id, &kind, &existing).expect("download_to");
    assert_eq!(std::fs::read(&existing).expect("read"), good);
    let numbered = os.download_into(&id, &kind, &into).expect("into");
    assert_ne!(numbered, named);
    assert_eq!(std::fs::read(&numbered).expect("read"), good);
    assert_eq!(std::fs::read(&named).expect("read"), b"previous content");
    no_temp_files(dir.path());
    no_temp_files(&into);
}

#[test]
fn ids_are_percent_encoded_path_segments() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&one_signer_package("Encoded"))
        .expect("create");
    assert!(id.ends_with('='), "simulator ids keep their padding: {id}");
    http::request(
        "DELETE",
        &format!("{}/_sim/requests", sim.base_url()),
        None,
        b"",
    )
    .expect("clear log");
    assert_eq!(os.get_package(&id).expect("read").id, id);
    let log = http::get(&format!("{}/_sim/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    let paths: Vec<&str> = log
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    let expected = format!("/api/packages/{}", pct(&id));
    assert!(expected.contains("%3D"));
    assert!(paths.contains(&expected.as_str()), "{paths:?}");

    // An id with a slash stays one segment: it names no other resource.
    let e = os
        .get_package(&format!("{id}/documents"))
        .expect_err("unknown id");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(e.provider_code(), Some("error.notFound.packageNotFound"));
    assert_eq!(
        os.get_package("..").expect_err("refused").code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn a_lost_create_answer_is_outcome_unknown_and_findable_by_name() {
    let sim = sim();
    let os = onespan(&sim);
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "drop_after", "method": "POST", "path_prefix": "/api/packages"}),
    );
    let e = os
        .create_package(&one_signer_package("Lost answer"))
        .expect_err("answer lost");
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown);
    assert!(e.message().contains("by name"), "{}", e.message());
    // It was created once, and not again.
    let found = os
        .list_all(ListQuery::new().search("Lost answer"))
        .expect("list");
    assert_eq!(found.len(), 1);
}

#[test]
fn rate_limits_are_retried_and_local_mistakes_refused_before_sending() {
    let sim = sim();
    let os = onespan(&sim);
    let id = os
        .create_package(&one_signer_package("Retry"))
        .expect("create");
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "rate_limit", "retry_after": 0, "path_prefix": "/api/packages/"}),
    );
    assert_eq!(os.get_package(&id).expect("after 429").id, id);

    let e = os
        .create_package(&NewPackage::new("No signer"))
        .expect_err("invalid");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert_eq!(
        DocumentSpec::from_bytes("text", b"hello".to_vec())
            .expect_err("not a pdf")
            .code(),
        ErrorCode::InvalidDocument
    );
}

/// A server in front of OneSpan answering 502 with an HTML page (what a load balancer does).
fn html_502_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    url
}

#[test]
fn a_non_json_502_keeps_its_status_and_says_what_it_is() {
    let os = onespan_at(&html_502_server());
    let e = os
        .get_package("bw1FGkfWT7tf0X4r6bHUfvIblKQ=")
        .expect_err("502");
    assert_eq!(e.code(), ErrorCode::ProviderUnavailable);
    assert_eq!(e.http_status(), Some(502));
    assert!(
        e.message().contains("not OneSpan's error JSON"),
        "{}",
        e.message()
    );
    assert!(e.message().contains("text/html"), "{}", e.message());
    assert!(e.is_retryable());
}
