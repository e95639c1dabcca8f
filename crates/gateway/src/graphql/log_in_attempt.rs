//! A `logIn` attempt under the log-in throttle
//! (`roster_domain::log_in_throttle`, docs/operations/limits.md "Guessing and password
//! hashing"): counted before its password is verified, refused or let
//! through by the domain's decision, and its hits taken back by what the
//! password turned out to be.

use async_graphql::Context;

use roster_domain::DomainError;
use roster_domain::log_in_throttle::{Counted, LogInCounter, LogInCounts};

use super::context::Services;
use super::rate_limit;

/// An attempt let through to the password check.
pub(super) struct Attempt {
    counters: [LogInCounter; 5],
}

/// Counts an attempt on `email` (normalized) from the caller's address:
/// `RATE_LIMITED` (with nothing left counted) when the throttle refuses it.
pub(super) async fn begin(
    ctx: &Context<'_>,
    services: &Services,
    email: &str,
) -> Result<Attempt, DomainError> {
    let throttle = services.config.rate_limits.log_in();
    let now = services.clock.now();
    let address = rate_limit::client_subject(ctx);
    let counters = throttle.counters(email, &address, now);
    let mut hits = [0; 5];
    for (i, counter) in counters.iter().enumerate() {
        match rate_limit::count(services, &counter.key, counter.window_start).await {
            Ok(n) => hits[i] = n,
            Err(e) => {
                take_back(services, &counters[..i], |_| true).await;
                return Err(e);
            }
        }
    }
    let counts = LogInCounts::from_hits(hits);
    if let Err(refused) = throttle.decide(&counts, now) {
        tracing::info!(scope = ?refused.by, ?counts, "log-in rate limited");
        crate::metrics::rate_limited(refused.by.as_str());
        // A refused attempt checked no password: it counts on nothing.
        take_back(services, &counters, |_| true).await;
        return Err(refused.into());
    }
    Ok(Attempt { counters })
}

impl Attempt {
    /// The password was right: the failure counters take their hit back.
    pub(super) async fn succeeded(self, services: &Services) {
        take_back(services, &self.counters, |c| c == Counted::Failures).await;
    }

    /// No password was checked (the check itself failed): every counter
    /// takes its hit back.
    pub(super) async fn abandoned(self, services: &Services) {
        take_back(services, &self.counters, |_| true).await;
    }

    /// The password was wrong: the success counter takes its hit back.
    pub(super) async fn failed(self, services: &Services) {
        take_back(services, &self.counters, |c| c == Counted::Successes).await;
    }
}

async fn take_back(
    services: &Services,
    counters: &[LogInCounter],
    which: impl Fn(Counted) -> bool,
) {
    for counter in counters.iter().filter(|c| which(c.counted)) {
        rate_limit::uncount(services, &counter.key, counter.window_start).await;
    }
}
