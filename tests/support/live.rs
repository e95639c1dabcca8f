//! graphql-transport-ws for the tests. [`client`] is graphql-ws-client, a
//! maintained client, for what a client application sees; [`LiveClient`]
//! is tokio-tungstenite speaking the protocol's messages as
//! https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md defines
//! them, for what a client library hides: close codes and reasons, pongs,
//! the exact frames.

pub mod client;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The subscription every live test runs.
pub const MEMBERSHIP_EVENTS: &str = "subscription($o: ID!) { membershipEvents(organizationId: $o) \
     { id organizationId action userId actorId at } }";

/// What the server sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `connection_ack`.
    Ack,
    /// `next`: the operation id and its payload (`data` and/or `errors`).
    Next(String, Value),
    Error(String, Value),
    Complete(String),
    Pong,
    /// The socket closed: code and reason.
    Closed(u16, String),
}

/// The WebSocket handshake with `/graphql/ws` of the gateway at `base`,
/// asking for graphql-transport-ws and checking the server chose it.
pub(crate) async fn handshake(base: &str) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket handshake");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    ws
}

pub struct LiveClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl LiveClient {
    /// Opens `/graphql/ws` of the gateway at `base` and sends
    /// `connection_init` with `payload`, without waiting for the answer.
    pub async fn open(base: &str, payload: Value) -> Self {
        let ws = handshake(base).await;
        let mut client = Self { ws };
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        client
    }

    /// Connects as the holder of `token` and waits for `connection_ack`.
    pub async fn connect(base: &str, token: &str) -> Self {
        let mut client =
            Self::open(base, json!({ "Authorization": format!("Bearer {token}") })).await;
        let first = client.frame(Duration::from_secs(5)).await;
        assert_eq!(first, Some(Frame::Ack), "expected connection_ack");
        client
    }

    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// Subscribes to `organization`'s membership events as operation `id`.
    /// It first lets the feed pass what committed before (a subscription
    /// may hear events that committed just before it started), then gives
    /// the server a moment to start the stream (the protocol has no
    /// acknowledgement of a subscription).
    pub async fn subscribe(&mut self, id: &str, organization: &str) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.subscribe_now(id, organization).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    /// Sends the `subscribe` message and returns at once.
    pub async fn subscribe_now(&mut self, id: &str, organization: &str) {
        self.send(json!({ "id": id, "type": "subscribe",
            "payload": { "query": MEMBERSHIP_EVENTS, "variables": { "o": organization } } }))
            .await;
    }

    /// The next frame within `wait`; `None` if nothing came.
    pub async fn frame(&mut self, wait: Duration) -> Option<Frame> {
        loop {
            let message = match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return None,
                Ok(None) => return Some(Frame::Closed(1006, "no close frame".into())),
                Ok(Some(Err(e))) => return Some(Frame::Closed(1006, e.to_string())),
                Ok(Some(Ok(m))) => m,
            };
            match message {
                Message::Text(text) => {
                    let v: Value = serde_json::from_str(&text).expect("JSON message");
                    let id = v["id"].as_str().unwrap_or_default().to_owned();
                    return Some(match v["type"].as_str() {
                        Some("connection_ack") => Frame::Ack,
                        Some("next") => Frame::Next(id, v["payload"].clone()),
                        Some("error") => Frame::Error(id, v["payload"].clone()),
                        Some("complete") => Frame::Complete(id),
                        Some("pong") => Frame::Pong,
                        other => panic!("unexpected message type {other:?}: {v}"),
                    });
                }
                Message::Close(frame) => {
                    return Some(match frame {
                        Some(f) => Frame::Closed(u16::from(f.code), f.reason.to_string()),
                        None => Frame::Closed(u16::from(CloseCode::Status), String::new()),
                    });
                }
                _ => continue,
            }
        }
    }

    /// The next `n` events of operation `id` (each `next`'s
    /// `membershipEvents`), waiting at most `wait` for each.
    pub async fn events(&mut self, id: &str, n: usize, wait: Duration) -> Vec<Value> {
        let mut events = Vec::new();
        while events.len() < n {
            match self.frame(wait).await {
                Some(Frame::Next(op, payload)) if op == id => {
                    assert!(payload.get("errors").is_none(), "errors: {payload}");
                    events.push(payload["data"]["membershipEvents"].clone());
                }
                other => panic!(
                    "expected event {} of {n}, got {other:?} after {events:?}",
                    events.len() + 1
                ),
            }
        }
        events
    }

    /// Asserts that nothing arrives within `wait`.
    pub async fn quiet(&mut self, wait: Duration) {
        if let Some(frame) = self.frame(wait).await {
            panic!("expected nothing, got {frame:?}");
        }
    }
}

/// `(action, userId)` of each event, for comparing sequences.
pub fn actions(events: &[Value]) -> Vec<(String, Option<String>)> {
    events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().expect("action").to_owned(),
                e["userId"].as_str().map(str::to_owned),
            )
        })
        .collect()
}
