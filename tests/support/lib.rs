//! End-to-end test support: the real router on port 0 over a fresh
//! database (a SQLite file, or a PostgreSQL database made for the test and
//! dropped after it), a clock the test moves, and GraphQL helpers.

pub mod smtp_sink;
pub mod statements;

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
    http: reqwest::Client,
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
        configure(&mut config);
        serve_gateway(listener, &db, &clock, config);
        let mail = smtp_sink::SmtpSink::start().await;
        if worker {
            let mailer =
                roster_worker::mail::Mailer::smtp(&mail.url(), "Roster <roster@test.example>")
                    .expect("mailer");
            let deps = Arc::new(roster_worker::Deps {
                store: db.store(),
                mailer,
                clock: Arc::new(clock.clone()),
                public_url: base.clone(),
            });
            let db = db.clone();
            tokio::spawn(async move {
                roster_worker::run(&db, deps, fast_worker(), std::future::pending()).await
            });
        }
        Some(Self {
            base,
            mail,
            clock,
            db,
            http: reqwest::Client::new(),
            _dir: dir,
            _postgres: postgres,
        })
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
        configure(&mut config);
        serve_gateway(listener, &self.db, &self.clock, config);
        base
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
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = req.body(body).send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text })),
        )
    }

    /// Runs one GraphQL operation; the whole response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, value) = self.post_raw(body, token).await;
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

    /// Adds `user` to `org` with a role and status, straight in the
    /// database: the set-up for rules whose way in (invitations) is built
    /// elsewhere. Assertions still go through the API.
    pub async fn seed_membership(&self, org: &str, user: &str, role: &str, status: &str) {
        let sql = "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, \
                   created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6, $6, $6)";
        let (id, org, user, now) = (Uuid::now_v7(), uuid(org), uuid(user), self.now());
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(id)
            .bind(org)
            .bind(user)
            .bind(role)
            .bind(status)
            .bind(now)
            .execute(pool))
        .expect("seed membership");
    }

    /// Signs `email` up and makes it an ACTIVE `role` of `org`.
    pub async fn join(&self, org: &str, email: &str, role: &str) -> Session {
        let session = self.sign_up(email, email).await;
        self.seed_membership(org, &session.user_id, role, "ACTIVE")
            .await;
        session
    }

    /// Adds a user without a password (it cannot log in): bulk set-up.
    pub async fn seed_user(&self, email: &str, name: &str) -> String {
        let sql = "insert into app_user (id, email, email_normalized, display_name, created_at, updated_at) \
                   values ($1, $2, $3, $4, $5, $5)";
        let (id, now) = (Uuid::now_v7(), self.now());
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(id)
            .bind(email)
            .bind(email.to_lowercase())
            .bind(name)
            .bind(now)
            .execute(pool))
        .expect("seed user");
        id.to_string()
    }

    /// Makes `n` organizations ("Seeded 1" ...) owned by `owner`, an ACTIVE
    /// ADMIN of each, with `member` ACTIVE in each as `role` when given: bulk
    /// set-up in three statements, whatever `n`.
    pub async fn seed_organizations(&self, n: usize, owner: &str, member: Option<(&str, &str)>) {
        let new_id = match self.db {
            Database::Sqlite(_) => "randomblob(16)",
            Database::Postgres(_) => "gen_random_uuid()",
        };
        let orgs = format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) \
             insert into organization (id, name, owner_id, created_at, updated_at) \
             select {new_id}, 'Seeded ' || i, $1, $2, $2 from seq"
        );
        let now = self.now();
        on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
            orgs.clone()
        ))
        .bind(uuid(owner))
        .bind(now)
        .execute(pool))
        .expect("seed organizations");
        let members = format!(
            "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, \
             created_at, updated_at) select {new_id}, id, $1, $2, 'ACTIVE', $3, $3, $3, $3 \
             from organization where owner_id = $4 and name like 'Seeded %'"
        );
        for (user, role) in std::iter::once((owner, "ADMIN")).chain(member) {
            on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                members.clone()
            ))
            .bind(uuid(user))
            .bind(role)
            .bind(now)
            .bind(uuid(owner))
            .execute(pool))
            .expect("seed memberships");
        }
    }

    /// Starts a worker against this app's database and SMTP sink (for an
    /// app spawned without one: the jobs already queued must go out).
    pub fn start_worker(&self) {
        let mailer =
            roster_worker::mail::Mailer::smtp(&self.mail.url(), "Roster <roster@test.example>")
                .expect("mailer");
        let deps = Arc::new(roster_worker::Deps {
            store: self.db.store(),
            mailer,
            clock: Arc::new(self.clock.clone()),
            public_url: self.base.clone(),
        });
        let db = self.db.clone();
        tokio::spawn(async move {
            roster_worker::run(&db, deps, fast_worker(), std::future::pending()).await
        });
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

    /// The `nth` (from 1) email to `to`, waiting for it to arrive.
    pub async fn mail_to(&self, to: &str, nth: usize) -> smtp_sink::ReceivedMail {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let mails: Vec<_> = self.mails_to(to);
            if mails.len() >= nth {
                return mails[nth - 1].clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no email #{nth} to {to} within 20 s (got {})",
                mails.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// Every email `to` received so far.
    pub fn mails_to(&self, to: &str) -> Vec<smtp_sink::ReceivedMail> {
        self.mail
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }

    /// Jobs in the queue, whatever their state (SQLite's `Jobs` table,
    /// PostgreSQL's `apalis.jobs`).
    pub async fn queued_jobs(&self) -> i64 {
        match &self.db {
            Database::Sqlite(pool) => {
                sqlx::query_scalar("select count(*) from Jobs")
                    .fetch_one(pool)
                    .await
            }
            Database::Postgres(pool) => {
                sqlx::query_scalar("select count(*) from apalis.jobs")
                    .fetch_one(pool)
                    .await
            }
        }
        .expect("count jobs")
    }

    /// Runs SQL against the app's database (for breaking it on purpose).
    pub async fn execute_sql(&self, sql: &'static str) {
        on_pool!(&self.db, |pool| sqlx::query(sql).execute(pool)).expect("sql");
    }
}

/// Serves the router as `roster serve` does, with the peer's address
/// (what per-address rate limits count).
fn serve_gateway(
    listener: tokio::net::TcpListener,
    db: &Database,
    clock: &ManualClock,
    config: GatewayConfig,
) {
    let state = AppState::new(db.store(), Arc::new(clock.clone()), config);
    let app =
        roster_gateway::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// A `spawn_with` configuration without rate limits, for tests and benches
/// of other things that log in many times.
pub fn unthrottled(config: &mut GatewayConfig) {
    config.rate_limits = roster_gateway::RateLimits::unlimited();
}

/// Polls and retries quickly, so tests wait milliseconds, not minutes.
pub fn fast_worker() -> roster_worker::WorkerConfig {
    roster_worker::WorkerConfig {
        poll_interval: std::time::Duration::from_millis(50),
        retries: 4,
        backoff_min: std::time::Duration::from_millis(50),
        backoff_max: std::time::Duration::from_millis(400),
        ..roster_worker::WorkerConfig::default()
    }
}

fn uuid(s: &str) -> Uuid {
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

/// A PostgreSQL database made for one test, dropped when it ends.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create() -> Option<Self> {
        let admin_url = std::env::var("ROSTER_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("roster_test_{}", Uuid::new_v4().simple());
        let mut admin = connect_admin(&admin_url).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let mut url = reqwest::Url::parse(&admin_url).expect("ROSTER_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(Self {
            admin_url,
            name,
            url: url.to_string(),
        })
    }
}

async fn connect_admin(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .expect("connect to ROSTER_TEST_POSTGRES_URL")
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime: do the async work on a
        // thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut admin = connect_admin(&admin_url).await;
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "drop database if exists {name} with (force)"
                )))
                .execute(&mut admin)
                .await;
            });
        })
        .join();
    }
}

