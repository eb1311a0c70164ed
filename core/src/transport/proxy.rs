//! HTTPS proxy support: which proxy (if any) a client's connections go through, and the
//! connector that opens them, directly or as a `CONNECT` tunnel through the proxy.
//!
//! Only `https` destinations are tunnelled; TLS stays end to end with the provider (the proxy
//! sees only `host:port`). Plain `http` destinations (only ever the loopback simulator) and
//! loopback `https` destinations always go direct. The proxy's credentials (the URL's userinfo)
//! go only into the `CONNECT` request's `Proxy-Authorization` header: never to the provider,
//! into logs, error messages or `Debug` output.

use std::borrow::Cow;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use secrecy::{ExposeSecret, SecretString};
use tower_service::Service;

use crate::error::{Error, ErrorCode, Result};

/// The accepted forms, for error messages.
const FORMS: &str = "use \"direct\" (no proxy) or http://[user:password@]host:port, an HTTP \
                     proxy that supports CONNECT (percent-encode special characters of the user \
                     name and password)";

/// The proxy a client's `https` connections go through, resolved once when the client is built.
#[derive(Clone)]
pub(crate) struct ProxyChoice {
    /// The proxy URL as given; may hold credentials, so it is never shown.
    url: SecretString,
    /// `host:port` of the proxy, for messages.
    shown: String,
    /// The `NO_PROXY` list (hosts and networks that go direct).
    no_proxy: String,
    /// Why the proxy taken from the environment cannot be used (the configuration error, shown
    /// when a connection would need it). A client whose calls only go to loopback hosts or
    /// `NO_PROXY` hosts is not affected by a proxy variable meant for other programs.
    unusable: Option<String>,
}

impl std::fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyChoice")
            .field("url", &redact_userinfo(self.url.expose_secret()))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl Hash for ProxyChoice {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.url.expose_secret().hash(h);
        self.no_proxy.hash(h);
    }
}

impl ProxyChoice {
    /// `host:port` of the proxy (no credentials).
    #[cfg(test)]
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }
}

/// The first of `names` set to a non-empty value in `env`, with its name (for messages).
fn env_first(
    env: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> Option<(String, &'static str)> {
    names
        .iter()
        .find_map(|n| env(n).filter(|v| !v.is_empty()).map(|v| (v, *n)))
}

/// The proxy for `setting` (`transport.proxy`), with `env` the environment lookup (the process
/// environment in production, a map in tests). `None`: every connection goes direct.
pub(crate) fn resolve(
    setting: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyChoice>> {
    let (url, source) = match setting {
        Some("direct") => return Ok(None),
        Some(v) => (v.to_string(), "transport.proxy"),
        None => match env_first(env, &["HTTPS_PROXY", "https_proxy"])
            .or_else(|| env_first(env, &["ALL_PROXY", "all_proxy"]))
        {
            Some(found) => found,
            None => return Ok(None),
        },
    };
    let no_proxy = env_first(env, &["NO_PROXY", "no_proxy"])
        .map(|(v, _)| v)
        .unwrap_or_default();
    // A scheme-less value is curl's shorthand for http://, accepted from the environment only.
    let (shown, unusable) = match check_url(&url, source, source != "transport.proxy") {
        Ok(shown) => (shown, None),
        Err(e) if source == "transport.proxy" => return Err(e),
        // From the environment: refused when a connection would go through it, not before.
        Err(e) => (source.to_string(), Some(e.message().to_string())),
    };
    Ok(Some(ProxyChoice {
        unusable,
        url: SecretString::from(url),
        shown,
        no_proxy,
    }))
}

/// The process environment, for [`resolve`].
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

/// Checks a proxy URL and returns its `host:port`. Errors name `source` and never show the
/// password.
fn check_url(value: &str, source: &str, schemeless_ok: bool) -> Result<String> {
    let refuse = |reason: String| {
        let fix = if source == "transport.proxy" {
            "or leave transport.proxy unset to take HTTPS_PROXY from the environment".to_string()
        } else {
            format!(
                "in {source}, or set transport.proxy (\"direct\" or a proxy URL) to override it"
            )
        };
        Error::invalid_config(format!(
            "{source} is not a usable proxy ({reason}); {FORMS}, {fix}"
        ))
    };
    let Ok(uri) = value.parse::<Uri>() else {
        // Not echoed: an unreadable value may hold a password anywhere.
        return Err(refuse("not a valid URL".into()));
    };
    let redacted = redact_userinfo(value);
    match uri.scheme_str() {
        Some("http") => {}
        None if schemeless_ok => {}
        None => return Err(refuse(format!("{redacted} has no http:// scheme"))),
        Some("https") => {
            return Err(refuse(format!(
                "{redacted}: TLS to the proxy itself (https://) is not supported"
            )))
        }
        Some(other) => {
            return Err(refuse(format!(
                "{redacted}: the {other}:// scheme is not supported"
            )))
        }
    }
    let Some(authority) = uri.authority() else {
        return Err(refuse(format!("{redacted} names no host")));
    };
    let host = authority.host();
    if host.is_empty() {
        return Err(refuse(format!("{redacted} names no host")));
    }
    let Some(port) = authority.port_u16().filter(|p| *p != 0) else {
        return Err(refuse(format!("{redacted} has no port")));
    };
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(refuse(format!("{redacted} has a path or query")));
    }
    Ok(format!("{host}:{port}"))
}

/// `value` with the password of its userinfo (or the whole userinfo when there is no password)
/// replaced by `***`: `http://user:***@host:port`. Everything before the last `@` is treated as
/// userinfo, so even a malformed value does not show a password.
pub(crate) fn redact_userinfo(value: &str) -> Cow<'_, str> {
    let (scheme, rest) = match value.find("://") {
        Some(i) => value.split_at(i + 3),
        None => ("", value),
    };
    let Some(at) = rest.rfind('@') else {
        return Cow::Borrowed(value);
    };
    let (userinfo, host) = rest.split_at(at);
    let shown = match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}{user}:***{host}"),
        None => format!("{scheme}***{host}"),
    };
    Cow::Owned(shown)
}

