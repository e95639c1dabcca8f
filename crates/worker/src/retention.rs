//! The retention purge (docs/operations/retention.md): every hour, each kind of row in
//! `roster_domain::retention::Purgeable` older than the retention period
//! is deleted, a batch per statement with a pause between batches, so
//! that other writers get the database in between. Every worker process
//! runs it; two at once only share the work.

use std::sync::Arc;
use std::time::Duration;

use apalis_cron::Tick;
use chrono::{DateTime, Utc};

use roster_domain::Store;
use roster_domain::retention::{Purgeable, Retention};

use crate::Deps;

/// Every hour, at minute 37 (away from the other hourly purge's 7).
pub const SCHEDULE: &str = "0 37 * * * *";

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

pub async fn handle(
    _tick: Tick,
    job: apalis::prelude::Data<Arc<RetentionJob>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    let now = job.deps.clock.now();
    let purged = purge(job.deps.store.as_ref(), &job.retention, now).await?;
    for (what, rows) in purged.into_iter().filter(|(_, rows)| *rows > 0) {
        tracing::info!(what = what.as_str(), rows, "retention purge");
    }
    Ok(())
}
