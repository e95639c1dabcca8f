//! The background workers of a test app: started with the app (`TestApp::spawn`)
//! or later (`start_worker`), polling and retrying fast.

use std::sync::Arc;

use crate::TestApp;

impl TestApp {
    /// Starts a worker against this app's database and SMTP sink (for an
    /// app spawned without one: the jobs already queued must go out).
    pub fn start_worker(&self) {
        self.start_worker_with(fast_worker());
    }

    /// `start_worker` with `config`.
    pub fn start_worker_with(&self, config: roster_worker::WorkerConfig) {
        let mailer =
            roster_worker::mail::Mailer::smtp(&self.mail.url(), "Roster <roster@test.example>")
                .expect("mailer");
        let deps = Arc::new(roster_worker::Deps {
            store: self.db.store(),
            mailer,
            clock: Arc::new(self.clock.clone()),
            public_url: self.base.clone(),
            prices: Default::default(),
            send_secrets: roster_worker::send_secrets(crate::JWT_SECRET.as_bytes()),
        });
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
