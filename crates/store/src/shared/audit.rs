//! Reading the audit log (rules.md §7): a keyset page, newest first, with
//! the filters a support person narrows it by. Events are written by the
//! changes themselves (`record_audit`), in their own transactions.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::model::{AuditEvent, AuditFilter, Page, PageRequest};
use roster_domain::{OrgId, UserId};

use super::rows::counted_page;
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
    ) -> Result<Page<AuditEvent>> {
        let from = " from audit_event e";
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {AUDIT_COLUMNS}{from} left join app_user t on t.id = e.target_user_id"
        ));
        push_conditions(&mut q, org, filter);
        // Ids are UUID v7, so their order is the order of writing: newest
        // first is `id desc`, and the next page starts below the cursor.
        if let Some(after) = page.after {
            q.push(" and e.id < ").push_bind(after);
        }
        q.push(" order by e.id desc limit ")
            .push_bind(i64::from(page.first) + 1);
        let rows: Vec<AuditRow> = q.build_query_as().fetch_all(&self.pool).await?;
        let items: Vec<AuditEvent> = rows.into_iter().map(Into::into).collect();
        let mut count = QueryBuilder::<Db>::new(format!("select count(*){from}"));
        push_conditions(&mut count, org, filter);
        counted_page(&self.pool, items, page.first, count).await
    }
}
