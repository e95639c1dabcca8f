//! `GET /graphql/ws`: GraphQL subscriptions over graphql-transport-ws.
//!
//! async-graphql's stock `GraphQLSubscription` service never authenticates
//! and closes a refused `connection_init` with 1002; this handler drives
//! async-graphql's protocol state machine itself so that:
//! - `connection_init`'s payload `{"Authorization": "Bearer …"}` names the
//!   caller; a missing or bad token closes with 4403;
//! - every operation runs with the same per-operation data as over HTTP (a
//!   fresh loader, the client address), read-only (mutations go over HTTP);
//! - the connection closes with 4403 when its token expires or its session
//!   ends, 4008 when a subscriber falls behind the feed, 1001 on shutdown;
//! - a message the client does not take within `send_timeout` drops it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};

use super::AppState;
use super::checks::Checks;
use super::operation::bearer_viewer;
use crate::auth::viewer::{LazyViewer, Viewer};
use crate::client_addr::ClientAddr;
use crate::graphql::{LiveConnection, Loader, RosterSchema, Services, request_data};

const PROTOCOL: &str = "graphql-transport-ws";
/// Close codes (docs/api/live-events.md).
const FORBIDDEN: u16 = 4403;
const GOING_AWAY: u16 = 1001;

pub(super) async fn upgrade(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    let offered = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == PROTOCOL));
    if !offered {
        return (
            StatusCode::BAD_REQUEST,
            "speak graphql-transport-ws (Sec-WebSocket-Protocol)",
        )
            .into_response();
    }
    ws.protocols([PROTOCOL])
        .on_upgrade(move |socket| serve(state, client, socket))
}

/// Who the connection is, once `connection_init` succeeded.
struct Caller {
    viewer: Viewer,
    expires_at: DateTime<Utc>,
}

/// The schema, with each operation given the connection's caller and the
/// per-operation data HTTP requests get.
#[derive(Clone)]
struct ConnectionExecutor {
    schema: RosterSchema,
    checks: Arc<Checks>,
    services: Arc<Services>,
    client: ClientAddr,
    caller: Arc<OnceLock<Caller>>,
    connection: LiveConnection,
}

/// Over the websocket only queries and subscriptions run, held to the same
/// checks as over HTTP (`checks`).
impl Executor for ConnectionExecutor {
    async fn execute(&self, request: Request) -> Response {
        match self.checks.admit(request, true) {
            Err(refusal) => *refusal.response,
            Ok((request, admitted)) => {
                let (request, loader) = self.prepare(request);
                let response = loader.drive(self.schema.execute(request)).await;
                self.checks.finish(&admitted, response).0
            }
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.checks.admit(request, true) {
            Err(refusal) => {
                futures::stream::once(futures::future::ready(*refusal.response)).boxed()
            }
            Ok((request, admitted)) => {
                let checks = self.checks.clone();
                let (request, loader) = self.prepare(request);
                let responses = self
                    .schema
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default());
                loader
                    .drive_stream(responses)
                    .map(move |response| checks.finish(&admitted, response).0)
                    .boxed()
            }
        }
    }
}

impl ConnectionExecutor {
    /// The request with its data, and its loader, to drive the execution.
    fn prepare(&self, request: Request) -> (Request, Loader) {
        let viewer = self
            .caller
            .get()
            .map_or(Viewer::Anonymous, |c| c.viewer.clone());
        let viewer = LazyViewer::resolved(viewer);
        let (viewer, loader) = request_data(&self.services, viewer);
        let request = request
            .data(viewer)
            .data(loader.clone())
            .data(self.client)
            .data(self.connection.clone());
        (request, loader)
    }
}

