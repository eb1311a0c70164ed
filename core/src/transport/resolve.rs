//! Name resolution that never connects a host *name* to a link-local or cloud-metadata
//! address. URLs with such an address written out are refused where provider-supplied URLs are
//! checked ([`crate::providers::zignsec::origins`]); this covers the names that resolve there
//! (`metadata.google.internal`, or a DNS answer rebound to 169.254.169.254), whoever supplied
//! the URL. A deployment that really serves a provider on a link-local address configures that
//! address itself, as an IP literal, which does not go through this resolver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is a link-local or cloud-metadata address: 169.254.0.0/16 (the IPv4 metadata
/// services among them), fe80::/10, AWS's IPv6 metadata service `fd00:ec2::254`, and their
/// IPv4-mapped forms. Private networks (RFC 1918, other IPv6 unique-local addresses) are not:
/// on-premises services live there.
pub fn is_link_local_or_metadata(ip: IpAddr) -> bool {
    fn v4(ip: Ipv4Addr) -> bool {
        ip.is_link_local()
    }
    fn v6(ip: Ipv6Addr) -> bool {
        if let Some(m) = ip.to_ipv4_mapped() {
            return v4(m);
        }
        let first = ip.segments()[0];
        (first & 0xffc0) == 0xfe80 || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
    }
    match ip {
        IpAddr::V4(a) => v4(a),
        IpAddr::V6(a) => v6(a),
    }
}

/// The addresses of `host` a connection may use: all of them but the link-local and metadata
/// ones; an error when nothing else is left.
pub(crate) fn routable(
    host: &str,
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, String> {
    let (bad, good): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
        .into_iter()
        .partition(|a| is_link_local_or_metadata(a.ip()));
    if good.is_empty() && !bad.is_empty() {
        return Err(format!(
            "the name {host} resolves only to link-local or cloud-metadata addresses ({}); a \
             host name is never connected there. If a provider really listens on such an \
             address, configure the address itself instead of the name",
            bad.iter()
                .map(|a| a.ip().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(good)
}

/// The system resolver (getaddrinfo, off the runtime's workers) with [`routable`] applied.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept = routable(&host, found)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().expect("ip"), 0)
    }

    #[test]
    fn metadata_answers_are_dropped_and_alone_refused() {
        assert_eq!(
            routable("mixed.example", [sa("169.254.169.254"), sa("10.1.2.3")]),
            Ok(vec![sa("10.1.2.3")])
        );
        let err = routable("metadata.google.internal", [sa("169.254.169.254")])
            .expect_err("only metadata");
        assert!(err.contains("metadata.google.internal") && err.contains("169.254.169.254"));
        for bad in ["fe80::1", "fd00:ec2::254", "::ffff:169.254.1.1"] {
            assert!(routable("x.example", [sa(bad)]).is_err(), "{bad}");
        }
        // Private networks (RFC 1918, IPv6 ULA) and loopback are where on-premises HSMs and
        // the simulator live: kept.
        for ok in [
            "10.0.0.1",
            "192.168.1.7",
            "fd12:3456::1",
            "127.0.0.1",
            "::1",
        ] {
            assert_eq!(routable("x.example", [sa(ok)]), Ok(vec![sa(ok)]), "{ok}");
        }
        // No answer at all stays the resolver's own "not found".
        assert_eq!(routable("x.example", []), Ok(vec![]));
    }

    #[tokio::test]
    async fn localhost_still_resolves() {
        let addrs: Vec<SocketAddr> = GuardedResolver
            .resolve("localhost".parse().expect("name"))
            .await
            .expect("resolves")
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
