//! signbridge-bench: the Rust measurements of `make bench`. Every result is one JSON line on
//! stdout: `{"bench": ..., "lang": "rust", "impl": ..., ...}`; bench/run.sh aggregates them.
//!
//!   signbridge-bench overhead   N sequential status GETs: blocking API vs raw async reqwest
//!   signbridge-bench flow       complete signing flows per second (sequential, and 64 async)
//!   signbridge-bench large PDF  upload + download of a large PDF: time and peak RSS growth
//!   signbridge-bench headroom   the simulator hammered by a raw client with 64 connections
//!   signbridge-bench waits PDF  10 000 concurrent waits on the core's runtime (what the Node
//!                               addon does, without Node): the core's share of that RSS
//!   signbridge-bench net SCENARIO IMPL
//!                               the realistic-network suite's Rust clients (src/net.rs)
//!   signbridge-bench delay-proxy LISTEN UPSTREAM ONE_WAY_MS
//!                               the suite's delay proxy (src/proxy.rs)
//!
//! Environment: SIM_URL, SIM_KEY, BENCH_N (default 5000), BENCH_FLOWS (default 300),
//! BENCH_WAITS (default 10000).

use std::time::{Duration, Instant};

mod net;
mod proxy;

use signbridge::providers::zignsec::{CreateSigning, FileToSign, StartSigning};

type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn env_n(name: &str, default: usize) -> usize {
    env(name, "").parse().unwrap_or(default)
}

struct Ctx {
    base: String,
    key: String,
    n: usize,
}

fn ctx() -> Ctx {
    Ctx {
        base: env("SIM_URL", "http://127.0.0.1:8089")
            .trim_end_matches('/')
            .to_string(),
        key: env("SIM_KEY", "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11"),
        n: env_n("BENCH_N", 5000),
    }
}

fn config(c: &Ctx) -> signbridge::Config {
    signbridge::Config::from_value(serde_json::json!({
        "zignsec": {"base_url": c.base, "keys": [c.key]}
    }))
    .expect("config")
}

/// Percentile (nearest rank) of sorted microsecond samples.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

