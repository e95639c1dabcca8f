//! Keeps a process's workers running: when [`crate::run`] ends with an
//! error (a worker failed more than `MAX_RESTARTS` times in a row, e.g. its
//! queue's table went away), the failure is logged at ERROR, the workers
//! are reported down, and they are started again after a backoff (1 s,
//! doubling up to 60 s; back to 1 s once a run has lasted a minute).
//!
//! The `up` channel is what `/readyz` reads under `roster serve`: `false`
//! from a failure until the restarted workers have run for
//! [`HEALTHY_AFTER`] without failing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_store::Database;
use tokio::sync::watch;

use crate::{Deps, WorkerConfig};

const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A run that lasted this long resets the backoff.
const STABLE: Duration = Duration::from_secs(60);
/// How long restarted workers must run before they count as up again.
pub const HEALTHY_AFTER: Duration = Duration::from_secs(3);

/// Runs the workers until `stop` turns `true` (or its sender is dropped),
/// restarting them whenever they fail. `up` tells whether they are running.
pub async fn supervise(
    db: &Database,
    deps: Arc<Deps>,
    config: WorkerConfig,
    mut stop: watch::Receiver<bool>,
    up: watch::Sender<bool>,
) -> anyhow::Result<()> {
    let mut backoff = BACKOFF_MIN;
    loop {
        let started = Instant::now();
        let mut stopped = stop.clone();
        let run = crate::run(db, deps.clone(), config.clone(), async move {
            let _ = stopped.wait_for(|s| *s).await;
        });
        tokio::pin!(run);
        let result = tokio::select! {
            result = &mut run => result,
            () = tokio::time::sleep(HEALTHY_AFTER) => {
                up.send_replace(true);
                run.await
            }
        };
        if stopping(&stop) {
            return result;
        }
        let error = result
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("the workers stopped by themselves"));
        up.send_replace(false);
        if started.elapsed() >= STABLE {
            backoff = BACKOFF_MIN;
        }
        tracing::error!(
            error = format!("{error:#}"),
            restart_in = ?backoff,
            "the workers are down; restarting them"
        );
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = stop.wait_for(|s| *s) => return Ok(()),
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}
