//! The dashboard: one statement per figure, whatever the organization's
//! size. The lead figures use the lead list's conditions and the member
//! figure the member list's, so the dashboard counts what the viewer lists.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::MemberStatus;
use roster_domain::OrgId;
use roster_domain::dashboard::{Dashboard, DashboardScope, LeadCount};
use roster_domain::lead::LeadFilter;
use roster_domain::model::MemberFilter;

use super::{BackendStore, Db, leads, members};

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_dashboard(
        &self,
        org: OrgId,
        scope: DashboardScope,
        now: DateTime<Utc>,
    ) -> Result<Dashboard> {
        let all = LeadFilter::default();
        let mut q = QueryBuilder::<Db>::new("select count(*) from lead l");
        leads::push_conditions(&mut q, org, scope.leads, &all);
        let (total_leads,): (i64,) = q.build_query_as().fetch_one(&self.pool).await?;

        // Leads without an owner (or assistant) fall out of the join.
        let mut q = QueryBuilder::<Db>::new(
            "select u.id, u.display_name, count(*) from lead l join app_user u on u.id = l.owner_id",
        );
        leads::push_conditions(&mut q, org, scope.leads, &all);
        q.push(" group by u.id, u.display_name");
        let leads_by_owner = self.lead_counts(q).await?;

        let mut q = QueryBuilder::<Db>::new(
            "select a.id, a.name, count(*) from lead l join assistant a on a.id = l.assistant_id",
        );
        leads::push_conditions(&mut q, org, scope.leads, &all);
        q.push(" group by a.id, a.name");
        let leads_by_assistant = self.lead_counts(q).await?;

        let active = MemberFilter {
            status: Some(MemberStatus::Active),
            ..MemberFilter::default()
        };
        let mut q = QueryBuilder::<Db>::new(
            "select count(*) from membership m join app_user u on u.id = m.user_id",
        );
        members::push_conditions(&mut q, org, scope.members, &active);
        let (active_members,): (i64,) = q.build_query_as().fetch_one(&self.pool).await?;

        // PENDING and not lapsed, whether or not the sweeper has run.
        let pending_invitations = if scope.invitations {
            sqlx::query_scalar(
                "select count(*) from invitation where organization_id = $1 \
                 and status = 'PENDING' and expires_at > $2",
            )
            .bind(org.0)
            .bind(now)
            .fetch_one(&self.pool)
            .await?
        } else {
            0
        };

        Ok(Dashboard {
            total_leads,
            leads_by_owner,
            leads_by_assistant,
            active_members,
            pending_invitations,
        })
    }

    async fn lead_counts(&self, mut q: QueryBuilder<Db>) -> Result<Vec<LeadCount>> {
        let rows: Vec<(Uuid, String, i64)> = q.build_query_as().fetch_all(&self.pool).await?;
        let mut counts: Vec<LeadCount> = rows
            .into_iter()
            .map(|(key, label, count)| LeadCount { key, label, count })
            .collect();
        LeadCount::sort(&mut counts);
        Ok(counts)
    }
}