/// Emit one latency result: samples are per-call microseconds, `total` the summed wall time.
fn emit_lat(
    bench: &str,
    imp: &str,
    mut samples: Vec<f64>,
    total: Duration,
    extra: serde_json::Value,
) {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let mut v = serde_json::json!({
        "bench": bench, "lang": "rust", "impl": imp, "n": samples.len(),
        "median_us": pct(&samples, 50.0), "p90_us": pct(&samples, 90.0),
        "ops_per_s": samples.len() as f64 / total.as_secs_f64(),
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    println!("{v}");
}

fn emit(v: serde_json::Value) {
    println!("{v}");
}

/// Rounds of alternating blocks, so that both sides see the same machine load. Many short blocks
/// (100 calls at BENCH_N=5000): on a shared VM the machine's speed drifts within seconds, and with
/// 5 long blocks one run's ratio moved between 0.6x and 1.7x; with 50 it stays within about ±0.06.
const ROUNDS: usize = 50;

/// The per-call loop: the blocking API against raw reqwest on the same shared multi-thread
/// runtime (the core's own: `signbridge::runtime::runtime()`, 2 workers), one `block_on` per
/// call as a blocking caller of reqwest would — the reference of target 1 — and, for context,
/// raw reqwest on a current-thread runtime (the whole request on the calling thread, no
/// cross-thread wake-up: the floor of any blocking client on tokio).
fn overhead(c: &Ctx) -> R<()> {
    let client = signbridge::blocking::Client::new(config(c))?;
    let signing = client.zignsec_signing()?;
    let sid = signing.create(&CreateSigning::default())?.id;
    let url = format!("{}/api/v5/sessions/signing/{sid}", c.base);

    let rt_ct = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let rt_shared = signbridge::runtime::runtime();
    let raw_ct = reqwest::Client::builder().build()?;
    let raw_shared = reqwest::Client::builder().build()?;

    async fn raw_call(client: &reqwest::Client, url: &str, key: &str) -> R<()> {
        let r = client.get(url).header("Zs-Product-Key", key).send().await?;
        if !r.status().is_success() {
            return Err(format!("status {}", r.status()).into());
        }
        let b = r.bytes().await?;
        std::hint::black_box(&b);
        Ok(())
    }

    async fn raw_loop(
        client: &reqwest::Client,
        url: &str,
        key: &str,
        n: usize,
        out: &mut Vec<f64>,
    ) -> R<()> {
        for _ in 0..n {
            let t = Instant::now();
            raw_call(client, url, key).await?;
            out.push(t.elapsed().as_secs_f64() * 1e6);
        }
        Ok(())
    }

    // Warm-up: connections open, runtimes started, caches filled.
    for _ in 0..200 {
        signing.status(&sid)?;
        rt_shared.block_on(raw_call(&raw_shared, &url, &c.key))?;
    }
    let mut scratch = Vec::new();
    rt_ct.block_on(raw_loop(&raw_ct, &url, &c.key, 200, &mut scratch))?;

    let per = (c.n / ROUNDS).max(1);
    let (mut s_sb, mut s_sh, mut s_ct) = (Vec::new(), Vec::new(), Vec::new());
    let (mut t_sb, mut t_sh, mut t_ct) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        for _ in 0..per {
            let t = Instant::now();
            let st = signing.status(&sid)?;
            std::hint::black_box(&st);
            s_sb.push(t.elapsed().as_secs_f64() * 1e6);
        }
        t_sb += t0.elapsed();
        let t0 = Instant::now();
        for _ in 0..per {
            let t = Instant::now();
            rt_shared.block_on(raw_call(&raw_shared, &url, &c.key))?;
            s_sh.push(t.elapsed().as_secs_f64() * 1e6);
        }
        t_sh += t0.elapsed();
        let t0 = Instant::now();
        rt_ct.block_on(raw_loop(&raw_ct, &url, &c.key, per, &mut s_ct))?;
        t_ct += t0.elapsed();
    }
    emit_lat(
        "overhead",
        "signbridge blocking",
        s_sb,
        t_sb,
        serde_json::json!({}),
    );
    emit_lat(
        "overhead",
        "reqwest, block_on per call on the shared multi_thread rt (reference)",
        s_sh,
        t_sh,
        serde_json::json!({"reference": true}),
    );
    emit_lat(
        "overhead",
        "reqwest async, current_thread rt (floor)",
        s_ct,
        t_ct,
        serde_json::json!({"floor": true}),
    );
    Ok(())
}

fn sample_pdf() -> R<Vec<u8>> {
    let root = env("BENCH_ROOT", ".");
    Ok(std::fs::read(format!(
        "{root}/cli/assets/sample-contract.pdf"
    ))?)
}

fn flow(c: &Ctx) -> R<()> {
    let flows = env_n("BENCH_FLOWS", 300);
    let pdf = bytes::Bytes::from(sample_pdf()?);
    let client = signbridge::blocking::Client::new(config(c))?;
    let signing = client.zignsec_signing()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let control = reqwest::Client::new();
    let complete = |sid: &str| -> R<()> {
        let u = format!("{}/_sim/zignsec/signing/{sid}/complete", c.base);
        let r = rt.block_on(
            control
                .post(u)
                .header("content-type", "application/json")
                .body("{}")
                .send(),
        )?;
        if !r.status().is_success() {
            return Err(format!("complete: {}", r.status()).into());
        }
        Ok(())
    };
    let one = || -> R<()> {
        let s = signing.create(&CreateSigning::default())?;
        let f = signing.upload_bytes(&s.id, "contract.pdf", pdf.clone())?;
        signing.start(
            &s.id,
            &StartSigning {
                files: vec![FileToSign {
                    file_id: f.file_id,
                    placement: None,
                }],
                redirect_success: None,
                redirect_failure: None,
            },
        )?;
        complete(&s.id)?;
        let st = signing.status(&s.id)?;
        let signed = st.signed_files.first().ok_or("no signed file")?;
        let bytes = signing.download(signed)?;
        std::hint::black_box(bytes);
        Ok(())
    };
    for _ in 0..10 {
        one()?;
    }
    let mut samples = Vec::with_capacity(flows);
    let t0 = Instant::now();
    for _ in 0..flows {
        let t = Instant::now();
        one()?;
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    emit_lat(
        "flow",
        "signbridge blocking, sequential",
        samples,
        t0.elapsed(),
        serde_json::json!({"concurrency": 1}),
    );

    // 64 concurrent flows on the async API (one process, the core's own runtime).
    let conc = 64usize;
    let total = flows.max(conc) * 2;
    let aclient = signbridge::Client::new(config(c))?;
    let asign = aclient.zignsec()?.signing();
    let mrt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let base = c.base.clone();
    let (lat, wall) = mrt.block_on(async move {
        let control2 = reqwest::Client::new();
        let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..conc {
            // A client of this runtime: the pooled connections of `control` belong to `rt`.
            let (asign, pdf, counter, control, base) = (
                asign.clone(),
                pdf.clone(),
                counter.clone(),
                control2.clone(),
                base.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                while counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                    let t = Instant::now();
                    let s = asign.create(&CreateSigning::default()).await?;
                    let f = asign
                        .upload_bytes(&s.id, "contract.pdf", pdf.clone())
                        .await?;
                    let req = StartSigning {
                        files: vec![FileToSign {
                            file_id: f.file_id,
                            placement: None,
                        }],
                        redirect_success: None,
                        redirect_failure: None,
                    };
                    asign.start(&s.id, &req).await?;
                    let u = format!("{base}/_sim/zignsec/signing/{}/complete", s.id);
                    control
                        .post(u)
                        .header("content-type", "application/json")
                        .body("{}")
                        .send()
                        .await?;
                    let st = asign.status(&s.id).await?;
                    let signed = st.signed_files.first().ok_or("no signed file")?;
                    std::hint::black_box(asign.download(signed).await?);
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
                R::Ok(lat)
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await??);
        }
        R::Ok((all, t0.elapsed()))
    })?;
    emit_lat(
        "flow",
        "signbridge async, 64 concurrent",
        lat,
        wall,
        serde_json::json!({"concurrency": conc}),
    );
    Ok(())
}

fn proc_status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Reset the peak RSS (VmHWM) to the current RSS (Linux >= 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn large(c: &Ctx, path: &str) -> R<()> {
    let reps = env_n("BENCH_LARGE_REPS", 3);
    let size = std::fs::metadata(path)?.len();
    let client = signbridge::blocking::Client::new(config(c))?;
    let signing = client.zignsec_signing()?;
    // Warm the connection and runtime.
    let s = signing.create(&CreateSigning::default())?;
    signing.status(&s.id)?;
    for rep in 0..reps {
        let s = signing.create(&CreateSigning::default())?;
        reset_peak();
        let base = proc_status_kb("VmRSS:");
        let t = Instant::now();
        let f = signing.upload_path(&s.id, path)?;
        let up = t.elapsed();
        let up_peak = proc_status_kb("VmHWM:").saturating_sub(base);
        let st = signing.status(&s.id)?;
        let file = st
            .input_files
            .iter()
            .find(|x| x.id == f.file_id)
            .ok_or("uploaded file not listed")?
            .clone();
        let dest = format!("{path}.rust-download");
        reset_peak();
        let base = proc_status_kb("VmRSS:");
        let t = Instant::now();
        let n = signing.download_to(&file, &dest)?;
        let down = t.elapsed();
        let down_peak = proc_status_kb("VmHWM:").saturating_sub(base);
        let _ = std::fs::remove_file(&dest);
        if n != size {
            return Err(format!("downloaded {n} bytes, expected {size}").into());
        }
        emit(
            serde_json::json!({"bench": "large", "lang": "rust", "impl": "signbridge upload_path",
            "rep": rep, "bytes": size, "secs": up.as_secs_f64(),
            "mb_per_s": size as f64 / 1e6 / up.as_secs_f64(), "rss_growth_kb": up_peak}),
        );
        emit(
            serde_json::json!({"bench": "large", "lang": "rust", "impl": "signbridge download_to",
            "rep": rep, "bytes": size, "secs": down.as_secs_f64(),
            "mb_per_s": size as f64 / 1e6 / down.as_secs_f64(), "rss_growth_kb": down_peak,
            "session_id": s.id, "file_id": file.id}),
        );
    }
    Ok(())
}

/// BENCH_WAITS concurrent `wait()`s spawned on the core's shared runtime, as the Node addon
/// spawns them, with the same phases as `node bench.js waits`: sessions started first (64 in
/// flight), then every wait started (2 s interval), after 1 s all sessions completed through the
/// control API (from this process, with a plain reqwest client). RSS sampled every 50 ms.
fn waits(c: &Ctx, pdf_path: &str) -> R<()> {
    let n = env_n("BENCH_WAITS", 10000);
    let interval_ms = env_n("BENCH_WAIT_INTERVAL_MS", 2000) as u64;
    let pdf = bytes::Bytes::from(std::fs::read(pdf_path)?);
    let client = signbridge::Client::new(config(c))?;
    let signing = client.zignsec()?.signing();
    let driver = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let base = c.base.clone();
    let t0 = Instant::now();
    // Sessions to wait for, 64 at a time, on the core's runtime.
    let ids: Vec<String> = driver.block_on(async {
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (s, pdf, next) = (signing.clone(), pdf.clone(), next.clone());
            tasks.push(signbridge::runtime::spawn(async move {
                let mut out = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                    let id = s.create(&CreateSigning::default()).await?.id;
                    let f = s.upload_bytes(&id, "contract.pdf", pdf.clone()).await?;
                    let req = StartSigning {
                        files: vec![FileToSign {
                            file_id: f.file_id,
                            placement: None,
                        }],
                        redirect_success: None,
                        redirect_failure: None,
                    };
                    s.start(&id, &req).await?;
                    out.push(id);
                }
                R::Ok(out)
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await??);
        }
        R::Ok(all)
    })?;
    let prepare = t0.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let rss0 = proc_status_kb("VmRSS:");
    let threads0 = proc_status_kb("Threads:");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut rss, mut threads) = (0, 0);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                rss = rss.max(proc_status_kb("VmRSS:"));
                threads = threads.max(proc_status_kb("Threads:"));
                std::thread::sleep(Duration::from_millis(50));
            }
            (rss, threads)
        })
    };
    let tw = Instant::now();
    let handles: Vec<_> = ids
        .iter()
        .map(|id| {
            let (s, id) = (signing.clone(), id.clone());
            let opts = signbridge::WaitOptions {
                interval: Duration::from_millis(interval_ms),
                timeout: Some(Duration::from_secs(600)),
                cancel: Some(signbridge::CancelToken::new()),
                ..signbridge::WaitOptions::default()
            };
            signbridge::runtime::spawn(async move { s.wait(&id, &opts).await })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let rss_waiting = proc_status_kb("VmRSS:");
    let ok = driver.block_on(async {
        let control = reqwest::Client::new();
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ids = std::sync::Arc::new(ids);
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (control, next, ids, base) =
                (control.clone(), next.clone(), ids.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(id) = ids.get(i) else {
                        return R::Ok(());
                    };
                    let u = format!("{base}/_sim/zignsec/signing/{id}/complete");
                    let r = control
                        .post(u)
                        .header("content-type", "application/json")
                        .body("{}")
                        .send()
                        .await?;
                    if !r.status().is_success() {
                        return Err(format!("complete: {}", r.status()).into());
                    }
                }
            }));
        }
        for t in tasks {
            t.await??;
        }
        let mut ok = 0usize;
        for h in handles {
            if matches!(h.await, Ok(Ok(ref st)) if st.status == signbridge::SessionStatus::Finished)
            {
                ok += 1;
            }
        }
        R::Ok(ok)
    })?;
    let all_secs = tw.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (rss_max, threads_max) = sampler.join().map_err(|_| "sampler panicked")?;
    let rss_max = rss_max.max(proc_status_kb("VmRSS:"));
    emit(
        serde_json::json!({"bench": "rust_waits", "lang": "rust", "impl": "signbridge async wait() on the core runtime",
        "waits": n, "finished": ok, "interval_ms": interval_ms, "rss_before_kb": rss0,
        "rss_growth_waiting_kb": rss_waiting.saturating_sub(rss0), "rss_growth_peak_kb": rss_max.saturating_sub(rss0),
        "threads_before": threads0, "threads_max": threads_max,
        "prepare_secs": prepare.as_secs_f64(), "all_finished_secs": all_secs}),
    );
    Ok(())
}

