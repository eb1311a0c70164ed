//! HTTPS proxy support: which proxy (if any) a client's connections go through. reqwest opens
//! the tunnels; this module decides the route and explains failures.
//!
//! Only `https` destinations are tunnelled (`CONNECT`); TLS stays end to end with the provider
//! (the proxy sees only `host:port`). Plain `http` destinations (only ever the loopback
//! simulator) and loopback `https` destinations always go direct, and so do the hosts of
//! `NO_PROXY`. The proxy's credentials (the URL's userinfo) go only into the `CONNECT` request's
//! `Proxy-Authorization` header: never to the provider, into logs, error messages or `Debug`.
//!
//! Why the route is decided here and not by reqwest's own proxy matching: reqwest reads
//! `HTTP_PROXY` for plain http too and does not exempt loopback hosts, and its matcher cannot be
//! asked whether a destination is proxied — which the error messages (naming the proxy) and an
//! unusable proxy variable (refused only for calls that would use it) need. reqwest is given a
//! custom proxy that asks [`Route::proxy_for`].

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

use http::Uri;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

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

/// Whether `host` (a URL's host, IPv6 in brackets or not) is a loopback host by name or address
/// literal (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`): such connections never go through
/// a proxy.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
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

/// One entry of `NO_PROXY`, read as curl reads it.
#[derive(Debug, Clone)]
enum NoProxyEntry {
    /// `*`: every host goes direct.
    All,
    /// A host name: that host and its subdomains (`example.com`, `.example.com`,
    /// `*.example.com`).
    Domain(String),
    /// An address, or a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`).
    Net(IpAddr, u8),
}

