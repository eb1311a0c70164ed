//! The HTTP clients: one `reqwest::Client` — one connection pool — per distinct TLS
//! configuration per process, shared by every thread and surface, and the rules a base URL and
//! an origin follow.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use url::Url;

use super::config::TransportConfig;
use super::identity::ClientIdentity;
use super::proxy;
use crate::error::{Error, Result};

/// How long an idle pooled connection is kept.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The settings of one transport, resolved once when it is built.
pub(crate) struct Settings {
    pub config: TransportConfig,
    pub ca_certs: Vec<CertificateDer<'static>>,
    pub identity: Option<ClientIdentity>,
    /// The proxy of `https` connections, resolved once (environment included) at construction.
    pub proxy: Option<proxy::Route>,
    /// Identifies the client (pool) these settings need: equal keys share one.
    pub client_key: u64,
}

impl Settings {
    /// Read `config` (CA files included) for a transport presenting `identity`.
    pub(crate) fn new(config: &TransportConfig, identity: Option<&ClientIdentity>) -> Result<Self> {
        config.validate()?;
        let mut ca_certs = Vec::new();
        if let Some(pem) = &config.ca_pem {
            ca_certs.extend(parse_certs(pem.as_bytes(), "transport.ca_pem")?);
        }
        if let Some(path) = &config.ca_file {
            let data = std::fs::read(path).map_err(|e| {
                Error::invalid_config(format!(
                    "transport.ca_file {} cannot be read: {e}",
                    path.display()
                ))
            })?;
            ca_certs.extend(parse_certs(&data, "transport.ca_file")?);
        }
        let proxy = proxy::resolve(config.proxy.as_deref(), &proxy::process_env)?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in &ca_certs {
            c.as_ref().hash(&mut h);
        }
        // A different proxy (or NO_PROXY) needs a different pooled client.
        proxy.hash(&mut h);
        config.connect_timeout_ms.hash(&mut h);
        config.max_requests_per_origin.hash(&mut h);
        if let Some(id) = identity {
            id.fingerprint(&mut h);
        }
        Ok(Settings {
            config: config.clone(),
            ca_certs,
            identity: identity.cloned(),
            proxy: proxy.map(|p| proxy::Route::new(&p)),
            client_key: h.finish(),
        })
    }
}

/// A pooled HTTP client and the TLS configuration it was built with (kept for diagnosis).
#[derive(Clone)]
pub(crate) struct HttpClient {
    pub client: reqwest::Client,
    pub tls: Arc<rustls::ClientConfig>,
}

/// The client for `settings`: one per distinct TLS configuration per process, built on first use
/// and shared by every thread and runtime of the process. A forked child builds its own (the
/// parent's pooled connections belong to the parent's runtime); the inherited ones are leaked,
/// never dropped, as the runtime is.
pub(crate) fn http_client(settings: &Settings) -> Result<HttpClient> {
    // A Vec, not a HashMap: a handful of entries, and a Vec's buffer is pointed to from its
    // start, so leak checkers (valgrind) see what the process keeps as reachable, not as
    // "possibly lost" behind a hash table's interior pointer.
    type Cache = Option<(u32, Vec<(u64, HttpClient)>)>;
    static CLIENTS: Mutex<Cache> = Mutex::new(None);
    let pid = crate::runtime::pid();
    let mut guard = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().map(|(p, _)| *p) != Some(pid) {
        if let Some(inherited) = guard.replace((pid, Vec::new())) {
            std::mem::forget(inherited);
        }
    }
    let Some((_, table)) = guard.as_mut() else {
        return Err(Error::internal("client cache unavailable"));
    };
    if let Some((_, c)) = table.iter().find(|(k, _)| *k == settings.client_key) {
        return Ok(c.clone());
    }
    let tls = Arc::new(tls_config(settings)?);
    let client = build_client(settings, &tls)?;
    let c = HttpClient { client, tls };
    table.push((settings.client_key, c.clone()));
    Ok(c)
}

