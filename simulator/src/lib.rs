//! `signbridge-sim`: a local, in-memory sandbox of the ZignSec gateway's BankID Norway signing API
//! and its browser-based eID sessions.
//!
//! It serves the v5 signing flow (create session, upload PDFs, start signing, hosted signing page,
//! poll the result, download original and signed files), generic eID sessions (BankID SE, MitID,
//! Freja eID, BankID NO) with a hosted identification page, signed webhooks with retries, checks
//! subscription keys the way the gateway does, and exposes a control API under `/_sim/` for tests:
//! finishing or cancelling sessions, a compressible test clock, rotating keys, overriding the media
//! host, injecting faults and inspecting requests and webhook deliveries.
//!
//! Start it on the caller's runtime with [`Simulator::start`], or on its own thread and runtime
//! with [`BackgroundSimulator::start`]. See `simulator/README.md` for the HTTP surface.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

mod app;
pub mod client;
mod clock;
mod eid;
pub mod pdf;
mod state;
mod ui;
mod webhook;

pub use pdf::sample_pdf;

/// The first of the two subscription keys the simulator accepts by default.
pub const DEFAULT_PRIMARY_KEY: &str = "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11";
/// The second of the two subscription keys the simulator accepts by default.
pub const DEFAULT_SECONDARY_KEY: &str = "8c2d4e6f-1a3b-4c5d-8e7f-90a1b2c3d4e5";
/// The secret webhooks are signed with unless [`SimConfig::webhook_secret`] says otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "whsec-sim-0001";
/// Name of the header carrying a webhook's signature.
pub const WEBHOOK_SIGNATURE_HEADER: &str = webhook::SIGNATURE_HEADER;

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on; the default `127.0.0.1:0` picks a free port on loopback.
    pub bind: SocketAddr,
    /// Subscription keys accepted in `Zs-Product-Key` or `Authorization` (initial valid set).
    pub zignsec_keys: Vec<String>,
    /// When true, do not log one line per request to stderr.
    pub quiet: bool,
    /// Secret of the HMAC-SHA256 webhook signature (changeable at run time with
    /// `PUT /_sim/config {"webhook_secret": "..."}`).
    pub webhook_secret: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            zignsec_keys: vec![
                DEFAULT_PRIMARY_KEY.to_owned(),
                DEFAULT_SECONDARY_KEY.to_owned(),
            ],
            quiet: false,
            webhook_secret: DEFAULT_WEBHOOK_SECRET.to_owned(),
        }
    }
}

/// A running simulator whose tasks live on the runtime that called [`Simulator::start`].
///
/// Dropping it without [`Simulator::shutdown`] also stops accepting connections (the accept task
/// notices that the shutdown channel closed), but `shutdown` waits until everything has stopped.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    base_url: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Binds `cfg.bind` and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// Returns the I/O error from binding the listener.
    pub async fn start(cfg: SimConfig) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(cfg.bind).await?;
        let addr = listener.local_addr()?;
        let base_url = base_url_for(addr);
        let shared = Arc::new(state::Shared::new(
            base_url.clone(),
            cfg.zignsec_keys,
            cfg.quiet,
            cfg.webhook_secret,
        ));
        let router = app::router(shared.clone());
        let (stop, stop_rx) = watch::channel(false);
        let worker = tokio::spawn(webhook::run(shared, stop_rx.clone()));
        let task = tokio::spawn(serve(listener, router, stop_rx));
        Ok(Simulator {
            addr,
            base_url,
            stop,
            task,
            worker,
        })
    }

    /// Base URL of the simulator, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, closes open ones, stops webhook deliveries and waits for the
    /// server tasks to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.worker.await;
    }
}

/// A simulator running on its own OS thread with its own tokio runtime.
///
/// Use it when the code under test must not share a runtime with the server (e.g. a blocking
/// client, or a client whose runtime is shut down between tests). Dropping it stops the server and
/// joins the thread.
#[derive(Debug)]
pub struct BackgroundSimulator {
    addr: SocketAddr,
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundSimulator {
    /// Starts a simulator on a new thread and waits until it listens.
    ///
    /// # Errors
    ///
    /// Returns an error when the runtime cannot be built, the thread cannot be spawned, or the
    /// listener cannot be bound.
    pub fn start(cfg: SimConfig) -> std::io::Result<BackgroundSimulator> {
        let (ready_tx, ready_rx) =
            std::sync::mpsc::channel::<std::io::Result<(SocketAddr, String)>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("signbridge-sim".to_owned())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("signbridge-sim-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Simulator::start(cfg).await {
                        Ok(sim) => {
                            let _ = ready_tx.send(Ok((sim.addr(), sim.base_url().to_owned())));
                            let _ = stop_rx.await;
                            sim.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        match ready_rx.recv() {
            Ok(Ok((addr, base_url))) => Ok(BackgroundSimulator {
                addr,
                base_url,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(std::io::Error::other(
                    "simulator thread exited before starting",
                ))
            }
        }
    }

    /// Base URL of the simulator, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for BackgroundSimulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Marker error: the router asked for the connection to be dropped without a response.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

async fn serve(listener: TcpListener, router: axum::Router, mut stop: watch::Receiver<bool>) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tower::ServiceExt as _;

    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Transient accept errors (e.g. too many open files): back off briefly.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let router = router.clone();
                let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    async move {
                        let resp = match router.oneshot(req).await {
                            Ok(resp) => resp,
                            Err(never) => match never {},
                        };
                        if resp.extensions().get::<app::DropMarker>().is_some() {
                            Err(DropConnection)
                        } else {
                            Ok(resp)
                        }
                    }
                });
                conns.spawn(async move {
                    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                });
                // Reap finished connection tasks so the set does not grow without bound.
                while conns.try_join_next().is_some() {}
            }
        }
    }
    drop(listener);
    conns.shutdown().await;
}
