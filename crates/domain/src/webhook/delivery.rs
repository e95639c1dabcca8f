//! One delivery: the signing key and signature (Standard Webhooks), the
//! task the queue carries, the body, and the retry schedule.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::Result;
use crate::{DomainError, UserId, WebhookEndpointId};

/// An endpoint's signing key: 32 random bytes. The store keeps it (the
/// worker signs with it); the client sees it once, as `whsec_` + base64.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key as the store keeps it (base64).
    pub fn to_stored(&self) -> String {
        STANDARD.encode(&self.0)
    }

    pub fn from_stored(stored: &str) -> Result<Self> {
        STANDARD
            .decode(stored)
            .map(Self)
            .map_err(DomainError::internal)
    }

    /// The key as the client sees it, once.
    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", self.to_stored())
    }

    /// The `webhook-signature` header: `v1,` + base64 of the HMAC-SHA256
    /// of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The apalis task of one delivery: ids, the attempt, and when the first
/// attempt was due (the day of retries counts from it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTask {
    pub endpoint_id: WebhookEndpointId,
    pub event_id: uuid::Uuid,
    pub attempt: i32,
    pub first_at: DateTime<Utc>,
}

impl WebhookTask {
    pub const QUEUE: &'static str = "webhook-delivery";
}

/// What the worker needs to send a task: where, with which key, and the
/// event. `None` from the store when the endpoint is gone or disabled, or
/// the event was purged.
#[derive(Clone, Debug)]
pub struct WebhookSend {
    pub url: String,
    pub secret: SigningSecret,
    pub event: crate::model::AuditEvent,
}

impl WebhookSend {
    /// The request body: `{"type", "timestamp", "data": {...}}`.
    pub fn body(&self) -> serde_json::Value {
        let e = &self.event;
        let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        serde_json::json!({
            "type": e.action,
            "timestamp": at,
            "data": {
                "id": e.id.to_string(),
                "organizationId": e.org_id.to_string(),
                "action": e.action,
                "userId": e.target_user_id.map(|u: UserId| u.to_string()),
                "actorId": e.actor_id.map(|u: UserId| u.to_string()),
                "at": at,
            },
        })
    }
}

/// How deliveries are retried: after failed attempt `n` (from 1) the next
/// waits `base × 2^(n-1)`, at most `max_delay`, while the first attempt
/// is less than `window` ago; an endpoint failing for `window` (or
/// answering 410 Gone) is disabled.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_delay: Duration,
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            max_delay: Duration::from_secs(2 * 3600),
            window: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait before the attempt after failed attempt `attempt`.
    pub fn delay(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.base
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// Whether a run that began at `since` has lasted the whole window.
    pub fn expired(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        chrono::Duration::from_std(self.window).is_ok_and(|w| now - since >= w)
    }
}

/// What an answer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx.
    Delivered,
    /// 410: the receiver asks to be forgotten; disabled at once.
    Gone,
    /// Anything else, or no answer: retried.
    Failed,
}

impl AttemptOutcome {
    pub fn of(status: Option<u16>) -> Self {
        match status {
            Some(200..=299) => Self::Delivered,
            Some(410) => Self::Gone,
            _ => Self::Failed,
        }
    }
}

/// One attempt as the worker made it.
#[derive(Clone, Debug)]
pub struct WebhookAttempt {
    pub task: WebhookTask,
    pub status: Option<u16>,
    pub duration_ms: Option<i64>,
    pub at: DateTime<Utc>,
}

/// What recording an attempt decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    /// Another attempt is enqueued after this delay.
    Retrying(Duration),
    /// The endpoint was disabled (410, or failing for the whole window).
    Disabled,
    /// The window is over: this event is given up.
    GaveUp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1), Duration::from_secs(5));
        assert_eq!(p.delay(3), Duration::from_secs(20));
        assert_eq!(p.delay(40), Duration::from_secs(7200));
    }

    #[test]
    fn answers_mean_what_the_spec_says() {
        assert_eq!(AttemptOutcome::of(Some(204)), AttemptOutcome::Delivered);
        assert_eq!(AttemptOutcome::of(Some(410)), AttemptOutcome::Gone);
        assert_eq!(AttemptOutcome::of(Some(500)), AttemptOutcome::Failed);
        assert_eq!(AttemptOutcome::of(Some(301)), AttemptOutcome::Failed);
        assert_eq!(AttemptOutcome::of(None), AttemptOutcome::Failed);
    }
}
