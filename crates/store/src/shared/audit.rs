//! Reading the audit log (rules.md §7): a keyset page, newest first, with
//! the filters a support person narrows it by. Events are written by the
//! changes themselves (`record_audit`), in their own transactions.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::model::{AuditEvent, AuditFilter, PageRequest, Slice};
use roster_domain::{OrgId, UserId};

use super::{BackendStore, Db};

// Member administration records the target by id only; its email is the
// account's (invitations record the address they were sent to).
pub(super) const AUDIT_COLUMNS: &str = "e.id, e.organization_id, e.actor_id, e.action, e.target_user_id, \
     coalesce(e.target_email, t.email) as target_email, e.detail, e.at";

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    pub(super) id: Uuid,
    organization_id: Uuid,
    actor_id: Option<Uuid>,
    action: String,
    target_user_id: Option<Uuid>,
    target_email: Option<String>,
    detail: String,
    at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            id: r.id,
            org_id: OrgId(r.organization_id),
            actor_id: r.actor_id.map(UserId),
            action: r.action,
            target_user_id: r.target_user_id.map(UserId),
            target_email: r.target_email,
            detail: r.detail,
            at: r.at,
        }
    }
}

/// Appends the conditions shared by a page and its total count.
fn push_conditions(q: &mut QueryBuilder<Db>, org: OrgId, filter: &AuditFilter) {
    q.push(" where e.organization_id = ").push_bind(org.0);
    if let Some(action) = &filter.action {
        q.push(" and e.action = ").push_bind(action.clone());
    }
    if let Some(target) = filter.target_user {
        q.push(" and e.target_user_id = ").push_bind(target.0);
    }
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_audit_events(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        page: PageRequest<Uuid>,
    ) -> Result<Slice<AuditEvent>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {AUDIT_COLUMNS} from audit_event e left join app_user t on t.id = e.target_user_id"
        ));
        push_conditions(&mut q, org, filter);
        // Ids are UUID v7, so their order is the order of writing: newest
        // first is `id desc`, and the next page starts below the cursor (a
        // range of `audit_event_org_idx`, or of the filter's index).
        if let Some(after) = page.after {
            q.push(" and e.id < ").push_bind(after);
        }
        q.push(" order by e.id desc limit ")
            .push_bind(i64::from(page.first) + 1);
        let rows: Vec<AuditRow> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(Slice::of(
            rows.into_iter().map(Into::into).collect(),
            page.first,
        ))
    }

    /// Unfiltered: the kept count (`audit_event_count`, migration 0022);
    /// filtered: the filter's index range, counted.
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_audit_count(&self, org: OrgId, filter: &AuditFilter) -> Result<i64> {
        if filter.action.is_none() && filter.target_user.is_none() {
            let n: Option<i64> =
                sqlx::query_scalar("select n from audit_event_count where organization_id = $1")
                    .bind(org.0)
                    .fetch_optional(&self.pool)
                    .await?;
            return Ok(n.unwrap_or(0));
        }
        let mut count = QueryBuilder::<Db>::new("select count(*) from audit_event e");
        push_conditions(&mut count, org, filter);
        let (n,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
        Ok(n)
    }
}
