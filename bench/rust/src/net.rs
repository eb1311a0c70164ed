//! `signbridge-bench net SCENARIO IMPL`: the Rust side of the realistic-network suite
//! (bench/net.py drives it, one fresh process per scenario and implementation, and counts the
//! TLS handshakes at the simulator around it).
//!
//! IMPL: `signbridge` (the blocking API, one `Client` shared by every thread) or `reqwest` (raw
//! reqwest: one `reqwest::Client` on a 2-worker multi-thread runtime; each thread calls
//! `Runtime::block_on` for its request).
//!
//! SCENARIO:
//!   threads    NET_THREADS (32) threads, each NET_CALLS (20) calls, NET_THINK_MS (50) ms apart
//!   staggered  the same, the threads started evenly over NET_RAMP_MS (3000) ms
//!   tpr        NET_TPR (200) sequential calls, each on a new thread
//!   cold       process start → client (runtime, TLS) → first answer, once
//!   upload-first  (diagnostic, signbridge only, not in `make bench`) one thread uploads
//!              NET_UPLOAD_FILE as the process's first call to the origin; 10 ms later another
//!              thread reads the status: how long the second call waits behind the first
//!   transfer   (diagnostic, signbridge only, not in `make bench`) upload_path NET_UPLOAD_FILE,
//!              then download_to it: throughput over the delayed link
//!
//! Each call is a session status read (`GET /api/v5/sessions/signing/{NET_SID}`), the answer
//! parsed. Environment: NET_URL (https://localhost:PORT, through the delay proxy), NET_CA,
//! NET_CERT, NET_KEY, NET_COMBINED (cert + key in one PEM), SIM_KEY, NET_SID.
//! Prints one JSON line: per-call latencies (ms), wall time, the peak of calls in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
type Call = Arc<dyn Fn() -> R<()> + Send + Sync>;

fn env(name: &str) -> R<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn env_n(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

/// Calls in flight now and at the peak.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn timed(&self, call: &Call) -> R<f64> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(n, Ordering::SeqCst);
        let t = Instant::now();
        let r = call();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        self.now.fetch_sub(1, Ordering::SeqCst);
        r.map(|()| ms)
    }
}

/// Build the implementation's client and return its call (the client inside).
fn make(imp: &str) -> R<Call> {
    let url = env("NET_URL")?;
    let key = env("SIM_KEY")?;
    let sid = env("NET_SID")?;
    match imp {
        "signbridge" => {
            let cfg = signbridge::Config::from_value(serde_json::json!({
                "zignsec": {"base_url": url, "keys": [key], "client_cert": {
                    "cert": {"file": env("NET_CERT")?}, "key": {"file": env("NET_KEY")?}}},
                "transport": {"ca_file": env("NET_CA")?}
            }))?;
            let signing = signbridge::blocking::Client::new(cfg)?.zignsec_signing()?;
            Ok(Arc::new(move || {
                let st = signing.status(&sid)?;
                std::hint::black_box(st);
                Ok(())
            }))
        }
        "reqwest" => {
            let rt = Arc::new(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()?,
            );
            let ca = reqwest::Certificate::from_pem(&std::fs::read(env("NET_CA")?)?)?;
            let id = reqwest::Identity::from_pem(&std::fs::read(env("NET_COMBINED")?)?)?;
            let client = reqwest::Client::builder()
                .tls_certs_only([ca])
                .identity(id)
                .build()?;
            let url = format!(
                "{}/api/v5/sessions/signing/{sid}",
                url.trim_end_matches('/')
            );
            Ok(Arc::new(move || {
                rt.block_on(async {
                    let r = client
                        .get(&url)
                        .header("Zs-Product-Key", &key)
                        .send()
                        .await?;
                    if !r.status().is_success() {
                        return Err(format!("status {}", r.status()).into());
                    }
                    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await?)?;
                    std::hint::black_box(v);
                    R::Ok(())
                })
            }))
        }
        other => Err(format!("unknown implementation {other:?} (signbridge | reqwest)").into()),
    }
}

