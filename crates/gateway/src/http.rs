//! The HTTP surface: GraphQL over HTTP on `/graphql` (`POST`, and `GET`
//! for queries; GraphiQL for a browser; CORS for the configured origins), `/healthz`, `/readyz`, the accept
//! and log-in pages, the signing keys (`/.well-known/`); request ids, tracing (without invitation tokens) and
//! body limits.

mod body;
mod graphql_get;
mod graphql_post;
mod live_socket;
mod negotiation;
mod operation;
mod params;
mod respond;
mod state;
mod well_known;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use state::AppState;

pub fn router(state: AppState) -> Router {
    let graphql = get(graphql_get::graphql_get).post(graphql_post::graphql_post);
    // Pages of the listed origins may call it (docs/api/http.md); the layer
    // answers their preflights too. No list, no CORS.
    let graphql = match state.services.config.cors_origins.layer() {
        Some(cors) => graphql.layer(cors),
        None => graphql,
    };
    Router::new()
        .route("/graphql", graphql)
        .route("/graphql/ws", get(live_socket::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_scrape))
        .route("/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .merge(crate::pages::routes())
        .merge(crate::playground::routes())
        .merge(crate::console::routes())
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
