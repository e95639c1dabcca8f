//! `Organization.dashboard`: lead and member figures, as much of the
//! organization as the viewer may see (the scope is the domain's).

use async_graphql::{Context, ID, SimpleObject};

use roster_domain::dashboard::{Dashboard, DashboardScope, LeadCount};
use roster_domain::model::Membership;

use super::context::services;
use crate::error::ApiError;

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

/// The figures, each counted by one statement.
#[derive(SimpleObject)]
#[graphql(name = "Dashboard")]
pub struct DashboardNode {
    /// Leads in scope, unassigned ones included.
    total_leads: i64,
    /// Per owner, most leads first; unassigned leads are left out.
    leads_by_owner: Vec<LeadCountNode>,
    /// Per assistant, most leads first; leads without one are left out.
    leads_by_assistant: Vec<LeadCountNode>,
    /// ACTIVE members among those the viewer sees in the member list.
    active_members: i64,
    /// PENDING, unexpired invitations (0 for a MEMBER, who sees none).
    pending_invitations: i64,
}

fn nodes(counts: Vec<LeadCount>) -> Vec<LeadCountNode> {
    counts
        .into_iter()
        .map(|c| LeadCountNode {
            key: ID(c.key.to_string()),
            label: c.label,
            count: c.count,
        })
        .collect()
}

impl From<Dashboard> for DashboardNode {
    fn from(d: Dashboard) -> Self {
        DashboardNode {
            total_leads: d.total_leads,
            leads_by_owner: nodes(d.leads_by_owner),
            leads_by_assistant: nodes(d.leads_by_assistant),
            active_members: d.active_members,
            pending_invitations: d.pending_invitations,
        }
    }
}

/// The viewer's dashboard.
pub async fn dashboard(ctx: &Context<'_>, viewer: &Membership) -> Result<DashboardNode, ApiError> {
    let scope = DashboardScope::for_viewer(viewer)?;
    let services = services(ctx);
    let found = services
        .store
        .dashboard(viewer.org_id, scope, services.clock.now())
        .await?;
    Ok(found.into())
}