async fn serve(state: AppState, client: ClientAddr, socket: WebSocket) {
    let services = state.services.clone();
    let config = services.config.live.clone();
    let (mut sink, input) = socket.split();
    let (close_tx, mut close_rx) = tokio::sync::mpsc::unbounded_channel();
    let caller: Arc<OnceLock<Caller>> = Arc::default();
    let refused = Arc::new(AtomicBool::new(false));
    let executor = ConnectionExecutor {
        schema: state.schema.clone(),
        checks: state.checks.clone(),
        services: services.clone(),
        client,
        caller: caller.clone(),
        connection: LiveConnection { close: close_tx },
    };
    let input = input
        .take_while(|m| futures::future::ready(m.is_ok()))
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(Message::Text(t)) => Some(t.as_bytes().to_vec()),
                Ok(Message::Binary(b)) => Some(b.to_vec()),
                _ => None,
            })
        });
    let on_init = {
        let (services, caller, refused) = (services.clone(), caller.clone(), refused.clone());
        move |payload: serde_json::Value| async move {
            let value = payload.get("Authorization").and_then(|v| v.as_str());
            match bearer_viewer(&services, value).await {
                Ok((viewer @ Viewer::Authenticated { .. }, Some(expires_at))) => {
                    let _ = caller.set(Caller { viewer, expires_at });
                    Ok(Data::default())
                }
                Ok(_) => {
                    refused.store(true, Ordering::SeqCst);
                    Err("Forbidden: a valid access token is required".into())
                }
                Err(e) => {
                    tracing::error!(error = %e, "authentication failed unexpectedly");
                    Err("internal error".into())
                }
            }
        }
    };
    let mut protocol =
        Protocol::new(executor, input, Protocols::GraphQLWS).on_connection_init(on_init);
    let mut shutdown = state.shutdown.subscribe();
    let stop = async move {
        if shutdown.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stop);
    let mut recheck = tokio::time::interval(config.recheck);
    recheck.tick().await;
    // Armed once the caller is known.
    let expiry = tokio::time::sleep(Duration::from_secs(365 * 24 * 3600));
    tokio::pin!(expiry);
    let mut armed = false;
    loop {
        if !armed && let Some(c) = caller.get() {
            let left = (c.expires_at - services.clock.now())
                .to_std()
                .unwrap_or_default();
            expiry.as_mut().reset(tokio::time::Instant::now() + left);
            armed = true;
        }
        let message = tokio::select! {
            m = protocol.next() => match m {
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                Some(WsMessage::Close(code, reason)) => {
                    // async-graphql closes a refused `connection_init` with
                    // 1002; the protocol says 4403.
                    let code = if code == 1002 && refused.load(Ordering::SeqCst) { FORBIDDEN } else { code };
                    close(code, &reason)
                }
                None => break,
            },
            Some((code, reason)) = close_rx.recv() => close(code, &reason),
            () = &mut stop => close(GOING_AWAY, "server shutting down"),
            () = &mut expiry => close(FORBIDDEN, "access token expired"),
            _ = recheck.tick() => match caller.get() {
                Some(c) => match still_signed_in(&services, c).await {
                    Some(reason) => close(FORBIDDEN, reason),
                    None => continue,
                },
                None => continue,
            },
        };
        let closing = matches!(message, Message::Close(_));
        match tokio::time::timeout(config.send_timeout, sink.send(message)).await {
            Ok(Ok(())) if !closing => {}
            _ => break,
        }
    }
}

/// `None` while the caller's token is unexpired and its session open; else
/// the close reason.
async fn still_signed_in(services: &Services, caller: &Caller) -> Option<&'static str> {
    let now = services.clock.now();
    if caller.expires_at <= now {
        return Some("access token expired");
    }
    let Viewer::Authenticated { user, session } = &caller.viewer else {
        return Some("not signed in");
    };
    match services.store.session_user(*session, now).await {
        Ok(Some(u)) if u.id == user.id => None,
        Ok(_) => Some("session ended"),
        // The database is unreachable: keep the connection, check again.
        Err(_) => None,
    }
}

fn close(code: u16, reason: &str) -> Message {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].into(),
    }))
}
