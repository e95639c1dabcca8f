//! Content negotiation for GraphQL over HTTP: which media type a request
//! body may have, which one the answer takes, and whether a `GET` comes
//! from a browser that wants the playground.

use axum::http::{HeaderMap, header};
use mime::Mime;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type of an answer. It decides the status of a request error:
/// `application/graphql-response+json` says it with a 4xx, while
/// `application/json` keeps 200 for legacy clients, which cannot tell a
/// server's 4xx from a proxy's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseMedia {
    GraphqlResponseJson,
    Json,
}

impl ResponseMedia {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The `Accept` header's media ranges with their q-values; unparsable
/// entries are skipped, as RFC 9110 lets a server do.
fn accepted(headers: &HeaderMap) -> Option<Vec<(Mime, f32)>> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return None;
    }
    let ranges = values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|item| item.trim().parse::<Mime>().ok())
        .map(|range| {
            let q = range
                .get_param("q")
                .and_then(|q| q.as_str().parse::<f32>().ok())
                .unwrap_or(1.0);
            (range, q)
        })
        .collect();
    Some(ranges)
}

/// How well `range` matches `essence`: 2 exactly, 1 by `type/*`, 0 by
/// `*/*`, `None` not at all.
fn specificity(range: &Mime, essence: &str) -> Option<u8> {
    // `essence_str`, not `subtype`: mime keeps a `+json` suffix apart.
    let (ty, _) = essence.split_once('/')?;
    match (range.type_().as_str(), range.subtype().as_str()) {
        _ if range.essence_str().eq_ignore_ascii_case(essence) => Some(2),
        (t, "*") if t.eq_ignore_ascii_case(ty) => Some(1),
        ("*", "*") => Some(0),
        _ => None,
    }
}

/// The q-value the client gives `essence` (the most specific range that
/// matches decides) and how specific that range was.
fn preference(ranges: &[(Mime, f32)], essence: &str) -> Option<(f32, u8)> {
    ranges
        .iter()
        .filter_map(|(range, q)| specificity(range, essence).map(|s| (*q, s)))
        .max_by_key(|&(_, s)| s)
        .filter(|&(q, _)| q > 0.0)
}

/// The answer's media type, or `None` when the client accepts neither
/// (406). No `Accept`, or only wildcards, means a legacy client:
/// `application/json`. Named at equal preference, the GraphQL type wins.
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<ResponseMedia> {
    let Some(ranges) = accepted(headers) else {
        return Some(ResponseMedia::Json);
    };
    let graphql = preference(&ranges, GRAPHQL_RESPONSE_JSON);
    let json = preference(&ranges, JSON);
    match (graphql, json) {
        (None, None) => None,
        (Some(_), None) => Some(ResponseMedia::GraphqlResponseJson),
        (None, Some(_)) => Some(ResponseMedia::Json),
        (Some((gq, gs)), Some((jq, js))) => {
            let graphql_first = gq > jq || (gq == jq && gs == 2 && gs >= js);
            Some(if graphql_first {
                ResponseMedia::GraphqlResponseJson
            } else {
                ResponseMedia::Json
            })
        }
    }
}

/// A browser navigating to `/graphql`: it accepts `text/html` and names
/// no GraphQL media type.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    let Some(ranges) = accepted(headers) else {
        return false;
    };
    let named = |essence| {
        ranges
            .iter()
            .any(|(range, q)| *q > 0.0 && specificity(range, essence) == Some(2))
    };
    named("text/html") && !named(JSON) && !named(GRAPHQL_RESPONSE_JSON)
}

/// Whether a POST body is declared as JSON in UTF-8, the one encoding the
/// spec requires (and the only one `serde_json` reads). Anything else is
/// refused with 415, which also keeps cross-site `text/plain` form posts
/// from running mutations.
pub(crate) fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Mime>().ok())
    else {
        return false;
    };
    let utf8 = mime
        .get_param(mime::CHARSET)
        .is_none_or(|c| c.as_str().eq_ignore_ascii_case("utf-8"));
    mime.essence_str() == JSON && utf8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().expect("header value"));
        headers
    }

    #[test]
    fn negotiation_follows_the_clients_preference() {
        use ResponseMedia::*;
        let cases = [
            (
                "application/graphql-response+json",
                Some(GraphqlResponseJson),
            ),
            ("application/json", Some(Json)),
            ("*/*", Some(Json)),
            ("application/*", Some(Json)),
            (
                "application/graphql-response+json, application/json",
                Some(GraphqlResponseJson),
            ),
            (
                "application/json, application/graphql-response+json",
                Some(GraphqlResponseJson),
            ),
            (
                "application/graphql-response+json;q=0.5, application/json",
                Some(Json),
            ),
            (
                "application/graphql-response+json, */*;q=0.1",
                Some(GraphqlResponseJson),
            ),
            ("text/html", None),
            ("application/json;q=0", None),
        ];
        for (accept, media) in cases {
            assert_eq!(negotiate(&with(header::ACCEPT, accept)), media, "{accept}");
        }
        assert_eq!(negotiate(&HeaderMap::new()), Some(Json));
    }

    #[test]
    fn only_utf8_json_bodies_are_taken() {
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON;charset=UTF-8",
        ] {
            assert!(is_json_body(&with(header::CONTENT_TYPE, ct)), "{ct}");
        }
        for ct in [
            "text/plain",
            "application/json; charset=latin1",
            "application/graphql",
            "json",
        ] {
            assert!(!is_json_body(&with(header::CONTENT_TYPE, ct)), "{ct}");
        }
        assert!(!is_json_body(&HeaderMap::new()));
    }
}
