//! Managing endpoints: each write one transaction under the organization's
//! lock, reading the caller again ("edit organization info and settings")
//! and writing its audit event; and the loaders' batched reads.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::audit::{AuditChange, EndpointSummary};
use roster_domain::model::Membership;
use roster_domain::permission::Action;
use roster_domain::webhook::{
    KEPT_DELIVERIES, MAX_ENDPOINTS, NewWebhookEndpoint, WebhookDelivery, WebhookEndpoint,
    WebhookUrl,
};
use roster_domain::{DomainError, OrgId, WebhookEndpointId};

use super::super::billing::require_actor;
use super::super::organizations::{AuditRecord, record_audit};
use super::super::rows::{composed, convert_all};
use super::super::{BackendStore, Db};
use super::{DeliveryRow, ENDPOINT_COLUMNS, EndpointRow};

/// An endpoint as the audit log shows it: the URL's host only (its path
/// or query may hold the receiver's token, and more roles read the log
/// than may see endpoints).
fn summary(e: &WebhookEndpoint) -> EndpointSummary {
    EndpointSummary {
        id: e.id,
        host: WebhookUrl::host_of(&e.url),
        events: e.events.clone(),
    }
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %new.org))]
    pub(in super::super) async fn insert_webhook_endpoint(
        &self,
        new: NewWebhookEndpoint,
        actor: &Membership,
    ) -> Result<WebhookEndpoint> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, new.org).await?;
        require_actor(&mut tx, actor, Action::EditOrgInfo).await?;
        let (count,): (i64,) =
            sqlx::query_as("select count(*) from webhook_endpoint where organization_id = $1")
                .bind(new.org.0)
                .fetch_one(&mut *tx)
                .await?;
        if count >= MAX_ENDPOINTS {
            return Err(DomainError::validation(format!(
                "an organization has at most {MAX_ENDPOINTS} webhook endpoints"
            ))
            .into());
        }
        let events = serde_json::to_string(&new.events).map_err(DomainError::internal)?;
        // The event first: a new endpoint is not sent its own creation.
        let endpoint = WebhookEndpoint {
            id: new.id,
            org_id: new.org,
            url: new.url.as_str().to_owned(),
            events: new.events.clone(),
            enabled: true,
            created_at: new.now,
        };
        record_audit(
            &mut tx,
            AuditRecord {
                org: new.org,
                actor: Some(actor.user_id),
                change: AuditChange::WebhookCreated {
                    endpoint: summary(&endpoint),
                },
                target_user: None,
                target_email: None,
                at: new.now,
            },
        )
        .await?;
        sqlx::query(
            "insert into webhook_endpoint (id, organization_id, url, events, secret, enabled, created_at) \
             values ($1, $2, $3, $4, $5, true, $6)",
        )
        .bind(new.id.0)
        .bind(new.org.0)
        .bind(new.url.as_str())
        .bind(&events)
        .bind(new.secret.to_stored())
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(endpoint)
    }

    #[tracing::instrument(skip_all, fields(org = %actor.org_id, endpoint = %id))]
    pub(in super::super) async fn remove_webhook_endpoint(
        &self,
        id: WebhookEndpointId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, actor.org_id).await?;
        require_actor(&mut tx, actor, Action::EditOrgInfo).await?;
        let row: EndpointRow = sqlx::query_as(composed(format!(
            "select {ENDPOINT_COLUMNS} from webhook_endpoint e where e.id = $1 and e.organization_id = $2"
        )))
        .bind(id.0)
        .bind(actor.org_id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(DomainError::NotFound)?;
        let before = WebhookEndpoint::try_from(row)?;
        sqlx::query("delete from webhook_endpoint where id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        record_audit(
            &mut tx,
            AuditRecord {
                org: actor.org_id,
                actor: Some(actor.user_id),
                change: AuditChange::WebhookDeleted {
                    endpoint: summary(&before),
                },
                target_user: None,
                target_email: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in super::super) async fn select_webhook_endpoints_by_ids(
        &self,
        ids: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookEndpoint>> {
        self.select_endpoints("e.id", ids.iter().map(|i| i.0)).await
    }

    pub(in super::super) async fn select_webhook_endpoints_of(
        &self,
        orgs: &[OrgId],
    ) -> Result<Vec<WebhookEndpoint>> {
        self.select_endpoints("e.organization_id", orgs.iter().map(|o| o.0))
            .await
    }

    /// The endpoints whose `column` is one of `ids`, oldest first.
    async fn select_endpoints(
        &self,
        column: &str,
        ids: impl ExactSizeIterator<Item = uuid::Uuid>,
    ) -> Result<Vec<WebhookEndpoint>> {
        if ids.len() == 0 {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {ENDPOINT_COLUMNS} from webhook_endpoint e where {column} in ("
        ));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id);
        }
        list.push_unseparated(") order by e.created_at, e.id");
        let rows: Vec<EndpointRow> = q.build_query_as().fetch_all(&self.pool).await?;
        convert_all(rows)
    }

    /// The kept attempts of any number of endpoints (at most
    /// `KEPT_DELIVERIES` each, the worker prunes the rest), newest first.
    pub(in super::super) async fn select_webhook_deliveries(
        &self,
        endpoints: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookDelivery>> {
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "select id, endpoint_id, event_id, attempt, status, duration_ms, at from (\
             select d.*, row_number() over (partition by d.endpoint_id order by d.at desc, d.id desc) as n \
             from webhook_delivery d where d.endpoint_id in (",
        );
        let mut list = q.separated(", ");
        for e in endpoints {
            list.push_bind(e.0);
        }
        list.push_unseparated(")) ranked where n <= ");
        q.push_bind(KEPT_DELIVERIES);
        q.push(" order by endpoint_id, at desc, id desc");
        let rows: Vec<DeliveryRow> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
