//! Counting SQL statements: sqlx reports every statement as a
//! `sqlx::query` tracing event. The counter is a global subscriber, so a
//! test that counts runs in a test binary of its own (one test), where no
//! other test's statements mix in.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_subscriber::layer::{Context, SubscriberExt};
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
}

impl<S: tracing::Subscriber> Layer<S> for StatementCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}