fn headroom(c: &Ctx) -> R<()> {
    let conns = env_n("BENCH_HEADROOM_CONNS", 64);
    let secs = env_n("BENCH_HEADROOM_SECS", 5) as u64;
    let client = signbridge::blocking::Client::new(config(c))?;
    let sid = client
        .zignsec_signing()?
        .create(&CreateSigning::default())?
        .id;
    let url = format!("{}/api/v5/sessions/signing/{sid}", c.base);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let key = c.key.clone();
    let (count, wall) = rt.block_on(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(conns)
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(secs);
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..conns {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let r = http.get(&url).header("Zs-Product-Key", &key).send().await?;
                    std::hint::black_box(r.bytes().await?);
                    n += 1;
                }
                R::Ok(n)
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await??;
        }
        R::Ok((total, t0.elapsed()))
    })?;
    emit(
        serde_json::json!({"bench": "headroom", "lang": "rust", "impl": format!("reqwest async, {conns} connections"),
        "n": count, "ops_per_s": count as f64 / wall.as_secs_f64(), "connections": conns}),
    );
    Ok(())
}

/// 64 concurrent callers across a token refresh: how many token requests reach the endpoint.
/// SIM_URL must be a simulator started with a short `--token-lifetime` (BENCH_TOKEN_LIFETIME_S).
fn tokens(c: &Ctx) -> R<()> {
    let lifetime = env_n("BENCH_TOKEN_LIFETIME_S", 5) as f64;
    let callers = 64usize;
    let cfg = signbridge::Config::from_value(serde_json::json!({
        "zignsec": {"base_url": c.base, "keys": [c.key], "oauth2": {
            "client_id": env("SIM_OAUTH_CLIENT_ID", "signbridge-sim-client"),
            "client_secret": env("SIM_OAUTH_CLIENT_SECRET", "sim-client-secret-0001")}}
    }))?;
    let client = signbridge::Client::new(cfg)?;
    let signing = client.zignsec()?.signing();
    let base = c.base.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let http = reqwest::Client::new();
        let sid = signing.create(&CreateSigning::default()).await?.id; // the first token
        http.delete(format!("{base}/_sim/requests")).send().await?;
        // The core refreshes at lifetime - min(60 s, lifetime / 5): run past that point once.
        let run_for = Duration::from_secs_f64(lifetime * 0.8 + (lifetime * 0.2).min(1.0) * 0.5 + 0.3);
        let t0 = Instant::now();
        let deadline = t0 + run_for;
        let mut tasks = Vec::new();
        for _ in 0..callers {
            let (signing, sid) = (signing.clone(), sid.clone());
            tasks.push(tokio::spawn(async move {
                let (mut ok, mut err) = (0u64, 0u64);
                while Instant::now() < deadline {
                    match signing.status(&sid).await {
                        Ok(_) => ok += 1,
                        Err(_) => err += 1,
                    }
                }
                (ok, err)
            }));
        }
        let (mut ok, mut err) = (0, 0);
        for t in tasks {
            let (a, b) = t.await?;
            ok += a;
            err += b;
        }
        let wall = t0.elapsed();
        let log: serde_json::Value = http.get(format!("{base}/_sim/requests")).send().await?.json().await?;
        let paths: Vec<String> = log
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["path"].as_str().map(String::from)).collect())
            .unwrap_or_default();
        let token_reqs = paths.iter().filter(|p| p.ends_with("/openid-connect/token")).count();
        let discovery = paths.iter().filter(|p| p.contains("openid-configuration")).count();
        emit(serde_json::json!({"bench": "tokens", "lang": "rust", "impl": "signbridge async, shared Client",
            "callers": callers, "token_lifetime_s": lifetime, "run_secs": wall.as_secs_f64(),
            "calls_ok": ok, "calls_failed": err, "token_requests": token_reqs,
            "discovery_requests": discovery, "api_requests": paths.len() - token_reqs - discovery}));
        R::Ok(())
    })
}

