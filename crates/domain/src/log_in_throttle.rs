//! The log-in throttle (rules.md §10, docs/operations/limits.md "Guessing and password
//! hashing"): guessing a password stays slow, also from many addresses,
//! while a stranger can never keep the owner out.
//!
//! Every attempt counts on five fixed-window counters before its password
//! is verified (so a refused attempt costs no hash), and the decision below
//! says, from those counts alone, whether the password is verified:
//! - per client address, across emails: a hard limit on failures;
//! - per (email, address) pair: a hard limit on failures, refusing even the
//!   right password from that pair (else the answer would tell a guesser
//!   when it found the password);
//! - per email, across addresses: a budget of failures. Past it, a password
//!   is verified only from an address that has had (almost) no failure on
//!   that email for a day (the day-long pair counter); any other address is
//!   refused. A guesser gets the budget plus that many guesses per fresh
//!   address per day, and the owner, from any address that has not been
//!   failing, gets in at once;
//! - per account: successful log-ins, so that the right password does not
//!   open sessions without bound.
//!
//! A right password takes back its hits on the failure counters, a wrong
//! one its hit on the success counter, and a refused attempt all of them:
//! the counters hold the verified failures (and successes), plus attempts
//! still in flight, which can only make a decision stricter.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::rate_limit::{RateKey, RatePolicy, RateScope};

/// The log-in limits, each a count per fixed window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogInThrottle {
    /// Failures per client address, across emails (hard).
    pub per_address: RatePolicy,
    /// Failures per (email, client address) pair (hard).
    pub per_pair: RatePolicy,
    /// Failures per email, across addresses: the budget.
    pub per_email: RatePolicy,
    /// Failures per pair (a day-long window) that an address may have had
    /// and still be verified once the email's budget is spent.
    pub per_pair_day: RatePolicy,
    /// Successful log-ins per account.
    pub successes: RatePolicy,
}

/// What takes a counter's hit back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// A failure counter: a right password takes its hit back.
    Failures,
    /// The success counter: a wrong password takes its hit back.
    Successes,
}

/// One counter an attempt adds one to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogInCounter {
    pub scope: RateScope,
    pub key: RateKey,
    pub window_start: i64,
    pub counted: Counted,
}

/// The hits of each counter, this attempt's included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogInCounts {
    pub address: i64,
    pub pair: i64,
    pub email: i64,
    pub pair_day: i64,
    pub successes: i64,
}

impl LogInCounts {
    /// The counts in the order of [`LogInThrottle::counters`].
    pub fn from_hits([address, pair, email, pair_day, successes]: [i64; 5]) -> Self {
        Self {
            address,
            pair,
            email,
            pair_day,
            successes,
        }
    }
}

/// A refused attempt: the limit that refused it (the one lasting longest)
/// and how long until it may pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogInRefusal {
    pub by: RateScope,
    pub retry_after: Duration,
}

impl From<LogInRefusal> for DomainError {
    fn from(refusal: LogInRefusal) -> Self {
        DomainError::rate_limited(refusal.retry_after)
    }
}

impl LogInThrottle {
    /// Limits that never refuse (benches, and tests of other things).
    pub const fn unlimited() -> Self {
        Self {
            per_address: RatePolicy::unlimited(),
            per_pair: RatePolicy::unlimited(),
            per_email: RatePolicy::unlimited(),
            per_pair_day: RatePolicy::unlimited(),
            successes: RatePolicy::unlimited(),
        }
    }

    /// The counters an attempt on `email` (normalized) from `address` (the
    /// client's limit subject) at `now` adds one to, in the order of
    /// [`LogInCounts::from_hits`].
    pub fn counters(&self, email: &str, address: &str, now: DateTime<Utc>) -> [LogInCounter; 5] {
        let pair = format!("{email}\n{address}");
        let counter = |scope, subject: &str, policy: RatePolicy, counted| LogInCounter {
            scope,
            key: RateKey::new(scope, subject),
            window_start: policy.window_at(now),
            counted,
        };
        use Counted::{Failures, Successes};
        [
            counter(RateScope::LogInAddress, address, self.per_address, Failures),
            counter(RateScope::LogInPair, &pair, self.per_pair, Failures),
            counter(RateScope::LogInEmail, email, self.per_email, Failures),
            counter(RateScope::LogInPairDay, &pair, self.per_pair_day, Failures),
            counter(RateScope::LogInSuccess, email, self.successes, Successes),
        ]
    }

