//! HTTPS through an HTTP proxy (`transport.proxy`): a CONNECT tunnel, TLS end to end with the
//! provider, proxy credentials only on the CONNECT, loopback and `"direct"` going direct, and
//! clear errors when the proxy refuses.
//!
//! The simulator's TLS listener serves a certificate for `gateway.test` (made here with rcgen),
//! a name that is not loopback, so the client sends its connections through the proxy. The test
//! proxy records each CONNECT target and then always connects to the simulator on 127.0.0.1:
//! `gateway.test` is never resolved (the client must not resolve a tunnelled destination).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair,
};
use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::transport::TransportConfig;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROXY_USER: &str = "proxyuser";
const PROXY_PASSWORD: &str = "pr0xy-s3cret";

/// A simulator whose mutual-TLS listener presents a certificate for `gateway.test`,
/// `localhost` and `127.0.0.1`, and the client certificate it accepts.
struct Setup {
    _dir: tempfile::TempDir,
    sim: BackgroundSimulator,
    ca: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn write(path: &Path, text: &str) {
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(text.as_bytes()).expect("write");
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
    let server_key = KeyPair::generate().expect("key");
    let mut server_params = CertificateParams::new(vec![
        "gateway.test".to_string(),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
    ])
    .expect("params");
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server = server_params
        .signed_by(&server_key, &ca)
        .expect("server cert");
    let client_key = KeyPair::generate().expect("key");
    let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("client params");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = client_params
        .signed_by(&client_key, &ca)
        .expect("client cert");
    let p = |name: &str| dir.path().join(name);
    // With these three files present the simulator uses them instead of issuing its own PKI.
    write(&p("ca.pem"), &ca.pem());
    write(&p("server.pem"), &server.pem());
    write(&p("server-key.pem"), &server_key.serialize_pem());
    write(&p("client.pem"), &client.pem());
    write(&p("client-key.pem"), &client_key.serialize_pem());
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .expect("sim");
    Setup {
        ca: p("ca.pem"),
        client_cert: p("client.pem"),
        client_key: p("client-key.pem"),
        _dir: dir,
        sim,
    }
}

impl Setup {
    fn tls_port(&self) -> u16 {
        self.sim.tls_addr().expect("tls listener").port()
    }

    /// A client of the simulator's TLS listener at `host`, with `proxy` as transport.proxy.
    fn client(&self, host: &str, proxy: Option<&str>) -> signbridge::Result<Client> {
        self.client_with(host, proxy, 5000)
    }

    fn client_with(
        &self,
        host: &str,
        proxy: Option<&str>,
        connect_timeout_ms: u64,
    ) -> signbridge::Result<Client> {
        let mut transport = json!({
            "max_attempts": 1, "ca_file": self.ca, "connect_timeout_ms": connect_timeout_ms
        });
        if let Some(p) = proxy {
            transport["proxy"] = json!(p);
        }
        let cfg = json!({
            "zignsec": {
                "base_url": format!("https://{host}:{}", self.tls_port()),
                "keys": [DEFAULT_PRIMARY_KEY],
                "client_cert": {"cert": {"file": self.client_cert}, "key": {"file": self.client_key}}
            },
            "transport": transport
        });
        Client::new(Config::from_json(&cfg.to_string())?)
    }

    /// The requests the simulator received since the last call: (path, header names).
    fn take_requests(&self) -> Vec<(String, Vec<String>)> {
        let url = format!("{}/_sim/requests", self.sim.base_url());
        let log: Value = http::get(&url).expect("log").json().expect("json");
        let r = http::send_json("DELETE", &url, &json!(null)).expect("clear");
        assert!(r.status < 300);
        log.as_array()
            .expect("array")
            .iter()
            .map(|r| {
                (
                    r["path"].as_str().unwrap_or("").to_string(),
                    serde_json::from_value(r["headers"].clone()).expect("names"),
                )
            })
            .collect()
    }
}

/// What the test proxy does with a CONNECT.
#[derive(Clone)]
enum Mode {
    /// Opens every tunnel.
    Open,
    /// Opens tunnels only with this `Proxy-Authorization` value; 407 otherwise.
    RequireAuth(String),
    /// Refuses every tunnel with 403 (a proxy policy that blocks the destination).
    Forbid,
    /// Never answers the CONNECT (a stuck proxy).
    Silent,
}

/// One CONNECT the proxy received: its target and `Proxy-Authorization` header.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    target: String,
    auth: Option<String>,
}

