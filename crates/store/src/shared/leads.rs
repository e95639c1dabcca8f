//! Leads (rules.md §2, §6): reads here, writes in `leads/write.rs`. The
//! scope a viewer sees is decided in the domain (`LeadScope`); this file
//! turns it into one SQL condition, the same for a page and its count.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::error::{PortResult, Result, port};
use roster_domain::dashboard::{
    DashboardCount, DashboardScope, LeadCount, LeadCountCursor, LeadGrouping,
};
use roster_domain::lead::{Lead, LeadFilter, LeadScope, ManagedTeam};
use roster_domain::lead::{LeadPatch, NewLead};
use roster_domain::model::{Membership, PageRequest, Slice};
use roster_domain::store::LeadStore;
use roster_domain::{AssistantId, LeadId, OrgId, UserId, WorkspaceId};

use super::rows::{MEMBER_COLUMNS, MemberRow, composed, convert_all, push_id_list};
use super::{BackendStore, Db};

mod write;

pub(super) const LEAD_COLUMNS: &str = "l.id, l.organization_id, l.name, l.email, l.company, \
     l.status, l.owner_id, l.assistant_id, l.workspace_id, l.created_at";

#[derive(sqlx::FromRow)]
pub(super) struct LeadRow {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    email: Option<String>,
    company: Option<String>,
    status: String,
    owner_id: Option<Uuid>,
    assistant_id: Option<Uuid>,
    workspace_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<LeadRow> for Lead {
    fn from(r: LeadRow) -> Self {
        Lead {
            id: LeadId(r.id),
            org_id: OrgId(r.organization_id),
            name: r.name,
            email: r.email,
            company: r.company,
            status: r.status,
            owner_id: r.owner_id.map(UserId),
            assistant_id: r.assistant_id.map(AssistantId),
            workspace_id: r.workspace_id.map(WorkspaceId),
            created_at: r.created_at,
        }
    }
}

/// Appends `(select …)`: the assistants `user` manages in `org`.
fn push_managed_assistants(q: &mut QueryBuilder<Db>, org: OrgId, user: UserId) {
    q.push(
        "(select mau.assistant_id from assistant_user mau join membership mm on mm.id = mau.membership_id \
         where mau.is_manager and mm.organization_id = ",
    )
    .push_bind(org.0)
    .push(" and mm.user_id = ")
    .push_bind(user.0)
    .push(")");
}

/// Appends the scope's condition (after a `where`).
fn push_scope(q: &mut QueryBuilder<Db>, org: OrgId, scope: LeadScope) {
    let LeadScope::Own(me) = scope else {
        return;
    };
    q.push(" and (l.owner_id = ").push_bind(me.0);
    q.push(
        " or l.owner_id in (select tm.user_id from assistant_user tau \
         join membership tm on tm.id = tau.membership_id where tau.assistant_id in ",
    );
    push_managed_assistants(q, org, me);
    q.push(") or l.assistant_id in ");
    push_managed_assistants(q, org, me);
    q.push(")");
}

/// Appends the conditions shared by a page and its total count.
pub(super) fn push_conditions(
    q: &mut QueryBuilder<Db>,
    org: OrgId,
    scope: LeadScope,
    filter: &LeadFilter,
) {
    q.push(" where l.organization_id = ").push_bind(org.0);
    push_scope(q, org, scope);
    if let Some(owner) = filter.owner {
        q.push(" and l.owner_id = ").push_bind(owner.0);
    }
    if let Some(assistant) = filter.assistant {
        q.push(" and l.assistant_id = ").push_bind(assistant.0);
    }
    match filter.unassigned {
        Some(true) => {
            q.push(" and l.owner_id is null");
        }
        Some(false) => {
            q.push(" and l.owner_id is not null");
        }
        None => {}
    }
}

/// The assistants `user` manages in `org` and their users, read inside
/// the writing transaction that decides what `user` may do.
pub(super) async fn managed_team(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: UserId,
) -> Result<ManagedTeam> {
    let mut q = QueryBuilder::<Db>::new(
        "select au.assistant_id, m.user_id from assistant_user au \
         join membership m on m.id = au.membership_id where au.assistant_id in ",
    );
    push_managed_assistants(&mut q, org, user);
    let rows: Vec<(Uuid, Uuid)> = q.build_query_as().fetch_all(&mut **tx).await?;
    let mut team = ManagedTeam::default();
    for (assistant, member) in rows {
        team.assistants.push(AssistantId(assistant));
        team.users.push(UserId(member));
    }
    team.assistants.sort();
    team.assistants.dedup();
    Ok(team)
}

#[async_trait::async_trait]
impl LeadStore for BackendStore {
    async fn create_lead(
        &self,
        lead: NewLead,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Lead> {
        Ok(self.insert_lead(lead, actor, now).await?)
    }

    async fn update_lead(
        &self,
        id: LeadId,
        patch: LeadPatch,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Lead> {
        Ok(self.change_lead(id, patch, actor, now).await?)
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn leads_by_ids(&self, ids: &[LeadId]) -> PortResult<Vec<Lead>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {LEAD_COLUMNS} from lead l where l.id in "
            ));
            push_id_list(&mut q, ids.iter().map(|i| i.0));
            let rows: Vec<LeadRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(Lead::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn list_leads(
        &self,
        org: OrgId,
        scope: LeadScope,
        filter: &LeadFilter,
        page: PageRequest<LeadId>,
    ) -> PortResult<Slice<Lead>> {
        port(async {
            let mut q = QueryBuilder::<Db>::new(format!("select {LEAD_COLUMNS} from lead l"));
            push_conditions(&mut q, org, scope, filter);
            // Ids are UUID v7: newest first is `id desc`, and the next page
            // starts below the cursor (a range of `lead_org_idx`).
            if let Some(after) = page.after {
                q.push(" and l.id < ").push_bind(after.0);
            }
            q.push(" order by l.id desc limit ")
                .push_bind(i64::from(page.first) + 1);
            let rows: Vec<LeadRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(Slice::of(
                rows.into_iter().map(Lead::from).collect(),
                page.first,
            ))
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn count_leads(
        &self,
        org: OrgId,
        scope: LeadScope,
        filter: &LeadFilter,
    ) -> PortResult<i64> {
        port(async {
            let mut q = match kept_count(scope, filter) {
                Some((kind, key)) => {
                    let mut q = QueryBuilder::<Db>::new(
                        "select coalesce((select n from lead_count where organization_id = ",
                    );
                    q.push_bind(org.0)
                        .push(" and kind = ")
                        .push_bind(kind)
                        .push(" and key_id = ")
                        .push_bind(key.unwrap_or(org.0))
                        .push("), 0)");
                    q
                }
                None => {
                    let mut q = QueryBuilder::<Db>::new("select count(*) from lead l");
                    push_conditions(&mut q, org, scope, filter);
                    q
                }
            };
            let (n,): (i64,) = q.build_query_as().fetch_one(&self.pool).await?;
            Ok(n)
        })
        .await
    }

    async fn dashboard_count(
        &self,
        org: OrgId,
        scope: DashboardScope,
        figure: DashboardCount,
        now: DateTime<Utc>,
    ) -> PortResult<i64> {
        Ok(self.select_dashboard_count(org, scope, figure, now).await?)
    }

    async fn lead_counts(
        &self,
        org: OrgId,
        scope: DashboardScope,
        by: LeadGrouping,
        page: PageRequest<LeadCountCursor>,
    ) -> PortResult<Slice<LeadCount>> {
        Ok(self.select_lead_counts(org, scope, by, page).await?)
    }
}

/// The kept count (`lead_count`, migration 0022) that answers a count of
/// the whole organization's leads, one owner's or one assistant's: its
/// kind and key (none: the organization). Other counts are counted.
fn kept_count(scope: LeadScope, filter: &LeadFilter) -> Option<(&'static str, Option<Uuid>)> {
    if scope != LeadScope::All {
        return None;
    }
    match (filter.owner, filter.assistant, filter.unassigned) {
        (None, None, None) => Some(("all", None)),
        (Some(owner), None, None | Some(false)) => Some(("owner", Some(owner.0))),
        (None, Some(assistant), None) => Some(("assistant", Some(assistant.0))),
        _ => None,
    }
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org, n = users.len()))]
    pub(super) async fn select_members_by_users(
        &self,
        org: OrgId,
        users: &[UserId],
    ) -> Result<Vec<Membership>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {MEMBER_COLUMNS} from membership m join organization o on o.id = m.organization_id \
             where m.organization_id = "
        ));
        q.push_bind(org.0).push(" and m.user_id in ");
        push_id_list(&mut q, users.iter().map(|u| u.0));
        let rows: Vec<MemberRow> = q.build_query_as().fetch_all(&self.pool).await?;
        convert_all(rows)
    }
}

/// The lead `id`, read inside a writing transaction.
pub(super) async fn lead_in_tx(
    tx: &mut Transaction<'static, Db>,
    id: LeadId,
) -> Result<Option<Lead>> {
    let row: Option<LeadRow> = sqlx::query_as(composed(format!(
        "select {LEAD_COLUMNS} from lead l where l.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Lead::from))
}