    /// Whether an attempt whose counters reached `counts` at `now` has its
    /// password verified, or is refused and for how long.
    pub fn decide(&self, counts: &LogInCounts, now: DateTime<Utc>) -> Result<(), LogInRefusal> {
        let refusal = |by, policy: RatePolicy| LogInRefusal {
            by,
            retry_after: policy.until_window_ends(now),
        };
        let mut refusals = Vec::new();
        if self.per_address.exceeded(counts.address) {
            refusals.push(refusal(RateScope::LogInAddress, self.per_address));
        }
        if self.per_pair.exceeded(counts.pair) {
            refusals.push(refusal(RateScope::LogInPair, self.per_pair));
        }
        if self.per_email.exceeded(counts.email) && self.per_pair_day.exceeded(counts.pair_day) {
            // Passes again when the budget starts anew or the address's
            // failures leave their day, whichever comes first.
            let budget = refusal(RateScope::LogInEmail, self.per_email);
            let day = refusal(RateScope::LogInPairDay, self.per_pair_day);
            refusals.push(if budget.retry_after <= day.retry_after {
                budget
            } else {
                day
            });
        }
        if self.successes.exceeded(counts.successes) {
            refusals.push(refusal(RateScope::LogInSuccess, self.successes));
        }
        match refusals.into_iter().max_by_key(|r| r.retry_after) {
            Some(refused) => Err(refused),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LogInThrottle {
        LogInThrottle {
            per_address: "50/5m".parse().unwrap(),
            per_pair: "5/15m".parse().unwrap(),
            per_email: "10/1h".parse().unwrap(),
            per_pair_day: "1/24h".parse().unwrap(),
            successes: "30/1h".parse().unwrap(),
        }
    }

    /// 00:10 on a day: 10 minutes into a 15-minute window and an hour.
    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(20_000 * 86_400 + 600, 0).unwrap()
    }

    fn counts(address: i64, pair: i64, email: i64, pair_day: i64) -> LogInCounts {
        LogInCounts {
            address,
            pair,
            email,
            pair_day,
            successes: 1,
        }
    }

    fn refused(counts: LogInCounts) -> LogInRefusal {
        throttle().decide(&counts, now()).expect_err("refused")
    }

    #[test]
    fn within_every_limit_the_password_is_verified() {
        assert_eq!(throttle().decide(&counts(50, 5, 10, 5), now()), Ok(()));
    }

    #[test]
    fn a_pair_past_its_limit_is_refused_until_its_window_ends() {
        let r = refused(counts(6, 6, 6, 6));
        assert_eq!(r.by, RateScope::LogInPair);
        assert_eq!(r.retry_after, Duration::from_secs(5 * 60));
    }

    #[test]
    fn an_address_past_its_limit_is_refused_for_every_email() {
        let r = refused(counts(51, 1, 1, 1));
        assert_eq!(r.by, RateScope::LogInAddress);
        assert_eq!(r.retry_after, Duration::from_secs(5 * 60));
    }

    #[test]
    fn past_the_budget_only_a_fresh_address_is_verified() {
        // The owner from an address with no failure on this email today.
        assert_eq!(throttle().decide(&counts(1, 1, 500, 1), now()), Ok(()));
        // An address that has failed on it today waits for the budget.
        let r = refused(counts(2, 2, 11, 2));
        assert_eq!(r.by, RateScope::LogInEmail);
        assert_eq!(r.retry_after, Duration::from_secs(50 * 60));
    }

    #[test]
    fn the_longest_refusal_says_when_to_retry() {
        let r = refused(counts(51, 6, 11, 2));
        assert_eq!(r.by, RateScope::LogInEmail);
        assert_eq!(r.retry_after, Duration::from_secs(50 * 60));
    }

    #[test]
    fn successes_past_their_limit_are_refused_before_any_password_is_checked() {
        let mut c = counts(1, 1, 1, 1);
        c.successes = 31;
        let r = refused(c);
        assert_eq!(r.by, RateScope::LogInSuccess);
        assert_eq!(DomainError::from(r).code().as_str(), "RATE_LIMITED");
    }

    #[test]
    fn counters_are_keyed_by_scope_and_pair() {
        let t = throttle();
        let a = t.counters("ada@example.com", "10.0.0.1", now());
        let b = t.counters("ada@example.com", "10.0.0.2", now());
        assert_eq!(a[2].key, b[2].key, "one budget per email");
        assert_ne!(a[1].key, b[1].key, "one pair counter per address");
        assert_ne!(a[1].key, a[3].key, "the day counter is another");
        assert_eq!(a[4].counted, Counted::Successes);
        assert_eq!(a[3].window_start, 20_000 * 86_400);
    }
}