/// The TLS configuration: the Mozilla roots plus the configured CAs, the client identity when
/// one is configured, HTTP/2 and HTTP/1.1 offered by ALPN. Verification cannot be turned off.
fn tls_config(settings: &Settings) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in &settings.ca_certs {
        roots.add(cert.clone()).map_err(|e| {
            Error::invalid_config(format!("a configured CA certificate is not usable: {e}"))
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots);
    let mut tls = match &settings.identity {
        Some(id) => tls
            .with_client_auth_cert(id.certs.clone(), id.key.clone_key())
            .map_err(|e| {
                Error::invalid_config(format!(
                    "the client certificate and key do not form a usable identity: {e}"
                ))
            })?,
        None => tls.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

/// reqwest's client over `tls`: redirects never followed, host names never resolved to
/// link-local or metadata addresses, no proxy but the configured one,
/// connection set-up (name resolution, TCP, proxy tunnel, TLS) bounded by
/// `transport.connect_timeout_ms`, pooled connections kept alive and probed.
fn build_client(settings: &Settings, tls: &rustls::ClientConfig) -> Result<reqwest::Client> {
    let connect_timeout = Duration::from_millis(settings.config.connect_timeout_ms);
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls.clone())
        .redirect(reqwest::redirect::Policy::none())
        // Host names never reach link-local or metadata addresses (see `resolve`).
        .dns_resolver(std::sync::Arc::new(super::resolve::GuardedResolver))
        .user_agent(concat!("signbridge/", env!("CARGO_PKG_VERSION"), " (rust)"))
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        // Pooled connections are kept for up to 90 s: keepalive probes find one that a NAT or
        // load balancer dropped meanwhile, and unacknowledged data gives up after 30 s instead
        // of waiting for the request deadline.
        .tcp_keepalive(Duration::from_secs(15))
        .tcp_keepalive_interval(Duration::from_secs(15))
        .tcp_keepalive_retries(3u32)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(settings.config.max_requests_per_origin as usize)
        // HTTP/2 flow control sized by the measured bandwidth-delay product: with hyper's fixed
        // defaults (2 MiB per stream, 5 MiB per connection) a 50 MB download over a 20 ms round
        // trip took 4x as long as over HTTP/1.1, and every download of the process shares the
        // one connection's window.
        .http2_adaptive_window(true)
        // The proxy is only ever the one resolved in `Settings` (reqwest would otherwise read
        // HTTP_PROXY for plain http too, and route loopback calls through it).
        .no_proxy();
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    {
        builder = builder.tcp_user_timeout(Duration::from_secs(30));
    }
    if let Some(p) = settings
        .proxy
        .as_ref()
        .and_then(proxy::Route::reqwest_proxy)
    {
        builder = builder.proxy(p);
    }
    builder
        .build()
        .map_err(|e| Error::internal(format!("the HTTP client could not be built: {e}")))
}

/// `url` as it may be shown in a message: scheme, host, port and path — never a user name,
/// password, query or fragment (where credentials hide).
pub(crate) fn shown_url(url: &Url) -> String {
    let mut out = format!("{}://", url.scheme());
    match url.host() {
        Some(url::Host::Ipv6(ip)) => out.push_str(&format!("[{ip}]")),
        Some(h) => out.push_str(&h.to_string()),
        None => {}
    }
    if let Some(p) = url.port() {
        out.push_str(&format!(":{p}"));
    }
    out.push_str(url.path());
    out
}

/// Whether `url` names a loopback host (`localhost`, `127.0.0.0/8`, `::1`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a provider's base URL: `https`, or plain `http` to a loopback host (the simulator); no
/// user name, password or query (credentials never travel in URLs). The user info and query are
/// checked first, and no message shows them (see [`shown_url`]).
pub(crate) fn check_base_url(base: &Url) -> Result<()> {
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::invalid_config(
            "the base URL must not contain a user name or password; put credentials in the \
             credential fields",
        ));
    }
    if base.query().is_some() {
        return Err(Error::invalid_config(
            "the base URL must not contain a query string (never put keys in URLs)",
        ));
    }
    let shown = shown_url(base);
    match base.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(base) => Ok(()),
        "http" => Err(Error::invalid_config(format!(
            "base URL {shown} uses plain http to a non-loopback host; credentials would travel \
             unencrypted. Use https:// (plain http is only allowed for the local simulator on \
             127.0.0.1/localhost)"
        ))),
        other => Err(Error::invalid_config(format!(
            "base URL {shown} has scheme {other:?}; use https://"
        ))),
    }
}

