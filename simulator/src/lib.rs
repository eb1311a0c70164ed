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
//! Authentication follows contract §2: subscription keys, OAuth2 client credentials with signed
//! JWTs (OIDC discovery, token endpoint, JWKS), and optionally a second listener with mutual TLS
//! whose test PKI [`issue_test_pki`] writes.
//!
//! It also simulates the Securosys Primus HSM REST API (TSB) under `/v1/`: role-based `X-API-KEY`
//! authentication (see [`SECUROSYS_ROLES`]) with an optional static JWT, service information, keys
//! generated and held by the simulator (RSA, EC P-256/P-384, Ed25519), synchronous sign/verify and
//! asynchronous signing with approval quorums, controlled under `/_sim/securosys/`.
//!
//! It also simulates OneSpan Sign (`shared/api/onespan.md`) on the same origin: web base = the
//! simulator's base URL, API base = `{base}/api`. API key, Client App and OAuth 2.0 authentication
//! (one active at a time), packages with roles, documents and approvals, the package state
//! machine, signed PDFs, a ZIP and an evidence-summary PDF, signing URLs with a hosted signing
//! page at `/access`, event callbacks, and a control API under `/_sim/onespan/` (see
//! [`ONESPAN_API_KEY`] and the other `ONESPAN_*` constants).
//!
//! Start it on the caller's runtime with [`Simulator::start`], or on its own thread and runtime
//! with [`BackgroundSimulator::start`]. See `simulator/README.md` for the HTTP surface.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

mod app;
pub mod client;
mod clock;
mod echo;
mod eid;
mod oauth;
mod onespan;
pub mod pades;
pub mod pdf;
mod s2s;
mod securosys;
mod state;
mod tls;
mod tls_creds;
mod ui;
mod webhook;
mod zauth;
mod zsigning;

pub use pdf::sample_pdf;
pub use tls::{issue_test_pki, TestPki, OTHER_CLIENT_CN, TEST_CLIENT_CN, TEST_PKI_ORG};
pub use tls_creds::{TEST_PKI_PASSWORD, TEST_RSA_CLIENT_CN};

/// The first of the two subscription keys the simulator accepts by default.
pub const DEFAULT_PRIMARY_KEY: &str = "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11";
/// The second of the two subscription keys the simulator accepts by default.
pub const DEFAULT_SECONDARY_KEY: &str = "8c2d4e6f-1a3b-4c5d-8e7f-90a1b2c3d4e5";
/// The secret webhooks are signed with unless [`SimConfig::webhook_secret`] says otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "whsec-sim-0001";
/// Name of the header carrying a webhook's signature.
pub const WEBHOOK_SIGNATURE_HEADER: &str = webhook::SIGNATURE_HEADER;
/// The OAuth2 client id the simulator accepts by default.
pub const DEFAULT_CLIENT_ID: &str = "signbridge-sim-client";
/// The secret of [`DEFAULT_CLIENT_ID`].
pub const DEFAULT_CLIENT_SECRET: &str = "sim-client-secret-0001";
/// Default access-token lifetime in seconds (the contract's 20 minutes).
pub const DEFAULT_TOKEN_LIFETIME_S: u64 = 1200;
/// Path of the OIDC discovery document (relative to a listener's base URL).
pub const OIDC_DISCOVERY_PATH: &str = "/auth/realms/zignsec/.well-known/openid-configuration";
/// Path of the OAuth2 token endpoint (relative to a listener's base URL).
pub const TOKEN_PATH: &str = "/auth/realms/zignsec/protocol/openid-connect/token";
/// Path of the JWKS holding the token-signing public key (relative to a listener's base URL).
pub const JWKS_PATH: &str = "/auth/realms/zignsec/protocol/openid-connect/certs";

