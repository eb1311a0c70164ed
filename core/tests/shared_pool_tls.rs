//! One runtime and one connection pool for every calling thread, counted where it matters: TLS
//! handshakes at the server (the simulator's TLS listener counts them, `GET /_sim/tls`).
//!
//! - HTTP/2 offered (as the services do): 32 threads calling at once, many times each, are
//!   served over one connection — one handshake for the whole workload.
//! - HTTP/1.1 only: at most one connection per request in flight, and connections are reused
//!   by later threads (a thread per request makes no new handshake).

use std::sync::{Arc, Barrier};

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::Config;
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, TestPki, DEFAULT_PRIMARY_KEY};

fn setup(http2: bool) -> (tempfile::TempDir, BackgroundSimulator, TestPki) {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        tls_http2: http2,
        ..SimConfig::default()
    })
    .expect("sim");
    (dir, sim, pki)
}

fn client(sim: &BackgroundSimulator, pki: &TestPki) -> Client {
    let url = sim.tls_base_url().expect("tls listener");
    let cfg = json!({"zignsec": {"base_url": url, "keys": [DEFAULT_PRIMARY_KEY],
                                 "client_cert": {"cert": {"file": pki.client_cert},
                                                 "key": {"file": pki.client_key}}},
                     "transport": {"ca_file": pki.ca_cert}});
    Client::new(Config::from_json(&cfg.to_string()).expect("config")).expect("client")
}

fn handshakes(sim: &BackgroundSimulator) -> u64 {
    let r = http::get(&format!("{}/_sim/tls", sim.base_url())).expect("tls stats");
    r.json().expect("json")["handshakes"]
        .as_u64()
        .expect("count")
}

/// `threads` threads released at once, each making `calls` status calls.
fn burst(c: &Client, id: &str, threads: usize, calls: usize) {
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let c = c.clone();
            let id = id.to_string();
            let start = start.clone();
            std::thread::spawn(move || {
                let s = c.zignsec_signing().expect("signing");
                start.wait();
                for _ in 0..calls {
                    s.status(&id).expect("status");
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("thread");
    }
}

#[test]
fn thirty_two_threads_share_one_http2_connection() {
    let (_dir, sim, pki) = setup(true);
    let c = client(&sim, &pki);
    assert_eq!(handshakes(&sim), 0);
    let id = c
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("create")
        .id;
    burst(&c, &id, 32, 10);
    // New threads later: still the same connection.
    for _ in 0..5 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        let c = c.clone();
        let id = id.clone();
        std::thread::spawn(move || c.zignsec_signing().expect("signing").status(&id))
            .join()
            .expect("thread")
            .expect("status");
    }
    assert_eq!(handshakes(&sim), 1, "one TLS connection for 326 calls");
}

#[test]
fn thirty_two_threads_started_at_once_make_one_handshake_over_http2() {
    let (_dir, sim, pki) = setup(true);
    let c = client(&sim, &pki);
    // Cold: no connection yet, 32 calls at the same instant.
    let start = Arc::new(Barrier::new(32));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let c = c.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let s = c.zignsec_signing().expect("signing");
                start.wait();
                s.create(&CreateSigning::default()).map(|s| s.id)
            })
        })
        .collect();
    for w in workers {
        w.join().expect("thread").expect("create");
    }
    assert_eq!(handshakes(&sim), 1, "the first call's connection is shared");
}

#[test]
fn over_http1_connections_are_reused_across_threads() {
    let (_dir, sim, pki) = setup(false);
    let c = client(&sim, &pki);
    let id = c
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("create")
        .id;
    burst(&c, &id, 8, 5);
    let after_burst = handshakes(&sim);
    // About one connection per request in flight (a connection on its way back to the pool
    // can be missed by a call starting at that instant).
    assert!(
        (1..=16).contains(&after_burst),
        "{after_burst} handshakes for 8 threads"
    );
    // A thread per request, one after the other: each takes a pooled connection.
    for _ in 0..20 {
        // A connection returns to the pool just after its answer is read; let it.
        std::thread::sleep(std::time::Duration::from_millis(10));
        let c = c.clone();
        let id = id.clone();
        std::thread::spawn(move || c.zignsec_signing().expect("signing").status(&id))
            .join()
            .expect("thread")
            .expect("status");
    }
    assert_eq!(handshakes(&sim), after_burst, "no new connection");
}

/// A process whose first call is a large upload: a status read started meanwhile does not wait
/// for the upload (only small first exchanges hold others back, until their answer's head).
#[test]
fn a_large_first_upload_does_not_hold_up_other_calls() {
    let (_dir, sim, pki) = setup(true);
    let c = client(&sim, &pki);
    // A session and its id, created over the plain listener (this client's TLS origin stays
    // untouched until the upload).
    let plain = Client::new(
        Config::from_json(
            &serde_json::json!({"zignsec": {"base_url": sim.base_url(),
                                             "keys": [DEFAULT_PRIMARY_KEY]}})
            .to_string(),
        )
        .expect("config"),
    )
    .expect("client");
    let id = plain
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("create")
        .id;
    // The upload is answered 2 s late.
    let fault = serde_json::json!({"kind": "delay", "delay_ms": 2000, "count": 1,
                                   "method": "POST", "path_prefix": "/api/v5/sessions/signing/"});
    let r =
        http::send_json("POST", &format!("{}/_sim/faults", sim.base_url()), &fault).expect("fault");
    assert!(r.status < 300);
    let mut pdf = signbridge_sim::sample_pdf("Large", 1);
    let eof = pdf.split_off(pdf.len() - 6); // "%%EOF\n"
    pdf.extend(std::iter::repeat_n(b'%', 512 * 1024));
    pdf.extend_from_slice(b"\n");
    pdf.extend(eof);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<&'static str>();
    let uploader = {
        let c = c.clone();
        let id = id.clone();
        let tx = done_tx.clone();
        std::thread::spawn(move || {
            let r = c
                .zignsec_signing()
                .expect("signing")
                .upload_bytes(&id, "large.pdf", pdf);
            let _ = tx.send("upload");
            r.map(|_| ())
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    c.zignsec_signing()
        .expect("signing")
        .status(&id)
        .expect("status");
    let _ = done_tx.send("status");
    assert_eq!(
        done_rx.recv().ok(),
        Some("status"),
        "the status read waited for the upload"
    );
    uploader.join().expect("thread").expect("upload");
}
