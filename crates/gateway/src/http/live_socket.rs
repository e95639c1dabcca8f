//! `GET /graphql/ws`: GraphQL subscriptions over graphql-transport-ws.
//!
//! async-graphql's stock `GraphQLSubscription` service never authenticates
//! and closes a refused `connection_init` with 1002; this handler drives
//! async-graphql's protocol state machine itself so that:
//! - `connection_init`'s payload `{"Authorization": "Bearer …"}` names the
//!   caller; a missing or bad token closes with 4403;
//! - every operation runs through the same engine as over HTTP
//!   (`crate::engine`), read-only (mutations go over HTTP);
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

use super::operation::bearer_viewer;
use super::state::AppState;
use crate::auth::viewer::{LazyViewer, Viewer};
use crate::client_addr::ClientAddr;
use crate::engine::{self, Engine};
use crate::graphql::{LiveConnection, Services};

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
    // Browsers apply no CORS to websockets: a page of any origin could
    // open one (docs/api/live-events.md, "Origins").
    let config = &state.services.config;
    if !config.cors_origins.admits_socket(&headers, &config.issuer) {
        return (
            StatusCode::FORBIDDEN,
            "this origin may not open a live socket",
        )
            .into_response();
    }
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
struct SignedIn {
    viewer: Viewer,
    expires_at: DateTime<Utc>,
}

/// The engine, with each operation given the connection's caller.
#[derive(Clone)]
struct ConnectionExecutor {
    engine: Arc<Engine>,
    client: ClientAddr,
    signed_in: Arc<OnceLock<SignedIn>>,
    connection: LiveConnection,
}

/// Over the websocket only queries and subscriptions run, held to the same
/// checks as over HTTP.
impl Executor for ConnectionExecutor {
    async fn execute(&self, request: Request) -> Response {
        let answer = self.engine.execute(request, self.caller(), true).await;
        answer.capped(self.engine.max_response_bytes()).response
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let session_data = session_data.unwrap_or_default();
        self.engine
            .execute_stream(request, self.caller(), session_data)
    }
}

impl ConnectionExecutor {
    fn caller(&self) -> engine::Caller {
        let viewer = self
            .signed_in
            .get()
            .map_or(Viewer::Anonymous, |c| c.viewer.clone());
        engine::Caller {
            viewer: LazyViewer::resolved(viewer),
            client: self.client,
            connection: Some(self.connection.clone()),
        }
    }
}

async fn serve(state: AppState, client: ClientAddr, socket: WebSocket) {
    let services = state.services.clone();
    let config = services.config.live.clone();
    let (mut sink, input) = socket.split();
    let (close_tx, mut close_rx) = tokio::sync::mpsc::unbounded_channel();
    let signed_in: Arc<OnceLock<SignedIn>> = Arc::default();
    let refused = Arc::new(AtomicBool::new(false));
    let executor = ConnectionExecutor {
        engine: state.engine.clone(),
        client,
        signed_in: signed_in.clone(),
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
        let (services, signed_in, refused) = (services.clone(), signed_in.clone(), refused.clone());
        move |payload: serde_json::Value| async move {
            let value = payload.get("Authorization").and_then(|v| v.as_str());
            match bearer_viewer(&services, value).await {
                Ok((viewer @ Viewer::Authenticated { .. }, Some(expires_at))) => {
                    let _ = signed_in.set(SignedIn { viewer, expires_at });
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
        if !armed && let Some(c) = signed_in.get() {
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
            _ = recheck.tick() => match signed_in.get() {
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
async fn still_signed_in(services: &Services, signed_in: &SignedIn) -> Option<&'static str> {
    let now = services.clock.now();
    if signed_in.expires_at <= now {
        return Some("access token expired");
    }
    let Viewer::Authenticated { user, session, .. } = &signed_in.viewer else {
        return Some("not signed in");
    };
    // A trusted issuer's token has no session: its expiry is the bound.
    let Some(session) = session else {
        return None;
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
