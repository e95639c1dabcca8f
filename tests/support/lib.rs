//! End-to-end test support: the real router on port 0 over a fresh
//! database (a SQLite file, or a PostgreSQL database made for the test and
//! dropped after it), a clock the test moves, and GraphQL helpers. One
//! file per concern: starting an app (`spawn.rs`), the two backends
//! (`backends.rs`), GraphQL over HTTP (`http.rs`), users and organizations
//! (`people.rs`), the workers and the job queue (`worker.rs`), mail
//! (`inbox.rs`, `smtp_sink.rs`), set-up in the database (`seed.rs`).

mod backends;
pub mod bench_doc;
mod http;
mod inbox;
pub mod leads;
pub mod live;
pub mod node;
mod people;
mod postgres;
pub mod signing_keys;
pub mod smtp_sink;
mod spawn;
pub mod statements;
pub mod webhook_receiver;
mod worker;

pub use backends::Backend;
pub use http::error_code;
pub use inbox::{
    VERIFICATION_SUBJECT, accept_url, invitation_token, reset_url, temporary_password,
    verification_token,
};
pub use people::Session;
use postgres::PostgresDatabase;
pub use spawn::unthrottled;
pub use worker::fast_worker;

use uuid::Uuid;

use roster_domain::ManualClock;
use roster_gateway::AppState;
use roster_store::Database;

pub use serde_json;

/// The key tests sign with when they forge tokens.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The bearer token test gateways ask of `GET /metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";
pub const PASSWORD: &str = "correct horse battery";

/// Runs the same sqlx statement on whichever pool `db` holds; `Ok(())` or
/// the error. Exported for the benches' bulk set-up.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $query:expr) => {
        match $db {
            ::roster_store::Database::Sqlite($pool) => $query.await.map(|_| ()),
            ::roster_store::Database::Postgres($pool) => $query.await.map(|_| ()),
        }
    };
}

// After `on_pool!`, which they use.
pub mod member_page;
mod seed;

/// A gateway and, unless spawned without, the workers over a database of
/// the test's own (`spawn.rs`).
pub struct TestApp {
    pub base: String,
    /// Where the worker delivers mail.
    pub mail: smtp_sink::SmtpSink,
    pub clock: ManualClock,
    pub db: Database,
    /// The database's URL (for a worker process of its own).
    pub url: String,
    /// Where the workers' invitation links point (`ROSTER_INVITE_URL`):
    /// the app's accept page unless a test sets it before running jobs.
    pub invite_url: roster_worker::invite_url::InviteUrl,
    http: reqwest::Client,
    /// The first gateway's state (to shut its live connections down).
    gateway: AppState,
    _dir: tempfile::TempDir,
    /// Held so that the database is dropped when the test ends.
    _postgres: Option<PostgresDatabase>,
}

pub(crate) fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("uuid")
}