/// A minimal HTTP CONNECT proxy on 127.0.0.1 that always tunnels to `upstream`, whatever the
/// CONNECT names.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    fn start(upstream: SocketAddr, mode: Mode) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("rt");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                while let Ok((conn, _)) = listener.accept().await {
                    tokio::spawn(serve(conn, upstream, mode.clone(), log.clone()));
                }
            });
        });
        Proxy { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(
    mut conn: tokio::net::TcpStream,
    upstream: SocketAddr,
    mode: Mode,
    log: Arc<Mutex<Vec<Seen>>>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 16 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = conn
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    let auth = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_string())
    });
    log.lock().expect("lock").push(Seen {
        target: target.to_string(),
        auth: auth.clone(),
    });
    if let Mode::Silent = mode {
        // Hold the connection open without answering until the client gives up.
        let _ = conn.read(&mut buf).await;
        return;
    }
    if let Mode::Forbid = mode {
        let _ = conn
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    if let Mode::RequireAuth(expected) = &mode {
        if auth.as_deref() != Some(expected.as_str()) {
            let _ = conn
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
                )
                .await;
            return;
        }
    }
    let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await else {
        let _ = conn
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    if conn
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut conn, &mut up).await;
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Creates a signing session and reads its status: two calls.
fn create_and_status(client: &Client) -> signbridge::Result<()> {
    let s = client.zignsec_signing()?;
    let session = s.create(&CreateSigning::default())?;
    s.status(&session.id)?;
    Ok(())
}

fn api_calls(reqs: &[(String, Vec<String>)]) -> Vec<&(String, Vec<String>)> {
    reqs.iter()
        .filter(|(p, _)| p.starts_with("/api/"))
        .collect()
}

#[test]
fn calls_go_through_the_configured_proxy_as_a_tunnel() {
    let s = setup();
    let proxy = Proxy::start(s.sim.tls_addr().expect("tls"), Mode::Open);
    s.take_requests();
    let client = s
        .client("gateway.test", Some(&proxy.url()))
        .expect("client");
    create_and_status(&client).expect("calls through the proxy");
    let target = format!("gateway.test:{}", s.tls_port());
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    // One pooled connection (or more), every one a tunnel to the provider's host and port.
    assert!(
        seen.iter().all(|c| c.target == target && c.auth.is_none()),
        "{seen:?}"
    );
    assert_eq!(api_calls(&s.take_requests()).len(), 2, "both calls arrived");
}

#[test]
fn proxy_credentials_go_to_the_proxy_only() {
    let s = setup();
    let proxy = Proxy::start(
        s.sim.tls_addr().expect("tls"),
        Mode::RequireAuth(basic(PROXY_USER, PROXY_PASSWORD)),
    );
    s.take_requests();
    let url = format!(
        "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
        proxy.port
    );
    let client = s.client("gateway.test", Some(&url)).expect("client");
    create_and_status(&client).expect("calls through the proxy with credentials");
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    for c in &seen {
        assert_eq!(
            c.auth.as_deref(),
            Some(basic(PROXY_USER, PROXY_PASSWORD).as_str())
        );
    }
    let reqs = s.take_requests();
    let calls = api_calls(&reqs);
    assert_eq!(calls.len(), 2);
    for (path, headers) in calls {
        assert!(
            !headers.iter().any(|h| h == "proxy-authorization"),
            "{path}: {headers:?}"
        );
    }
}

#[test]
fn wrong_proxy_credentials_are_an_auth_error_naming_the_proxy() {
    let s = setup();
    let proxy = Proxy::start(
        s.sim.tls_addr().expect("tls"),
        Mode::RequireAuth(basic(PROXY_USER, PROXY_PASSWORD)),
    );
    s.take_requests();
    let url = format!("http://{PROXY_USER}:wr0ng-s3cret@127.0.0.1:{}", proxy.port);
    let client = s.client("gateway.test", Some(&url)).expect("client");
    let e = create_and_status(&client).expect_err("refused by the proxy");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    let msg = e.message();
    assert!(msg.contains("proxy"), "{msg}");
    assert!(msg.contains(&format!("127.0.0.1:{}", proxy.port)), "{msg}");
    assert!(msg.contains("transport.proxy"), "{msg}");
    assert!(
        !msg.contains("wr0ng-s3cret") && !msg.contains(PROXY_USER),
        "{msg}"
    );
    assert!(!format!("{e:?}").contains("wr0ng-s3cret"));
    // A create refused at the proxy never reached the provider: not "outcome unknown".
    assert_eq!(api_calls(&s.take_requests()).len(), 0);
    // Without credentials: the same.
    let client = s
        .client("gateway.test", Some(&proxy.url()))
        .expect("client");
    let e = create_and_status(&client).expect_err("refused by the proxy");
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
}

