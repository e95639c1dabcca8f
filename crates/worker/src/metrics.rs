//! The workers' metrics (docs/operations/metrics-and-logs.md): jobs by queue and
//! outcome, with their durations, and mails by outcome. They go to the
//! process's recorder (installed by the gateway's `metrics::handle`); with
//! none installed they cost next to nothing.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tower::{Layer, Service};

pub const JOBS: &str = "roster_jobs_total";
pub const JOB_DURATION: &str = "roster_job_duration_seconds";
pub const MAILS: &str = "roster_mails_total";

/// Describes the series (their `# HELP` lines); call once per process.
pub fn describe() {
    metrics::describe_counter!(JOBS, "Job runs by queue and outcome (ok, error)");
    metrics::describe_histogram!(
        JOB_DURATION,
        metrics::Unit::Seconds,
        "Job run durations by queue and outcome"
    );
    metrics::describe_counter!(
        MAILS,
        "Mails by outcome: sent, failed (permanently, given up), retried (a transient failure the job retries)"
    );
}

/// A mail's outcome: sent, or failed permanently, or failed for now.
pub(crate) fn mail(outcome: &'static str) {
    metrics::counter!(MAILS, "outcome" => outcome).increment(1);
}

/// Wraps a queue's job handler: every run counted and timed under the
/// queue's name. Inside the retry layer, so each try is one run.
#[derive(Clone, Copy)]
pub struct JobMetricsLayer {
    queue: &'static str,
}

impl JobMetricsLayer {
    pub fn new(queue: &'static str) -> Self {
        Self { queue }
    }
}

impl<S> Layer<S> for JobMetricsLayer {
    type Service = JobMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        JobMetrics {
            inner,
            queue: self.queue,
        }
    }
}

#[derive(Clone)]
pub struct JobMetrics<S> {
    inner: S,
    queue: &'static str,
}

impl<S, Req> Service<Req> for JobMetrics<S>
where
    S: Service<Req>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let queue = self.queue;
        let started = Instant::now();
        let run = self.inner.call(request);
        Box::pin(async move {
            let result = run.await;
            let outcome = if result.is_ok() { "ok" } else { "error" };
            let elapsed = started.elapsed().as_secs_f64();
            metrics::counter!(JOBS, "queue" => queue, "outcome" => outcome).increment(1);
            metrics::histogram!(JOB_DURATION, "queue" => queue, "outcome" => outcome)
                .record(elapsed);
            result
        })
    }
}
