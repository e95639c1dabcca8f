//! Retention (docs/operations/retention.md): what the worker deletes once it is old,
//! and after how long, so that no table grows without bound. The audit
//! log, invoices, invitations and users are the record and are kept.
//!
//! The purge deletes in batches, one statement each, so that a large
//! backlog never holds a table (or SQLite's single write lock) for long.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Result;

/// What the purge deletes, each kind older than the retention period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purgeable {
    /// Sessions that ended or expired before the cutoff, with their
    /// refresh tokens.
    Sessions,
    /// Refresh tokens spent before the cutoff (of sessions still open: a
    /// spent token presented again ends its session for that long).
    SpentRefreshTokens,
    /// Queue tasks finished before the cutoff: done, killed, or failed
    /// with no attempt left.
    FinishedTasks,
    /// Queue workers last seen before the cutoff that hold no task (every
    /// worker start registers new names).
    GoneWorkers,
    /// Lead reassignment jobs (`job`) finished before the cutoff.
    FinishedJobs,
    /// Invitation sends requested before the cutoff, except a pending
    /// invitation's current send not yet delivered.
    InvitationSends,
    /// Webhook delivery attempts made before the cutoff (`deliveries`
    /// shows the last 100 per endpoint at most).
    WebhookDeliveries,
    /// SQLite's live-event rows of audit events older than a day (the
    /// feed only reads rows newer than its cursor); none on PostgreSQL.
    LiveEvents,
}

impl Purgeable {
    pub const ALL: [Self; 8] = [
        Self::Sessions,
        Self::SpentRefreshTokens,
        Self::FinishedTasks,
        Self::GoneWorkers,
        Self::FinishedJobs,
        Self::InvitationSends,
        Self::WebhookDeliveries,
        Self::LiveEvents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sessions => "sessions",
            Self::SpentRefreshTokens => "spent_refresh_tokens",
            Self::FinishedTasks => "finished_tasks",
            Self::GoneWorkers => "gone_workers",
            Self::FinishedJobs => "finished_jobs",
            Self::InvitationSends => "invitation_sends",
            Self::WebhookDeliveries => "webhook_deliveries",
            Self::LiveEvents => "live_events",
        }
    }
}

/// Live events are kept at most this long, whatever the period.
pub const LIVE_EVENT_RETENTION: Duration = Duration::from_secs(24 * 3600);
/// The shortest period: every window that counts rows (five sends per
/// invitation a day, the invitation limits) must stay whole.
pub const MIN_PERIOD: Duration = Duration::from_secs(24 * 3600);

/// How long rows are kept and how many one statement deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub period: Duration,
    pub batch: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            period: Duration::from_secs(30 * 24 * 3600),
            batch: 1_000,
        }
    }
}

impl Retention {
    /// Rows of `what` older than this are deleted at `now`.
    pub fn cutoff(&self, what: Purgeable, now: DateTime<Utc>) -> DateTime<Utc> {
        let period = self.period.max(MIN_PERIOD);
        let period = match what {
            Purgeable::LiveEvents => period.min(LIVE_EVENT_RETENTION),
            _ => period,
        };
        now - chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX)
    }
}

/// The store's side of the purge.
#[async_trait::async_trait]
pub trait RetentionStore: Send + Sync {
    /// Deletes at most `batch` rows of `what` older than `before`, in one
    /// statement; how many it deleted. Safe in several processes at once.
    async fn purge_batch(&self, what: Purgeable, before: DateTime<Utc>, batch: u32) -> Result<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_keep_at_least_a_day_and_live_events_at_most_one() {
        let now = Utc::now();
        let month = Retention::default();
        assert_eq!(
            month.cutoff(Purgeable::Sessions, now),
            now - chrono::Duration::days(30)
        );
        assert_eq!(
            month.cutoff(Purgeable::LiveEvents, now),
            now - chrono::Duration::days(1)
        );
        let short = Retention {
            period: Duration::from_secs(60),
            batch: 1,
        };
        assert_eq!(
            short.cutoff(Purgeable::InvitationSends, now),
            now - chrono::Duration::days(1)
        );
    }
}
