//! The two kinds of work `run` starts, and the one function that builds
//! the apalis worker of each: a job type of a queue ([`QueueJob`], built by
//! [`queue_worker`] on either backend) and a periodic sweep ([`Sweep`],
//! built by [`sweep`]).
//!
//! Why functions generic over the job type: the two backends' queues are
//! different Rust types, but they store tasks the same way (JSON bytes,
//! results persisted by the same middleware), so one generic function can
//! take either once those types are pinned ([`register`]'s bounds). What
//! differs per job (its queue's name, what its runs share, its handler) is
//! the job type's [`QueueJob`] implementation, next to its code.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

use apalis::prelude::{
    Attempt, Backend, BackendExt, BoxDynError, Data, Monitor, RetryPolicy, Task, WorkerBuilder,
    WorkerBuilderExt,
};
use apalis_core::backend::finalize::Durable;
use apalis_core::backend::{BackendConfig, WireFormatBackend};
use apalis_cron::{CronScheduler, Tick};
use apalis_postgres::{PostgresStorage, Pubsub};
use apalis_sqlite::{JsonCodec, SqliteStorage};
use roster_store::Database;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::WorkerConfig;
use crate::metrics::JobMetricsLayer;
use crate::wake::Wake;

/// What a run of a job returns: an error is retried.
pub type JobResult = Result<(), BoxDynError>;

/// Runs a job's delivery in a task of its own, and says a failure will be
/// retried. When a queue worker fails (its poll lost the database) apalis
/// drops the futures of the jobs it was running, and a send that had
/// already mailed would then never be marked and would go again once the
/// job is found orphaned. Detached, it runs to its end (marking included)
/// whatever happens to the job's future.
pub async fn detached<T, E>(
    what: &'static str,
    delivery: impl Future<Output = Result<T, E>> + Send + 'static,
) -> JobResult
where
    T: Send + 'static,
    E: std::fmt::Display + Into<BoxDynError> + Send + 'static,
{
    let delivered = tokio::spawn(delivery)
        .await
        .map_err(|e| -> BoxDynError { e.into() })?;
    delivered.map(|_| ()).map_err(|e| {
        tracing::warn!(error = %e, "{what} email failed; will retry");
        e.into()
    })
}

/// A job type of a queue: the store enqueues it (as JSON, in the
/// transaction of the write that needs it) and a worker runs it.
pub trait QueueJob:
    serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + Unpin + 'static
{
    /// The queue's name, spelled out: apalis's default is the Rust type
    /// name, which a refactor would silently change.
    const QUEUE: &'static str;
    /// What the worker's runs share.
    type Data: Send + Sync + 'static;
    /// Runs the job once; an error is retried within the attempt (with
    /// `WorkerConfig`'s backoff), then by the queue up to
    /// `roster_store::JOB_MAX_ATTEMPTS` attempts.
    fn run(self, data: Arc<Self::Data>, attempt: Attempt)
    -> impl Future<Output = JobResult> + Send;
}

/// A periodic sweep: every worker process runs each on its schedule, so
/// each must be safe to run in several processes at once.
pub trait Sweep: Send + Sync + 'static {
    /// The worker's name and the metrics' queue label.
    const NAME: &'static str;
    /// A cron expression with seconds.
    const SCHEDULE: &'static str;
    fn run(&self) -> impl Future<Output = JobResult> + Send;
}

/// Adds the worker of queue `J` on `db` to `monitor`, its runs sharing
/// `data`.
pub(crate) fn queue_worker<J: QueueJob>(
    monitor: Monitor,
    db: &Database,
    data: Arc<J::Data>,
    config: &WorkerConfig,
) -> Monitor {
    match db {
        Database::Sqlite(pool) => {
            let queue = SqliteStorage::<J>::new(pool)
                .with_config(
                    apalis_sqlite::Config::default()
                        .queue(J::QUEUE)
                        .heartbeat_interval(config.heartbeat_interval)
                        .missed_heartbeats(config.missed_heartbeats),
                )
                .poll_with_strategy(Wake::every(config.poll_interval));
            register(monitor, queue, data, config)
        }
        Database::Postgres(pool) => {
            let queue = PostgresStorage::<J>::new(pool)
                .with_config(
                    apalis_postgres::Config::default()
                        .queue(J::QUEUE)
                        .heartbeat_interval(config.heartbeat_interval)
                        .missed_heartbeats(config.missed_heartbeats),
                )
                .poll_with_strategy(Wake::notified(
                    Pubsub::new(pool.clone(), J::QUEUE.to_owned()),
                    config.poll_interval,
                ));
            register(monitor, queue, data, config)
        }
    }
}

/// The middleware both backends' queues run their tasks in.
type QueueLayer = <SqliteStorage<()> as BackendConfig>::Layer;

/// The worker of `queue`, over either backend: a unique name, `config`'s
/// concurrency and retries, and the job metrics.
fn register<J, B>(monitor: Monitor, queue: B, data: Arc<J::Data>, config: &WorkerConfig) -> Monitor
where
    J: QueueJob,
    B: Backend<Task = Task<Vec<u8>>>
        + BackendConfig<Args = J, Kind = Durable, Layer = QueueLayer>
        + WireFormatBackend<Codec = JsonCodec<Vec<u8>>, Compact = Vec<u8>>
        + Clone
        + Send
        + Sync
        + Unpin
        + 'static,
{
    let config = config.clone();
    monitor.register(move |_| {
        WorkerBuilder::new(unique_name(J::QUEUE))
            .backend(queue.clone())
            .data(data.clone())
            .concurrency(config.concurrency)
            .retry(retry_policy(&config))
            .layer(JobMetricsLayer::new(J::QUEUE))
            .build(run_job::<J>)
    })
}

async fn run_job<J: QueueJob>(job: J, data: Data<Arc<J::Data>>, attempt: Attempt) -> JobResult {
    job.run(Arc::clone(&data), attempt).await
}

/// Adds the worker of `sweep` to `monitor`.
pub(crate) fn sweep<S: Sweep>(monitor: Monitor, sweep: S) -> Monitor {
    let schedule = cron::Schedule::from_str(S::SCHEDULE).expect("valid cron expression");
    let sweep = Arc::new(sweep);
    monitor.register(move |_| {
        WorkerBuilder::new(unique_name(S::NAME))
            .backend(CronScheduler::new(schedule.clone()))
            .data(sweep.clone())
            .layer(JobMetricsLayer::new(S::NAME))
            .build(run_sweep::<S>)
    })
}

async fn run_sweep<S: Sweep>(_tick: Tick, sweep: Data<Arc<S>>) -> JobResult {
    sweep.run().await
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