fn main() {
    let process_start = Instant::now();
    // The raw reqwest clients need a rustls provider (reqwest is built with `rustls-no-provider`).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = ctx();
    let args: Vec<String> = std::env::args().collect();
    let r = match args.get(1).map(String::as_str) {
        Some("overhead") => overhead(&c),
        Some("flow") => flow(&c),
        Some("large") => match args.get(2) {
            Some(p) => large(&c, p),
            None => Err("usage: signbridge-bench large FILE.pdf".into()),
        },
        Some("headroom") => headroom(&c),
        Some("waits") => match args.get(2) {
            Some(p) => waits(&c, p),
            None => Err("usage: signbridge-bench waits FILE.pdf".into()),
        },
        Some("tokens") => tokens(&c),
        Some("net") => match (args.get(2), args.get(3)) {
            (Some(s), Some(i)) => net::run(process_start, s, i),
            _ => Err("usage: signbridge-bench net threads|staggered|tpr|cold signbridge|reqwest".into()),
        },
        Some("delay-proxy") => match (args.get(2), args.get(3), args.get(4).and_then(|v| v.parse().ok())) {
            (Some(l), Some(u), Some(ms)) => proxy::run(l, u, ms),
            _ => Err("usage: signbridge-bench delay-proxy LISTEN UPSTREAM ONE_WAY_MS".into()),
        },
        _ => Err(
            "usage: signbridge-bench overhead|flow|large FILE|headroom|tokens|waits FILE|net S I|delay-proxy L U MS".into(),
        ),
    };
    if let Err(e) = r {
        eprintln!("signbridge-bench: {e}");
        std::process::exit(1);
    }
}
