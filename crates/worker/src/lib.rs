//! Background work on apalis, queued in the same database as the store
//! (SQLite tables or PostgreSQL's `apalis` schema): the store enqueues a
//! job in the transaction of the write that needs it, so a job exists
//! exactly when its write committed.
//!
//! Runs in-process under `roster serve` and alone under `roster worker`;
//! on PostgreSQL any number of worker processes share the queue.

pub mod billing;
pub mod expiry;
pub mod invitation_mail;
pub mod mail;
pub mod member_notice;
pub mod metrics;
pub mod purge;
pub mod reassignment;
pub mod retention;
pub mod supervise;
pub mod wake;
pub mod webhook_delivery;

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
use roster_domain::job::ReassignmentTask;
use roster_domain::notice::MemberNotice;
use roster_domain::webhook::WebhookTask;
use roster_domain::{Clock, Store};
use roster_store::Database;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::mail::Mailer;
use crate::metrics::JobMetricsLayer;
use crate::wake::Wake;
use crate::webhook_delivery::{WebhookSender, WebhookSettings};

/// What jobs need.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    /// Base of the links in emails.
    pub public_url: String,
    /// Monthly plan prices, for the invoice of each new period.
    pub prices: roster_domain::billing::Prices,
    /// Derives each invitation send's link token or one-time password
    /// ([`invitation_mail`]): every worker process must hold the same one
    /// ([`send_secrets`] of the shared `ROSTER_JWT_SECRET`).
    pub send_secrets: roster_domain::token::DerivationKey,
}

