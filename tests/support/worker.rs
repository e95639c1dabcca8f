//! The workers of a test app: in the background, started with the app
//! (`TestApp::spawn`) or later (`start_worker`), polling and retrying fast;
//! or run in the test until the queue holds nothing due
//! (`run_pending_jobs`), so that a test reads what its jobs did at once
//! instead of polling for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_store::Database;

use crate::TestApp;

/// Jobs of any queue that a worker would take now (pending, or failed with
/// attempts left, and due) or holds (queued to it, or running), in apalis's
/// tables (the conditions of its `fetch_next`).
const SQLITE_UNSETTLED: &str = "select count(*) from Jobs where status in ('Queued', 'Running') \
     or ((status = 'Pending' and lock_by is null) or (status = 'Failed' and attempts < max_attempts)) \
     and (run_at is null or run_at <= cast(strftime('%s', 'now') as integer))";
const POSTGRES_UNSETTLED: &str = "select count(*) from apalis.jobs where status in ('Queued', 'Running') \
     or (status = 'Pending' or (status = 'Failed' and attempts < max_attempts)) and run_at < now()";

/// How long `run_pending_jobs` may take before the test fails: jobs that
/// keep failing give up within seconds under `fast_worker`.
const SETTLE_WITHIN: Duration = Duration::from_secs(60);

impl TestApp {
    /// Starts a worker against this app's database and SMTP sink (for an
    /// app spawned without one: the jobs already queued must go out).
    pub fn start_worker(&self) {
        self.start_worker_with(fast_worker());
    }

    /// `start_worker` with `config`.
    pub fn start_worker_with(&self, config: roster_worker::WorkerConfig) {
        let deps = self.worker_deps();
        let db = self.db.clone();
        // Supervised as under `roster serve`: workers that fail for good are
        // started again (until the test ends).
        let (keep_running, stop) = tokio::sync::watch::channel(false);
        let (up, _) = tokio::sync::watch::channel(true);
        tokio::spawn(async move {
            let _keep_running = keep_running;
            roster_worker::supervise::supervise(&db, deps, config, stop, up).await
        });
    }

    /// Runs the queued jobs now, in the test: the app's workers (as
    /// `roster serve` runs them, with `fast_worker`'s timings) until no
    /// job is due or running, the jobs they enqueue included, then stops
    /// them. A job due later (a retry's backoff) is left to its time.
    pub async fn run_pending_jobs(&self) {
        if self.unsettled_jobs().await == 0 {
            return;
        }
        let deadline = Instant::now() + SETTLE_WITHIN;
        let settled = async {
            while self.unsettled_jobs().await > 0 {
                assert!(
                    Instant::now() < deadline,
                    "jobs still due after {SETTLE_WITHIN:?}"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        roster_worker::run(&self.db, self.worker_deps(), fast_worker(), settled)
            .await
            .expect("workers");
    }

    async fn unsettled_jobs(&self) -> i64 {
        match &self.db {
            Database::Sqlite(pool) => sqlx::query_scalar(SQLITE_UNSETTLED).fetch_one(pool).await,
            Database::Postgres(pool) => {
                sqlx::query_scalar(POSTGRES_UNSETTLED).fetch_one(pool).await
            }
        }
        .expect("count unsettled jobs")
    }

    /// What the workers of this app need: its store and clock, its SMTP
    /// sink, its base URL for links, the tests' signing secret.
    fn worker_deps(&self) -> Arc<roster_worker::Deps> {
        let mailer =
            roster_worker::mail::Mailer::smtp(&self.mail.url(), "Roster <roster@test.example>")
                .expect("mailer");
        Arc::new(roster_worker::Deps {
            store: self.db.store(),
            mailer,
            clock: Arc::new(self.clock.clone()),
            public_url: self.base.clone(),
            invite_url: self.invite_url.clone(),
            prices: Default::default(),
            send_secrets: roster_worker::send_secrets(crate::JWT_SECRET.as_bytes()),
        })
    }
}

/// Polls and retries quickly, so tests wait milliseconds, not minutes.
pub fn fast_worker() -> roster_worker::WorkerConfig {
    roster_worker::WorkerConfig {
        poll_interval: std::time::Duration::from_millis(50),
        retries: 4,
        backoff_min: std::time::Duration::from_millis(50),
        backoff_max: std::time::Duration::from_millis(400),
        // Loopback receivers, and retries after (about) a second rather
        // than minutes; the window stays a day (tests move the clock).
        webhooks: roster_worker::webhook_delivery::WebhookSettings {
            allow_private: true,
            retry: roster_domain::webhook::RetryPolicy {
                base: std::time::Duration::from_millis(100),
                max_delay: std::time::Duration::from_millis(400),
                ..Default::default()
            },
            ..Default::default()
        },
        ..roster_worker::WorkerConfig::default()
    }
}
