//! Connection handling of the transport that the simulator cannot show: how many requests and
//! connections reach one origin at once, the one pool every blocking thread shares, and
//! keep-alive connections the server closed while they sat idle in a pool.
//!
//! The server here is a minimal HTTP/1.1 responder on loopback that answers the two ZignSec calls
//! used (create and status) and counts connections and requests in flight; the behaviour under
//! test is the client's, not the provider's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};

#[derive(Default)]
struct Counters {
    /// Connections accepted so far.
    accepted: AtomicUsize,
    /// Connections currently open (closed by either side when the count drops).
    open: AtomicUsize,
    /// Requests being answered right now, and the most seen at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Requests answered.
    answered: AtomicUsize,
}

struct Responder {
    url: String,
    counters: Arc<Counters>,
}

/// How the responder treats a connection.
#[derive(Clone, Copy)]
struct Behaviour {
    /// Time each answer is held back, so that concurrent requests overlap.
    hold: Duration,
    /// Close the connection a moment after each answer, without saying so (`Connection: close`
    /// is not sent), as a server's keep-alive idle timeout does: the client finds the connection
    /// closed when it next wants to use it.
    close_silently: bool,
}

fn responder(behaviour: Behaviour) -> Responder {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            c.accepted.fetch_add(1, Ordering::SeqCst);
            c.open.fetch_add(1, Ordering::SeqCst);
            let c = c.clone();
            std::thread::spawn(move || {
                serve(stream, &c, behaviour);
                c.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Responder { url, counters }
}

fn serve(stream: TcpStream, c: &Counters, behaviour: Behaviour) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut out = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        c.max_in_flight.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(behaviour.hold);
        c.in_flight.fetch_sub(1, Ordering::SeqCst);
        let answer = if request_line.starts_with("POST") {
            r#"{"id":"s1","status":"Created"}"#
        } else {
            r#"{"id":"s1","status":"Pending"}"#
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            answer.len()
        );
        if out
            .write_all(head.as_bytes())
            .and_then(|()| out.write_all(answer.as_bytes()))
            .is_err()
        {
            return;
        }
        c.answered.fetch_add(1, Ordering::SeqCst);
        if behaviour.close_silently {
            // Closed once the client has long finished with the answer and sits idle.
            std::thread::sleep(Duration::from_millis(100));
            let _ = out.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

fn client(url: &str, transport: serde_json::Value) -> Client {
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": url, "keys": ["k"]}, "transport": transport}).to_string(),
    )
    .expect("config");
    Client::new(cfg).expect("client")
}

/// Wait (up to 20 s) until `cond` holds; true if it did.
fn eventually(cond: impl Fn() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

#[test]
fn requests_per_origin_are_bounded_across_tasks_and_threads() {
    let r = responder(Behaviour {
        hold: Duration::from_millis(30),
        close_silently: false,
    });
    let c = client(&r.url, json!({"max_requests_per_origin": 2}));
    // 16 concurrent async calls from a caller's own runtime.
    let signing = c.as_async().zignsec().expect("zignsec").signing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("rt");
    let results = rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let s = signing.clone();
            tasks.push(tokio::spawn(async move { s.status("s1").await }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    });
    assert!(
        results.iter().all(|r| r.is_ok()),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    // And 8 blocking threads, on the same shared pool, sharing the same bound.
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            std::thread::spawn(move || {
                let s = c.zignsec_signing().expect("signing");
                (0..3)
                    .map(|_| s.status("s1").map(|st| st.id))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        for r in t.join().expect("thread") {
            assert_eq!(r.expect("status"), "s1");
        }
    }
    let max = r.counters.max_in_flight.load(Ordering::SeqCst);
    assert!(
        max <= 2,
        "{max} requests reached the origin at once; the bound is 2"
    );
    assert_eq!(r.counters.answered.load(Ordering::SeqCst), 16 + 24);
}

#[test]
fn the_bound_is_configurable_and_validated() {
    for bad in [
        json!({"max_requests_per_origin": 0}),
        json!({"min_transfer_bytes_per_s": 0}),
    ] {
        let cfg = Config::from_json(
            &json!({"zignsec": {"base_url": "http://127.0.0.1:9", "keys": ["k"]},
                    "transport": bad})
            .to_string(),
        )
        .expect("parses");
        let e = Client::new(cfg).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
    }
}

#[test]
fn a_keep_alive_connection_closed_while_idle_is_not_reused_for_a_create() {
    let r = responder(Behaviour {
        hold: Duration::ZERO,
        close_silently: true,
    });
    // One attempt only: a create that failed after it may have been sent is never repeated, so
    // it would surface as SB_ERR_OUTCOME_UNKNOWN if it went out on the dead connection.
    let s = client(&r.url, json!({"max_attempts": 1}))
        .zignsec_signing()
        .expect("signing");
    for i in 0..5 {
        s.create(&CreateSigning::default())
            .unwrap_or_else(|e| panic!("create {i} failed: {e}"));
        // The server has closed the connection it answered on; let the close arrive.
        assert!(eventually(|| r.counters.open.load(Ordering::SeqCst) == 0));
    }
    assert_eq!(r.counters.accepted.load(Ordering::SeqCst), 5);
}

#[test]
fn blocking_threads_share_one_pool() {
    let r = responder(Behaviour {
        hold: Duration::from_millis(2),
        close_silently: false,
    });
    let c = client(&r.url, json!({}));
    let accepted = || r.counters.accepted.load(Ordering::SeqCst);
    // A new thread for each call, one after the other (as a server with a thread per request):
    // each finds the connection the previous one left in the shared pool. With a pool per
    // thread this was one connection per call.
    // (A connection goes back to the pool on the runtime's workers just after the answer is
    // read; a short pause between calls keeps a busy machine from racing that.)
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(10));
        let c = c.clone();
        let done = std::thread::spawn(move || c.zignsec_signing().expect("signing").status("s1"))
            .join()
            .expect("thread");
        done.unwrap_or_else(|e| panic!("call {i}: {e}"));
    }
    assert!(
        accepted() <= 3,
        "{} connections for 40 sequential calls",
        accepted()
    );
    // Ten rounds of 8 new threads calling at once: the connections the first round opened
    // serve the later rounds' threads too (with a pool per thread: 8 new ones every round).
    let before = accepted();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(10));
        let start = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    let s = c.zignsec_signing().expect("signing");
                    start.wait();
                    s.status("s1").expect("status");
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
    }
    let opened = accepted() - before;
    assert!(
        opened <= 16,
        "{opened} connections for 10 rounds of 8 concurrent calls from new threads"
    );
    // One runtime serves them all: no thread of its own per calling thread.
    let names = thread_names();
    assert!(
        !names.iter().any(|n| n == "signbridge-io"),
        "per-thread runtimes: {names:?}"
    );
}

/// The names of this process's threads (Linux).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.flatten()
                .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
                .map(|n| n.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn token_fetches_under_a_bound_of_one_request_do_not_deadlock() {
    use signbridge_sim::{
        BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
        DEFAULT_PRIMARY_KEY,
    };
    // The token endpoint is on the gateway's origin, so a token fetch needs the same (single)
    // request slot as the calls waiting for the token.
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        token_lifetime_s: 2,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({"zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY],
                            "oauth2": {"client_id": DEFAULT_CLIENT_ID,
                                       "client_secret": DEFAULT_CLIENT_SECRET}},
                "transport": {"max_requests_per_origin": 1}})
        .to_string(),
    )
    .expect("config");
    let c = Client::new(cfg).expect("client");
    // 16 async callers and 4 blocking threads for 3 s, past token refreshes. A deadlock would
    // leave them hanging, so they run on their own thread and get a (generous) deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(hammer(&c));
    });
    let calls = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("no deadlock: every caller finished");
    assert!(calls > 0);
}

/// Status calls from 16 async tasks and 4 blocking threads for 3 s; the number made.
fn hammer(c: &Client) -> usize {
    let id = c
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("create")
        .id;
    let signing = c.as_async().zignsec().expect("zignsec").signing();
    let blocking: Vec<_> = (0..4)
        .map(|_| {
            let (c, id) = (c.clone(), id.clone());
            std::thread::spawn(move || {
                let s = c.zignsec_signing().expect("signing");
                let end = Instant::now() + Duration::from_secs(3);
                let mut n = 0;
                while Instant::now() < end {
                    s.status(&id).expect("status");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("rt");
    let mut total = rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (s, id) = (signing.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let end = Instant::now() + Duration::from_secs(3);
                let mut n = 0usize;
                while Instant::now() < end {
                    s.status(&id).await.expect("status");
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("task");
        }
        total
    });
    for t in blocking {
        total += t.join().expect("thread");
    }
    total
}
