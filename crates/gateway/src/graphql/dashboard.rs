//! `Organization.dashboard`: lead and member figures, as much of the
//! organization as the viewer may see (the scope is the domain's). Each
//! figure is read only when selected; the per-owner and per-assistant
//! counts are pages, largest first (docs/api/leads.md).

use async_graphql::{Context, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use roster_domain::dashboard::{
    DashboardCount, DashboardScope, LeadCount, LeadCountCursor, LeadGrouping,
};
use roster_domain::lead::LeadFilter;
use roster_domain::model::{Membership, PageRequest, Slice};
use roster_domain::{DomainError, OrgId};

use super::connection::PageInfo;
use super::context::services;
use super::cost;
use crate::error::ApiError;

/// The cursor kind of lead-count pages.
const CURSOR_KIND: &str = "lead-count";
/// How many counts the deprecated list fields hold at most.
pub const LIST_CAP: i32 = 100;

/// Leads of one owner (a user) or one assistant.
#[derive(SimpleObject)]
#[graphql(name = "LeadCount")]
pub struct LeadCountNode {
    /// The owner's user id, or the assistant's id.
    key: ID,
    /// The owner's display name, or the assistant's name.
    label: String,
    count: i64,
}

impl From<LeadCount> for LeadCountNode {
    fn from(c: LeadCount) -> Self {
        LeadCountNode {
            key: ID(c.key.to_string()),
            label: c.label,
            count: c.count,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "LeadCountEdge")]
pub struct LeadCountEdge {
    cursor: String,
    node: LeadCountNode,
}

/// A page of lead counts, largest first (count desc, then key).
#[derive(SimpleObject)]
#[graphql(name = "LeadCountConnection")]
pub struct LeadCountConnection {
    edges: Vec<LeadCountEdge>,
    page_info: PageInfo,
}

/// A cursor holds the count and the key it ends at.
fn encode(c: &LeadCount) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_KIND}:{}:{}", c.count, c.key))
}

fn decode(cursor: &str) -> Result<LeadCountCursor, DomainError> {
    let invalid = || DomainError::validation("after is not a cursor of this list");
    let text = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let mut parts = text.splitn(3, ':');
    let (Some(CURSOR_KIND), Some(count), Some(key)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    Ok(LeadCountCursor {
        count: count.parse().map_err(|_| invalid())?,
        key: key.parse().map_err(|_| invalid())?,
    })
}

impl From<Slice<LeadCount>> for LeadCountConnection {
    fn from(page: Slice<LeadCount>) -> Self {
        let edges: Vec<LeadCountEdge> = page
            .items
            .into_iter()
            .map(|c| LeadCountEdge {
                cursor: encode(&c),
                node: c.into(),
            })
            .collect();
        LeadCountConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        }
    }
}

/// The viewer's dashboard: what each figure counts, read when selected.
pub struct DashboardNode {
    org: OrgId,
    scope: DashboardScope,
}

impl DashboardNode {
    async fn count(&self, ctx: &Context<'_>, figure: DashboardCount) -> Result<i64, ApiError> {
        let services = services(ctx);
        Ok(services
            .store
            .dashboard_count(self.org, self.scope, figure, services.clock.now())
            .await?)
    }

    async fn counts(
        &self,
        ctx: &Context<'_>,
        by: LeadGrouping,
        first: i32,
        after: Option<String>,
    ) -> Result<Slice<LeadCount>, ApiError> {
        let after = after.map(|c| decode(&c)).transpose()?;
        let page = PageRequest::new(first, after)?;
        Ok(services(ctx)
            .store
            .lead_counts(self.org, self.scope, by, page)
            .await?)
    }

    async fn capped_list(
        &self,
        ctx: &Context<'_>,
        by: LeadGrouping,
    ) -> Result<Vec<LeadCountNode>, ApiError> {
        let page = self.counts(ctx, by, LIST_CAP, None).await?;
        Ok(page.items.into_iter().map(Into::into).collect())
    }
}

#[Object(name = "Dashboard")]
impl DashboardNode {
    /// Leads in scope, unassigned ones included.
    async fn total_leads(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        Ok(services(ctx)
            .store
            .count_leads(self.org, self.scope.leads, &LeadFilter::default())
            .await?)
    }
    /// Per owner, most leads first (then by key); unassigned leads are left
    /// out. At most the first 100.
    #[graphql(
        deprecation = "holds at most the 100 owners with the most leads: page through `leadsByOwnerConnection`",
        complexity = "cost::list(LIST_CAP as usize, child_complexity)"
    )]
    async fn leads_by_owner(&self, ctx: &Context<'_>) -> Result<Vec<LeadCountNode>, ApiError> {
        self.capped_list(ctx, LeadGrouping::Owner).await
    }
    /// Per assistant, most leads first (then by key); leads without one are
    /// left out. At most the first 100.
    #[graphql(
        deprecation = "holds at most the 100 assistants with the most leads: page through `leadsByAssistantConnection`",
        complexity = "cost::list(LIST_CAP as usize, child_complexity)"
    )]
    async fn leads_by_assistant(&self, ctx: &Context<'_>) -> Result<Vec<LeadCountNode>, ApiError> {
        self.capped_list(ctx, LeadGrouping::Assistant).await
    }
    /// Per owner, most leads first, then by key; unassigned leads are left
    /// out.
    #[graphql(complexity = "cost::page(first, child_complexity)?")]
    async fn leads_by_owner_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<LeadCountConnection, ApiError> {
        let page = self
            .counts(ctx, LeadGrouping::Owner, first.unwrap_or(50), after)
            .await?;
        Ok(page.into())
    }
    /// Per assistant, most leads first, then by key; leads without one are
    /// left out.
    #[graphql(complexity = "cost::page(first, child_complexity)?")]
    async fn leads_by_assistant_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<LeadCountConnection, ApiError> {
        let page = self
            .counts(ctx, LeadGrouping::Assistant, first.unwrap_or(50), after)
            .await?;
        Ok(page.into())
    }
    /// ACTIVE members among those the viewer sees in the member list.
    async fn active_members(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        self.count(ctx, DashboardCount::ActiveMembers).await
    }
    /// PENDING, unexpired invitations (0 for a MEMBER, who sees none).
    async fn pending_invitations(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        self.count(ctx, DashboardCount::PendingInvitations).await
    }
}

/// The viewer's dashboard; its scope is decided here, its figures later.
pub fn dashboard(viewer: &Membership) -> Result<DashboardNode, ApiError> {
    Ok(DashboardNode {
        org: viewer.org_id,
        scope: DashboardScope::for_viewer(viewer)?,
    })
}
