//! `Organization` as its viewer sees it; the mutations on one are in
//! `organization/mutation.rs`.

mod mutation;

pub use mutation::OrganizationMutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::member_page::{MemberPageParts, MemberPlaces};
use roster_domain::model::{
    AssignmentScope, MemberFilter, MemberScope, Membership, Organization, PageRequest, User,
};
use roster_domain::permission::Action;
use roster_domain::{DomainError, MemberId, allowed};

use super::allowed::{InviteArgument, OrgAction, named};
use super::audit::{AuditEventConnection, audit_page};
use super::billing::BillingNode;
use super::connection::{MemberConnection, MemberEdge, PageInfo, decode_cursor};
use super::context::{loader, services};
use super::cost;
use super::dashboard::{DashboardNode, dashboard};
use super::enums::{InvitationDelivery, InvitationStatus, MemberStatus, OrgRole, Plan};
use super::guards::Can;
use super::invitation::{InvitationConnection, invitation_page};
use super::lead::{LeadConnection, LeadPageArgs, lead_page};
use super::loaders::{SeatsOf, grouped, load_failed};
use super::member::{MemberNode, Preloaded};
use super::ownership::{OwnershipTransferNode, pending_transfer};
use super::user::{UserNode, load_user};
use super::webhooks::{WebhookEndpointNode, webhook_endpoints};
use super::workspace::{AssistantNode, WorkspaceNode};
use crate::error::ApiError;
use crate::resolve::inline::Listed;

pub struct OrganizationNode {
    pub org: Organization,
    /// The caller's membership here: what every field's guard reads.
    pub viewer: Membership,
}

/// The longest `search` the member list accepts.
const MAX_SEARCH_CHARS: usize = 100;

