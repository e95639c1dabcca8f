//! Organizations: creation (the creator becomes owner and ADMIN), settings,
//! and the audit events their changes write.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::audit::{AuditChange, OrgSettings};
use roster_domain::billing::{InvoiceKind, Subscription};
use roster_domain::model::{AuditEvent, AuditFilter, Membership, PageRequest, Slice};
use roster_domain::model::{NewOrganization, Organization, OrganizationPatch};
use roster_domain::store::OrganizationStore;
use roster_domain::{DomainError, MemberId, MemberStatus, OrgId, OrgRole, UserId};

use super::billing::issue_invoice;
use super::rows::{ORG_COLUMNS, OrgRow, composed, convert_all};
use super::{BackendStore, Db};
use roster_domain::permission::Action;

/// One row of the audit log, written in the transaction of its change.
pub(super) struct AuditRecord<'a> {
    pub org: OrgId,
    pub actor: Option<UserId>,
    pub change: AuditChange,
    pub target_user: Option<UserId>,
    pub target_email: Option<&'a str>,
    pub at: DateTime<Utc>,
}

pub(super) async fn record_audit(
    tx: &mut Transaction<'static, Db>,
    r: AuditRecord<'_>,
) -> Result<()> {
    record_audit_as(tx, Uuid::now_v7(), r).await
}

/// `record_audit` under an id the caller made (UUID v7), for a change that
/// names its event elsewhere in the same transaction (a member notice's
/// Message-ID, a job).
pub(super) async fn record_audit_as(
    tx: &mut Transaction<'static, Db>,
    id: Uuid,
    r: AuditRecord<'_>,
) -> Result<()> {
    sqlx::query(
        "insert into audit_event (id, organization_id, actor_id, action, target_user_id, target_email, detail, at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(r.org.0)
    .bind(r.actor.map(|a| a.0))
    .bind(r.change.action().as_str())
    .bind(r.target_user.map(|u| u.0))
    .bind(r.target_email)
    .bind(r.change.detail().to_string())
    .bind(r.at)
    .execute(&mut **tx)
    .await?;
    super::webhooks::enqueue_deliveries(tx, r.org, r.change.action(), id, r.at).await?;
    super::events::publish(tx, id).await?;
    Ok(())
}

pub(super) async fn select_org(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
) -> Result<Organization> {
    let row: OrgRow = sqlx::query_as(composed(format!(
        "select {ORG_COLUMNS} from organization o where o.id = $1"
    )))
    .bind(org.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound)?;
    Ok(row.try_into()?)
}

fn settings(o: &Organization) -> OrgSettings {
    OrgSettings {
        name: o.name.clone(),
        invitation_delivery: o.invitation_delivery,
        invitation_ttl_hours: i64::from(o.invitation_ttl_hours()),
    }
}

#[async_trait::async_trait]
impl OrganizationStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %new.id))]
    async fn create_organization(&self, new: NewOrganization) -> PortResult<Organization> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let subscription = Subscription::first(new.now);
            sqlx::query(
                "insert into organization (id, name, owner_id, created_at, updated_at, current_period_start, \
                 current_period_end) values ($1, $2, $3, $4, $4, $5, $6)",
            )
            .bind(new.id.0)
            .bind(new.name.as_str())
            .bind(new.owner.0)
            .bind(new.now)
            .bind(subscription.current_period_start)
            .bind(subscription.current_period_end)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, \
                 created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6, $6, $6)",
            )
            .bind(MemberId::new().0)
            .bind(new.id.0)
            .bind(new.owner.0)
            .bind(OrgRole::Admin.as_str())
            .bind(MemberStatus::Active.as_str())
            .bind(new.now)
            .execute(&mut *tx)
            .await?;
            let org = select_org(&mut tx, new.id).await?;
            // The first period's invoice, at the plan's price (BASIC).
            let price = new.prices.of(org.plan);
            issue_invoice(&mut tx, &org, InvoiceKind::Period, price, new.now).await?;
            record_audit(
                &mut tx,
                AuditRecord {
                    org: new.id,
                    actor: Some(new.owner),
                    change: AuditChange::OrganizationCreated {
                        after: settings(&org),
                    },
                    target_user: Some(new.owner),
                    target_email: None,
                    at: new.now,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(org)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn organizations_by_ids(&self, ids: &[OrgId]) -> PortResult<Vec<Organization>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {ORG_COLUMNS} from organization o where o.id in ("
            ));
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(id.0);
            }
            list.push_unseparated(")");
            let rows: Vec<OrgRow> = q.build_query_as().fetch_all(&self.pool).await?;
            convert_all(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn update_organization(
        &self,
        org: OrgId,
        actor: UserId,
        patch: OrganizationPatch,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            super::members::lock_and_require(&mut tx, org, actor, Action::EditOrgInfo).await?;
            let before = select_org(&mut tx, org).await?;
            let mut after = before.clone();
            if let Some(name) = patch.name {
                after.name = name.as_str().to_owned();
            }
            if let Some(delivery) = patch.invitation_delivery {
                after.invitation_delivery = delivery;
            }
            if let Some(ttl) = patch.invitation_ttl_hours {
                match after.invitation_delivery {
                    roster_domain::InvitationDelivery::Link => after.link_ttl_hours = ttl.hours(),
                    roster_domain::InvitationDelivery::TemporaryPassword => {
                        after.temporary_password_ttl_hours = ttl.hours()
                    }
                }
            }
            if after == before {
                tx.commit().await?;
                return Ok(after);
            }
            sqlx::query(
                "update organization set name = $2, invitation_delivery = $3, link_ttl_hours = $4, \
                 temporary_password_ttl_hours = $5, updated_at = $6 where id = $1",
            )
            .bind(org.0)
            .bind(&after.name)
            .bind(after.invitation_delivery.as_str())
            .bind(after.link_ttl_hours)
            .bind(after.temporary_password_ttl_hours)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            record_audit(
                &mut tx,
                AuditRecord {
                    org,
                    actor: Some(actor),
                    change: AuditChange::OrganizationUpdated {
                        before: settings(&before),
                        after: settings(&after),
                    },
                    target_user: None,
                    target_email: None,
                    at: now,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(after)
        })
        .await
    }

    async fn list_audit_events(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        page: PageRequest<uuid::Uuid>,
    ) -> PortResult<Slice<AuditEvent>> {
        Ok(self.select_audit_events(org, filter, page).await?)
    }

    async fn memberships_page(
        &self,
        user: UserId,
        page: PageRequest<MemberId>,
    ) -> PortResult<Slice<Membership>> {
        Ok(self.select_memberships_page(user, page).await?)
    }

    async fn count_memberships(&self, user: UserId) -> PortResult<i64> {
        Ok(self.select_membership_count(user).await?)
    }

    async fn count_audit_events(&self, org: OrgId, filter: &AuditFilter) -> PortResult<i64> {
        Ok(self.select_audit_count(org, filter).await?)
    }
}