#[test]
fn a_refused_tunnel_is_a_network_error_naming_the_proxy() {
    let s = setup();
    let proxy = Proxy::start(s.sim.tls_addr().expect("tls"), Mode::Forbid);
    s.take_requests();
    let url = format!(
        "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
        proxy.port
    );
    let client = s.client("gateway.test", Some(&url)).expect("client");
    let e = create_and_status(&client).expect_err("refused by the proxy");
    assert_eq!(e.code(), ErrorCode::Network, "{e}");
    let msg = e.message();
    assert!(
        msg.contains(&format!("proxy 127.0.0.1:{} refused", proxy.port)),
        "{msg}"
    );
    assert!(msg.contains("never reached the provider"), "{msg}");
    assert!(!msg.contains(PROXY_PASSWORD), "{msg}");
    assert_eq!(api_calls(&s.take_requests()).len(), 0);
}

#[test]
fn a_stuck_proxy_is_a_connect_timeout_naming_it() {
    let s = setup();
    let proxy = Proxy::start(s.sim.tls_addr().expect("tls"), Mode::Silent);
    s.take_requests();
    let client = s
        .client_with("gateway.test", Some(&proxy.url()), 300)
        .expect("client");
    let e = create_and_status(&client).expect_err("no answer to CONNECT");
    // Never sent: a timeout, not "outcome unknown", even for a create.
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(
        e.message()
            .contains(&format!("through the HTTPS proxy 127.0.0.1:{}", proxy.port)),
        "{e}"
    );
    assert_eq!(proxy.seen().len(), 1);
    assert_eq!(api_calls(&s.take_requests()).len(), 0);
}

#[test]
fn an_unreachable_proxy_is_a_network_error_naming_it() {
    let s = setup();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}");
    let client = s.client("gateway.test", Some(&url)).expect("client");
    let e = create_and_status(&client).expect_err("no proxy there");
    assert_eq!(e.code(), ErrorCode::Network, "{e}");
    let msg = e.message();
    assert!(msg.contains(&format!("proxy 127.0.0.1:{port}")), "{msg}");
    assert!(msg.contains("HTTPS_PROXY"), "{msg}");
    assert!(!msg.contains(PROXY_PASSWORD), "{msg}");
}

#[test]
fn direct_never_uses_a_proxy() {
    let s = setup();
    let proxy = Proxy::start(s.sim.tls_addr().expect("tls"), Mode::Open);
    // gateway.test only exists through the proxy: direct, it cannot be resolved.
    let client = s.client("gateway.test", Some("direct")).expect("client");
    let e = create_and_status(&client).expect_err("not resolvable");
    assert!(
        matches!(e.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{e}"
    );
    assert!(!e.message().contains("proxy"), "{e}");
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
}

#[test]
fn loopback_destinations_go_direct() {
    let s = setup();
    let proxy = Proxy::start(s.sim.tls_addr().expect("tls"), Mode::Open);
    for host in ["localhost", "127.0.0.1"] {
        let client = s.client(host, Some(&proxy.url())).expect("client");
        create_and_status(&client).expect("direct to loopback");
    }
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert_eq!(api_calls(&s.take_requests()).len(), 4);
}

#[test]
fn config_debug_hides_the_proxy_password() {
    let cfg = TransportConfig {
        proxy: Some(format!(
            "http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example:3128"
        )),
        ..TransportConfig::default()
    };
    let shown = format!("{cfg:?}");
    assert!(!shown.contains(PROXY_PASSWORD), "{shown}");
    assert!(
        shown.contains(&format!("http://{PROXY_USER}:***@proxy.example:3128")),
        "{shown}"
    );
    let whole = Config::from_json(
        &json!({
            "zignsec": {"base_url": "https://gateway.test", "keys": [DEFAULT_PRIMARY_KEY]},
            "transport": {"proxy": cfg.proxy}
        })
        .to_string(),
    )
    .expect("config");
    assert!(!format!("{whole:?}").contains(PROXY_PASSWORD));
}

#[test]
fn an_invalid_proxy_is_refused_at_construction() {
    for bad in [
        format!("socks5://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example:1080"),
        format!("https://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example:443"),
        format!("http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example"),
        "not a url".to_string(),
    ] {
        let cfg = Config::from_json(
            &json!({
                "zignsec": {"base_url": "https://gateway.test", "keys": [DEFAULT_PRIMARY_KEY]},
                "transport": {"proxy": bad}
            })
            .to_string(),
        )
        .expect("config parses");
        let e = Client::new(cfg)
            .and_then(|c| c.zignsec_signing().map(|_| ()))
            .expect_err(&bad);
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{bad}: {e}");
        assert!(e.message().contains("transport.proxy"), "{e}");
        assert!(
            e.message().contains("http://[user:password@]host:port"),
            "{e}"
        );
        assert!(!e.message().contains(PROXY_PASSWORD), "{e}");
    }
}