/// Default Securosys `X-API-KEY` of the `keyManagementToken` role (`/v1/key`, `/v1/key/**`, ...).
pub const SECUROSYS_KEY_MANAGEMENT_KEY: &str = "sim-securosys-key-management-0001";
/// Default Securosys `X-API-KEY` of the `keyOperationToken` role (`/v1/synchronousSign`,
/// `/v1/verify`, `/v1/sign`, `/v1/request/**`, ...).
pub const SECUROSYS_KEY_OPERATION_KEY: &str = "sim-securosys-key-operation-0001";
/// Default Securosys `X-API-KEY` of the `approverToken` role (`/v1/filtered**ApprovalTask`,
/// `/v1/approval`, `/v1/task`).
pub const SECUROSYS_APPROVER_KEY: &str = "sim-securosys-approver-0001";
/// Default Securosys `X-API-KEY` of the `serviceToken` role (`/v1/versionInfo`, `/v1/licenseInfo`, ...).
pub const SECUROSYS_SERVICE_KEY: &str = "sim-securosys-service-0001";
/// Default Securosys `X-API-KEY` of the `approverKeyManagementToken` role
/// (`/v1/approverManagement/**`).
pub const SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY: &str =
    "sim-securosys-approver-key-management-0001";
/// The static Securosys JWT (`Authorization: Bearer ...`) the simulator accepts by default. It is
/// only required after `PUT /_sim/securosys/auth {"require_jwt": true}`.
pub const SECUROSYS_JWT: &str = "sim-securosys-jwt-0001";
/// The five Securosys API-key role names of seed 003, in the seed's order.
pub const SECUROSYS_ROLES: [&str; 5] = securosys::ROLES;

/// The OneSpan API key, sent as `Authorization: Basic <key>` as-is. It is
/// base64("sbSimAcct001:sbSimSecr001") like the observed real keys, but treated as opaque.
pub const ONESPAN_API_KEY: &str = "c2JTaW1BY2N0MDAxOnNiU2ltU2VjcjAwMQ==";
/// The OneSpan Client App id (`POST /apitoken/clientApp/accessToken`).
pub const ONESPAN_CLIENT_APP_ID: &str = "sim-onespan-client-app";
/// The secret of [`ONESPAN_CLIENT_APP_ID`].
pub const ONESPAN_CLIENT_APP_SECRET: &str = "sim-onespan-app-secret-0001";
/// The OneSpan OAuth 2.0 client id (`POST /oauth2/token`, HTTP Basic client authentication).
pub const ONESPAN_OAUTH_CLIENT_ID: &str = "sim-onespan-oauth-client";
/// The secret of [`ONESPAN_OAUTH_CLIENT_ID`].
pub const ONESPAN_OAUTH_CLIENT_SECRET: &str = "sim-onespan-oauth-secret-0001";
/// Email of the OneSpan account owner (API key, OWNER Client App tokens and OAuth tokens act as it).
pub const ONESPAN_OWNER_EMAIL: &str = "owner@example.com";
/// User id of the OneSpan account owner.
pub const ONESPAN_OWNER_ID: &str = "sbSimOwner01";
/// Email of a sender of the OneSpan account (valid for Client App tokens of type SENDER and as
/// OAuth `sender_id`).
pub const ONESPAN_SENDER_EMAIL: &str = "sender@example.com";
/// User id of [`ONESPAN_SENDER_EMAIL`].
pub const ONESPAN_SENDER_ID: &str = "sbSimSendr01";
/// Path of the OneSpan API base (relative to the simulator's base URL).
pub const ONESPAN_API_PATH: &str = "/api";
/// Path of the OneSpan Client App token endpoint (relative to the simulator's base URL).
pub const ONESPAN_CLIENT_APP_TOKEN_PATH: &str = onespan::CLIENT_APP_TOKEN_PATH;
/// Path of the OneSpan OAuth 2.0 token endpoint (relative to the simulator's base URL).
pub const ONESPAN_OAUTH_TOKEN_PATH: &str = onespan::OAUTH_TOKEN_PATH;
/// Path of the OneSpan hosted signing page (`?sessionToken=`).
pub const ONESPAN_ACCESS_PATH: &str = onespan::ACCESS_PATH;
/// Path of the OneSpan callback registration (`POST`/`GET`).
pub const ONESPAN_CALLBACK_PATH: &str = onespan::CALLBACK_PATH;
/// Default lifetime of OneSpan Client App tokens, seconds.
pub const ONESPAN_CLIENT_APP_LIFETIME_S: u64 = onespan::auth::CLIENT_APP_LIFETIME_S;
/// Default lifetime of OneSpan OAuth access tokens, seconds (`expires_in` is one less).
pub const ONESPAN_OAUTH_LIFETIME_S: u64 = onespan::auth::OAUTH_LIFETIME_S;

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
    /// OAuth2 clients `(client_id, client_secret)` the token endpoint accepts (changeable at run
    /// time with `PUT /_sim/oauth {"clients": [...]}`).
    pub oauth_clients: Vec<(String, String)>,
    /// Lifetime of issued access tokens in seconds (changeable at run time with
    /// `PUT /_sim/oauth {"token_lifetime_s": N}`).
    pub token_lifetime_s: u64,
    /// When set, also listen with TLS on `127.0.0.1:<tls_port>` requiring a client certificate
    /// signed by `DIR/ca.pem`. The PKI of [`issue_test_pki`] is written into the directory first
    /// when `ca.pem`, `server.pem` or `server-key.pem` is missing.
    pub tls_dir: Option<PathBuf>,
    /// Port of the TLS listener (0, the default, picks a free port). Ignored without `tls_dir`.
    pub tls_port: u16,
    /// Whether the TLS listener offers HTTP/2 (ALPN `h2`, the default, as the services do);
    /// false: HTTP/1.1 only (to measure a client against an HTTP/1.1 service).
    pub tls_http2: bool,
}

