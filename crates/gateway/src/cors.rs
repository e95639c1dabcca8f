//! Pages of other origins calling `/graphql` (docs/api/http.md, "From
//! pages of other origins"): the exact origins `ROSTER_CORS_ORIGINS` lists,
//! none by default. Over HTTP that is CORS; the live socket, to which
//! browsers apply no CORS, checks the same list itself
//! (`CorsOrigins::admits_socket`).

use std::str::FromStr;
use std::time::Duration;

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Origins (`https://app.example.com`, `http://127.0.0.1:8081`) as a
/// browser sends them in `Origin`: lower-case scheme and host, the port
/// only when it is not the scheme's default. Cannot hold anything else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsOrigins(Vec<String>);

impl FromStr for CorsOrigins {
    type Err = String;

    /// A comma-separated list; empty entries are ignored.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let mut origins = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let origin = parse_origin(entry).ok_or_else(|| {
                format!(
                    "{entry:?} is not an origin like https://app.example.com \
                     (http or https, a host and maybe a port; no path, no wildcard)"
                )
            })?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(Self(origins))
    }
}

/// `entry` as a browser serializes it, when it is an origin and nothing more.
fn parse_origin(entry: &str) -> Option<String> {
    let (_, rest) = entry.split_once("://")?;
    if entry.contains('*') || rest.contains(['/', '?', '#', '@']) {
        return None;
    }
    let url = url::Url::parse(entry).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

impl CorsOrigins {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }

    /// The CORS layer of `/graphql`, `None` when no origin is listed: bearer
    /// tokens only (no credentials), the two headers a client sends, nothing
    /// exposed beyond the CORS-safelisted response headers.
    pub fn layer(&self) -> Option<CorsLayer> {
        if self.is_empty() {
            return None;
        }
        let origins: Vec<HeaderValue> = self
            .0
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([AUTHORIZATION, CONTENT_TYPE])
                .max_age(PREFLIGHT_MAX_AGE),
        )
    }

    /// Whether a websocket upgrade with these headers may proceed: no
    /// `Origin` (not a browser), the gateway's own origin (its `Host`, or
    /// `public_url`'s), or a listed one. Browsers let any page open a
    /// socket anywhere, so this is the only check there is.
    pub fn admits_socket(&self, headers: &HeaderMap, public_url: &str) -> bool {
        let Some(origin) = headers.get(ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if self.contains(origin) {
            return true;
        }
        let public = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        if origin == public {
            return true;
        }
        // Same origin as this request: scheme aside (a proxy in front may
        // end TLS), the `Host` the browser connected to.
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin.split_once("://").map(|(_, h)| h);
        host.is_some_and(|h| origin_host.is_some_and(|o| o.eq_ignore_ascii_case(h)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_parsed_to_what_browsers_send() {
        let origins: CorsOrigins =
            " https://App.Example.com, http://127.0.0.1:8081,,https://x.example:443"
                .parse()
                .unwrap();
        assert_eq!(
            origins.0,
            [
                "https://app.example.com",
                "http://127.0.0.1:8081",
                "https://x.example"
            ]
        );
        assert!("".parse::<CorsOrigins>().unwrap().is_empty());
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "*",
            "https://*.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?x=1",
            "https://user@app.example.com",
            "ftp://app.example.com",
            "app.example.com",
            "https://",
            "null",
        ] {
            assert!(bad.parse::<CorsOrigins>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sockets_from_no_origin_the_same_origin_or_a_listed_one() {
        let listed: CorsOrigins = "https://app.example.com".parse().unwrap();
        let headers = |origin: Option<&str>, host: &str| {
            let mut h = HeaderMap::new();
            h.insert(HOST, HeaderValue::from_str(host).unwrap());
            if let Some(o) = origin {
                h.insert(ORIGIN, HeaderValue::from_str(o).unwrap());
            }
            h
        };
        let public = "https://roster.example.com";
        let admits =
            |o: &CorsOrigins, origin, host| o.admits_socket(&headers(origin, host), public);
        let none = CorsOrigins::default();
        assert!(admits(&none, None, "roster.example.com"));
        assert!(admits(
            &none,
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080"
        ));
        assert!(admits(
            &none,
            Some("https://roster.example.com"),
            "10.0.0.5:8080"
        ));
        assert!(!admits(
            &none,
            Some("https://app.example.com"),
            "roster.example.com"
        ));
        assert!(!admits(
            &none,
            Some("http://127.0.0.1:8081"),
            "127.0.0.1:8080"
        ));
        assert!(admits(
            &listed,
            Some("https://app.example.com"),
            "roster.example.com"
        ));
        assert!(!admits(&listed, Some("null"), "roster.example.com"));
    }
}
