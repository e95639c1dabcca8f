//! Webhooks (rules.md §9), one file per use case under `webhooks/`:
//! enqueueing an event's deliveries (called by `record_audit_as`, in the
//! event's transaction), managing endpoints (under the organization's
//! lock, audited), and the worker's side (what to send, recording an
//! attempt with its retry or the endpoint's disabling). This file holds
//! the rows and the port.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{PortResult, Result};
use roster_domain::model::Membership;
use roster_domain::webhook::{
    AttemptResult, NewWebhookEndpoint, RetryPolicy, WebhookAttempt, WebhookDelivery,
    WebhookEndpoint, WebhookSend, WebhookStore, WebhookTask,
};
use roster_domain::{DomainError, OrgId, WebhookEndpointId};

use super::BackendStore;

mod attempts;
mod endpoints;
mod enqueue;

pub(super) use enqueue::enqueue_deliveries;

const ENDPOINT_COLUMNS: &str = "e.id, e.organization_id, e.url, e.events, e.enabled, e.created_at";

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: Uuid,
    organization_id: Uuid,
    url: String,
    events: String,
    enabled: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = DomainError;
    fn try_from(r: EndpointRow) -> Result<Self, DomainError> {
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(r.id),
            org_id: OrgId(r.organization_id),
            url: r.url,
            events: serde_json::from_str(&r.events).map_err(DomainError::internal)?,
            enabled: r.enabled,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    attempt: i32,
    status: Option<i32>,
    duration_ms: Option<i64>,
    at: DateTime<Utc>,
}

impl From<DeliveryRow> for WebhookDelivery {
    fn from(r: DeliveryRow) -> Self {
        WebhookDelivery {
            id: r.id,
            endpoint_id: WebhookEndpointId(r.endpoint_id),
            event_id: r.event_id,
            attempt: r.attempt,
            status: r.status,
            duration_ms: r.duration_ms,
            at: r.at,
        }
    }
}

#[async_trait::async_trait]
impl WebhookStore for BackendStore {
    async fn create_webhook_endpoint(
        &self,
        new: NewWebhookEndpoint,
        actor: &Membership,
    ) -> PortResult<WebhookEndpoint> {
        Ok(self.insert_webhook_endpoint(new, actor).await?)
    }
    async fn delete_webhook_endpoint(
        &self,
        id: WebhookEndpointId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.remove_webhook_endpoint(id, actor, now).await?)
    }
    async fn webhook_endpoints_by_ids(
        &self,
        ids: &[WebhookEndpointId],
    ) -> PortResult<Vec<WebhookEndpoint>> {
        Ok(self.select_webhook_endpoints_by_ids(ids).await?)
    }
    async fn webhook_endpoints_of(&self, orgs: &[OrgId]) -> PortResult<Vec<WebhookEndpoint>> {
        Ok(self.select_webhook_endpoints_of(orgs).await?)
    }
    async fn webhook_deliveries_of(
        &self,
        endpoints: &[WebhookEndpointId],
    ) -> PortResult<Vec<WebhookDelivery>> {
        Ok(self.select_webhook_deliveries(endpoints).await?)
    }
    async fn webhook_send(&self, task: &WebhookTask) -> PortResult<Option<WebhookSend>> {
        Ok(self.select_webhook_send(task).await?)
    }
    async fn record_webhook_attempt(
        &self,
        attempt: WebhookAttempt,
        policy: &RetryPolicy,
    ) -> PortResult<AttemptResult> {
        Ok(self.insert_webhook_attempt(attempt, policy).await?)
    }
}
