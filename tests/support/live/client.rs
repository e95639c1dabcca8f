//! Subscriptions through `graphql-ws-client`, a maintained
//! graphql-transport-ws client independent of the server's code, over a
//! tokio-tungstenite socket.
//!
//! graphql-ws-client 0.13 ships adapters for tungstenite up to 0.28; this
//! tree has 0.29 (axum's), so the few lines that turn its messages into the
//! client's are here, as the crate's own adapters write them.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use graphql_ws_client::graphql::GraphqlOperation;
use graphql_ws_client::{Client, Connection, Error, Message, Subscription};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Bytes, protocol::CloseFrame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{MEMBERSHIP_EVENTS, handshake};

/// The socket, as graphql-ws-client's [`Connection`].
pub struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Connection for Socket {
    async fn receive(&mut self) -> Option<Message> {
        loop {
            return match self.0.next().await? {
                Ok(tungstenite::Message::Text(text)) => Some(Message::Text(text.as_str().into())),
                Ok(tungstenite::Message::Ping(_)) => Some(Message::Ping),
                Ok(tungstenite::Message::Pong(_)) => Some(Message::Pong),
                Ok(tungstenite::Message::Close(frame)) => Some(Message::Close {
                    code: frame.as_ref().map(|f| f.code.into()),
                    reason: frame.map(|f| f.reason.to_string()),
                }),
                Ok(tungstenite::Message::Binary(_) | tungstenite::Message::Frame(_)) => continue,
                Err(_) => None,
            };
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), Error> {
        let message = match message {
            Message::Text(text) => tungstenite::Message::Text(text.into()),
            Message::Close { code, reason } => {
                tungstenite::Message::Close(code.zip(reason).map(|(code, reason)| CloseFrame {
                    code: code.into(),
                    reason: reason.into(),
                }))
            }
            Message::Ping => tungstenite::Message::Ping(Bytes::new()),
            Message::Pong => tungstenite::Message::Pong(Bytes::new()),
        };
        self.0
            .send(message)
            .await
            .map_err(|e| Error::Send(e.to_string()))
    }
}

/// `membershipEvents(organizationId)`: each item is the whole `next`
/// payload (`data` and/or `errors`).
#[derive(Serialize)]
pub struct MembershipEvents {
    query: &'static str,
    variables: Value,
}

impl MembershipEvents {
    pub fn of(organization: &str) -> Self {
        Self {
            query: MEMBERSHIP_EVENTS,
            variables: json!({ "o": organization }),
        }
    }
}

impl GraphqlOperation for MembershipEvents {
    type Response = Value;
    type Error = serde_json::Error;

    fn decode(&self, data: Value) -> Result<Value, serde_json::Error> {
        Ok(data)
    }
}

/// A connection of graphql-ws-client, authenticated as `token` in
/// `connection_init`; its actor runs on a task of its own.
pub async fn connect(base: &str, token: &str) -> Result<Client, Error> {
    let socket = Socket(handshake(base).await);
    let (client, actor) = Client::build(socket)
        .payload(json!({ "Authorization": format!("Bearer {token}") }))?
        .await?;
    tokio::spawn(actor.into_future());
    Ok(client)
}

/// Subscribes to `organization`'s events, after what committed before has
/// passed the feed, and gives the server a moment to start the stream (the
/// protocol has no acknowledgement of a subscription).
pub async fn subscribe(client: &Client, organization: &str) -> Subscription<MembershipEvents> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stream = client
        .subscribe(MembershipEvents::of(organization))
        .await
        .expect("subscribe");
    tokio::time::sleep(Duration::from_millis(400)).await;
    stream
}

/// The next `n` events of `stream`, waiting at most `wait` for each.
pub async fn next_events(
    stream: &mut Subscription<MembershipEvents>,
    n: usize,
    wait: Duration,
) -> Vec<Value> {
    let mut events = Vec::with_capacity(n);
    while events.len() < n {
        match tokio::time::timeout(wait, stream.next()).await {
            Ok(Some(Ok(payload))) => {
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

/// What `stream` yields within `wait`: `None` if nothing.
pub async fn next_within(
    stream: &mut Subscription<MembershipEvents>,
    wait: Duration,
) -> Option<Option<Result<Value, Error>>> {
    tokio::time::timeout(wait, stream.next()).await.ok()
}
