//! Who the client is when Doorstep sits behind reverse proxies (nginx, Caddy, a load
//! balancer). Only proxies the installation names are believed: from one of them, the client
//! is the right-most address of `X-Forwarded-For` (or `Forwarded`) that is not itself a
//! trusted proxy; from anyone else those headers are ignored, since anybody can send them.
//!
//! The walk from the right is what neither `axum-client-ip` nor `client-ip` offer (they take
//! the single right-most entry, wrong behind two hops such as a CDN and nginx), so it is
//! written here on `ipnet`'s ranges.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The addresses and ranges of the installation's own proxies (none by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma- or space-separated list of addresses (`10.0.0.5`, `::1`) and CIDR ranges
    /// (`10.0.0.0/8`).
    fn from_str(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match item.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => return Err(format!("\"{item}\" is neither an address nor a CIDR range such as 10.0.0.0/8")),
                },
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }
}

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client's address for a connection from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        // Each proxy appends the address it was reached from, so the chain reads left to
        // right from the client to the last proxy before `peer`. The first address from the
        // right that is not one of ours is the client as far as we can know; whatever lies to
        // its left the client could have written itself.
        let chain = forwarded_for(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            let Some(ip) = hop else {
                // An entry a proxy could not turn into an address ("unknown", a name): the
                // trail stops at the last address we could trust.
                return client;
            };
            client = canonical(*ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:10.0.0.1`, from dual-stack listeners) compared as
/// the IPv4 addresses they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The addresses of the hops, left to right: from `Forwarded` (RFC 7239) when a proxy sent
/// it, else from `X-Forwarded-For`. `None` for an entry that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(|s| s.trim().to_owned()).collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim().eq_ignore_ascii_case("for").then(|| node_address(value.trim()))
                })?
            })
            .collect();
    }
    values("x-forwarded-for").iter().map(|entry| node_address(entry)).collect()
}

/// The address of a node as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `"[2001:db8::1]:4711"`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    // An IPv4 address with a port.
    node.rsplit_once(':').and_then(|(host, _port)| host.parse::<std::net::Ipv4Addr>().ok()).map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_of_addresses_and_ranges_are_read_and_bad_ones_named() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8 ::1".parse().unwrap();
        assert!(proxies.trusts(ip("127.0.0.1")));
        assert!(proxies.trusts(ip("10.20.30.40")));
        assert!(proxies.trusts(ip("::1")));
        assert!(proxies.trusts(ip("::ffff:10.1.2.3")), "IPv4 seen through a dual-stack socket");
        assert!(!proxies.trusts(ip("127.0.0.2")));
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
        let err = "10.0.0.0/8, proxy.local".parse::<TrustedProxies>().unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies: TrustedProxies = "127.0.0.1".parse().unwrap();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(proxies.client(ip("203.0.113.9"), &forged), ip("203.0.113.9"));
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &forged), ip("127.0.0.1"), "no proxies trusted by default");
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        // The client wrote a fake first entry; nginx appended the real one.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("198.51.100.7"));
        // A CDN edge (trusted range) between the client and nginx; headers split over lines.
        let h = headers(&[("x-forwarded-for", "198.51.100.7"), ("x-forwarded-for", "10.1.1.1")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("198.51.100.7"));
        // Only trusted hops: the left-most of them.
        let h = headers(&[("x-forwarded-for", "10.1.1.2, 10.1.1.1")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("10.1.1.2"));
        // No header from a trusted proxy: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
        // A garbled entry stops the walk at the last trusted hop.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, unknown, 10.1.1.1")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("10.1.1.1"));
    }

    #[test]
    fn the_standard_forwarded_header_is_read_with_ports_and_ipv6() {
        let proxies: TrustedProxies = "127.0.0.1".parse().unwrap();
        let h = headers(&[("forwarded", r#"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;by=127.0.0.1"#)]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "proto=https;For=192.0.2.60:8080")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("192.0.2.60"));
    }
}
