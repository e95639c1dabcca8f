//! Background work on apalis, queued in the same database as the store
//! (SQLite tables or PostgreSQL's `apalis` schema): the store enqueues a
//! job in the transaction of the write that needs it, so a job exists
//! exactly when its write committed.
//!
//! Runs in-process under `roster serve` and alone under `roster worker`;
//! on PostgreSQL any number of worker processes share the queue.

pub mod expiry;
pub mod invitation_mail;
pub mod mail;
pub mod wake;

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{BackendExt, RetryPolicy};
use apalis::prelude::{Monitor, WorkerBuilder, WorkerBuilderExt};
use apalis_cron::CronScheduler;
use apalis_postgres::{PostgresStorage, Pubsub};
use apalis_sqlite::SqliteStorage;
use roster_domain::invitation::InvitationMailJob;
use roster_domain::{Clock, Store};
use roster_store::Database;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::mail::Mailer;
use crate::wake::Wake;

/// What jobs need.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    /// Base of the links in emails.
    pub public_url: String,
}

/// How the workers poll and retry.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// How often an idle worker looks for jobs (PostgreSQL workers are also
    /// woken by NOTIFY on commit, so there this is only the fallback).
    pub poll_interval: Duration,
    /// Retries inside one attempt, with exponential backoff between
    /// `backoff_min` and `backoff_max`; the queue then retries the attempt
    /// up to `roster_store::JOB_MAX_ATTEMPTS` times.
    pub retries: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Jobs one worker process runs at once (each may hold an SMTP
    /// connection: lettre pools up to 10).
    pub concurrency: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(500),
            retries: 8,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            concurrency: 10,
        }
    }
}

/// How often one worker is restarted after failing before `run` gives up.
const MAX_RESTARTS: usize = 10;

/// Creates or upgrades the job queue's tables in `db`.
pub async fn setup(db: &Database) -> anyhow::Result<()> {
    match db {
        Database::Sqlite(pool) => SqliteStorage::<()>::setup(pool).await?,
        Database::Postgres(pool) => PostgresStorage::<()>::setup(pool).await?,
    }
    Ok(())
}

/// A name no other live worker has: apalis refuses a name seen within
/// the last heartbeat, and a restart within it must not collide.
fn unique_name(job: &str) -> String {
    format!("{job}-{}", uuid::Uuid::now_v7())
}

fn retry_policy(
    config: &WorkerConfig,
) -> apalis::prelude::BackoffRetryPolicy<tower::retry::backoff::ExponentialBackoff> {
    let backoff = ExponentialBackoffMaker::new(
        config.backoff_min,
        config.backoff_max,
        0.5,
        HasherRng::default(),
    )
    .expect("backoff bounds are valid")
    .make_backoff();
    RetryPolicy::retries(config.retries).with_backoff(backoff)
}

/// Runs the workers until `shutdown` resolves, then gives running jobs up
/// to 30 s to finish.
pub async fn run(
    db: &Database,
    deps: Arc<Deps>,
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let mut monitor = Monitor::new()
        .shutdown_timeout(Duration::from_secs(30))
        // A worker whose queue failed (the database went away mid-poll)
        // starts again rather than leaving jobs unserved; a failure that
        // keeps coming back ends `run` with its error.
        .should_restart(|worker, error| {
            let again = worker.restarts() < MAX_RESTARTS;
            tracing::error!(worker = worker.name(), restarts = worker.restarts(), %error, again, "worker failed");
            again
        });
    // The invitation-email worker over either backend's queue (their types
    // differ, so a macro rather than a function).
    macro_rules! mail_worker {
        ($monitor:expr, $backend:expr) => {{
            let (backend, deps, config) = ($backend, deps.clone(), config.clone());
            $monitor.register(move |_| {
                WorkerBuilder::new(unique_name(InvitationMailJob::QUEUE))
                    .backend(backend.clone())
                    .data(deps.clone())
                    .concurrency(config.concurrency)
                    .retry(retry_policy(&config))
                    .build(invitation_mail::handle)
            })
        }};
    }
    match db {
        Database::Sqlite(pool) => {
            let queue = apalis_sqlite::Config::default().queue(InvitationMailJob::QUEUE);
            let backend = SqliteStorage::<InvitationMailJob>::new(pool)
                .with_config(queue)
                .poll_with_strategy(Wake::every(config.poll_interval));
            monitor = mail_worker!(monitor, backend);
        }
        Database::Postgres(pool) => {
            let config_pg = apalis_postgres::Config::default().queue(InvitationMailJob::QUEUE);
            let notifications = Pubsub::new(pool.clone(), InvitationMailJob::QUEUE.to_owned());
            let backend = PostgresStorage::<InvitationMailJob>::new(pool)
                .with_config(config_pg)
                .poll_with_strategy(Wake::notified(notifications, config.poll_interval));
            monitor = mail_worker!(monitor, backend);
        }
    }
    let schedule = cron::Schedule::from_str(expiry::SCHEDULE).expect("valid cron expression");
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(unique_name("expire-invitations"))
            .backend(CronScheduler::new(schedule.clone()))
            .data(deps.clone())
            .build(expiry::handle)
    });
    monitor
        .run_with_signal(async move {
            shutdown.await;
            Ok(())
        })
        .await?;
    Ok(())
}
