//! The dashboard: each figure by a statement of its own, run only when the
//! query selects it. The lead figures use the lead list's conditions and
//! the member figure the member list's, so the dashboard counts what the
//! viewer lists. The whole organization's counts are kept by the database
//! (`member_count` and `lead_count`, migrations 0019 and 0022): a figure is
//! a row and a page of them a range of an index, whatever the
//! organization's size.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::MemberStatus;
use roster_domain::OrgId;
use roster_domain::dashboard::{
    DashboardCount, DashboardScope, LeadCount, LeadCountCursor, LeadGrouping,
};
use roster_domain::lead::{LeadFilter, LeadScope};
use roster_domain::model::{MemberFilter, PageRequest, Slice};

use super::member_list::MemberQuery;
use super::{BackendStore, Db, leads};

/// The `lead_count` kind of a grouping, the lead's column, and the table
/// (aliased `g`) and column its label comes from.
fn grouping(by: LeadGrouping) -> (&'static str, &'static str, &'static str, &'static str) {
    match by {
        LeadGrouping::Owner => ("owner", "owner_id", "app_user", "display_name"),
        LeadGrouping::Assistant => ("assistant", "assistant_id", "assistant", "name"),
    }
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_dashboard_count(
        &self,
        org: OrgId,
        scope: DashboardScope,
        figure: DashboardCount,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        match figure {
            // The member list's total under the same filter: the
            // organization's counters for the whole organization.
            DashboardCount::ActiveMembers => {
                let active = MemberFilter {
                    status: Some(MemberStatus::Active),
                    ..MemberFilter::default()
                };
                let query = MemberQuery::new(org, scope.members, &active);
                let (n,): (i64,) = query.total().build_query_as().fetch_one(&self.pool).await?;
                Ok(n)
            }
            // PENDING and not lapsed, whether or not the sweeper has run:
            // each PENDING invitation holds its INVITED membership, counted
            // in the organization's counters (rules.md §4), less the lapsed
            // ones the sweeper has not reached (a range of
            // `invitation_org_pending_expiry_idx`, short by design).
            DashboardCount::PendingInvitations if scope.invitations => Ok(sqlx::query_scalar(
                "select coalesce((select sum(n) from member_count where organization_id = $1 \
                 and status = 'INVITED'), 0) - (select count(*) from invitation \
                 where organization_id = $1 and status = 'PENDING' and expires_at <= $2)",
            )
            .bind(org.0)
            .bind(now)
            .fetch_one(&self.pool)
            .await?),
            DashboardCount::PendingInvitations => Ok(0),
        }
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_lead_counts(
        &self,
        org: OrgId,
        scope: DashboardScope,
        by: LeadGrouping,
        page: PageRequest<LeadCountCursor>,
    ) -> Result<Slice<LeadCount>> {
        let mut q = match scope.leads {
            LeadScope::All => kept_counts(org, by, page),
            LeadScope::Own(_) => counted_in_scope(org, scope.leads, by, page),
        };
        let rows: Vec<(Uuid, String, i64)> = q.build_query_as().fetch_all(&self.pool).await?;
        let counts = rows
            .into_iter()
            .map(|(key, label, count)| LeadCount { key, label, count })
            .collect();
        Ok(Slice::of(counts, page.first))
    }
}

/// The whole organization's counts, as kept: an index range of
/// `lead_count_rank_idx`, from the cursor on.
fn kept_counts(
    org: OrgId,
    by: LeadGrouping,
    page: PageRequest<LeadCountCursor>,
) -> QueryBuilder<Db> {
    let (kind, _, table, label) = grouping(by);
    let mut q = QueryBuilder::<Db>::new(format!(
        "select c.key_id, g.{label}, c.n from lead_count c join {table} g on g.id = c.key_id \
         where c.organization_id = "
    ));
    q.push_bind(org.0)
        .push(" and c.kind = ")
        .push_bind(kind)
        .push(" and c.n > 0");
    if let Some(after) = page.after {
        // `n <= count` bounds the index range; the rest is the tie-break.
        q.push(" and c.n <= ")
            .push_bind(after.count)
            .push(" and (c.n < ")
            .push_bind(after.count)
            .push(" or c.key_id > ")
            .push_bind(after.key)
            .push(")");
    }
    q.push(" order by c.n desc, c.key_id limit ")
        .push_bind(i64::from(page.first) + 1);
    q
}

/// A MEMBER's own counts (its leads and its managed assistants'), grouped
/// from the leads it may list: a part of the organization, not all of it.
fn counted_in_scope(
    org: OrgId,
    scope: LeadScope,
    by: LeadGrouping,
    page: PageRequest<LeadCountCursor>,
) -> QueryBuilder<Db> {
    let (_, column, table, label) = grouping(by);
    // Leads without an owner (or assistant) fall out of the join.
    let mut q = QueryBuilder::<Db>::new(format!(
        "select g.id, g.{label}, count(*) as n from lead l join {table} g on g.id = l.{column}"
    ));
    leads::push_conditions(&mut q, org, scope, &LeadFilter::default());
    q.push(format!(" group by g.id, g.{label}"));
    if let Some(after) = page.after {
        q.push(" having count(*) < ")
            .push_bind(after.count)
            .push(" or (count(*) = ")
            .push_bind(after.count)
            .push(" and g.id > ")
            .push_bind(after.key)
            .push(")");
    }
    q.push(" order by n desc, g.id limit ")
        .push_bind(i64::from(page.first) + 1);
    q
}
