//! The HTTP surface: GraphQL over HTTP on `/graphql` (`POST`, and `GET`
//! for queries; GraphiQL for a browser), `/healthz`, `/readyz`, the accept
//! and log-in pages; request ids, tracing (without invitation tokens) and
//! body limits.

mod body;
mod checks;
mod graphql_get;
mod graphql_post;
mod live_socket;
mod negotiation;
mod operation;
mod params;
mod phase;
mod respond;
mod root_field;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use roster_domain::live::LiveItem;
use roster_domain::{Clock, Store};
use tokio::sync::{broadcast, watch};

use crate::config::GatewayConfig;
use crate::graphql::{RosterSchema, Services, build_schema};
use crate::{AccessTokens, Passwords};

/// What the router serves from.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub schema: RosterSchema,
    /// What runs around the schema for every operation.
    checks: Arc<checks::Checks>,
    /// Set when the server shuts down: live sockets close with 1001 (axum's
    /// graceful shutdown does not wait for upgraded connections).
    shutdown: Arc<watch::Sender<bool>>,
    /// Whether this process's workers run (`roster serve` with embedded
    /// workers); `None` when it has none.
    workers: Option<watch::Receiver<bool>>,
}

impl AppState {
    /// `live`: this process's feed of committed events
    /// (`roster_store::Database::live_events`).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: GatewayConfig,
        live: broadcast::Sender<LiveItem>,
    ) -> Self {
        let tokens = AccessTokens::new(&config.jwt_secret, &config.issuer, config.access_token_ttl);
        let services = Arc::new(Services {
            store,
            clock,
            tokens,
            passwords: Passwords::with_limits(config.hashing),
            config,
            live,
        });
        let schema = build_schema(services.clone());
        let checks = Arc::new(checks::Checks::new(services.config.limits.clone()));
        crate::metrics::handle();
        Self {
            services,
            schema,
            checks,
            shutdown: Arc::new(watch::channel(false).0),
            workers: None,
        }
    }

    /// `/readyz` answers 503 while `up` says this process's workers are
    /// down (`roster_worker::supervise::supervise`).
    pub fn with_workers(mut self, up: watch::Receiver<bool>) -> Self {
        self.workers = Some(up);
        self
    }

    /// Closes every live socket with 1001 (going away); call it when the
    /// server starts its graceful shutdown.
    pub fn close_live_connections(&self) {
        self.shutdown.send_replace(true);
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql_get::graphql_get).post(graphql_post::graphql_post),
        )
        .route("/graphql/ws", get(live_socket::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_scrape))
        .merge(crate::pages::routes())
        .merge(crate::playground::routes())
        // `graphql_post` reads its body itself, with `max_body`; nothing else
        // takes a body.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(crate::metrics::count_responses))
        // `operation` and `user_id` are filled in by the GraphQL handlers;
        // one line per response at INFO.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %crate::pages::loggable_path(req.uri().path()),
                        request_id = %id,
                        operation = tracing::field::Empty,
                        user_id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `/metrics` on the gateway's listener answers only the bearer of
/// `metrics_token`, and is not there at all without one (docs/operations/metrics-and-logs.md).
async fn metrics_scrape(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use subtle::ConstantTimeEq;
    let Some(token) = &state.services.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    crate::metrics::scrape(State(state.services.store.clone())).await
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.workers.as_ref().is_some_and(|up| !*up.borrow()) {
        return (StatusCode::SERVICE_UNAVAILABLE, "workers down");
    }
    match state.services.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
