//! When a worker looks for jobs: on every tick of an interval and, on
//! PostgreSQL, on every `NOTIFY` of a new job.
//!
//! apalis 1.0's own `IntervalStrategy` and `StreamStrategy` answer `Ready`
//! without arming the next wake-up, so a tick that lands while the worker
//! is busy can leave it asleep until its 30 s heartbeat; jobs then wait
//! that long. This strategy drains both sources until each is `Pending`,
//! so a waker is always registered with the next tick and notification.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use apalis_core::backend::ext::poll_strategy::{PollSnapshot, PollStrategy};
use futures::{Stream, StreamExt};
use tokio::time::{Instant, Sleep};

/// Wakes a worker every `period` and on every item of `notifications`.
pub struct Wake<S> {
    notifications: Option<S>,
    period: Duration,
    tick: Pin<Box<Sleep>>,
}

impl<S> Wake<S> {
    fn with(notifications: Option<S>, period: Duration) -> Self {
        Self {
            notifications,
            period,
            tick: Box::pin(tokio::time::sleep(period)),
        }
    }

    /// Wakes on every item of `notifications`, and at least every `period`
    /// in case one is missed (a listener reconnecting, say).
    pub fn notified(notifications: S, period: Duration) -> Self {
        Self::with(Some(notifications), period)
    }
}

impl Wake<futures::stream::Empty<()>> {
    /// Wakes every `period`.
    pub fn every(period: Duration) -> Self {
        Self::with(None, period)
    }
}

impl<S: Clone> Clone for Wake<S> {
    fn clone(&self) -> Self {
        Self::with(self.notifications.clone(), self.period)
    }
}

impl<S: Stream + Unpin> PollStrategy for Wake<S> {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _: &PollSnapshot) -> Poll<Option<()>> {
        let mut woken = false;
        while self.tick.as_mut().poll(cx).is_ready() {
            woken = true;
            let next = Instant::now() + self.period;
            self.tick.as_mut().reset(next);
        }
        if let Some(stream) = self.notifications.as_mut() {
            loop {
                match stream.poll_next_unpin(cx) {
                    Poll::Ready(Some(_)) => woken = true,
                    // The listener is gone for good: the interval remains.
                    Poll::Ready(None) => {
                        self.notifications = None;
                        break;
                    }
                    Poll::Pending => break,
                }
            }
        }
        if woken {
            Poll::Ready(Some(()))
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake as TaskWake, Waker};

    use super::*;

    struct Count(AtomicUsize);
    impl TaskWake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A tick that fires is followed by another: the next wake-up is armed
    /// in the same call that reported the first.
    #[tokio::test(start_paused = true)]
    async fn every_tick_arms_the_next() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut wake = Wake::every(Duration::from_millis(100));
        let snapshot = PollSnapshot::default();
        assert!(wake.poll_drive(&mut cx, &snapshot).is_pending());
        tokio::time::advance(Duration::from_millis(150)).await;
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(wake.poll_drive(&mut cx, &snapshot).is_ready());
        // Nobody polls again; the armed tick still wakes the task.
        tokio::time::advance(Duration::from_millis(150)).await;
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
    }
}
