//! The process's lifecycle (docs/operations/upgrades.md), on the
//! `roster serve` binary over SQLite and PostgreSQL:
//! - SIGTERM stops accepting, lets a slow request in flight finish, and
//!   exits 0;
//! - past `ROSTER_SHUTDOWN_TIMEOUT` it exits anyway, non-zero, saying so;
//! - embedded workers that die are logged at ERROR and restarted, and
//!   `/readyz` answers 503 while they are down.
//!
//! A slow request is a write held up by the test holding the database's
//! write lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL `LOCK TABLE
//! organization`). A test binary of its own: it runs processes.

#[path = "lifecycle/process.rs"]
mod process;

use std::time::{Duration, Instant};

use process::{Server, free_port, roster_binary};
use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp};
use sqlx::Executor;

/// A connection holding the lock that keeps writes to `organization` waiting.
enum WriteLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

async fn hold_write_lock(app: &TestApp) -> WriteLock {
    match &app.db {
        Database::Sqlite(pool) => {
            let mut conn = pool.acquire().await.expect("connection");
            conn.execute("BEGIN IMMEDIATE").await.expect("write lock");
            WriteLock::Sqlite(conn)
        }
        Database::Postgres(pool) => {
            let mut conn = pool.acquire().await.expect("connection");
            conn.execute("BEGIN").await.expect("begin");
            conn.execute("LOCK TABLE organization IN EXCLUSIVE MODE")
                .await
                .expect("lock");
            WriteLock::Postgres(conn)
        }
    }
}

async fn release(lock: WriteLock) {
    match lock {
        WriteLock::Sqlite(mut conn) => conn.execute("ROLLBACK").await.map(|_| ()),
        WriteLock::Postgres(mut conn) => conn.execute("ROLLBACK").await.map(|_| ()),
    }
    .expect("release the lock");
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_without_worker(backend).await;
    if app.is_none() {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    }
    app
}

/// `createOrganization` through `base` (a write, so the lock holds it up).
async fn create_org(
    base: String,
    token: String,
    name: &str,
) -> Result<(u16, Value), reqwest::Error> {
    let res = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(
            &json!({ "query": "mutation($n: String!) { createOrganization(name: $n) { name } }",
                       "variables": { "n": name } }),
        )
        .send()
        .await?;
    let status = res.status().as_u16();
    Ok((status, res.json().await?))
}

