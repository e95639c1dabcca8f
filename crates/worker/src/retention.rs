//! The retention purge (docs/operations/retention.md): every hour, each kind of row in
//! `roster_domain::retention::Purgeable` older than the retention period
//! is deleted, a batch per statement with a pause between batches, so
//! that other writers get the database in between. Every worker process
//! runs it; two at once only share the work.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use roster_domain::Store;
use roster_domain::retention::{Purgeable, Retention};

use crate::Deps;
use crate::workers::{JobResult, Sweep};

/// Between two batches: other writers' turn.
const PAUSE: Duration = Duration::from_millis(20);

/// What the cron tick runs with.
pub struct RetentionJob {
    pub deps: Arc<Deps>,
    pub retention: Retention,
}

/// Deletes everything past `retention` at `now`; the rows deleted of each
/// kind.
pub async fn purge(
    store: &dyn Store,
    retention: &Retention,
    now: DateTime<Utc>,
) -> roster_domain::error::Result<Vec<(Purgeable, u64)>> {
    let batch = retention.batch.max(1);
    let mut purged = Vec::new();
    for what in Purgeable::ALL {
        let before = retention.cutoff(what, now);
        let mut total = 0;
        loop {
            let deleted = store.purge_batch(what, before, batch).await?;
            total += deleted;
            if deleted < u64::from(batch) {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
        purged.push((what, total));
    }
    Ok(purged)
}

impl Sweep for RetentionJob {
    const NAME: &'static str = "retention";
    /// Every hour, at minute 37 (away from the other hourly purge's 7).
    const SCHEDULE: &'static str = "0 37 * * * *";

    async fn run(&self) -> JobResult {
        let now = self.deps.clock.now();
        let purged = purge(self.deps.store.as_ref(), &self.retention, now).await?;
        for (what, rows) in purged.into_iter().filter(|(_, rows)| *rows > 0) {
            tracing::info!(what = what.as_str(), rows, "retention purge");
        }
        Ok(())
    }
}
