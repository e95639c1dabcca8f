//! The job outbox: a job is enqueued in the transaction of the change that
//! causes it, so it commits with the change or not at all
//! (docs/architecture.md, "The job outbox").

use apalis_core::task::builder::TaskBuilder;
use sqlx::Transaction;

use roster_domain::DomainError;

use super::Db;
use crate::JOB_MAX_ATTEMPTS;
use crate::backend::Backend;
use crate::error::Result;

/// Enqueues `job` (as JSON) on `queue` in the writing transaction.
pub(super) async fn enqueue(
    tx: &mut Transaction<'static, Db>,
    queue: &str,
    job: &impl serde::Serialize,
) -> Result<()> {
    enqueue_after(tx, queue, job, None).await
}

/// `enqueue`, due only after `delay` (the queue counts whole seconds).
pub(super) async fn enqueue_after(
    tx: &mut Transaction<'static, Db>,
    queue: &str,
    job: &impl serde::Serialize,
    delay: Option<std::time::Duration>,
) -> Result<()> {
    let payload = serde_json::to_vec(job).map_err(DomainError::internal)?;
    let mut task = TaskBuilder::new(payload).max_attempts(JOB_MAX_ATTEMPTS);
    if let Some(delay) = delay {
        task = task.run_after(delay);
    }
    Ok(Db::push_task(tx, queue, task.build()).await?)
}
