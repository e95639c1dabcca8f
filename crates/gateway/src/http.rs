//! The HTTP surface: `POST /graphql`, GraphiQL on `GET /graphql`,
//! `/healthz`, `/readyz`, the accept and log-in pages; request ids,
//! tracing (without invitation tokens) and body limits.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, BatchResponse, Request, Response};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use futures::StreamExt;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use roster_domain::{Clock, DomainError, ErrorCode, Store};

use crate::auth::viewer::Viewer;
use crate::client_addr::ClientAddr;
use crate::config::GatewayConfig;
use crate::graphql::{RosterSchema, Services, build_schema, request_data};
use crate::{AccessTokens, Passwords};

/// What the router serves from.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub schema: RosterSchema,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: GatewayConfig) -> Self {
        let tokens = AccessTokens::new(&config.jwt_secret, &config.issuer, config.access_token_ttl);
        let services = Arc::new(Services {
            store,
            clock,
            tokens,
            passwords: Passwords::with_limits(config.hashing),
            config,
        });
        let schema = build_schema(services.clone());
        Self { services, schema }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(crate::pages::routes())
        // `graphql` reads its body itself, with `max_body`; nothing else
        // takes a body.
        .layer(DefaultBodyLimit::disable())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %crate::pages::loggable_path(req.uri().path()), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Roster")
            .finish(),
    )
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.services.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// A request that never reached the schema: one error with its code.
fn rejected(status: StatusCode, code: ErrorCode, message: &str) -> axum::response::Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// How much of an oversized body is read and dropped before answering
/// 413, so that the client, still sending, gets the answer rather than a
/// reset connection (nginx's "lingering close"). Past this the connection
/// is simply closed.
const LINGER_BYTES: usize = 8 * 1024 * 1024;

/// Why a body was not taken.
enum BodyError {
    TooLarge,
    Unreadable,
}

/// Reads the body up to `max` bytes; a longer one is drained (up to
/// [`LINGER_BYTES`]) and refused.
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > LINGER_BYTES) {
        return Err(BodyError::TooLarge);
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(max));
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        seen += chunk.len();
        if seen > LINGER_BYTES {
            return Err(BodyError::TooLarge);
        }
        if seen <= max {
            buf.extend_from_slice(&chunk);
        }
    }
    if seen > max {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(buf))
}

async fn graphql(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let max_body = state.services.config.limits.max_body_bytes;
    let body = match read_body(&headers, body, max_body).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return rejected(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::Validation,
                "the request body is too large",
            );
        }
        Err(BodyError::Unreadable) => {
            return rejected(
                StatusCode::BAD_REQUEST,
                ErrorCode::Validation,
                "the request body could not be read",
            );
        }
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(_) => {
            return rejected(
                StatusCode::BAD_REQUEST,
                ErrorCode::Validation,
                "the request body is not a GraphQL JSON request",
            );
        }
    };
    let max_batch = state.services.config.limits.max_batch;
    let (requests, is_batch) = match batch {
        BatchRequest::Single(request) => (vec![request], false),
        BatchRequest::Batch(requests) => (requests, true),
    };
    if requests.is_empty() || requests.len() > max_batch {
        let message = format!("a batch holds 1 to {max_batch} operations");
        return rejected(StatusCode::BAD_REQUEST, ErrorCode::Validation, &message);
    }
    // `Request`'s fields all have defaults, so `{}` and `[]` parse: a
    // request without a query is as malformed as bad JSON.
    if requests.iter().any(|r| r.query.trim().is_empty()) {
        return rejected(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            "the request has no query",
        );
    }
    let viewer = match authenticate(&state.services, &headers).await {
        Ok(viewer) => viewer,
        Err(e) => {
            tracing::error!(error = %e, "authentication failed unexpectedly");
            return rejected(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "internal error",
            );
        }
    };
    // Operations of a batch run one after the other, each with its own
    // loader, so that a mutation's effect is seen by the next operation.
    let mut responses = Vec::with_capacity(requests.len());
    for request in requests {
        responses.push(execute(&state, request.data(client), viewer.clone()).await);
    }
    let response = if is_batch {
        BatchResponse::Batch(responses)
    } else {
        BatchResponse::Single(responses.remove(0))
    };
    let body = serde_json::to_string(&response)
        .unwrap_or_else(|_| r#"{"errors":[{"message":"internal error"}]}"#.into());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn execute(state: &AppState, request: Request, viewer: Viewer) -> Response {
    let (viewer, loader) = request_data(&state.services, viewer);
    let mut response = state
        .schema
        .execute(request.data(viewer).data(loader))
        .await;
    // Errors the schema raised itself (parse, validation, limits, bad
    // argument values) carry no code: they are the request's fault.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::Validation.as_str());
        }
    }
    response
}

/// The caller, from `Authorization: Bearer <token>`: the token must verify
/// and its session must still be open.
async fn authenticate(services: &Services, headers: &HeaderMap) -> Result<Viewer, DomainError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::Anonymous);
    };
    let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return Ok(Viewer::Rejected);
    };
    let now = services.clock.now();
    let Some(subject) = services.tokens.verify(token.trim(), now) else {
        return Ok(Viewer::Rejected);
    };
    match services.store.session_user(subject.session, now).await? {
        Some(user) if user.id == subject.user => Ok(Viewer::Authenticated {
            user,
            session: subject.session,
        }),
        _ => Ok(Viewer::Rejected),
    }
}
