//! The store port implemented twice with sqlx: SQLite (the embedded
//! default) and PostgreSQL (production). The URL's scheme picks one.
//!
//! The SQL is written once, in `shared/`, and compiled once per backend;
//! what the two dialects do differently is the `Backend` trait
//! (`backend.rs`), the seam between them. Each backend is a concrete type
//! (`SqliteStore`, `PostgresStore`) with its own migrations, and the same
//! tests run on both. sqlx errors become domain errors in one place,
//! `error.rs`.

// `shared/` is mounted once per backend on purpose (see `backend.rs`).
#![allow(clippy::duplicate_mod)]

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use roster_domain::Store;
use roster_domain::live::LiveItem;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::broadcast;

mod backend;
mod error;
mod postgres;
pub mod private_files;
mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// The store over one database pool; `SqliteStore` and `PostgresStore`
/// are its two backends, each implementing the port in its copy of
/// `shared/`.
pub struct SqlStore<DB: sqlx::Database> {
    pool: sqlx::Pool<DB>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    pub fn new(pool: sqlx::Pool<DB>) -> Self {
        Self { pool }
    }
}

/// A connected database: what the store and the job queue share.
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme (use sqlite:// or postgres://)")]
    UnknownScheme,
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("database unreachable: {0}")]
    Unreachable(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl Database {
    /// Connects to `url` (scheme `sqlite:` or `postgres:`/`postgresql:`).
    /// A SQLite file and its directory are created when missing.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        Self::connect_sized(url, None).await
    }

    /// [`Database::connect`] with at most `max_connections` connections
    /// (`ROSTER_DATABASE_MAX_CONNECTIONS`); `None`: 8 on SQLite, 16 on
    /// PostgreSQL.
    pub async fn connect_sized(
        url: &str,
        max_connections: Option<u32>,
    ) -> Result<Self, ConnectError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| ConnectError::InvalidUrl(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
                    .row_buffer_size(1024)
                    // SQLite's own advice for long-lived databases: the
                    // planner's statistics refreshed for the tables that
                    // changed, as each pooled connection closes (at the
                    // latest at sqlx's 30-minute lifetime), reading at most
                    // ~400 rows per index (docs/operations/performance.md,
                    // "Large organizations").
                    .optimize_on_close(true, 400);
                let file = options.get_filename();
                if file != std::path::Path::new(":memory:") && !url.contains("mode=memory") {
                    // The database holds webhook signing secrets: 0600 in a
                    // 0700 directory when Roster makes them (its WAL and
                    // shared-memory files take the database's mode).
                    let private = |path: &std::path::Path, e: std::io::Error| {
                        ConnectError::Unreachable(format!("{}: {e}", path.display()))
                    };
                    if let Some(dir) = file.parent() {
                        private_files::create_private_dir(dir).map_err(|e| private(dir, e))?;
                    }
                    if !file.exists() {
                        private_files::open_private_file(file, false)
                            .map_err(|e| private(file, e))?;
                    }
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections.unwrap_or(8))
                    .connect_with(options)
                    .await
                    .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
                Ok(Self::Sqlite(pool))
            }
            "postgres" | "postgresql" => {
                // A plan for each execution's own values: a statement's best
                // plan depends on the organization's size, and a cached
                // generic one would serve the smallest organizations with the
                // plan of the largest (docs/operations/performance.md, "Large
                // organizations").
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| ConnectError::InvalidUrl(e.to_string()))?
                    .options([("plan_cache_mode", "force_custom_plan")]);
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections.unwrap_or(16))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
                Ok(Self::Postgres(pool))
            }
            _ => Err(ConnectError::UnknownScheme),
        }
    }

    /// Runs Roster's migrations for this backend, then recomputes the
    /// stored email keys (docs/operations/upgrades.md: SQL cannot compute
    /// NFKC; idempotent).
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        let failed = |e: sqlx::migrate::MigrateError| ConnectError::Migration(e.to_string());
        let refold = |e: error::StoreError| ConnectError::Migration(format!("email keys: {e}"));
        let now = chrono::Utc::now();
        let changed = match self {
            Self::Sqlite(pool) => {
                migrator(sqlx::migrate!("../../migrations/sqlite"))
                    .run(pool)
                    .await
                    .map_err(failed)?;
                sqlite::refold_email_keys(pool, now).await.map_err(refold)?
            }
            Self::Postgres(pool) => {
                migrator(sqlx::migrate!("../../migrations/postgres"))
                    .run(pool)
                    .await
                    .map_err(failed)?;
                postgres::refold_email_keys(pool, now)
                    .await
                    .map_err(refold)?
            }
        };
        if changed > 0 {
            tracing::info!(changed, "recomputed stored email keys");
        }
        Ok(())
    }

    /// The store over this database.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteStore::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresStore::new(pool.clone())),
        }
    }

    /// Starts this process's live feed (rules.md §9): committed audit
    /// events, in commit order, broadcast to every receiver of the returned
    /// sender; a receiver more than `capacity` events behind lags (and is
    /// dropped by the gateway). Runs until the pool is closed.
    pub fn live_events(&self, capacity: usize) -> broadcast::Sender<LiveItem> {
        let (feed, _) = broadcast::channel(capacity);
        match self {
            Self::Sqlite(pool) => {
                tokio::spawn(sqlite::run_feed(pool.clone(), feed.clone()));
            }
            Self::Postgres(pool) => {
                tokio::spawn(postgres::run_feed(pool.clone(), feed.clone()));
            }
        }
        feed
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Roster tracks its migrations in its own table, so that apalis's
/// migrations (tracked in `_sqlx_migrations`) and ours never see each other
/// as "applied but missing".
fn migrator(mut m: Migrator) -> Migrator {
    m.dangerous_set_table_name("_roster_migrations");
    m
}

/// Attempts a job gets before it is left failed (each attempt retries
/// with backoff inside the worker first).
pub const JOB_MAX_ATTEMPTS: usize = 10;
