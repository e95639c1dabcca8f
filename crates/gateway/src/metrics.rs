//! Metrics (docs/operations/metrics-and-logs.md): the process's one Prometheus
//! recorder, the gateway's own series, and `GET /metrics`.
//!
//! The recorder is global: the workers in the same process record into it
//! through the `metrics` macros too. Labels come from fixed sets (route
//! templates, the schema's root fields, error codes, limit names), never
//! from what a client sends, so the series stay bounded.

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use roster_domain::{ErrorCode, Store};

/// Seconds an API answer may take: 5 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Seconds a job may take: 10 ms to 2 min (a mail over a slow server).
const JOB_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0];

pub const GRAPHQL_DURATION: &str = "roster_graphql_operation_duration_seconds";
pub const HTTP_RESPONSES: &str = "roster_http_responses_total";
pub const RATE_LIMIT_REFUSALS: &str = "roster_rate_limit_refusals_total";
pub const POOL_CONNECTIONS: &str = "roster_db_pool_connections";
/// Recorded by the workers (`roster_worker::metrics`), bucketed here.
const JOB_DURATION: &str = "roster_job_duration_seconds";

/// The process's recorder, installed on first use; later calls (another
/// gateway in the same process, a worker's listener) share it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(JOB_DURATION.into()), JOB_BUCKETS))
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already: /metrics stays empty");
        }
        describe();
        // Histogram samples wait in the recorder until upkeep folds them
        // into buckets: do it even when nobody scrapes.
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            })
            .expect("spawn the metrics upkeep thread");
        handle
    })
}

fn describe() {
    metrics::describe_histogram!(
        GRAPHQL_DURATION,
        metrics::Unit::Seconds,
        "GraphQL operations by root field and outcome (ok or the error's code)"
    );
    metrics::describe_counter!(
        HTTP_RESPONSES,
        "HTTP responses by route template and status"
    );
    metrics::describe_counter!(
        RATE_LIMIT_REFUSALS,
        "Requests refused RATE_LIMITED, by limit"
    );
    metrics::describe_gauge!(
        POOL_CONNECTIONS,
        "Database pool connections of this process, by state (in_use, idle)"
    );
}

/// `GET /metrics` alone, with `store`'s pool read at each scrape (what a
/// `roster worker` serves on `ROSTER_METRICS_LISTEN`).
pub fn router(store: std::sync::Arc<dyn Store>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(store)
}

pub(crate) async fn scrape(State(store): State<std::sync::Arc<dyn Store>>) -> Response {
    let handle = handle();
    if let Some(usage) = store.pool_usage() {
        let in_use = usage.size.saturating_sub(usage.idle);
        metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
        metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(usage.idle));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Counts every response by route template (`unmatched` for no route) and
/// status.
pub(crate) async fn count_responses(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| route_label(p.as_str()));
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_RESPONSES, "route" => route, "status" => status).increment(1);
    response
}

/// A route template as a label: `/invite/{token}` is `/invite/:token`
/// and `/x/{*path}` is `/x/*path` (braces in a label value are valid, but
/// some parsers of the text format, `prometheus-parse` among them, stop at
/// them).
fn route_label(template: &str) -> String {
    template
        .replace("{*", "*")
        .replace('{', ":")
        .replace('}', "")
}

/// One GraphQL operation: `root_field` is already bounded (see
/// `http::root_field`), `code` is the first error's `extensions.code`.
pub(crate) fn graphql_operation(root_field: &str, code: Option<&str>, elapsed: Duration) {
    let outcome = match code {
        None => "ok",
        Some(code) => known_code(code),
    };
    metrics::histogram!(
        GRAPHQL_DURATION,
        "root_field" => root_field.to_owned(),
        "outcome" => outcome
    )
    .record(elapsed.as_secs_f64());
}

/// A refusal by the limit named `limit` (a fixed name).
pub(crate) fn rate_limited(limit: &'static str) {
    metrics::counter!(RATE_LIMIT_REFUSALS, "limit" => limit).increment(1);
}

/// The code itself when it is one of ours, else `OTHER`.
fn known_code(code: &str) -> &'static str {
    const CODES: &[ErrorCode] = &[
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Validation,
        ErrorCode::Conflict,
        ErrorCode::SeatLimitReached,
        ErrorCode::LastAdmin,
        ErrorCode::InvitationExpired,
        ErrorCode::InvitationInvalid,
        ErrorCode::PasswordChangeRequired,
        ErrorCode::EmailNotVerified,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];
    CODES
        .iter()
        .map(|c| c.as_str())
        .find(|c| *c == code)
        .unwrap_or("OTHER")
}

#[cfg(test)]
mod tests {
    use super::known_code;

    #[test]
    fn route_labels_have_no_braces() {
        assert_eq!(super::route_label("/invite/{token}"), "/invite/:token");
        assert_eq!(super::route_label("/assets/{*path}"), "/assets/*path");
        assert_eq!(super::route_label("/graphql"), "/graphql");
    }

    #[test]
    fn outcome_codes_are_a_fixed_set() {
        assert_eq!(known_code("FORBIDDEN"), "FORBIDDEN");
        assert_eq!(known_code("whatever a client wrote"), "OTHER");
    }
}