/// The key invitation sends derive their secrets from, out of the server
/// secret every process shares (`ROSTER_JWT_SECRET`), under a label of its
/// own.
pub fn send_secrets(server_secret: &[u8]) -> roster_domain::token::DerivationKey {
    roster_domain::token::DerivationKey::new(server_secret, "roster invitation send secret v1")
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
    /// How often a worker tells the queue it is alive, and how many beats
    /// it may miss before a live worker of the same queue re-delivers its
    /// running tasks: a task of a killed worker runs again within
    /// `heartbeat_interval × (missed_heartbeats + 1)` plus a poll.
    pub heartbeat_interval: Duration,
    pub missed_heartbeats: usize,
    /// How long running jobs may take to finish once `run` is told to stop;
    /// a job still running then is left to the queue, which re-delivers it
    /// to a live worker after the missed heartbeats above.
    pub shutdown_timeout: Duration,
    /// Webhook deliveries: the private-address flag, the timeout and the
    /// retry schedule (their own, not `retries`/`backoff_*` above).
    pub webhooks: WebhookSettings,
    /// How long the hourly purge keeps what it purges.
    pub retention: roster_domain::retention::Retention,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(500),
            retries: 8,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            concurrency: 10,
            // 5 s × 4: a crashed job resumes within ~25 s (apalis's own
            // defaults are 30 s × 10 on PostgreSQL and 30 s × 2 on SQLite).
            heartbeat_interval: Duration::from_secs(5),
            missed_heartbeats: 4,
            shutdown_timeout: Duration::from_secs(30),
            webhooks: WebhookSettings::default(),
            retention: Default::default(),
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
/// to `config.shutdown_timeout` to finish. A worker that fails more than
/// `MAX_RESTARTS` times stops them all and ends `run` with its error
/// ([`supervise::supervise`] starts them again).
pub async fn run(
    db: &Database,
    deps: Arc<Deps>,
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    crate::metrics::describe();
    let (failed_tx, failed) = tokio::sync::watch::channel::<Option<String>>(None);
    let mut monitor = Monitor::new()
        .shutdown_timeout(config.shutdown_timeout)
        // A worker whose queue failed (the database went away mid-poll)
        // starts again rather than leaving jobs unserved; a failure that
        // keeps coming back ends `run` with its error.
        .should_restart(move |worker, error| {
            let again = worker.restarts() < MAX_RESTARTS;
            tracing::error!(worker = worker.name(), restarts = worker.restarts(), %error, again, "worker failed");
            if !again {
                failed_tx.send_replace(Some(format!(
                    "worker {} failed {} times, last: {error}",
                    worker.name(),
                    worker.restarts() + 1
                )));
            }
            again
        });
    let webhooks = Arc::new(WebhookSender::new(
        deps.store.clone(),
        deps.clock.clone(),
        config.webhooks.clone(),
    )?);
    // A worker (invitation emails, member notices, lead reassignments)
    // over either backend's queue (their types differ, so a macro rather
    // than a function); each retries as the invitation email always has.
    macro_rules! queue_worker {
        ($monitor:expr, $backend:expr, $queue:expr, $handler:expr) => {{
            let (backend, deps, config) = ($backend, deps.clone(), config.clone());
            $monitor.register(move |_| {
                WorkerBuilder::new(unique_name($queue))
                    .backend(backend.clone())
                    .data(deps.clone())
                    .concurrency(config.concurrency)
                    .retry(retry_policy(&config))
                    .layer(JobMetricsLayer::new($queue))
                    .build($handler)
            })
        }};
    }
    // The queue of job type `$job` on SQLite or PostgreSQL, named explicitly.
    macro_rules! sqlite_queue {
        ($pool:expr, $job:ty) => {
            SqliteStorage::<$job>::new($pool)
                .with_config(
                    apalis_sqlite::Config::default()
                        .queue(<$job>::QUEUE)
                        .heartbeat_interval(config.heartbeat_interval)
                        .missed_heartbeats(config.missed_heartbeats),
                )
                .poll_with_strategy(Wake::every(config.poll_interval))
        };
    }
    macro_rules! postgres_queue {
        ($pool:expr, $job:ty) => {
            PostgresStorage::<$job>::new($pool)
                .with_config(
                    apalis_postgres::Config::default()
                        .queue(<$job>::QUEUE)
                        .heartbeat_interval(config.heartbeat_interval)
                        .missed_heartbeats(config.missed_heartbeats),
                )
                .poll_with_strategy(Wake::notified(
                    Pubsub::new($pool.clone(), <$job>::QUEUE.to_owned()),
                    config.poll_interval,
                ))
        };
    }
    // Every queue's worker, over the queues of `$queue` (one of the two
    // macros above) on `$pool`.
    macro_rules! queue_workers {
        ($queue:ident, $pool:expr) => {
            monitor = queue_worker!(
                monitor,
                $queue!($pool, InvitationMailJob),
                InvitationMailJob::QUEUE,
                invitation_mail::handle
            );
            monitor = queue_worker!(
                monitor,
                $queue!($pool, MemberNotice),
                MemberNotice::QUEUE,
                member_notice::handle
            );
            monitor = queue_worker!(
                monitor,
                $queue!($pool, ReassignmentTask),
                ReassignmentTask::QUEUE,
                reassignment::handle
            );
            // Webhook deliveries hold their own sender (one HTTP client).
            monitor = {
                let (backend, sender, config) = (
                    $queue!($pool, WebhookTask),
                    webhooks.clone(),
                    config.clone(),
                );
                monitor.register(move |_| {
                    WorkerBuilder::new(unique_name(WebhookTask::QUEUE))
                        .backend(backend.clone())
                        .data(sender.clone())
                        .concurrency(config.concurrency)
                        .retry(retry_policy(&config))
                        .layer(JobMetricsLayer::new(WebhookTask::QUEUE))
                        .build(webhook_delivery::handle)
                })
            };
        };
    }
    match db {
        Database::Sqlite(pool) => {
            queue_workers!(sqlite_queue, pool);
        }
        Database::Postgres(pool) => {
            queue_workers!(postgres_queue, pool);
        }
    }
    // The periodic sweeps: each worker process runs every one of them;
    // each is safe to run in several processes at once.
    macro_rules! cron {
        ($name:literal, $job:ident) => {
            let schedule = cron::Schedule::from_str($job::SCHEDULE).expect("valid cron expression");
            let deps = deps.clone();
            monitor = monitor.register(move |_| {
                WorkerBuilder::new(unique_name($name))
                    .backend(CronScheduler::new(schedule.clone()))
                    .data(deps.clone())
                    .layer(JobMetricsLayer::new($name))
                    .build($job::handle)
            });
        };
    }
    cron!("expire-invitations", expiry);
    cron!("billing-periods", billing);
    cron!("purge-organizations", purge);
    // The retention purge holds its period besides the deps.
    let job = Arc::new(retention::RetentionJob {
        deps: deps.clone(),
        retention: config.retention,
    });
    let schedule = cron::Schedule::from_str(retention::SCHEDULE).expect("valid cron expression");
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(unique_name("retention"))
            .backend(CronScheduler::new(schedule.clone()))
            .data(job.clone())
            .layer(JobMetricsLayer::new("retention"))
            .build(retention::handle)
    });
    let mut gave_up = failed.clone();
    monitor
        .run_with_signal(async move {
            tokio::select! {
                () = shutdown => {}
                _ = gave_up.wait_for(Option::is_some) => {}
            }
            Ok(())
        })
        .await?;
    if let Some(reason) = failed.borrow().clone() {
        anyhow::bail!(reason);
    }
    Ok(())
}
