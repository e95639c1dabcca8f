//! Webhooks (rules.md §9): an organization's endpoints, and the signed
//! deliveries of its membership events to them (the Standard Webhooks
//! specification: `webhook-id`, `webhook-timestamp`, `webhook-signature`).
//!
//! Every audit event is a membership event; its delivery tasks are
//! enqueued in the event's own transaction, one per enabled endpoint
//! subscribed to its action. The worker sends each, and retries a failure
//! with exponential backoff for a day.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::Membership;
use crate::{DomainError, OrgId, WebhookEndpointId};

mod address;
mod delivery;
mod reachable;

pub use address::{WebhookUrl, check_addresses};
pub use delivery::{
    AttemptOutcome, AttemptResult, RetryPolicy, SigningSecret, WebhookAttempt, WebhookSend,
    WebhookTask,
};
pub use reachable::is_public;

/// The actions an endpoint may subscribe to: every audit action, by its
/// text form (derived from [`crate::AuditAction`], so no action can be missing).
pub const EVENTS: &[&str] = &crate::audit::ACTION_NAMES;

/// Endpoints one organization may have.
pub const MAX_ENDPOINTS: i64 = 10;
/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;
/// Delivery attempts kept per endpoint (older ones are pruned when one is
/// recorded); also the most `deliveries(first:)` returns.
pub const KEPT_DELIVERIES: i64 = 100;

/// An endpoint as the API shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub org_id: OrgId,
    pub url: String,
    /// Subscribed actions; empty means all.
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// One attempt to deliver an event to an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: uuid::Uuid,
    pub attempt: i32,
    /// The HTTP status; `None` when no answer came (refused, timed out).
    pub status: Option<i32>,
    pub duration_ms: Option<i64>,
    pub at: DateTime<Utc>,
}

/// The subscribed actions: each must be one of [`EVENTS`]; duplicates are
/// dropped, order kept; none means all.
pub fn parse_events(given: &[String]) -> Result<Vec<String>> {
    let mut events: Vec<String> = Vec::new();
    for e in given {
        if !EVENTS.contains(&e.as_str()) {
            return Err(DomainError::validation(format!(
                "events: unknown event {e:?}"
            )));
        }
        if !events.contains(e) {
            events.push(e.clone());
        }
    }
    Ok(events)
}

/// An endpoint to create.
#[derive(Clone, Debug)]
pub struct NewWebhookEndpoint {
    pub id: WebhookEndpointId,
    pub org: OrgId,
    pub url: WebhookUrl,
    pub events: Vec<String>,
    pub secret: SigningSecret,
    pub now: DateTime<Utc>,
}

/// The webhook operations of the store. Managing endpoints is one
/// transaction under the organization's lock that reads the caller again
/// and writes an audit event; recording an attempt is one transaction that
/// also enqueues the retry or disables the endpoint (with its audit event).
#[async_trait::async_trait]
pub trait WebhookStore: Send + Sync {
    /// At most [`MAX_ENDPOINTS`] per organization (`VALIDATION`).
    async fn create_webhook_endpoint(
        &self,
        new: NewWebhookEndpoint,
        actor: &Membership,
    ) -> Result<WebhookEndpoint>;
    /// `NOT_FOUND` when it is not an endpoint of the actor's organization.
    async fn delete_webhook_endpoint(
        &self,
        id: WebhookEndpointId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn webhook_endpoints_by_ids(
        &self,
        ids: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookEndpoint>>;
    /// The endpoints of the given organizations, oldest first.
    async fn webhook_endpoints_of(&self, orgs: &[OrgId]) -> Result<Vec<WebhookEndpoint>>;
    /// The kept attempts of the given endpoints, newest first.
    async fn webhook_deliveries_of(
        &self,
        endpoints: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookDelivery>>;
    /// For the worker: what to send for `task`, if it is still due.
    async fn webhook_send(&self, task: &WebhookTask) -> Result<Option<WebhookSend>>;
    /// For the worker: records `attempt` and decides what follows.
    async fn record_webhook_attempt(
        &self,
        attempt: WebhookAttempt,
        policy: &RetryPolicy,
    ) -> Result<AttemptResult>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_events_are_refused() {
        assert!(parse_events(&["member.nope".into()]).is_err());
        let e = parse_events(&["member.removed".into(), "member.removed".into()]).unwrap();
        assert_eq!(e, vec!["member.removed".to_owned()]);
    }
}