async fn connection_refused(base: &str) -> bool {
    let addr = base.trim_start_matches("http://");
    matches!(
        tokio::net::TcpStream::connect(addr).await,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

async fn sigterm_finishes_the_request_in_flight(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(
        &app,
        &roster_binary(),
        dir.path(),
        "gateway",
        free_port(),
        &[],
        &[],
    )
    .await;

    let lock = hold_write_lock(&app).await;
    let request = tokio::spawn(create_org(server.base.clone(), ada.access.clone(), "Slow"));
    // Let the request reach the server and wait on the lock.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !request.is_finished(),
        "the request did not wait on the lock"
    );
    server.sigterm();
    // The listener closes at once: new connections are refused...
    let deadline = Instant::now() + Duration::from_secs(5);
    while !connection_refused(&server.base).await {
        assert!(
            Instant::now() < deadline,
            "still accepting 5 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...while the request in flight waits for the lock, and the process
    // for it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().expect("status").is_none(),
        "exited with a request in flight"
    );
    release(lock).await;

    let (status, body) = request
        .await
        .expect("join")
        .expect("the request was answered");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["createOrganization"]["name"], "Slow", "{body}");
    let exit = server.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{exit:?}:\n{}", server.log_text());
    assert_eq!(
        app.count_sql("select count(*) from organization where name = 'Slow'")
            .await,
        1
    );
}

async fn the_shutdown_timeout_bounds_the_exit(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(
        &app,
        &roster_binary(),
        dir.path(),
        "gateway",
        free_port(),
        &[],
        &[("ROSTER_SHUTDOWN_TIMEOUT", "2s")],
    )
    .await;

    let lock = hold_write_lock(&app).await;
    let request = tokio::spawn(create_org(server.base.clone(), ada.access.clone(), "Stuck"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stopped_at = Instant::now();
    server.sigterm();
    let exit = server.exit(Duration::from_secs(15)).await;
    let took = stopped_at.elapsed();
    release(lock).await;
    let log = server.log_text();
    assert_eq!(exit.code(), Some(1), "{exit:?}:\n{log}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "exited {took:?} after SIGTERM, the timeout is 2 s:\n{log}"
    );
    assert!(log.contains("shutdown timed out"), "{log}");
    assert!(log.contains("ROSTER_SHUTDOWN_TIMEOUT (2s)"), "{log}");
    // The abandoned request got no answer.
    assert!(request.await.expect("join").is_err());
}

/// Renames the queue's table away (every queue worker's poll fails), or back.
async fn break_the_queue(app: &TestApp, broken: bool) {
    let (sqlite, postgres) = if broken {
        (
            "ALTER TABLE Jobs RENAME TO JobsAway",
            "ALTER TABLE apalis.jobs RENAME TO jobs_away",
        )
    } else {
        (
            "ALTER TABLE JobsAway RENAME TO Jobs",
            "ALTER TABLE apalis.jobs_away RENAME TO jobs",
        )
    };
    match &app.db {
        Database::Sqlite(pool) => pool.execute(sqlite).await.map(|_| ()),
        Database::Postgres(pool) => pool.execute(postgres).await.map(|_| ()),
    }
    .expect("rename the jobs table");
}

async fn dead_workers_are_restarted_and_readyz_says_so(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(
        &app,
        &roster_binary(),
        dir.path(),
        "gateway",
        free_port(),
        &[],
        &[],
    )
    .await;

    break_the_queue(&app, true).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.readyz().await != Some(503) {
        assert!(
            Instant::now() < deadline,
            "/readyz stayed 200 with the workers failing:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = server.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("ERROR") && l.contains("the workers are down; restarting them")),
        "{log}"
    );
    // The gateway itself still answers.
    let res = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("healthz");
    assert_eq!(res.status(), 200);

    break_the_queue(&app, false).await;
    server.wait_ready(Duration::from_secs(60)).await;
    // Restarted, they work: an invitation queued now is mailed.
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let invite = "mutation($o: ID!) { inviteMember(organizationId: $o, input: { email: \"bob@example.com\", role: MEMBER }) { id } }";
    app.ok(Some(&ada.access), invite, json!({ "o": org })).await;
    app.mail.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(server.readyz().await, Some(200));

    server.sigterm();
    let exit = server.exit(Duration::from_secs(30)).await;
    assert!(exit.success(), "{exit:?}:\n{}", server.log_text());
}

/// `ROSTER_ACCESS_TOKEN_TTL` is the lifetime of the access tokens the
/// process issues.
async fn the_access_token_lifetime_is_configuration(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(
        &app,
        &roster_binary(),
        dir.path(),
        "gateway",
        free_port(),
        &["--no-worker"],
        &[
            ("ROSTER_ACCESS_TOKEN_TTL", "2m"),
            ("ROSTER_REFRESH_TOKEN_TTL", "1h"),
        ],
    )
    .await;
    let res: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": "mutation { signUp(email: \"ttl@example.com\", password: \"correct horse battery\", displayName: \"T\") { accessTokenExpiresAt } }" }))
        .send()
        .await
        .expect("sign up")
        .json()
        .await
        .expect("json");
    let expires = res["data"]["signUp"]["accessTokenExpiresAt"]
        .as_str()
        .unwrap_or_else(|| panic!("{res}"));
    let expires = chrono::DateTime::parse_from_rfc3339(expires).expect("a time");
    let left = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    assert!(
        (90..=120).contains(&left),
        "expires in {left} s, not about 2 minutes"
    );
    server.sigterm();
    assert!(server.exit(Duration::from_secs(30)).await.success());
}

roster_tests::each_backend!(
    the_access_token_lifetime_is_configuration,
    sigterm_finishes_the_request_in_flight,
    the_shutdown_timeout_bounds_the_exit,
    dead_workers_are_restarted_and_readyz_says_so,
);