#[Object(name = "Organization")]
impl OrganizationNode {
    async fn id(&self) -> ID {
        ID(self.org.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.org.name
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewOrgInfo)")]
    async fn created_at(&self) -> DateTime<Utc> {
        self.org.created_at
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewOrgInfo)")]
    async fn owner(&self, ctx: &Context<'_>) -> Result<UserNode, ApiError> {
        load_user(ctx, self.org.owner_id).await
    }
    /// The caller's role here.
    async fn viewer_role(&self) -> OrgRole {
        self.viewer.role.into()
    }
    /// The rows of the permission table the caller's role permits here
    /// (docs/api/permissions.md); empty unless the caller is ACTIVE.
    async fn viewer_can(&self) -> Vec<OrgAction> {
        named(allowed::on_organization(&self.viewer))
    }
    /// The roles the caller may give in an invitation.
    async fn viewer_can_invite_as(&self) -> Vec<OrgRole> {
        named(allowed::invitable_roles(&self.viewer))
    }
    /// What an invitation of `role` from the caller may name besides the
    /// email and the role; empty when the caller may not invite `role`.
    async fn viewer_can_invite_with(&self, role: OrgRole) -> Vec<InviteArgument> {
        named(allowed::invitation_arguments(&self.viewer, role.into()))
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewOrgInfo)")]
    async fn invitation_delivery(&self) -> InvitationDelivery {
        self.org.invitation_delivery.into()
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewOrgInfo)")]
    async fn invitation_ttl_hours(&self) -> i32 {
        self.org.invitation_ttl_hours()
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewBilling)")]
    async fn plan(&self) -> Plan {
        self.org.plan.into()
    }
    /// Null when the plan is unlimited.
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewBilling)")]
    async fn seat_limit(&self) -> Option<i64> {
        self.org.plan.seat_limit()
    }
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewBilling)")]
    async fn seats_used(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        Ok(loader(ctx)
            .load_one(SeatsOf(self.org.id))
            .await
            .map_err(load_failed)?
            .unwrap_or(0))
    }
    /// All workspaces; a MEMBER sees only those it is assigned to.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::ViewWorkspaces)",
        complexity = "cost::list(cost::ORGANIZATION_WORKSPACES, child_complexity)"
    )]
    async fn workspaces(&self, ctx: &Context<'_>) -> Result<Vec<WorkspaceNode>, ApiError> {
        let scope = AssignmentScope::for_viewer(&self.viewer, Action::ViewWorkspaces);
        let found = services(ctx)
            .store
            .organization_workspaces(self.org.id, scope)
            .await?;
        Ok(found
            .into_iter()
            .map(|workspace| WorkspaceNode {
                workspace,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
    /// All assistants; a MEMBER sees only those it is assigned to.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::ViewMembers)",
        complexity = "cost::list(cost::ORGANIZATION_ASSISTANTS, child_complexity)"
    )]
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Vec<AssistantNode>, ApiError> {
        let scope = AssignmentScope::for_viewer(&self.viewer, Action::ViewMembers);
        let found = services(ctx)
            .store
            .organization_assistants(self.org.id, scope)
            .await?;
        Ok(found
            .into_iter()
            .map(|assistant| AssistantNode {
                assistant,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
    /// Invitations, oldest first; for those who may invite.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::InviteOrRemoveMembers)",
        complexity = "cost::page(first, child_complexity)?"
    )]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        status: Option<InvitationStatus>,
    ) -> Result<InvitationConnection, ApiError> {
        invitation_page(ctx, &self.viewer, first.unwrap_or(50), after, status).await
    }
    /// The audit log, newest first; `action` matches exactly.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::ReadAuditLog)",
        complexity = "cost::page(first, child_complexity)?"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        action: Option<String>,
        target_user_id: Option<ID>,
    ) -> Result<AuditEventConnection, ApiError> {
        audit_page(
            ctx,
            &self.org,
            first.unwrap_or(50),
            after,
            action,
            target_user_id,
        )
        .await
    }
    /// A pending ownership transfer, if any.
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewOrgInfo)")]
    async fn pending_ownership_transfer(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<OwnershipTransferNode>, ApiError> {
        pending_transfer(ctx, &self.viewer).await
    }
    /// Leads, newest first. ADMIN: all; MEMBER: its own, and those of the
    /// assistants it manages and of their users.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::ViewLeads)",
        complexity = "cost::page(first, child_complexity)?"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        owner_id: Option<ID>,
        assistant_id: Option<ID>,
        unassigned: Option<bool>,
    ) -> Result<LeadConnection, ApiError> {
        let args = LeadPageArgs {
            first: first.unwrap_or(50),
            after,
            owner_id,
            assistant_id,
            unassigned,
        };
        lead_page(ctx, &self.viewer, args).await
    }
    /// Plan, seats, subscription and invoices.
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewBilling)")]
    async fn billing(&self) -> BillingNode {
        BillingNode {
            org: self.org.clone(),
        }
    }
    /// Where the organization's events are delivered ("edit organization
    /// info and settings": ADMIN), oldest first.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::EditOrgInfo)",
        complexity = "cost::list(cost::WEBHOOK_ENDPOINTS, child_complexity)"
    )]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<WebhookEndpointNode>, ApiError> {
        webhook_endpoints(ctx, self.org.id).await
    }
    /// Lead and member figures. ADMIN: the whole organization; MEMBER: its
    /// own, and those of the assistants it manages and of their users.
    #[graphql(guard = "Can::new(&self.viewer, Action::ViewDashboard)")]
    async fn dashboard(&self) -> Result<DashboardNode, ApiError> {
        dashboard(&self.viewer)
    }
    /// Members, oldest first. A MEMBER sees itself and the users of
    /// the assistants it manages.
    #[graphql(
        guard = "Can::new(&self.viewer, Action::ViewMembers)",
        complexity = "cost::page(first, child_complexity)?"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        role: Option<OrgRole>,
        status: Option<MemberStatus>,
    ) -> Result<MemberConnection, ApiError> {
        if search
            .as_deref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(DomainError::validation("search is longer than 100 characters").into());
        }
        let after = after
            .map(|c| decode_cursor("member", &c).map(MemberId))
            .transpose()?;
        let page = PageRequest::new(first.unwrap_or(50), after)?;
        let filter = MemberFilter {
            search: search.map(|s| s.trim().to_owned()),
            role: role.map(Into::into),
            status: status.map(Into::into),
        };
        let scope = MemberScope::for_viewer(&self.viewer);
        let node = ctx.look_ahead().field("edges").field("node");
        if node.field("organization").exists() {
            loader(ctx).feed_one(self.org.id, self.org.clone());
        }
        let parts = MemberPageParts {
            places: node.field("workspaces").exists()
                || node.field("assistants").exists()
                || node.field("managedAssistants").exists(),
            total_count: ctx.look_ahead().field("totalCount").exists(),
        };
        let (page, places) = services(ctx)
            .store
            .list_members(self.org.id, scope, &filter, page, parts)
            .await?;
        let nodes = member_page_nodes(&self.viewer, page.items, places);
        let edges: Vec<MemberEdge> = nodes.into_iter().map(|node| MemberEdge { node }).collect();
        let end_cursor = edges.last().map(MemberEdge::cursor_text);
        Ok(MemberConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
            edges: Listed::Owned(edges),
            total_count: page.total_count,
        })
    }
}

/// The page's members, each node carrying what the selection will ask of
/// it: its user (read with the page) and, in one statement for the whole
/// page, its workspaces and assistants (`places`, when asked for). No field
/// then waits on a loader's batch (a list needs no timing window to gather
/// its keys), and nothing goes into a loader's cache only to be read back
/// at once.
fn member_page_nodes(
    viewer: &Membership,
    page: Vec<(Membership, User)>,
    places: Option<MemberPlaces>,
) -> Vec<MemberNode> {
    let (mut workspaces, mut assistants) = if let Some(places) = places {
        let ids: Vec<MemberId> = page.iter().map(|(m, _)| m.id).collect();
        let assistants = places
            .assistants
            .into_iter()
            .map(|(seat, a)| (seat.member_id, (seat, a)));
        (
            Some(grouped(&ids, places.workspaces)),
            Some(grouped(&ids, assistants)),
        )
    } else {
        (None, None)
    };
    page.into_iter()
        .map(|(member, user)| {
            let preloaded = Preloaded::new(
                user,
                workspaces
                    .as_mut()
                    .map(|w| w.remove(&member.id).unwrap_or_default()),
                assistants
                    .as_mut()
                    .map(|a| a.remove(&member.id).unwrap_or_default()),
                viewer,
            );
            MemberNode::preloaded(member, viewer.clone(), preloaded)
        })
        .collect()
}
