//! Counting SQL statements: sqlx reports every statement as a
//! `sqlx::query` tracing event. The counter is a global subscriber, so a
//! test that counts runs in a test binary of its own (one test), where no
//! other test's statements mix in. A connection's set-up (SQLite's
//! `PRAGMA`s, run when the pool opens a connection mid-request) is not a
//! statement of the request and is not counted, nor are the live feed's
//! background statements (its poll every 50 ms on SQLite, its loads of
//! committed events).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::Backend;
use tracing_subscriber::{Layer, Registry};

#[derive(Clone, Default)]
pub struct StatementCounter(Arc<AtomicUsize>);

impl StatementCounter {
    /// A counter installed as the process' global subscriber.
    pub fn install() -> Self {
        let counter = Self::default();
        tracing::subscriber::set_global_default(Registry::default().with(counter.clone()))
            .expect("subscriber");
        counter
    }

    /// Statements run so far in the process.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// The statements run while `work` runs, and what it gave.
    pub async fn during<T>(&self, work: impl Future<Output = T>) -> (usize, T) {
        let before = self.count();
        let out = work.await;
        (self.count() - before, out)
    }

    /// The fewest statements of `times` runs of `work`, and what each run
    /// gave: one run may also count the set-up of a SQLite pool connection
    /// opened during it, while a count that grows with the data grows in
    /// every run.
    pub async fn fewest_of<T, F: Future<Output = T>>(
        &self,
        times: usize,
        mut work: impl FnMut() -> F,
    ) -> (usize, Vec<T>) {
        let mut fewest = usize::MAX;
        let mut outs = Vec::with_capacity(times);
        for _ in 0..times {
            let (statements, out) = self.during(work()).await;
            fewest = fewest.min(statements);
            outs.push(out);
        }
        (fewest, outs)
    }
}

/// The check every statement-count binary makes, on SQLite and, where
/// `ROSTER_TEST_POSTGRES_URL` is set, PostgreSQL: `measure` gives, for each
/// kind of request, its statements in a small case and in a large one.
/// They must be equal (nothing loads per row) and at most that kind's
/// bound (`bounds`: a name and the most statements).
pub async fn assert_flat<const N: usize>(
    measure: impl AsyncFn(Backend) -> Option<[(usize, usize); N]>,
    bounds: [(&str, usize); N],
) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(counts) = measure(backend).await else {
            eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
            continue;
        };
        for ((small, large), (what, bound)) in counts.into_iter().zip(bounds) {
            println!("{backend:?}: {what}: {small} statements small, {large} large");
            assert_eq!(small, large, "{backend:?}: {what}: statements grew");
            assert!(large <= bound, "{backend:?}: {what}: {large} statements");
        }
    }
}

/// How the live feed's background statements begin (its poll on SQLite,
/// its loads of committed events).
const LIVE_FEED: &str = "/* live feed */";

/// Whether an event's `summary` (the statement's first words) is a
/// connection's set-up or the live feed's background poll.
#[derive(Default)]
struct SetUp(bool);

impl tracing::field::Visit for SetUp {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            let summary = value.trim_start().to_ascii_lowercase();
            self.0 = summary.starts_with("pragma") || summary.starts_with(LIVE_FEED);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.record_str(field, format!("{value:?}").trim_matches('"'));
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for StatementCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut set_up = SetUp::default();
        event.record(&mut set_up);
        if !set_up.0 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}