/// Whether the destination is a loopback host by name or address literal (`localhost`,
/// `*.localhost`, `127.0.0.0/8`, `::1`): such connections never go through a proxy.
fn is_loopback(dst: &Uri) -> bool {
    let Some(host) = dst.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host
            .len()
            .checked_sub(".localhost".len())
            .and_then(|i| host.get(i..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(".localhost"))
}

/// The proxy route of a client: the matcher (proxy URL and `NO_PROXY`) and how it is shown.
struct ProxyRoute {
    matcher: Matcher,
    shown: Arc<str>,
    /// See [`ProxyChoice::unusable`].
    unusable: Option<Arc<str>>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// hyper-util's tunnel error (its type is not exported by name).
type TunnelError = <Tunnel<HttpConnector> as Service<Uri>>::Error;

/// A connection, direct or tunnelled.
pub(crate) type Conn = TokioIo<tokio::net::TcpStream>;

/// The connector under TLS: per destination, a direct TCP connection or a `CONNECT` tunnel
/// through the proxy.
#[derive(Clone)]
pub(crate) struct Route {
    tcp: HttpConnector,
    proxy: Option<Arc<ProxyRoute>>,
}

impl Route {
    /// A connector over `tcp`, through `proxy` when set. The caller bounds the time a
    /// connection may take (`transport.connect_timeout_ms`), the tunnel included.
    pub(crate) fn new(tcp: HttpConnector, proxy: Option<&ProxyChoice>) -> Route {
        let proxy = proxy.map(|p| {
            // Only https destinations are ever matched: no http (or all) proxy is set. An
            // unusable value is matched through a placeholder, to apply NO_PROXY the same way.
            let url = match p.unusable {
                None => p.url.expose_secret(),
                Some(_) => "http://unusable.invalid:1",
            };
            let matcher = Matcher::builder()
                .https(url)
                .no(p.no_proxy.as_str())
                .build();
            tracing::debug!(proxy = %p.shown, "https connections go through a proxy");
            Arc::new(ProxyRoute {
                matcher,
                shown: Arc::from(p.shown.as_str()),
                unusable: p.unusable.as_deref().map(Arc::from),
            })
        });
        Route { tcp, proxy }
    }

    /// `host:port` of the proxy a connection to `dst` goes through; `None`: direct.
    pub(crate) fn proxy_for(&self, dst: &Uri) -> Option<&str> {
        self.proxy
            .as_ref()
            .filter(|p| !is_loopback(dst) && p.matcher.intercept(dst).is_some())
            .map(|p| &*p.shown)
    }

    /// Whether a connection to `dst` goes through the proxy.
    #[cfg(test)]
    fn is_proxied(&self, dst: &Uri) -> bool {
        self.proxy_for(dst).is_some()
    }
}

impl Service<Uri> for Route {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let via = match &self.proxy {
            Some(p) if !is_loopback(&dst) => p.matcher.intercept(&dst).map(|i| (p.clone(), i)),
            _ => None,
        };
        let Some((route, intercept)) = via else {
            let connecting = self.tcp.call(dst);
            return Box::pin(async move { connecting.await.map_err(Into::into) });
        };
        if let Some(why) = route.unusable.clone() {
            return Box::pin(async move {
                Err(Box::new(ProxyFailure {
                    proxy: route.shown.clone(),
                    cause: Cause::Unusable(why),
                }) as BoxError)
            });
        }
        let mut tunnel = Tunnel::new(intercept.uri().clone(), self.tcp.clone());
        if let Some(auth) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        let opening = tunnel.call(dst);
        Box::pin(async move {
            opening.await.map_err(|cause| {
                Box::new(ProxyFailure {
                    proxy: route.shown.clone(),
                    cause: Cause::Tunnel(cause),
                }) as BoxError
            })
        })
    }
}

/// A connection through the proxy could not be opened: the request never reached the provider.
#[derive(Debug)]
pub(crate) struct ProxyFailure {
    proxy: Arc<str>,
    cause: Cause,
}

/// Why a connection through the proxy failed.
#[derive(Debug)]
enum Cause {
    /// Opening the tunnel failed.
    Tunnel(TunnelError),
    /// The proxy variable of the environment is not usable (the configuration error's text).
    Unusable(Arc<str>),
}

impl std::fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cause = match &self.cause {
            Cause::Unusable(why) => return write!(f, "{why}"),
            Cause::Tunnel(t) => t,
        };
        write!(f, "the proxy {} ", self.proxy)?;
        match cause {
            TunnelError::ProxyAuthRequired => f.write_str(
                "refused the proxy credentials (HTTP 407 Proxy Authentication Required)",
            ),
            TunnelError::TunnelUnsuccessful => {
                f.write_str("refused to open a tunnel (CONNECT was not answered with 200)")
            }
            TunnelError::ConnectFailed(e) => {
                write!(f, "could not be reached ({})", super::error_chain(&**e))
            }
            TunnelError::Io(e) => {
                write!(f, "broke off while opening the tunnel ({e})")
            }
            TunnelError::TunnelUnexpectedEof => {
                f.write_str("closed the connection instead of answering CONNECT")
            }
            TunnelError::ProxyHeadersTooLong => {
                f.write_str("answered CONNECT with oversized headers")
            }
            e => write!(f, "failed to open a tunnel ({e})"),
        }
    }
}