/// The accept link of an invitation email: the line of its text body that
/// is exactly `{base}/invite/{token}`.
pub fn accept_url(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    let prefix = format!("{base}/invite/");
    mail.text_body()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no accept URL line in:\n{}", mail.text_body()))
        .to_owned()
}

/// The token of an invitation email's accept link.
pub fn invitation_token(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    accept_url(mail, base)
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned()
}

/// The one-time password of a TEMPORARY_PASSWORD invitation email.
pub fn temporary_password(mail: &smtp_sink::ReceivedMail) -> String {
    mail.text_body()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Temporary password: ")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no temporary password line in:\n{}", mail.text_body()))
}

impl TestApp {
    /// One integer that `sql` selects from the app's database: for checks
    /// whose API is not built yet (the audit log).
    pub async fn count_sql(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.db {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count")
    }

    /// Sets `org`'s invitation delivery (and optionally its lifetime).
    pub async fn set_delivery(
        &self,
        admin: &Session,
        org: &str,
        delivery: &str,
        ttl_hours: Option<i32>,
    ) {
        self.ok(
            Some(&admin.access),
            "mutation($o: ID!, $d: InvitationDelivery, $t: Int) { updateOrganization(id: $o, \
             input: { invitationDelivery: $d, invitationTtlHours: $t }) { id } }",
            json!({ "o": org, "d": delivery, "t": ttl_hours }),
        )
        .await;
    }
}

impl TestApp {
    /// Sets the status of `user`'s membership in `org`, straight in the
    /// database: for states the API cannot reach (an owner who is no
    /// longer an ACTIVE ADMIN), so that rules behind it can be tested.
    pub async fn set_membership_status(&self, org: &str, user: &str, status: &str) {
        let sql = "update membership set status = $3 where organization_id = $1 and user_id = $2";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(uuid(org))
            .bind(uuid(user))
            .bind(status)
            .execute(pool))
        .expect("set membership status");
    }
}
