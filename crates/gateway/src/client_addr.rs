//! Who is on the other end: the client address that per-address rate
//! limits count against.
//!
//! The address is the socket's peer. Only when that peer is a configured
//! trusted proxy is `X-Forwarded-For` read, and then from the right: each
//! trusted proxy appends the address it received from, so the rightmost
//! entry that is not a trusted proxy is the first one no trusted party
//! vouches for, the client. Entries left of it are whatever the client
//! chose to send and are never used.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

/// IPs and CIDR blocks of the reverse proxies in front of the gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            if headers.contains_key("x-forwarded-for") {
                warn_untrusted_forwarding(client);
            }
            return client;
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            // Something unreadable ends the chain: what lies left of it
            // cannot be trusted either.
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// Says once per process that a peer which is not a trusted proxy sent
/// `X-Forwarded-For`: behind a proxy missing from `ROSTER_TRUSTED_PROXIES`
/// every client is the proxy's address, so one client's failures limit
/// everybody's log-ins and accepts (docs/operations/production-checklist.md).
fn warn_untrusted_forwarding(peer: IpAddr) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "a request carries X-Forwarded-For from a peer that is not in \
             ROSTER_TRUSTED_PROXIES: the header is ignored and rate limits count \
             the peer itself; if Roster is behind a reverse proxy, add it there"
        );
    }
}

/// A comma-separated list of IPs and CIDR blocks (`10.0.0.0/8, ::1`).
impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

/// IPv4 seen through an IPv6 socket (`::ffff:1.2.3.4`) is that IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The client address of a request, as request data for the resolvers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What per-address limits count against: the address, or for IPv6
    /// its /64, since one host commonly holds a whole /64.
    pub fn limit_subject(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(bits))
            }
        }
    }
}

/// From any state the trusted proxies can be read from (`FromRef`).
impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Served without connect info (never by `roster serve`) every
        // request shares one unknown address, which limits stay correct for.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip());
        let proxies = TrustedProxies::from_ref(state);
        Ok(Self(proxies.client(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.1".parse().unwrap();
        let spoofed = headers(&["6.6.6.6"]);
        assert_eq!(proxies.client(ip("8.8.8.8"), &spoofed), ip("8.8.8.8"));
        assert_eq!(proxies.client(ip("10.1.2.3"), &spoofed), ip("6.6.6.6"));
        // The rightmost untrusted hop, whatever the client put before it.
        let chain = headers(&["1.1.1.1, 2.2.2.2", "10.0.0.7"]);
        assert_eq!(proxies.client(ip("192.168.1.1"), &chain), ip("2.2.2.2"));
        // Garbage stops the walk at the last trusted hop.
        let garbage = headers(&["3.3.3.3, nonsense, 10.0.0.9"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &garbage), ip("10.0.0.9"));
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &spoofed),
            ip("6.6.6.6")
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a = ClientAddr(ip("2001:db8:1:2:aaaa::1")).limit_subject();
        let b = ClientAddr(ip("2001:db8:1:2:bbbb::2")).limit_subject();
        assert_eq!(a, b);
        assert_eq!(ClientAddr(ip("1.2.3.4")).limit_subject(), "1.2.3.4");
    }
}
