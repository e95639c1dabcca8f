//! The worker's side of a delivery: what to send, and recording each
//! attempt in one transaction with what follows from it (the retry
//! enqueued with its backoff, or the endpoint disabled with its audit
//! event). A run of failures is measured from `failing_since`, which a
//! success clears.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::model::AuditEvent;
use roster_domain::webhook::{
    AttemptOutcome, AttemptResult, KEPT_DELIVERIES, RetryPolicy, SigningSecret, WebhookAttempt,
    WebhookSend, WebhookTask, WebhookUrl,
};
use roster_domain::{OrgId, WebhookEndpointId};

use super::super::audit::{AUDIT_COLUMNS, AuditRow};
use super::super::organizations::{AuditRecord, record_audit};
use super::super::outbox::enqueue_after;
use super::super::rows::composed;
use super::super::{BackendStore, Db};

type Tx = sqlx::Transaction<'static, Db>;

/// Why an endpoint was disabled.
#[derive(Clone, Copy)]
enum Disabling {
    /// It answered 410 Gone.
    Gone,
    /// Every attempt failed for the retry window.
    Failing,
}

/// Disables `endpoint` and writes `webhook.disabled` (by the system).
async fn disable(
    tx: &mut Tx,
    org: OrgId,
    endpoint: WebhookEndpointId,
    why: Disabling,
    status: Option<u16>,
    now: DateTime<Utc>,
) -> Result<()> {
    let url: (String,) =
        sqlx::query_as("update webhook_endpoint set enabled = false where id = $1 returning url")
            .bind(endpoint.0)
            .fetch_one(&mut **tx)
            .await?;
    let reason = match why {
        Disabling::Gone => "gone",
        Disabling::Failing => "failing",
    };
    record_audit(
        tx,
        AuditRecord {
            org,
            actor: None,
            change: AuditChange::WebhookDisabled {
                endpoint,
                host: WebhookUrl::host_of(&url.0),
                reason,
                status,
            },
            target_user: None,
            target_email: None,
            at: now,
        },
    )
    .await
}

impl BackendStore {
    pub(in super::super) async fn select_webhook_send(
        &self,
        task: &WebhookTask,
    ) -> Result<Option<WebhookSend>> {
        let endpoint: Option<(String, String, bool)> =
            sqlx::query_as("select url, secret, enabled from webhook_endpoint where id = $1")
                .bind(task.endpoint_id.0)
                .fetch_optional(&self.pool)
                .await?;
        let Some((url, secret, true)) = endpoint else {
            return Ok(None);
        };
        let event: Option<AuditRow> = sqlx::query_as(composed(format!(
            "select {AUDIT_COLUMNS} from audit_event e left join app_user t on t.id = e.target_user_id \
             where e.id = $1"
        )))
        .bind(task.event_id)
        .fetch_optional(&self.pool)
        .await?;
        let secret = SigningSecret::from_stored(&secret)?;
        Ok(event.map(|row| WebhookSend {
            url,
            secret,
            event: AuditEvent::from(row),
        }))
    }

    #[tracing::instrument(skip_all, fields(endpoint = %a.task.endpoint_id, event = %a.task.event_id, attempt = a.task.attempt))]
    pub(in super::super) async fn insert_webhook_attempt(
        &self,
        a: WebhookAttempt,
        policy: &RetryPolicy,
    ) -> Result<AttemptResult> {
        let endpoint = a.task.endpoint_id;
        let mut tx = Db::begin_write(&self.pool).await?;
        let org: Option<(Uuid,)> =
            sqlx::query_as("select organization_id from webhook_endpoint where id = $1")
                .bind(endpoint.0)
                .fetch_optional(&mut *tx)
                .await?;
        // Deleted meanwhile: nothing to record, nothing follows.
        let Some((org,)) = org else {
            return Ok(AttemptResult::GaveUp);
        };
        let org = OrgId(org);
        Db::lock_organization(&mut tx, org).await?;
        let state: Option<(bool, Option<DateTime<Utc>>)> =
            sqlx::query_as("select enabled, failing_since from webhook_endpoint where id = $1")
                .bind(endpoint.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((enabled, failing_since)) = state else {
            return Ok(AttemptResult::GaveUp);
        };
        sqlx::query(
            "insert into webhook_delivery (id, endpoint_id, event_id, attempt, status, duration_ms, at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(endpoint.0)
        .bind(a.task.event_id)
        .bind(a.task.attempt)
        .bind(a.status.map(i32::from))
        .bind(a.duration_ms)
        .bind(a.at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "delete from webhook_delivery where endpoint_id = $1 and id not in (select id from \
             webhook_delivery where endpoint_id = $1 order by at desc, id desc limit $2)",
        )
        .bind(endpoint.0)
        .bind(KEPT_DELIVERIES)
        .execute(&mut *tx)
        .await?;
        let result = match AttemptOutcome::of(a.status) {
            AttemptOutcome::Delivered => {
                sqlx::query("update webhook_endpoint set failing_since = null where id = $1")
                    .bind(endpoint.0)
                    .execute(&mut *tx)
                    .await?;
                AttemptResult::Delivered
            }
            AttemptOutcome::Gone if enabled => {
                disable(&mut tx, org, endpoint, Disabling::Gone, a.status, a.at).await?;
                AttemptResult::Disabled
            }
            AttemptOutcome::Gone => AttemptResult::GaveUp,
            AttemptOutcome::Failed => {
                let since = failing_since.unwrap_or(a.at);
                if failing_since.is_none() {
                    sqlx::query("update webhook_endpoint set failing_since = $2 where id = $1")
                        .bind(endpoint.0)
                        .bind(since)
                        .execute(&mut *tx)
                        .await?;
                }
                if !enabled {
                    AttemptResult::GaveUp
                } else if policy.expired(since, a.at) {
                    disable(&mut tx, org, endpoint, Disabling::Failing, a.status, a.at).await?;
                    AttemptResult::Disabled
                } else if policy.expired(a.task.first_at, a.at) {
                    AttemptResult::GaveUp
                } else {
                    let delay = policy.delay(a.task.attempt);
                    let next = WebhookTask {
                        attempt: a.task.attempt + 1,
                        ..a.task.clone()
                    };
                    enqueue_after(&mut tx, WebhookTask::QUEUE, &next, Some(delay)).await?;
                    AttemptResult::Retrying(delay)
                }
            }
        };
        tx.commit().await?;
        Ok(result)
    }
}
