//! Where an endpoint may point: its URL's form, and the addresses its host
//! resolves to (checked when it is created and again at every send).

use std::net::IpAddr;

use super::MAX_URL_CHARS;
use super::reachable::is_public;
use crate::DomainError;
use crate::error::Result;

/// An endpoint's URL, checked for its form: `https` (or `http` where
/// private addresses are allowed: development and tests), a host, no
/// credentials. Where the host points is checked separately
/// ([`check_addresses`]), when it is created and again at every send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(s: &str, allow_private: bool) -> Result<Self> {
        let invalid = |why: &str| DomainError::validation(format!("url: {why}"));
        if s.chars().count() > MAX_URL_CHARS {
            return Err(invalid("too long"));
        }
        let url = url::Url::parse(s.trim()).map_err(|_| invalid("not a valid URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err(invalid("must be https")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not hold credentials"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(invalid("has no host")),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| invalid("has no port"))?;
        Ok(Self {
            url: url.to_string(),
            host,
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
    /// The host to resolve (a name, or an address without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host of a stored URL, for what others than ADMINs read (the
    /// audit log): a URL's path or query may carry the receiver's token.
    pub fn host_of(url: &str) -> String {
        Self::parse(url, true).map(|u| u.host).unwrap_or_default()
    }
}

/// The addresses a URL's host resolved to must all be globally reachable
/// ([`is_public`]), unless private ones are allowed; a host that resolves
/// to nothing is refused.
pub fn check_addresses(addrs: &[IpAddr], allow_private: bool) -> Result<()> {
    if addrs.is_empty() {
        return Err(DomainError::validation("url: the host does not resolve"));
    }
    if !allow_private && addrs.iter().any(|ip| !is_public(*ip)) {
        return Err(DomainError::validation(
            "url: the host is not a globally reachable address (private, loopback, link-local or reserved)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_unless_private_is_allowed() {
        assert!(WebhookUrl::parse("https://hooks.example.com/x", false).is_ok());
        assert!(WebhookUrl::parse("http://hooks.example.com/x", false).is_err());
        assert!(WebhookUrl::parse("http://127.0.0.1:9/x", true).is_ok());
        assert!(WebhookUrl::parse("ftp://hooks.example.com/x", true).is_err());
        assert!(WebhookUrl::parse("https://u:p@hooks.example.com/x", false).is_err());
        let u = WebhookUrl::parse("https://[::1]:8443/x", false).unwrap();
        assert_eq!((u.host(), u.port()), ("::1", 8443));
    }

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        assert!(check_addresses(&[], true).is_err());
        assert!(check_addresses(&["127.0.0.1".parse().unwrap()], true).is_ok());
    }
}