fn emit(
    scenario: &str,
    imp: &str,
    mut lat: Vec<f64>,
    wall: Duration,
    peak: usize,
    extra: serde_json::Value,
) {
    lat.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let mut v = serde_json::json!({
        "scenario": scenario, "lang": "rust", "impl": imp, "n": lat.len(),
        "p50_ms": pct(&lat, 50.0), "p99_ms": pct(&lat, 99.0), "max_ms": lat.last().copied(),
        "wall_s": wall.as_secs_f64(), "peak_in_flight": peak,
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
        if std::env::var_os("NET_DUMP").is_some() {
            // Diagnosis: every latency, sorted.
            o.insert("lat_ms".into(), serde_json::json!(lat));
        }
    }
    println!("{v}");
}

/// NET_THREADS threads × NET_CALLS calls, NET_THINK_MS apart; thread i starts after
/// i × ramp / threads (ramp 0: all at once, released by a barrier).
fn threads(call: Call, ramp: Duration) -> R<(Vec<f64>, Duration, usize)> {
    let n = env_n("NET_THREADS", 32) as usize;
    let calls = env_n("NET_CALLS", 20);
    let think = Duration::from_millis(env_n("NET_THINK_MS", 50));
    let fl = Arc::new(InFlight::default());
    let lat = Arc::new(Mutex::new(Vec::new()));
    let barrier = Arc::new(Barrier::new(n + 1));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (call, fl, lat, barrier) = (call.clone(), fl.clone(), lat.clone(), barrier.clone());
            let delay = ramp.mul_f64(i as f64 / n as f64);
            std::thread::spawn(move || -> R<()> {
                barrier.wait();
                std::thread::sleep(delay);
                let mut mine = Vec::new();
                for k in 0..calls {
                    if k > 0 {
                        std::thread::sleep(think);
                    }
                    mine.push(fl.timed(&call)?);
                }
                lat.lock().map_err(|_| "poisoned")?.extend(mine);
                Ok(())
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for h in handles {
        h.join().map_err(|_| "a thread panicked")??;
    }
    let wall = t0.elapsed();
    let lat = std::mem::take(&mut *lat.lock().map_err(|_| "poisoned")?);
    Ok((lat, wall, fl.peak.load(Ordering::SeqCst)))
}

/// NET_TPR sequential calls, each on a thread of its own.
fn thread_per_request(call: Call) -> R<(Vec<f64>, Duration, usize)> {
    let n = env_n("NET_TPR", 200);
    let fl = Arc::new(InFlight::default());
    let mut lat = Vec::new();
    let t0 = Instant::now();
    for _ in 0..n {
        let (call, fl) = (call.clone(), fl.clone());
        let ms = std::thread::spawn(move || fl.timed(&call))
            .join()
            .map_err(|_| "a thread panicked")??;
        lat.push(ms);
    }
    Ok((lat, t0.elapsed(), fl.peak.load(Ordering::SeqCst)))
}

fn transfer() -> R<()> {
    let cfg = signbridge::Config::from_value(serde_json::json!({
        "zignsec": {"base_url": env("NET_URL")?, "keys": [env("SIM_KEY")?], "client_cert": {
            "cert": {"file": env("NET_CERT")?}, "key": {"file": env("NET_KEY")?}}},
        "transport": {"ca_file": env("NET_CA")?}
    }))?;
    let signing = signbridge::blocking::Client::new(cfg)?.zignsec_signing()?;
    let (sid, file) = (env("NET_SID")?, env("NET_UPLOAD_FILE")?);
    signing.status(&sid)?; // the connection, opened
    let size = std::fs::metadata(&file)?.len() as f64;
    let t = Instant::now();
    let f = signing.upload_path(&sid, &file)?;
    let up = t.elapsed().as_secs_f64();
    let st = signing.status(&sid)?;
    let mut fref = st
        .input_files
        .iter()
        .find(|x| x.id == f.file_id)
        .ok_or("uploaded file not listed")?
        .clone();
    // The simulator's file URLs name its plain listener: through the link instead (the same
    // path on the proxy's origin), or the key would rightly not be sent.
    if let Some(u) = fref.url.take() {
        let path = u.find("/folders/").map(|i| &u[i..]).ok_or("odd file url")?;
        fref.url = Some(format!("{}{path}", env("NET_URL")?.trim_end_matches('/')));
    }
    let dest = format!("{file}.net-download");
    let t = Instant::now();
    signing.download_to(&fref, &dest)?;
    let down = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&dest);
    println!(
        "{}",
        serde_json::json!({"scenario": "transfer", "lang": "rust", "impl": "signbridge",
            "bytes": size, "upload_s": up, "upload_mb_per_s": size / 1e6 / up,
            "download_s": down, "download_mb_per_s": size / 1e6 / down})
    );
    Ok(())
}

fn upload_first() -> R<()> {
    let cfg = signbridge::Config::from_value(serde_json::json!({
        "zignsec": {"base_url": env("NET_URL")?, "keys": [env("SIM_KEY")?], "client_cert": {
            "cert": {"file": env("NET_CERT")?}, "key": {"file": env("NET_KEY")?}}},
        "transport": {"ca_file": env("NET_CA")?}
    }))?;
    let signing = signbridge::blocking::Client::new(cfg)?.zignsec_signing()?;
    let (sid, file) = (env("NET_SID")?, env("NET_UPLOAD_FILE")?);
    let t0 = Instant::now();
    let up = {
        let (signing, sid) = (signing.clone(), sid.clone());
        std::thread::spawn(move || -> R<f64> {
            signing.upload_path(&sid, &file)?;
            Ok(t0.elapsed().as_secs_f64() * 1e3)
        })
    };
    std::thread::sleep(Duration::from_millis(10));
    let t = Instant::now();
    signing.status(&sid)?;
    let status_ms = t.elapsed().as_secs_f64() * 1e3;
    let upload_ms = up.join().map_err(|_| "the upload thread panicked")??;
    println!(
        "{}",
        serde_json::json!({"scenario": "upload-first", "lang": "rust", "impl": "signbridge",
            "upload_ms": upload_ms, "status_started_after_ms": 10, "status_ms": status_ms})
    );
    Ok(())
}

pub fn run(process_start: Instant, scenario: &str, imp: &str) -> R<()> {
    if scenario == "cold" {
        let t = Instant::now();
        let call = make(imp)?;
        let built = t.elapsed();
        call()?;
        let first = t.elapsed();
        println!(
            "{}",
            serde_json::json!({"scenario": "cold", "lang": "rust", "impl": imp,
                "construct_ms": built.as_secs_f64() * 1e3,
                "first_answer_ms": first.as_secs_f64() * 1e3,
                "since_main_ms": process_start.elapsed().as_secs_f64() * 1e3})
        );
        return Ok(());
    }
    if scenario == "upload-first" {
        return upload_first();
    }
    if scenario == "transfer" {
        return transfer();
    }
    let call = make(imp)?;
    let (lat, wall, peak) = match scenario {
        "threads" => threads(call, Duration::ZERO)?,
        "staggered" => threads(call, Duration::from_millis(env_n("NET_RAMP_MS", 3000)))?,
        "tpr" => thread_per_request(call)?,
        other => return Err(format!("unknown scenario {other:?}").into()),
    };
    emit(scenario, imp, lat, wall, peak, serde_json::json!({}));
    Ok(())
}
