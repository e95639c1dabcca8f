//! Which addresses a webhook may be delivered to: only those the IANA
//! special-purpose address registries mark globally reachable
//! (<https://www.iana.org/assignments/iana-ipv4-special-registry>,
//! <https://www.iana.org/assignments/iana-ipv6-special-registry>), and no
//! IPv6 form that embeds an IPv4 address that is not.
//!
//! A hand list, because no maintained crate covers it: the standard
//! library's `is_global` is unstable, and the crates that copy it judge
//! NAT64 and 6to4 addresses by their prefix instead of by the IPv4 address
//! inside them. Where the registry marks a block "N/A" or leaves a few
//! hosts of a refused block reachable (`192.0.0.9`, `2001:4:112::/48`), the
//! whole block is refused: nobody delivers webhooks to an anycast relay.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 blocks that are not globally reachable (the registry's "false" and
/// "N/A" rows, plus multicast, which is not unicast at all).
const V4_REFUSED: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private use
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link local
    ([172, 16, 0, 0], 12),   // private use
    ([192, 0, 0, 0], 24),    // IETF protocol assignments (incl. NAT64 discovery .170/.171)
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private use
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved for future use, and the broadcast address
];

/// IPv6 blocks inside global unicast (`2000::/3`) that are not globally
/// reachable. Everything outside `2000::/3` is refused (loopback,
/// unspecified, IPv4-compatible `::/96`, SIIT `::ffff:0:0:0/96`, discard,
/// unique local, site local `fec0::/10`, link local, multicast), but for the
/// two forms judged by the IPv4 address they carry (see [`embedded_v4`]).
const V6_REFUSED: &[(u128, u8)] = &[
    (0x2001_0000 << 96, 23), // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
    (0x2001_0db8 << 96, 32), // documentation
    (0x3fff_0000 << 96, 20), // documentation
    (0x5f00 << 112, 16),     // SRv6 SIDs
];

fn in_v4(ip: Ipv4Addr, (net, len): ([u8; 4], u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, (net, len): (u128, u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == net & mask
}

/// The IPv4 address an IPv6 address stands for, for the forms that reach
/// an IPv4 host: IPv4-mapped (`::ffff:a.b.c.d`), the NAT64 well-known
/// prefix (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if in_v6(ip, (0xffff << 32, 96)) || in_v6(ip, (0x0064_ff9b << 96, 96)) {
        return Some(low);
    }
    if in_v6(ip, (0x2002 << 112, 16)) {
        return Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32));
    }
    None
}

/// Whether `ip` is globally reachable, so that a webhook may go to it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !V4_REFUSED.iter().any(|&block| in_v4(v4, block)),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_public(IpAddr::V4(v4));
            }
            in_v6(v6, (0x2 << 124, 3)) && !V6_REFUSED.iter().any(|&block| in_v6(v6, block))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn special_purpose_ipv4_is_refused() {
        for ip in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "192.0.0.170",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!public(ip), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "198.20.0.1",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn special_purpose_ipv6_is_refused() {
        for ip in [
            "::",
            "::1",
            "::7f00:1",
            "::8.8.8.8",
            "::ffff:0:7f00:1",
            "100::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd00::1",
            "fec0::1",
            "fe80::1",
            "ff02::1",
            "64:ff9b:1::1",
        ] {
            assert!(!public(ip), "{ip}");
        }
        assert!(public("2606:2800:220:1::1"));
        assert!(public("2a00:1450:4001:80b::200e"));
    }

    #[test]
    fn ipv6_forms_of_ipv4_are_judged_by_the_ipv4_address() {
        for ip in [
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2002:a00:1::",
        ] {
            assert!(!public(ip), "{ip}");
        }
        for ip in [
            "::ffff:93.184.216.34",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(ip), "{ip}");
        }
    }
}
