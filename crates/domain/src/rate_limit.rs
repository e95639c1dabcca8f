//! Rate limits on guessing (rules.md §10): what is counted, per what, and
//! for how long.
//!
//! A limit is a fixed window: at most `limit` hits per key in each
//! `window`-long slice of time, counted in the database so that every
//! gateway of a deployment sees the same count. When the window ends the
//! count starts again. Log-in combines several such counters so that a
//! stranger's failures never refuse the owner (`log_in_throttle`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::DomainError;

/// At most `limit` hits per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatePolicy {
    pub limit: u32,
    pub window: Duration,
}

/// The longest window a limit may have: counters older than this are
/// purged.
pub const MAX_WINDOW: Duration = Duration::from_secs(24 * 3600);

impl RatePolicy {
    pub const fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }

    /// A policy that never refuses (for benches and tests of other things).
    pub const fn unlimited() -> Self {
        Self::new(u32::MAX, Duration::from_secs(60))
    }

    fn window_secs(&self) -> i64 {
        i64::try_from(self.window.as_secs())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    /// The window `now` falls in: its start, in seconds since the epoch.
    pub fn window_at(&self, now: DateTime<Utc>) -> i64 {
        now.timestamp().div_euclid(self.window_secs()) * self.window_secs()
    }

    /// Whether `hits` in one window are past the limit.
    pub fn exceeded(&self, hits: i64) -> bool {
        hits > i64::from(self.limit)
    }

    /// How long until the window of `now` ends.
    pub fn until_window_ends(&self, now: DateTime<Utc>) -> Duration {
        let ends = self.window_at(now) + self.window_secs();
        let ends = DateTime::from_timestamp(ends, 0).unwrap_or(now);
        (ends - now).to_std().unwrap_or_default()
    }

    /// The answer to a hit that made `hits` in the window of `now`:
    /// `RATE_LIMITED` until the window ends once past the limit.
    pub fn check(&self, hits: i64, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !self.exceeded(hits) {
            return Ok(());
        }
        Err(DomainError::rate_limited(self.until_window_ends(now)))
    }
}

/// `10/5m`: a count, a slash and a duration in `s`, `m` or `h`.
impl FromStr for RatePolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a limit like 10/5m (a count per s, m or h)");
        let (limit, window) = s.trim().split_once('/').ok_or_else(bad)?;
        let limit: u32 = limit.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let unit = match window.chars().last() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            _ => return Err(bad()),
        };
        let count: u64 = window[..window.len() - 1].parse().map_err(|_| bad())?;
        let window = Duration::from_secs(count.saturating_mul(unit));
        if limit == 0 || count == 0 || window > MAX_WINDOW {
            return Err(format!("{} (a window of at most 24h)", bad()));
        }
        Ok(Self::new(limit, window))
    }
}

impl fmt::Display for RatePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.window.as_secs();
        match secs {
            s if s % 3600 == 0 => write!(f, "{}/{}h", self.limit, s / 3600),
            s if s % 60 == 0 => write!(f, "{}/{}m", self.limit, s / 60),
            s => write!(f, "{}/{s}s", self.limit),
        }
    }
}

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateScope {
    /// Failed log-ins per email, from every address (a budget, see
    /// `log_in_throttle`).
    LogInEmail,
    /// Failed log-ins per client address.
    LogInAddress,
    /// Failed log-ins per (email, client address) pair.
    LogInPair,
    /// Failed log-ins per (email, client address) pair over a day: whether
    /// an address is fresh once the email's budget is spent.
    LogInPairDay,
    /// Successful log-ins per account (its normalized email).
    LogInSuccess,
    /// Sign-ups per client address.
    SignUpAddress,
    /// Invitation and password-reset tokens that open nothing, per client
    /// address.
    TokenAddress,
    /// Wrong current passwords per user.
    ChangePasswordUser,
    /// Invitation sends (invites and resends) per inviting user.
    InviteInviter,
    /// Invitation sends per recipient address (normalized).
    InviteRecipient,
    /// Password-reset requests per address asked for (normalized), whether
    /// or not it has an account.
    ResetEmail,
    /// Password-reset requests per client address.
    ResetAddress,
    /// `resendEmailVerification` per user.
    VerificationResendUser,
}

