//! The lead-reassignment job a removal enqueues (rules.md §5): runs the
//! store's batches until the job is DONE. Each batch is its own short
//! transaction that also stores the checkpoint, so a run killed at any
//! point resumes where the last committed batch stopped, and a second
//! delivery of the same task (the queue re-delivers a task whose worker
//! stopped heart-beating) moves nothing twice.

use std::sync::Arc;
use std::time::Duration;

use roster_domain::DomainError;
use roster_domain::job::{BatchOutcome, ReassignmentTask};

use apalis::prelude::Attempt;

use crate::Deps;
use crate::workers::{JobResult, QueueJob};

/// Leads in the first batch; later batches are sized by [`BatchSizer`].
pub const BATCH_SIZE: u32 = 1_000;

/// How long a delivery waits when another one holds the job's row.
const BUSY_WAIT: Duration = Duration::from_millis(200);

/// Sizes batches by how long the last one took: each batch is one
/// transaction holding its locks (SQLite's write lock, PostgreSQL's row
/// locks) until it commits, so a batch aims at `TARGET` (well under the
/// 100 ms a batch may hold them) whatever the machine, and the job pays
/// as few commits as that allows (on SQLite a commit costs about as much
/// as a thousand rows, see tests/benches/reassign.rs).
#[derive(Clone, Copy, Debug)]
pub struct BatchSizer {
    size: u32,
}

impl BatchSizer {
    pub const TARGET: Duration = Duration::from_millis(40);
    const MIN: u32 = 100;
    const MAX: u32 = 20_000;

    pub fn new() -> Self {
        Self { size: BATCH_SIZE }
    }

    /// The size of the next batch.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Records that a batch of `size()` leads took `took`.
    pub fn took(&mut self, took: Duration) {
        if took < Self::TARGET / 2 {
            self.size = (self.size * 2).min(Self::MAX);
        } else if took > Self::TARGET * 3 / 2 {
            self.size = (self.size / 2).max(Self::MIN);
        }
    }
}

impl Default for BatchSizer {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `task` to the end.
#[tracing::instrument(skip_all, fields(job = %task.job_id))]
pub async fn reassign(deps: &Deps, task: ReassignmentTask) -> Result<(), DomainError> {
    let (mut batches, mut sizer) = (0u64, BatchSizer::new());
    loop {
        let started = std::time::Instant::now();
        let outcome = deps
            .store
            .run_reassignment_batch(task.job_id, sizer.size(), deps.clock.now())
            .await?;
        match outcome {
            BatchOutcome::Moved(_) => {
                batches += 1;
                sizer.took(started.elapsed());
            }
            BatchOutcome::Busy => tokio::time::sleep(BUSY_WAIT).await,
            BatchOutcome::Finished => {
                tracing::info!(batches, "lead reassignment finished");
                return Ok(());
            }
            // The organization is deleted: the job waits at its checkpoint,
            // and a restore enqueues it again.
            BatchOutcome::Suspended => {
                tracing::info!(batches, "lead reassignment suspended: organization deleted");
                return Ok(());
            }
        }
    }
}

/// The queue's job: a failure is an error, so the task is retried from
/// the checkpoint; when the queue's last attempt fails the job is FAILED.
impl QueueJob for ReassignmentTask {
    const QUEUE: &'static str = ReassignmentTask::QUEUE;
    type Data = Deps;

    async fn run(self, deps: Arc<Deps>, attempt: Attempt) -> JobResult {
        match reassign(&deps, self).await {
            Ok(()) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, attempt = attempt.current(), "lead reassignment failed; will retry");
                if attempt.current() + 1 >= roster_store::JOB_MAX_ATTEMPTS {
                    deps.store.fail_job(self.job_id, deps.clock.now()).await?;
                }
                Err(e.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_grow_when_quick_and_shrink_when_slow_within_bounds() {
        let mut sizer = BatchSizer::new();
        assert_eq!(sizer.size(), 1_000);
        sizer.took(Duration::from_millis(5));
        assert_eq!(sizer.size(), 2_000);
        sizer.took(BatchSizer::TARGET);
        assert_eq!(sizer.size(), 2_000);
        sizer.took(Duration::from_millis(90));
        assert_eq!(sizer.size(), 1_000);
        for _ in 0..20 {
            sizer.took(Duration::from_millis(1));
        }
        assert_eq!(sizer.size(), 20_000);
        for _ in 0..20 {
            sizer.took(Duration::from_secs(1));
        }
        assert_eq!(sizer.size(), 100);
    }
}
