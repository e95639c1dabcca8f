//! End-to-end test support: the real router on port 0 over a fresh
//! database (a SQLite file, or a PostgreSQL database made for the test and
//! dropped after it), a clock the test moves, and GraphQL helpers.

mod inbox;
pub mod leads;
pub mod live;
mod postgres;
pub mod smtp_sink;
pub mod statements;
pub mod webhook_receiver;
mod worker;

pub use inbox::{accept_url, invitation_token, temporary_password};
use postgres::PostgresDatabase;
pub use worker::fast_worker;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use roster_domain::ManualClock;
use roster_gateway::{AppState, GatewayConfig};
use roster_store::Database;

pub use serde_json;

/// The key tests sign with when they forge tokens.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The bearer token test gateways ask of `GET /metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";
pub const PASSWORD: &str = "correct horse battery";

/// Runs the same sqlx statement on whichever pool `db` holds; `Ok(())` or
/// the error.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $query:expr) => {
        match $db {
            Database::Sqlite($pool) => $query.await.map(|_| ()),
            Database::Postgres($pool) => $query.await.map(|_| ()),
        }
    };
}

// After `on_pool!`, which they use.
pub mod member_page;
mod seed;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// Where the worker delivers mail.
    pub mail: smtp_sink::SmtpSink,
    pub clock: ManualClock,
    pub db: Database,
    /// The database's URL (for a worker process of its own).
    pub url: String,
    http: reqwest::Client,
    /// The first gateway's state (to shut its live connections down).
    gateway: AppState,
    _dir: tempfile::TempDir,
    /// Held so that the database is dropped when the test ends.
    _postgres: Option<PostgresDatabase>,
}

/// Runs a test body on SQLite and, where `ROSTER_TEST_POSTGRES_URL` is set,
/// on PostgreSQL: `both_backends! { async fn name(app) { ... } }`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => { $(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::TestApp::spawn($crate::Backend::Sqlite).await.expect("SQLite always runs");
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::TestApp::spawn($crate::Backend::Postgres).await else {
                    eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
        }
    )* };
}

/// One test per backend for each async fn named, which takes the
/// [`Backend`] (a test that needs more than `TestApp::spawn` gives:
/// processes of its own, a configured app): `name::sqlite` and
/// `name::postgres`, as [`both_backends!`] names them.
#[macro_export]
macro_rules! each_backend {
    ($($test:ident),* $(,)?) => { $(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::Backend::Postgres).await;
            }
        }
    )* };
}