/// What the TLS listener has seen (`GET /_sim/tls`): completed handshakes, so that a test or a
/// benchmark can count the connections a client opened.
#[derive(Debug, Default)]
pub struct TlsStats {
    /// TLS handshakes completed since start.
    pub handshakes: std::sync::atomic::AtomicU64,
    /// Whether HTTP/2 is offered.
    pub http2: std::sync::atomic::AtomicBool,
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
            oauth_clients: vec![(
                DEFAULT_CLIENT_ID.to_owned(),
                DEFAULT_CLIENT_SECRET.to_owned(),
            )],
            token_lifetime_s: DEFAULT_TOKEN_LIFETIME_S,
            tls_dir: None,
            tls_port: 0,
            tls_http2: true,
        }
    }
}

/// Which listener a connection came to (a request extension set by the accept loop).
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    /// Base URL of that listener.
    pub base_url: Arc<str>,
    /// True on the mutual-TLS listener.
    pub mtls: bool,
    /// Subject DN of the verified client certificate.
    pub client_subject: Option<Arc<str>>,
}

/// A running simulator whose tasks live on the runtime that called [`Simulator::start`].
///
/// Dropping it without [`Simulator::shutdown`] also stops accepting connections (the accept task
/// notices that the shutdown channel closed), but `shutdown` waits until everything has stopped.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    base_url: String,
    tls_addr: Option<SocketAddr>,
    tls_base_url: Option<String>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    tls_task: Option<tokio::task::JoinHandle<()>>,
    worker: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Binds `cfg.bind` (and, with `cfg.tls_dir`, a TLS listener on `127.0.0.1:cfg.tls_port`)
    /// and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// Returns the I/O error from binding a listener, from generating the token-signing key, or
    /// from issuing or reading the test PKI.
    pub async fn start(cfg: SimConfig) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(cfg.bind).await?;
        let addr = listener.local_addr()?;
        let base_url = base_url_for(addr);
        let tls = match &cfg.tls_dir {
            Some(dir) => {
                let acceptor = tls::acceptor(dir, cfg.tls_http2)?;
                let tls_listener = TcpListener::bind(SocketAddr::new(
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    cfg.tls_port,
                ))
                .await?;
                let tls_addr = tls_listener.local_addr()?;
                Some((tls_listener, tls_addr, acceptor))
            }
            None => None,
        };
        let tls_base_url = tls
            .as_ref()
            .map(|(_, a, _)| format!("https://localhost:{}", a.port()));
        let shared = Arc::new(state::Shared::new(
            base_url.clone(),
            tls_base_url.as_deref(),
            cfg.zignsec_keys,
            cfg.quiet,
            cfg.webhook_secret,
            oauth::OAuthState {
                clients: cfg.oauth_clients,
                token_lifetime_s: cfg.token_lifetime_s.max(1),
                tokens_issued: 0,
                require_bearer: false,
            },
        )?);
        shared
            .tls_stats
            .http2
            .store(cfg.tls_http2, std::sync::atomic::Ordering::Relaxed);
        let tls_stats = shared.tls_stats.clone();
        let router = app::router(shared.clone());
        let (stop, stop_rx) = watch::channel(false);
        let worker = tokio::spawn(webhook::run(shared, stop_rx.clone()));
        let plain = ConnInfo {
            base_url: Arc::from(base_url.as_str()),
            mtls: false,
            client_subject: None,
        };
        let mut tls_addr = None;
        let mut tls_task = None;
        if let (Some((tls_listener, a, acceptor)), Some(tls_base)) = (tls, &tls_base_url) {
            let info = ConnInfo {
                base_url: Arc::from(tls_base.as_str()),
                mtls: true,
                client_subject: None,
            };
            tls_addr = Some(a);
            tls_task = Some(tokio::spawn(serve(
                tls_listener,
                router.clone(),
                stop_rx.clone(),
                info,
                Some((acceptor, tls_stats)),
            )));
        }
        let task = tokio::spawn(serve(listener, router, stop_rx, plain, None));
        Ok(Simulator {
            addr,
            base_url,
            tls_addr,
            tls_base_url,
            stop,
            task,
            tls_task,
            worker,
        })
    }

    /// Base URL of the mutual-TLS listener, e.g. `https://localhost:40124`, when
    /// [`SimConfig::tls_dir`] was set.
    pub fn tls_base_url(&self) -> Option<&str> {
        self.tls_base_url.as_deref()
    }

    /// The socket address of the mutual-TLS listener, when [`SimConfig::tls_dir`] was set.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
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
        if let Some(t) = self.tls_task {
            let _ = t.await;
        }
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
    tls_addr: Option<SocketAddr>,
    tls_base_url: Option<String>,
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
        type Ready = (SocketAddr, String, Option<SocketAddr>, Option<String>);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<Ready>>();
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
                            let _ = ready_tx.send(Ok((
                                sim.addr(),
                                sim.base_url().to_owned(),
                                sim.tls_addr(),
                                sim.tls_base_url().map(str::to_owned),
                            )));
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
            Ok(Ok((addr, base_url, tls_addr, tls_base_url))) => Ok(BackgroundSimulator {
                addr,
                base_url,
                tls_addr,
                tls_base_url,
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

    /// Base URL of the mutual-TLS listener, e.g. `https://localhost:40124`, when
    /// [`SimConfig::tls_dir`] was set.
    pub fn tls_base_url(&self) -> Option<&str> {
        self.tls_base_url.as_deref()
    }

    /// The socket address of the mutual-TLS listener, when [`SimConfig::tls_dir`] was set.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
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

/// How long a TLS handshake may take before the connection is dropped.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

async fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
    info: ConnInfo,
    tls: Option<(tokio_rustls::TlsAcceptor, Arc<TlsStats>)>,
) {
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
                // Answers go out at once: without it the first answer on a new TLS connection
                // waits ~40 ms for the client's delayed ACK of the session ticket (Nagle).
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let mut info = info.clone();
                match &tls {
                    None => {
                        conns.spawn(serve_conn(stream, router, info));
                    }
                    Some((acceptor, stats)) => {
                        let acceptor = acceptor.clone();
                        let stats = stats.clone();
                        conns.spawn(async move {
                            let handshake =
                                tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                            // A failed handshake (no client certificate, one from another CA,
                            // an untrusted server certificate) just closes the connection.
                            let Ok(Ok(stream)) = handshake.await else {
                                return;
                            };
                            stats
                                .handshakes
                                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            info.client_subject = stream
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .and_then(|c| tls::subject_of(c.as_ref()))
                                .map(Arc::from);
                            serve_conn(stream, router, info).await;
                        });
                    }
                }
                // Reap finished connection tasks so the set does not grow without bound.
                while conns.try_join_next().is_some() {}
            }
        }
    }
    drop(listener);
    conns.shutdown().await;
}

async fn serve_conn<I>(io: I, router: axum::Router, info: ConnInfo)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tower::ServiceExt as _;

    let service =
        hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            let router = router.clone();
            req.extensions_mut().insert(info.clone());
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
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let _ = builder.serve_connection(TokioIo::new(io), service).await;
}
