//! An event's deliveries, enqueued in the event's own transaction (the
//! outbox guarantee): a rolled-back change delivers nothing, a committed
//! one is delivered to every endpoint that was enabled and subscribed
//! when it committed.

use chrono::{DateTime, Utc};
use sqlx::Transaction;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::webhook::WebhookTask;
use roster_domain::{AuditAction, OrgId, WebhookEndpointId};

use super::super::Db;
use super::super::outbox::enqueue;
use super::super::rows::composed;
use crate::backend::Backend;

/// One delivery task per enabled endpoint of `org` subscribed to `action`
/// (an endpoint with no events listed takes all), found in one statement.
pub(in super::super) async fn enqueue_deliveries(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    action: AuditAction,
    event_id: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    let listed = Db::WEBHOOK_EVENT_LISTED;
    let endpoints: Vec<(Uuid,)> = sqlx::query_as(composed(format!(
        "select e.id from webhook_endpoint e where e.organization_id = $1 and e.enabled \
         and (e.events = '[]' or {listed})"
    )))
    .bind(org.0)
    .bind(action.as_str())
    .fetch_all(&mut **tx)
    .await?;
    for (endpoint,) in endpoints {
        let task = WebhookTask {
            endpoint_id: WebhookEndpointId(endpoint),
            event_id,
            attempt: 1,
            first_at: at,
        };
        enqueue(tx, WebhookTask::QUEUE, &task).await?;
    }
    Ok(())
}
