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
pub mod invite_url;
pub mod mail;
pub mod member_notice;
pub mod metrics;
pub mod password_reset_mail;
pub mod purge;
pub mod reassignment;
pub mod retention;
pub mod supervise;
pub mod verification_mail;
pub mod wake;
pub mod webhook_delivery;
pub mod workers;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::Monitor;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use roster_domain::invitation::InvitationMailJob;
use roster_domain::job::ReassignmentTask;
use roster_domain::notice::MemberNotice;
use roster_domain::password_reset::PasswordResetJob;
use roster_domain::verification::VerificationMailJob;
use roster_domain::webhook::WebhookTask;
use roster_domain::{Clock, Store};
use roster_store::Database;

use crate::mail::Mailer;
use crate::webhook_delivery::{WebhookSender, WebhookSettings};
use crate::workers::{queue_worker, sweep};

/// What jobs need.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    /// Base of the links in emails.
    pub public_url: String,
    /// Where a LINK invitation's link points (`ROSTER_INVITE_URL`).
    pub invite_url: invite_url::InviteUrl,
    /// Monthly plan prices, for the invoice of each new period.
    pub prices: roster_domain::billing::Prices,
    /// Derives each invitation send's link token or one-time password
    /// ([`invitation_mail`]), and each password-reset link's token
    /// ([`password_reset_mail`]): every worker process must hold the same one
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
    monitor = queue_worker::<InvitationMailJob>(monitor, db, deps.clone(), &config);
    monitor = queue_worker::<MemberNotice>(monitor, db, deps.clone(), &config);
    monitor = queue_worker::<PasswordResetJob>(monitor, db, deps.clone(), &config);
    monitor = queue_worker::<VerificationMailJob>(monitor, db, deps.clone(), &config);
    monitor = queue_worker::<ReassignmentTask>(monitor, db, deps.clone(), &config);
    // Webhook deliveries hold their own sender (one HTTP client).
    monitor = queue_worker::<WebhookTask>(monitor, db, webhooks, &config);
    monitor = sweep(monitor, expiry::Expiry(deps.clone()));
    monitor = sweep(monitor, billing::BillingPeriods(deps.clone()));
    monitor = sweep(monitor, purge::PurgeDeleted(deps.clone()));
    monitor = sweep(
        monitor,
        retention::RetentionJob {
            deps,
            retention: config.retention,
        },
    );
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
