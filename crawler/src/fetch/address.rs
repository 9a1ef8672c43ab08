//! The address policy: which hosts the crawler may connect to.
//!
//! Only `http` and `https`. Private, loopback, link-local (incl.
//! 169.254.169.254), CGNAT, documentation, multicast, reserved and unspecified
//! addresses are refused, for IPv4 and IPv6 (IPv4-mapped and NAT64 addresses
//! are judged by their embedded IPv4 address). Checked for IP-literal hosts,
//! after DNS resolution ([`FilteringResolver`]), and on every redirect hop.
//! The operator may allow networks explicitly (tests allow loopback).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::Url;

use super::FetchError;

/// Whether `ip` is a globally routable unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                   // "this network", unspecified
        || a == 10                             // private
        || a == 127                            // loopback
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 169 && b == 254)              // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0)      // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)      // TEST-NET-1
        || (a == 192 && b == 88 && c == 99)    // 6to4 relay anycast
        || (a == 192 && b == 168)              // private
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100)   // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)    // TEST-NET-3
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let o = ip.octets();
        return is_public_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    !(s[0..6] == [0, 0, 0, 0, 0, 0]             // ::, ::1, deprecated IPv4-compatible
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0]) // discard 100::/64
        || (s[0] == 0x2001 && s[1] == 0xdb8)   // documentation
        || (s[0] & 0xfe00) == 0xfc00           // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80           // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0           // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00) // multicast
}

/// Which addresses may be contacted: public ones plus explicitly allowed networks.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow: Vec<IpNet>,
}

impl AddressPolicy {
    /// A policy that also permits the given networks.
    pub fn new(allow: Vec<IpNet>) -> Self {
        AddressPolicy { allow }
    }

    /// Whether the crawler may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allow.iter().any(|net| net.contains(&ip))
    }

    /// Check a URL before any connection: scheme, IP literal, and (for names)
    /// every address the name resolves to.
    pub async fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(FetchError::Blocked(format!("scheme {}", url.scheme())));
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::BadUrl(format!("no host in {url}")))?;
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return self.check_ip(ip);
        }
        let addrs = self.resolve(host, port).await?;
        if addrs.is_empty() {
            return Err(FetchError::Blocked(format!(
                "{host} has no permitted address"
            )));
        }
        Ok(())
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), FetchError> {
        if self.permits(ip) {
            Ok(())
        } else {
            Err(FetchError::Blocked(format!("address {ip} is not public")))
        }
    }

    /// Resolve `name` and keep only permitted addresses.
    pub async fn resolve(&self, name: &str, port: u16) -> Result<Vec<SocketAddr>, FetchError> {
        let found = tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| FetchError::Network(format!("resolving {name}: {e}")))?;
        Ok(found.filter(|a| self.permits(a.ip())).collect())
    }
}

/// A reqwest resolver that only returns permitted addresses, so a name that
/// changes its answer between the check and the connection is still caught.
#[derive(Debug, Clone)]
pub struct FilteringResolver {
    /// The policy the resolved addresses are filtered by.
    pub policy: Arc<AddressPolicy>,
}

impl reqwest::dns::Resolve for FilteringResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let name = name.as_str().to_string();
        Box::pin(async move {
            let addrs = policy.resolve(&name, 0).await?;
            if addrs.is_empty() {
                return Err(format!("{name} has no permitted address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn non_public_addresses() {
        for s in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "127.0.0.1",
            "127.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "169.254.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "64:ff9b::a00:1",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff05::2",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(!is_public(ip(s)), "{s} should not be public");
        }
    }

    #[test]
    fn public_addresses() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "169.253.1.1",
            "192.169.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(s)), "{s} should be public");
        }
    }

    #[test]
    fn allow_list_permits_loopback() {
        let strict = AddressPolicy::default();
        assert!(!strict.permits(ip("127.0.0.1")));
        let loose = AddressPolicy::new(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(loose.permits(ip("127.0.0.1")));
        assert!(!loose.permits(ip("10.0.0.1")));
    }
}
