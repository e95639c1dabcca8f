//! A webhook receiver on loopback for the tests: an axum server that keeps
//! every request it gets (headers and body) and answers the statuses it was
//! scripted with, in order, then 204 (the first ones after a delay, if told).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// One request as the receiver got it.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the receiver answered.
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<u16>,
    /// How long the first requests wait before they are answered.
    delays: VecDeque<Duration>,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (status, delay) = {
        let mut inner = inner.lock().expect("receiver lock");
        let status = inner.script.pop_front().unwrap_or(204);
        inner.received.push(Received {
            headers,
            body,
            status,
        });
        (status, inner.delays.pop_front())
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    StatusCode::from_u16(status).expect("a status")
}

impl WebhookReceiver {
    /// A receiver at `http://127.0.0.1:{port}/hook` answering `script`
    /// first, then 204 to everything.
    pub async fn start(script: &[u16]) -> Self {
        Self::start_slow(script, &[]).await
    }

    /// `start`, the first requests answered only after `delays`.
    pub async fn start_slow(script: &[u16], delays: &[Duration]) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            script: script.iter().copied().collect(),
            delays: delays.iter().copied().collect(),
            received: Vec::new(),
        }));
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("receiver lock").received.clone()
    }

    /// Waits (up to 20 s) until `done` holds for what was received.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver never got {what}: {:?}", self.received());
    }
}
