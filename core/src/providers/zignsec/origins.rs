//! The origins (scheme, host, port) that belong to one configured ZignSec service, and the rules
//! a download URL taken from the gateway's answer must follow.
//!
//! The documented set per environment (seed 000 names the two-way TLS hosts, seed 001 the
//! gateway and its `/folders/{sessionId}/media/{fileId}` document URLs):
//!
//! | environment | origins |
//! |---|---|
//! | test | `https://test-gateway.zignsec.com`, `https://api-test.zignsec.com` |
//! | prod | `https://gateway.zignsec.com`, `https://api-prod.zignsec.com` |
//!
//! A client talks to one of them (the two-way TLS host when a client certificate is configured)
//! and the session's file URLs point at the gateway host: both are the same service, so the
//! subscription key and the client certificate go to either. A `base_url` on one of the
//! documented origins brings its environment's set; any other `base_url` (the simulator, a
//! proxy) is a set of its own. `zignsec.service_origins` adds origins on top — never "any host".

use std::net::IpAddr;

use url::Url;

use super::Environment;
use crate::error::{Error, Result};
use crate::transport::shown_url;

/// The documented origins of `env`: the gateway, then the two-way TLS host.
pub fn documented_origins(env: Environment) -> [&'static str; 2] {
    [env.gateway(), env.mtls_gateway()]
}

/// The origins of the service whose base URL is `base`, besides `base` itself: the documented
/// set when `base` is on a documented origin, plus `extra` (the user's
/// `zignsec.service_origins`, each checked like a base URL).
pub(crate) fn service_origins(base: &Url, extra: &[String]) -> Result<Vec<Url>> {
    let mut out = Vec::new();
    for env in [Environment::Test, Environment::Prod] {
        let set = documented_origins(env);
        let parsed: Vec<Url> = set.iter().filter_map(|s| Url::parse(s).ok()).collect();
        if parsed.iter().any(|u| u.origin() == base.origin()) {
            out.extend(parsed.into_iter().filter(|u| u.origin() != base.origin()));
        }
    }
    for (i, raw) in extra.iter().enumerate() {
        let u = Url::parse(raw.trim()).map_err(|e| {
            Error::invalid_config(format!(
                "zignsec.service_origins[{i}] is not a URL ({e}); give an origin such as \
                 https://gateway.example.com"
            ))
        })?;
        if !matches!(u.scheme(), "https" | "http") || u.host().is_none() {
            return Err(Error::invalid_config(format!(
                "zignsec.service_origins[{i}] is not an http(s) origin; give e.g. \
                 https://gateway.example.com"
            )));
        }
        out.push(u);
    }
    Ok(out)
}

pub use crate::transport::is_link_local_or_metadata;

/// Check a download URL taken from the gateway's answer: `https` (plain `http` only to
/// loopback, as for base URLs), on the service's origins (`base` or `origins`), never a
/// link-local or metadata address unless that origin was configured by the user (`configured`).
pub(crate) fn check_download_url(
    file_id: &str,
    url: &Url,
    base: &Url,
    origins: &[Url],
    configured: &[Url],
) -> Result<()> {
    let shown = shown_url(url);
    match url.scheme() {
        "https" => {}
        "http" if crate::transport::is_loopback(url) => {}
        "http" => {
            return Err(Error::protocol(format!(
                "file {file_id}: the gateway gave the download URL {shown} over plain http; \
                 only https is fetched (plain http only on loopback)"
            )))
        }
        other => {
            return Err(Error::protocol(format!(
                "file {file_id}: the download URL has scheme {other:?}; only https is fetched"
            )))
        }
    }
    let same = |o: &Url| o.origin() == url.origin();
    let ip = match url.host() {
        Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
        _ => None,
    };
    if ip.is_some_and(is_link_local_or_metadata) && !configured.iter().any(same) {
        return Err(Error::protocol(format!(
            "file {file_id}: the download URL {shown} points at a link-local or metadata \
             address; it is not fetched (configure that origin explicitly to allow it)"
        )));
    }
    if !(same(base) || origins.iter().any(same)) {
        return Err(Error::protocol(format!(
            "file {file_id}: the download URL {shown} is not on one of the service's origins \
             ({}); add its origin to zignsec.service_origins if your installation serves \
             files there",
            std::iter::once(base)
                .chain(origins)
                .map(|o| o.origin().ascii_serialization())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn each_environment_is_its_gateway_and_its_two_way_tls_host() {
        let o = service_origins(&u("https://api-test.zignsec.com/"), &[]).expect("origins");
        assert_eq!(o, vec![u("https://test-gateway.zignsec.com")]);
        let o = service_origins(&u("https://gateway.zignsec.com/"), &[]).expect("origins");
        assert_eq!(o, vec![u("https://api-prod.zignsec.com")]);
        // Another base is a set of its own, plus what the user adds.
        let o = service_origins(
            &u("http://127.0.0.1:9/"),
            &["http://127.0.0.1:10".to_owned()],
        )
        .expect("origins");
        assert_eq!(o, vec![u("http://127.0.0.1:10")]);
        assert!(service_origins(&u("http://127.0.0.1:9/"), &["ftp://x".to_owned()]).is_err());
    }

    #[test]
    fn download_urls_stay_on_the_service() {
        let base = u("https://api-test.zignsec.com/");
        let origins = service_origins(&base, &[]).expect("origins");
        let check = |s: &str| check_download_url("f", &u(s), &base, &origins, &[]);
        assert!(check("https://test-gateway.zignsec.com/folders/s/media/f").is_ok());
        assert!(check("https://api-test.zignsec.com/folders/s/media/f").is_ok());
        for bad in [
            "http://test-gateway.zignsec.com/folders/s/media/f",
            "https://gateway.zignsec.com/folders/s/media/f",
            "https://evil.example/folders/s/media/f",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00:ec2::254]/latest",
            "https://[fe80::1]/x",
            "ftp://test-gateway.zignsec.com/x",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        // A link-local origin the user configured is theirs to use.
        let local = u("https://169.254.10.10");
        assert!(check_download_url(
            "f",
            &u("https://169.254.10.10/x"),
            &base,
            std::slice::from_ref(&local),
            std::slice::from_ref(&local),
        )
        .is_ok());
        assert!(is_link_local_or_metadata(
            "::ffff:169.254.169.254".parse().expect("ip")
        ));
        assert!(!is_link_local_or_metadata("10.0.0.1".parse().expect("ip")));
    }
}