impl NoProxyEntry {
    fn parse(entry: &str) -> Option<NoProxyEntry> {
        let entry = entry.trim();
        if entry.is_empty() {
            return None;
        }
        if entry == "*" {
            return Some(NoProxyEntry::All);
        }
        let (addr, bits) = match entry.split_once('/') {
            Some((a, b)) => (a, b.parse::<u8>().ok()),
            None => (entry, None),
        };
        let addr_trimmed = addr.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = addr_trimmed.parse::<IpAddr>() {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            return Some(NoProxyEntry::Net(ip, bits.unwrap_or(max).min(max)));
        }
        let domain = entry.trim_start_matches("*.").trim_start_matches('.');
        // A port written after the name (`host:8443`) is ignored, as curl does.
        let domain = domain.split(':').next().unwrap_or("").trim_end_matches('.');
        (!domain.is_empty()).then(|| NoProxyEntry::Domain(domain.to_ascii_lowercase()))
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            NoProxyEntry::All => true,
            NoProxyEntry::Domain(d) => {
                let host = host.trim_end_matches('.').to_ascii_lowercase();
                host == *d
                    || host
                        .strip_suffix(d.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
            NoProxyEntry::Net(net, bits) => {
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let Ok(ip) = host.parse::<IpAddr>() else {
                    return false;
                };
                match (ip, net) {
                    (IpAddr::V4(a), IpAddr::V4(n)) => prefix_eq(&a.octets(), &n.octets(), *bits),
                    (IpAddr::V6(a), IpAddr::V6(n)) => prefix_eq(&a.octets(), &n.octets(), *bits),
                    _ => false,
                }
            }
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let whole = bits / 8;
    if a.get(..whole) != b.get(..whole) {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

/// The proxy route of a client: which destinations go through the proxy, and how it is shown.
#[derive(Clone)]
pub(crate) struct Route {
    /// The proxy URL as given; may hold credentials, so it is never shown.
    url: SecretString,
    /// `host:port` of the proxy, for messages.
    shown: Arc<str>,
    no_proxy: Arc<[NoProxyEntry]>,
    /// See [`ProxyChoice::unusable`].
    unusable: Option<Arc<str>>,
}

impl Route {
    /// The route of `choice`.
    pub(crate) fn new(choice: &ProxyChoice) -> Route {
        tracing::debug!(proxy = %choice.shown, "https connections go through a proxy");
        Route {
            url: choice.url.clone(),
            shown: Arc::from(choice.shown.as_str()),
            no_proxy: choice
                .no_proxy
                .split([',', ' '])
                .filter_map(NoProxyEntry::parse)
                .collect(),
            unusable: choice.unusable.as_deref().map(Arc::from),
        }
    }

    /// `host:port` of the proxy a connection to `dst` goes through; `None`: direct.
    pub(crate) fn proxy_for(&self, dst: &Url) -> Option<&str> {
        if dst.scheme() != "https" {
            return None;
        }
        let host = dst.host_str()?;
        if is_loopback(host) || self.no_proxy.iter().any(|e| e.matches(host)) {
            return None;
        }
        Some(&self.shown)
    }

    /// The configuration error of a call to `dst` when it would need a proxy that cannot be
    /// used (an unusable proxy variable of the environment).
    pub(crate) fn unusable_for(&self, dst: &Url, what: &str) -> Option<Error> {
        let why = self.unusable.as_deref()?;
        self.proxy_for(dst)?;
        let host = dst.host_str().unwrap_or("?");
        let port = dst.port_or_known_default().unwrap_or(0);
        Some(Error::invalid_config(format!(
            "{what}: {host}:{port} would be reached through the proxy of the environment, which \
             is not usable: {why}"
        )))
    }

    /// The proxy for reqwest: every destination [`proxy_for`](Self::proxy_for) routes through
    /// it; `None` when the proxy cannot be used (calls that need it are refused before).
    pub(crate) fn reqwest_proxy(&self) -> Option<reqwest::Proxy> {
        if self.unusable.is_some() {
            return None;
        }
        let route = self.clone();
        Some(reqwest::Proxy::custom(move |dst: &Url| {
            route
                .proxy_for(dst)
                .map(|_| route.url.expose_secret().to_string())
        }))
    }

    /// Whether a connection to `dst` goes through the proxy.
    #[cfg(test)]
    fn is_proxied(&self, dst: &str) -> bool {
        self.proxy_for(&Url::parse(dst).expect("url")).is_some()
    }
}

/// The error of a call whose connection through the proxy `proxy` failed (`chain`: the causes
/// of the connect error, `timed_out`: the connection set-up ran out of time). Auth for a 407
/// (retrying cannot help), Timeout when the proxy was too slow, Network otherwise; the message
/// says the provider was never reached. `what` the call did, `host:port` of the provider.
pub(crate) fn failure(
    proxy: &str,
    chain: &str,
    timed_out: bool,
    what: &str,
    host: &str,
    port: u16,
) -> Error {
    // reqwest opens the tunnel with hyper-util's `Tunnel`, whose errors read "tunnel error: …".
    let c = chain.to_ascii_lowercase();
    let (code, why, advice) = if c.contains("proxy authorization required") {
        (
            ErrorCode::Auth,
            "refused the proxy credentials (HTTP 407 Proxy Authentication Required)".to_string(),
            "Put the proxy's user name and password in the proxy URL \
             (http://user:password@host:port) in transport.proxy or HTTPS_PROXY",
        )
    } else if c.contains("tunnel error: unsuccessful") {
        (
            ErrorCode::Network,
            "refused to open a tunnel (CONNECT was not answered with 200)".to_string(),
            "Check that the proxy allows CONNECT to this host and port, its credentials, and \
             transport.proxy / HTTPS_PROXY (NO_PROXY lists hosts that go direct)",
        )
    } else if timed_out {
        (
            ErrorCode::Timeout,
            "connecting (name resolution, TCP, the tunnel and TLS) took longer than \
             transport.connect_timeout_ms"
                .to_string(),
            "Check transport.proxy / HTTPS_PROXY, or allow more time with \
             transport.connect_timeout_ms",
        )
    } else if c.contains("unexpected end of file") {
        (
            ErrorCode::Network,
            "closed the connection instead of answering CONNECT".to_string(),
            "Check transport.proxy / HTTPS_PROXY (set transport.proxy to \"direct\" to connect \
             without a proxy; NO_PROXY lists hosts that go direct)",
        )
    } else {
        (
            ErrorCode::Network,
            format!("could not be reached ({chain})"),
            "Check transport.proxy / HTTPS_PROXY (set transport.proxy to \"direct\" to connect \
             without a proxy; NO_PROXY lists hosts that go direct)",
        )
    };
    let failed = if timed_out {
        format!("through the HTTPS proxy {proxy}: {why}")
    } else {
        format!("through the HTTPS proxy: the proxy {proxy} {why}")
    };
    Error::new(
        code,
        format!(
            "{what}: could not reach {host}:{port} {failed}; the request never reached the \
             provider. {advice}"
        ),
    )
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

    fn route(choice: Option<&ProxyChoice>) -> Option<Route> {
        choice.map(Route::new)
    }

    fn proxied(r: &Option<Route>, dst: &str) -> bool {
        r.as_ref().is_some_and(|r| r.is_proxied(dst))
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
        assert!(proxied(&r, "https://gateway.zignsec.com/x"));
        assert!(!proxied(&r, "https://api.internal.example/x"));
        assert!(!proxied(&r, "https://10.1.2.3/x"));
        assert!(!proxied(&r, "https://localhost:8443/x"));
        assert!(!proxied(&r, "https://sim.localhost:8443/x"));
        assert!(!proxied(&r, "https://127.0.0.1:8443/x"));
        assert!(!proxied(&r, "https://[::1]:8443/x"));
        assert!(!proxied(&r, "http://gateway.zignsec.com/x"));
        assert!(!proxied(&route(None), "https://gateway.zignsec.com/x"));
        let star = resolve(Some("http://proxy:3128"), &env(&[("NO_PROXY", "*")]))
            .expect("ok")
            .expect("proxy");
        assert!(!proxied(
            &route(Some(&star)),
            "https://gateway.zignsec.com/x"
        ));
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
        assert!(!proxied(&r, "https://127.0.0.1:8443/x"));
        assert!(!proxied(&r, "https://api.internal.example/x"));
        assert!(proxied(&r, "https://gateway.zignsec.com/x"));
    }

    #[test]
    fn redaction_hides_passwords() {
        assert_eq!(redact_userinfo("http://u:pw@h:1"), "http://u:***@h:1");
        assert_eq!(redact_userinfo("http://tok@h:1"), "http://***@h:1");
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
        assert_eq!(redact_userinfo("u:p@w@h:1"), "u:***@h:1");
        assert_eq!(redact_userinfo("http://u:p/w@h:1/"), "http://u:***@h:1/");
    }

    #[test]
    fn no_proxy_entries_read_like_curl() {
        let p = resolve(
            Some("http://proxy:3128"),
            &env(&[(
                "NO_PROXY",
                ".corp.example, *.wild.example,host.example:8443, 192.168.1.7, fd00::/8, [::2]",
            )]),
        )
        .expect("ok")
        .expect("proxy");
        let r = route(Some(&p));
        assert!(!proxied(&r, "https://corp.example/"));
        assert!(!proxied(&r, "https://a.b.corp.example/"));
        assert!(proxied(&r, "https://notcorp.example/"));
        assert!(!proxied(&r, "https://x.wild.example/"));
        assert!(!proxied(&r, "https://HOST.example/"));
        assert!(!proxied(&r, "https://192.168.1.7/"));
        assert!(proxied(&r, "https://192.168.1.8/"));
        assert!(!proxied(&r, "https://[fd12::1]/"));
        assert!(!proxied(&r, "https://[::2]/"));
        assert!(proxied(&r, "https://[2001:db8::1]/"));
    }
}
