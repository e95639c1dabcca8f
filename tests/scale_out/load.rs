//! The client side of the scale-out test: GraphQL over HTTP with a client
//! timeout, every answer classified (data, a clear error with
//! `extensions.code`, or something unclear), and the invitation load.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_tests::serde_json::{Value, json};
use tokio::time::Instant;

/// No request may take longer: past it, the request hung.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one request got.
#[derive(Debug)]
pub enum Answer {
    Data(Value),
    /// An error with its `extensions.code` (or the refused connection).
    Clear(String),
    /// No answer within `CLIENT_TIMEOUT`.
    Hung,
    /// An answer without a code: a status and body nobody can act on.
    Unclear(String),
}

/// Counts of every answer the test's requests got.
#[derive(Default)]
pub struct Outcomes {
    pub ok: usize,
    pub clear: BTreeMap<String, usize>,
    pub hung: usize,
    pub unclear: Vec<String>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub outcomes: Arc<Mutex<Outcomes>>,
}

impl Client {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(CLIENT_TIMEOUT)
            .build()
            .expect("HTTP client");
        Self {
            http,
            outcomes: Arc::default(),
        }
    }

    /// One GraphQL request to the gateway at `base`, counted.
    pub async fn gql(&self, base: &str, token: Option<&str>, query: &str, vars: Value) -> Answer {
        let mut request = self
            .http
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": vars }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = match request.send().await {
            Err(e) if e.is_timeout() => Answer::Hung,
            Err(e) if e.is_connect() => Answer::Clear("CONNECTION_REFUSED".into()),
            Err(e) => Answer::Unclear(format!("{e}")),
            Ok(response) => {
                let status = response.status();
                match response.json::<Value>().await {
                    Err(e) if e.is_timeout() => Answer::Hung,
                    Err(e) => Answer::Unclear(format!("{status}: {e}")),
                    Ok(body) => classify(status, body),
                }
            }
        };
        let mut outcomes = self.outcomes.lock().unwrap();
        match &answer {
            Answer::Data(_) => outcomes.ok += 1,
            Answer::Clear(code) => *outcomes.clear.entry(code.clone()).or_default() += 1,
            Answer::Hung => outcomes.hung += 1,
            Answer::Unclear(what) => outcomes.unclear.push(what.clone()),
        }
        answer
    }

    /// A request that must succeed (setting up, before any fault).
    pub async fn ok(&self, base: &str, token: Option<&str>, query: &str, vars: Value) -> Value {
        match self.gql(base, token, query, vars).await {
            Answer::Data(data) => data,
            other => panic!("{query}: {other:?}"),
        }
    }
}

fn classify(status: reqwest::StatusCode, body: Value) -> Answer {
    match body["errors"].as_array().and_then(|e| e.first()) {
        None if status.is_success() && body["data"].is_object() => {
            Answer::Data(body["data"].clone())
        }
        None => Answer::Unclear(format!("{status}: {body}")),
        Some(error) => match error["extensions"]["code"].as_str() {
            Some(code) => Answer::Clear(code.to_owned()),
            None => Answer::Unclear(format!("{status}: {body}")),
        },
    }
}

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, \
                      input: { email: $e, role: MEMBER }) { id } }";

/// An organization and its owner's access token.
pub struct Inviter {
    pub org: String,
    pub token: String,
}

/// The invitation of each address, once it exists.
pub type Created = Arc<Mutex<Vec<(String, Instant)>>>;

/// Invites `n` addresses (`p{i}@scale.test`), one every `every`, over the
/// gateways and organizations in turn, from `lanes` concurrent clients.
/// An invite that got a clear error is tried again (a second after);
/// `CONFLICT` then means an earlier try committed.
pub async fn invite_all(
    client: Client,
    gateways: Vec<String>,
    inviters: Arc<Vec<Inviter>>,
    n: usize,
    every: Duration,
    lanes: usize,
    created: Created,
) {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..lanes {
        let (client, gateways, inviters) = (client.clone(), gateways.clone(), inviters.clone());
        let (next, created) = (next.clone(), created.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    return;
                }
                tokio::time::sleep_until(start + every * i as u32).await;
                let email = format!("p{i}@scale.test");
                let inviter = &inviters[i % inviters.len()];
                let vars = json!({ "o": inviter.org, "e": email });
                let mut tried_before = false;
                for attempt in 0.. {
                    let gateway = &gateways[(i + attempt) % gateways.len()];
                    match client
                        .gql(gateway, Some(&inviter.token), INVITE, vars.clone())
                        .await
                    {
                        Answer::Data(_) => break,
                        Answer::Clear(code) if code == "CONFLICT" && tried_before => break,
                        _ if attempt >= 30 => panic!("{email}: not invited after 30 tries"),
                        _ => {}
                    }
                    tried_before = true;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                created.lock().unwrap().push((email, Instant::now()));
            }
        }));
    }
    for task in tasks {
        task.await.expect("an invitation lane panicked");
    }
}