impl RateScope {
    /// The limit's name (in counter keys and metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LogInEmail => "log-in-email",
            Self::LogInAddress => "log-in-address",
            Self::LogInPair => "log-in-pair",
            Self::LogInPairDay => "log-in-pair-day",
            Self::LogInSuccess => "log-in-success",
            Self::SignUpAddress => "sign-up-address",
            Self::TokenAddress => "token-address",
            Self::ChangePasswordUser => "change-password-user",
            Self::InviteInviter => "invite-inviter",
            Self::InviteRecipient => "invite-recipient",
            Self::ResetEmail => "password-reset-email",
            Self::ResetAddress => "password-reset-address",
            Self::VerificationResendUser => "verification-resend-user",
        }
    }
}

/// The database key of one counter: the scope in clear (for operators),
/// then the SHA-256 of the subject, so that no email or address is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateKey(String);

impl RateKey {
    pub fn new(scope: RateScope, subject: &str) -> Self {
        let digest = Sha256::digest(subject.as_bytes());
        Self(format!(
            "{}:{}",
            scope.as_str(),
            URL_SAFE_NO_PAD.encode(digest)
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Limits on sending invitations (docs/operations/limits.md "Invitation limits"): every send (an
/// invite and each resend) counts against its inviter and its recipient's
/// address. Unlike the limits above, these are counted in the send's own
/// transaction: a refused send changes nothing, and concurrent sends on
/// any gateway cannot pass the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InviteLimits {
    pub per_inviter: RatePolicy,
    pub per_recipient: RatePolicy,
}

impl InviteLimits {
    pub const fn unlimited() -> Self {
        Self {
            per_inviter: RatePolicy::unlimited(),
            per_recipient: RatePolicy::unlimited(),
        }
    }

    /// The counters a send by `inviter` to `recipient` (the normalized
    /// address) at `now` adds one to: its key, its window and its policy,
    /// the inviter's first (the order every send takes them in).
    pub fn counters(
        &self,
        inviter: crate::UserId,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> [(RateKey, i64, RatePolicy); 2] {
        [
            (
                RateKey::new(RateScope::InviteInviter, &inviter.0.to_string()),
                self.per_inviter.window_at(now),
                self.per_inviter,
            ),
            (
                RateKey::new(RateScope::InviteRecipient, recipient),
                self.per_recipient.window_at(now),
                self.per_recipient,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_window_refuses_past_its_limit_until_it_ends() {
        let p: RatePolicy = "3/5m".parse().unwrap();
        assert_eq!(p, RatePolicy::new(3, Duration::from_secs(300)));
        assert_eq!(p.window_at(at(1_000_010)), 999_900);
        assert!(p.check(3, at(1_000_010)).is_ok());
        match p.check(4, at(1_000_010)) {
            Err(DomainError::RateLimited {
                retry_after_seconds,
            }) => assert_eq!(retry_after_seconds, 190),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.to_string(), "3/5m");
    }

    #[test]
    fn bad_limits_do_not_parse() {
        for bad in [
            "", "10", "10/", "0/5m", "10/0s", "ten/5m", "10/5d", "-1/5m", "1/25h",
        ] {
            assert!(bad.parse::<RatePolicy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_hide_their_subject() {
        let key = RateKey::new(RateScope::LogInEmail, "ada@example.com");
        assert!(key.as_str().starts_with("log-in-email:"));
        assert!(!key.as_str().contains("ada"));
        assert_ne!(
            key,
            RateKey::new(RateScope::LogInAddress, "ada@example.com")
        );
    }
}
