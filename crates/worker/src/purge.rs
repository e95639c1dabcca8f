//! The purge of deleted organizations (rules.md §8): every hour, each
//! organization deleted more than `lifecycle::RESTORE_WINDOW_DAYS` ago is
//! deleted for good, with everything of it. Every worker process runs it;
//! the store takes each organization under its lock, so each is purged
//! once.

use std::sync::Arc;

use crate::Deps;
use crate::workers::{JobResult, Sweep};

pub struct PurgeDeleted(pub Arc<Deps>);

impl Sweep for PurgeDeleted {
    const NAME: &'static str = "purge-organizations";
    /// Every hour, at minute 7 (away from the minutely sweep's second 0).
    const SCHEDULE: &'static str = "0 7 * * * *";

    async fn run(&self) -> JobResult {
        let deps = &self.0;
        let purged = deps
            .store
            .purge_deleted_organizations(deps.clock.now())
            .await?;
        if !purged.is_empty() {
            tracing::info!(purged = purged.len(), "deleted organizations purged");
        }
        Ok(())
    }
}