impl TestApp {
    /// The gateway and the workers. `None` for PostgreSQL when
    /// `ROSTER_TEST_POSTGRES_URL` is unset.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, true, |_| {}).await
    }

    /// The gateway alone: nothing runs that the test did not ask for.
    pub async fn spawn_without_worker(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, false, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        worker: bool,
        configure: impl FnOnce(&mut GatewayConfig),
    ) -> Option<Self> {
        if std::env::var_os("ROSTER_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    std::env::var("ROSTER_TEST_LOG").unwrap_or_default(),
                ))
                .with_test_writer()
                .try_init();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, postgres) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("roster.db").display()),
                None,
            ),
            Backend::Postgres => {
                let pg = PostgresDatabase::create().await?;
                (pg.url.clone(), Some(pg))
            }
        };
        let db = Database::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        roster_worker::setup(&db).await.expect("job queue");
        let clock = ManualClock::new(Utc::now());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = GatewayConfig::new(JWT_SECRET.as_bytes().to_vec(), base.clone());
        // Webhook receivers in tests listen on loopback (a test of the
        // refusal turns this off again).
        config.webhooks_allow_private = true;
        config.metrics_token = Some(METRICS_TOKEN.to_owned());
        configure(&mut config);
        let gateway = serve_gateway(listener, &db, &clock, config);
        let mail = smtp_sink::SmtpSink::start().await;
        let app = Self {
            base,
            mail,
            clock,
            db,
            url,
            http: reqwest::Client::new(),
            gateway,
            _dir: dir,
            _postgres: postgres,
        };
        if worker {
            app.start_worker();
        }
        Some(app)
    }

    /// Another gateway over this app's database and clock, as a second
    /// process behind a load balancer would be; its base URL.
    pub async fn spawn_gateway(&self, configure: impl FnOnce(&mut GatewayConfig)) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // One deployment: the same public URL (the tokens' issuer).
        let mut config = GatewayConfig::new(JWT_SECRET.as_bytes().to_vec(), self.base.clone());
        config.webhooks_allow_private = true;
        config.metrics_token = Some(METRICS_TOKEN.to_owned());
        configure(&mut config);
        let _ = serve_gateway(listener, &self.db, &self.clock, config);
        base
    }

    /// What `roster serve` does when it shuts down: live sockets close
    /// with 1001.
    pub fn close_live_connections(&self) {
        self.gateway.close_live_connections();
    }

    pub fn now(&self) -> DateTime<Utc> {
        use roster_domain::Clock;
        self.clock.now()
    }

    /// POSTs a raw body to `/graphql`: the status and the JSON answer.
    pub async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.post_raw_via(&self.base, body, token).await
    }

    /// POSTs a raw body to `/graphql` of the gateway at `base` (one of
    /// `spawn_gateway`'s): the status and the JSON answer.
    pub async fn post_raw_via(
        &self,
        base: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let (status, text) = self.post_text_via(base, body, token).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text })),
        )
    }

    /// `post_raw_via`, the answer as the text sent (its keys in the order
    /// the server wrote them).
    pub async fn post_text_via(
        &self,
        base: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, String) {
        let mut req = self
            .http
            .post(format!("{base}/graphql"))
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = req.body(body).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// Runs one GraphQL operation; the whole response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_via(&self.base, token, query, variables).await
    }

    /// Runs one GraphQL operation through the gateway at `base`.
    pub async fn gql_via(
        &self,
        base: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, value) = self.post_raw_via(base, body, token).await;
        assert_eq!(status, 200, "unexpected status for {query}: {value}");
        value
    }

    /// Runs an operation that must succeed; its `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let res = self.gql(token, query, variables).await;
        assert!(res.get("errors").is_none(), "unexpected errors: {res}");
        res["data"].clone()
    }

    /// Runs an operation that must fail; its first error's code.
    pub async fn fails(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let res = self.gql(token, query, variables).await;
        error_code(&res).unwrap_or_else(|| panic!("expected an error: {res}"))
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.expect("body"))
    }

    pub async fn sign_up(&self, email: &str, name: &str) -> Session {
        let data = self
            .ok(
                None,
                "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) \
                 { accessToken refreshToken user { id } } }",
                json!({ "e": email, "p": PASSWORD, "n": name }),
            )
            .await;
        Session::from_payload(&data["signUp"])
    }

    /// Logs in again (after the clock moved past the access token's life).
    pub async fn log_in(&self, email: &str) -> Session {
        self.log_in_with(email, PASSWORD).await
    }

    /// Logs in with a password of the test's own.
    pub async fn log_in_with(&self, email: &str, password: &str) -> Session {
        let data = self
            .ok(
                None,
                "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken refreshToken user { id } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        Session::from_payload(&data["logIn"])
    }

    /// Creates an organization as `owner`; its id.
    pub async fn create_org(&self, owner: &Session, name: &str) -> String {
        let data = self
            .ok(
                Some(&owner.access),
                "mutation($n: String!) { createOrganization(name: $n) { id } }",
                json!({ "n": name }),
            )
            .await;
        data["createOrganization"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Signs `email` up and makes it an ACTIVE `role` of `org`.
    pub async fn join(&self, org: &str, email: &str, role: &str) -> Session {
        // Named after the address's local part: a display name may hold
        // no email address (docs/operations/limits.md).
        let name = email.split('@').next().unwrap_or(email);
        let session = self.sign_up(email, name).await;
        self.seed_membership(org, &session.user_id, role, "ACTIVE")
            .await;
        session
    }

    /// Invites `email` as `role` into `org`; the invitation.
    pub async fn invite(&self, by: &Session, org: &str, email: &str, role: &str) -> Value {
        let data = self
            .ok(
                Some(&by.access),
                "mutation($org: ID!, $input: InviteMemberInput!) { inviteMember(organizationId: $org, input: $input) \
                 { id email role status delivery sentCount expiresAt } }",
                json!({ "org": org, "input": { "email": email, "role": role } }),
            )
            .await;
        data["inviteMember"].clone()
    }
}

/// Serves the router as `roster serve` does, with the peer's address
/// (what per-address rate limits count).
fn serve_gateway(
    listener: tokio::net::TcpListener,
    db: &Database,
    clock: &ManualClock,
    config: GatewayConfig,
) -> AppState {
    // One feed per gateway, as one per process in production.
    let live = db.live_events(config.live.buffer);
    let state = AppState::new(db.store(), Arc::new(clock.clone()), config, live);
    let app = roster_gateway::router(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    state
}

/// A `spawn_with` configuration without rate limits, for tests and benches
/// of other things that log in many times.
pub fn unthrottled(config: &mut GatewayConfig) {
    config.rate_limits = roster_gateway::RateLimits::unlimited();
}

pub(crate) fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("uuid")
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
}

impl Session {
    pub fn from_payload(p: &Value) -> Self {
        Self {
            access: p["accessToken"].as_str().expect("accessToken").to_owned(),
            refresh: p["refreshToken"].as_str().expect("refreshToken").to_owned(),
            user_id: p["user"]["id"].as_str().expect("user.id").to_owned(),
        }
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(res: &Value) -> Option<String> {
    res["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}