impl std::error::Error for ProxyFailure {}

impl ProxyFailure {
    /// The error of a call that failed because of this: `what` the call did, `host:port` of the
    /// provider. Auth for a 407 (retrying cannot help), Timeout when the proxy was too slow,
    /// Network otherwise.
    pub(crate) fn to_error(&self, what: &str, host: &str, port: u16) -> Error {
        let cause = match &self.cause {
            Cause::Unusable(why) => {
                return Error::invalid_config(format!(
                    "{what}: {host}:{port} would be reached through the proxy of the \
                     environment, which is not usable: {why}"
                ))
            }
            Cause::Tunnel(t) => t,
        };
        let timed_out = match cause {
            TunnelError::ConnectFailed(e) => {
                std::iter::successors(Some(&**e as &(dyn std::error::Error + 'static)), |e| {
                    e.source()
                })
                .any(|e| {
                    e.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
                })
            }
            _ => false,
        };
        let (code, advice) = match cause {
            TunnelError::ProxyAuthRequired => (
                ErrorCode::Auth,
                "Put the proxy's user name and password in the proxy URL \
                 (http://user:password@host:port) in transport.proxy or HTTPS_PROXY",
            ),
            TunnelError::TunnelUnsuccessful => (
                ErrorCode::Network,
                "Check that the proxy allows CONNECT to this host and port, its credentials, \
                 and transport.proxy / HTTPS_PROXY (NO_PROXY lists hosts that go direct)",
            ),
            _ if timed_out => (
                ErrorCode::Timeout,
                "Check transport.proxy / HTTPS_PROXY, or allow more time with \
                 transport.connect_timeout_ms",
            ),
            _ => (
                ErrorCode::Network,
                "Check transport.proxy / HTTPS_PROXY (set transport.proxy to \"direct\" to \
                 connect without a proxy; NO_PROXY lists hosts that go direct)",
            ),
        };
        Error::new(
            code,
            format!(
                "{what}: could not reach {host}:{port} through the HTTPS proxy: {self}; the \
                 request never reached the provider. {advice}"
            ),
        )
    }
}

/// The proxy failure in `e`'s chain of causes, if the exchange failed because of the proxy.
pub(crate) fn find_failure<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ProxyFailure> {
    std::iter::successors(Some(e), |e| e.source()).find_map(|e| e.downcast_ref::<ProxyFailure>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn uri(s: &str) -> Uri {
        s.parse().expect("uri")
    }

    fn route(choice: Option<&ProxyChoice>) -> Route {
        Route::new(HttpConnector::new(), choice)
    }

    #[test]
    fn environment_is_read_like_curl() {
        let none = resolve(None, &env(&[])).expect("ok");
        assert!(none.is_none());
        let https = resolve(
            None,
            &env(&[
                ("HTTPS_PROXY", "http://p1:3128"),
                ("ALL_PROXY", "http://p2:3128"),
            ]),
        )
        .expect("ok")
        .expect("proxy");
        assert_eq!(https.shown(), "p1:3128");
        let lower = resolve(None, &env(&[("https_proxy", "http://p3:8080")]))
            .expect("ok")
            .expect("proxy");
        assert_eq!(lower.shown(), "p3:8080");
        let all = resolve(None, &env(&[("HTTPS_PROXY", ""), ("all_proxy", "p4:1080")]))
            .expect("ok")
            .expect("proxy");
        assert_eq!(
            all.shown(),
            "p4:1080",
            "empty is unset; no scheme means http"
        );
        // HTTP_PROXY is for plain http, which never goes through a proxy here.
        assert!(resolve(None, &env(&[("HTTP_PROXY", "http://p5:1")]))
            .expect("ok")
            .is_none());
    }

    #[test]
    fn setting_overrides_the_environment() {
        let e = env(&[("HTTPS_PROXY", "http://envproxy:1")]);
        assert!(resolve(Some("direct"), &e).expect("ok").is_none());
        let p = resolve(Some("http://u:pw@cfgproxy:3128"), &e)
            .expect("ok")
            .expect("proxy");
        assert_eq!(p.shown(), "cfgproxy:3128");
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let p = resolve(
            Some("http://proxy:3128"),
            &env(&[("no_proxy", "internal.example, 10.0.0.0/8")]),
        )
        .expect("ok")
        .expect("proxy");
        let r = route(Some(&p));
        assert!(r.is_proxied(&uri("https://gateway.zignsec.com/x")));
        assert!(!r.is_proxied(&uri("https://api.internal.example/x")));
        assert!(!r.is_proxied(&uri("https://10.1.2.3/x")));
        assert!(!r.is_proxied(&uri("https://localhost:8443/x")));
        assert!(!r.is_proxied(&uri("https://sim.localhost:8443/x")));
        assert!(!r.is_proxied(&uri("https://127.0.0.1:8443/x")));
        assert!(!r.is_proxied(&uri("https://[::1]:8443/x")));
        assert!(!r.is_proxied(&uri("http://gateway.zignsec.com/x")));
        assert!(!route(None).is_proxied(&uri("https://gateway.zignsec.com/x")));
        let star = resolve(Some("http://proxy:3128"), &env(&[("NO_PROXY", "*")]))
            .expect("ok")
            .expect("proxy");
        assert!(!route(Some(&star)).is_proxied(&uri("https://gateway.zignsec.com/x")));
    }

    #[test]
    fn bad_values_are_config_errors_without_the_password() {
        for bad in [
            "socks5://u:s3cret@proxy:1080",
            "https://u:s3cret@proxy:443",
            "http://u:s3cret@proxy",
            "http://u:s3cret@proxy:3128/path",
            "u:s3cret@proxy:3128",
            "http://u:s3cret@@proxy:1 x",
            "",
        ] {
            let e = resolve(Some(bad), &env(&[])).expect_err(bad);
            assert_eq!(e.code(), ErrorCode::InvalidConfig, "{bad}");
            assert!(e.message().contains("transport.proxy"), "{}", e.message());
            assert!(e.message().contains("http://"), "{}", e.message());
            assert!(!e.message().contains("s3cret"), "{}", e.message());
        }
        // From the environment, an unusable value is refused only when a connection needs it:
        // loopback and NO_PROXY destinations still go direct.
        let p = resolve(
            None,
            &env(&[
                ("ALL_PROXY", "socks5h://u:s3cret@p:1"),
                ("NO_PROXY", "internal.example"),
            ]),
        )
        .expect("construction is not refused")
        .expect("a proxy choice");
        let why = p.unusable.clone().expect("unusable");
        assert!(why.contains("ALL_PROXY"), "{why}");
        assert!(!why.contains("s3cret"), "{why}");
        assert!(!format!("{p:?}").contains("s3cret"));
        let r = route(Some(&p));
        assert!(!r.is_proxied(&uri("https://127.0.0.1:8443/x")));
        assert!(!r.is_proxied(&uri("https://api.internal.example/x")));
        assert!(r.is_proxied(&uri("https://gateway.zignsec.com/x")));
    }

    #[test]
    fn redaction_hides_passwords() {
        assert_eq!(redact_userinfo("http://u:pw@h:1"), "http://u:***@h:1");
        assert_eq!(redact_userinfo("http://tok@h:1"), "http://***@h:1");
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
        assert_eq!(redact_userinfo("u:p@w@h:1"), "u:***@h:1");
        assert_eq!(redact_userinfo("http://u:p/w@h:1/"), "http://u:***@h:1/");
    }
}