fn parse_certs(pem: &[u8], field: &str) -> Result<Vec<CertificateDer<'static>>> {
    let mut out = Vec::new();
    for c in CertificateDer::pem_slice_iter(pem) {
        out.push(c.map_err(|e| {
            Error::invalid_config(format!("{field} holds an unreadable PEM certificate: {e}"))
        })?);
    }
    if out.is_empty() {
        return Err(Error::invalid_config(format!(
            "{field} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(out)
}

/// Whether two http(s) URLs have the same origin (scheme, host, port), as `Url::origin` equality
/// but without allocating. Other schemes have opaque origins, equal to nothing.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    matches!(a.scheme(), "http" | "https")
        && a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// What the transport keeps per origin (scheme, host, port) and TLS configuration, per process.
pub(crate) struct Origin {
    /// At most `max_requests_per_origin` exchanges at once (all threads and runtimes together).
    pub slots: Arc<tokio::sync::Semaphore>,
    /// Set once the first exchange with an `https` origin has its answer's head (see
    /// [`Origin::first`]).
    opened: AtomicBool,
    /// Held by that first exchange until then.
    first: Arc<tokio::sync::Mutex<()>>,
}

/// Held by the first exchange with an origin (see [`Origin::first`]) until its answer's head
/// arrives; then [`FirstExchange::done`] lets the others go. Dropped without `done` (the
/// exchange failed to start or was cancelled), the next waiter becomes the first.
pub(crate) struct FirstExchange {
    origin: Arc<Origin>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl FirstExchange {
    /// The first exchange has its answer's head (or failed): its connection, if any, is in the
    /// pool, and every waiting call may go.
    pub(crate) fn done(self) {
        self.origin.opened.store(true, Ordering::Release);
    }
}

/// Bodies larger than this neither wait for nor hold up the first exchange with an origin:
/// holding others for the time a large upload takes would cost more than a second connection.
pub(crate) const FIRST_EXCHANGE_MAX_BODY: u64 = 64 * 1024;

impl Origin {
    /// Before an exchange with an `https` origin: `Some` when this is the first exchange (pass
    /// it to the exchange, which calls [`FirstExchange::done`] when the answer's head arrives);
    /// `None` once that happened. Calls that start while the first is under way wait for its
    /// answer's head — a connection is in the pool then, and when it speaks HTTP/2 (ALPN) they
    /// all share it instead of each opening one: reqwest's pool learns that a connection is
    /// HTTP/2 only once it is made, so 32 calls started at once would otherwise make 32 TLS
    /// handshakes. Against an HTTP/1.1 service the waiters then open their connections as
    /// usual; the wait costs them one round trip, once per process.
    ///
    /// A call waits at most `max_wait` (the connect timeout): when the first exchange hangs,
    /// the others go their own way after that instead of queueing behind it one by one.
    pub(crate) async fn first(self: &Arc<Self>, max_wait: Duration) -> Option<FirstExchange> {
        if self.opened.load(Ordering::Acquire) {
            return None;
        }
        let guard = tokio::time::timeout(max_wait, self.first.clone().lock_owned())
            .await
            .ok()?;
        (!self.opened.load(Ordering::Acquire)).then(|| FirstExchange {
            origin: self.clone(),
            _guard: guard,
        })
    }
}

/// The state of `url`'s origin for `settings`. A forked child starts afresh (the parent's slot
/// holders and connections do not exist there).
pub(crate) fn origin(settings: &Settings, url: &Url) -> Result<Arc<Origin>> {
    // A Vec for the same reason as the client cache (reachable, not "possibly lost").
    type Origins = Option<(u32, Vec<((u64, u64), Arc<Origin>)>)>;
    static ORIGINS: Mutex<Origins> = Mutex::new(None);
    let pid = crate::runtime::pid();
    let mut guard = ORIGINS.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().map(|(p, _)| *p) != Some(pid) {
        *guard = Some((pid, Vec::new()));
    }
    let Some((_, table)) = guard.as_mut() else {
        return Err(Error::internal("origin table unavailable"));
    };
    // The origin, hashed (two origins sharing a hash would only share their bound).
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (url.scheme(), url.host(), url.port_or_known_default()).hash(&mut h);
    let key = (settings.client_key, h.finish());
    if let Some((_, o)) = table.iter().find(|(k, _)| *k == key) {
        return Ok(o.clone());
    }
    let o = Arc::new(Origin {
        slots: Arc::new(tokio::sync::Semaphore::new(
            settings.config.max_requests_per_origin as usize,
        )),
        // Plain http is only the loopback simulator: nothing to share.
        opened: AtomicBool::new(url.scheme() != "https"),
        first: Arc::new(tokio::sync::Mutex::new(())),
    });
    table.push((key, o.clone()));
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let ok = |s: &str| check_base_url(&Url::parse(s).expect("url")).is_ok();
        assert!(ok("https://gateway.zignsec.com"));
        assert!(ok("http://127.0.0.1:8080"));
        assert!(ok("http://localhost:1"));
        assert!(ok("http://[::1]:1"));
        assert!(!ok("http://example.com"));
        assert!(!ok("https://user:pw@example.com"));
        assert!(!ok("https://example.com/?key=1"));
        assert!(!ok("ftp://example.com"));
    }

    #[test]
    fn base_url_errors_show_no_credentials() {
        for raw in [
            "http://user:PASS-4711@gateway.example/?key=KEY-0815",
            "http://gateway.example/?key=KEY-0815",
            "ftp://user:PASS-4711@gateway.example/x?key=KEY-0815#KEY-0815",
            "ftp://gateway.example/x?key=KEY-0815",
            "ftp://gateway.example/x#KEY-0815",
            "http://gateway.example/x#KEY-0815",
        ] {
            let e = check_base_url(&Url::parse(raw).expect("url")).expect_err(raw);
            assert_eq!(e.code(), crate::ErrorCode::InvalidConfig);
            let all = format!("{e} {e:?}");
            assert!(
                !all.contains("PASS-4711") && !all.contains("KEY-0815"),
                "{raw}: {all}"
            );
        }
        assert_eq!(
            shown_url(&Url::parse("https://u:p@[::1]:8443/a/b?q=1#f").expect("url")),
            "https://[::1]:8443/a/b"
        );
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        let u = |s: &str| Url::parse(s).expect("url");
        let base = u("https://gateway.example.com/api/");
        assert!(same_origin(&u("https://gateway.example.com/x?y"), &base));
        assert!(same_origin(&u("https://GATEWAY.example.com:443/"), &base));
        assert!(!same_origin(&u("http://gateway.example.com/"), &base));
        assert!(!same_origin(&u("https://gateway.example.com:8443/"), &base));
        assert!(!same_origin(
            &u("https://gateway.example.com.evil.test/"),
            &base
        ));
        assert!(!same_origin(
            &u("https://evil.test/gateway.example.com"),
            &base
        ));
        assert!(same_origin(
            &u("http://127.0.0.1:80/"),
            &u("http://127.0.0.1/")
        ));
        assert!(!same_origin(
            &u("http://[::1]:8080/"),
            &u("http://127.0.0.1:8080/")
        ));
        assert!(!same_origin(&u("file:///x"), &u("file:///x")));
        for (a, b) in [
            ("https://a.example/", "https://a.example:443/p"),
            ("https://a.example/", "https://b.example/"),
            ("http://127.0.0.1:1/", "http://127.0.0.1:2/"),
        ] {
            assert_eq!(same_origin(&u(a), &u(b)), u(a).origin() == u(b).origin());
        }
    }

    #[test]
    fn bad_ca_is_a_config_error() {
        let cfg = TransportConfig {
            ca_pem: Some("not a pem".into()),
            ..TransportConfig::default()
        };
        let e = Settings::new(&cfg, None).err().map(|e| e.code());
        assert_eq!(e, Some(crate::error::ErrorCode::InvalidConfig));
    }
}
