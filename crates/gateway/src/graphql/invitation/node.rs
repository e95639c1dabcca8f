//! The invitation object and an organization's page of invitations.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::InvitationId;
use roster_domain::invitation::{Invitation, InvitationFilter};
use roster_domain::model::{Membership, PageRequest};

use super::super::allowed::{InvitationAction, named};
use super::super::connection::{PageInfo, decode_cursor, encode_cursor};
use super::super::context::{loader, services};
use super::super::cost;
use super::super::enums::{InvitationDelivery, InvitationStatus, OrgRole};
use super::super::loaders::{AssistantsOfInvitation, WorkspacesOfInvitation, load_failed};
use super::super::user::{UserNode, load_user};
use super::super::workspace::{AssistantNode, WorkspaceNode};
use crate::error::ApiError;

pub struct InvitationNode {
    pub invitation: Invitation,
    pub viewer: Membership,
}

#[Object(name = "Invitation")]
impl InvitationNode {
    async fn id(&self) -> ID {
        ID(self.invitation.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.invitation.email
    }
    async fn role(&self) -> OrgRole {
        self.invitation.role.into()
    }
    async fn status(&self) -> InvitationStatus {
        self.invitation.status.into()
    }
    /// What the viewer may do to this invitation now
    /// (docs/api/permissions.md, "Asking what the viewer may do").
    async fn viewer_can(&self) -> Vec<InvitationAction> {
        named(roster_domain::allowed::on_invitation(
            &self.viewer,
            &self.invitation,
        ))
    }
    async fn delivery(&self) -> InvitationDelivery {
        self.invitation.delivery.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.invitation.created_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.invitation.expires_at
    }
    /// Sends requested so far: 1 at creation, +1 per resend.
    async fn sent_count(&self) -> i32 {
        self.invitation.sent_count
    }
    async fn last_sent_at(&self) -> Option<DateTime<Utc>> {
        self.invitation.last_sent_at
    }
    async fn invited_by(&self, ctx: &Context<'_>) -> Result<Option<UserNode>, ApiError> {
        match self.invitation.invited_by {
            Some(id) => Ok(Some(load_user(ctx, id).await?)),
            None => Ok(None),
        }
    }
    #[graphql(complexity = "cost::list(cost::ASSIGNED_WORKSPACES, child_complexity)")]
    async fn workspaces(&self, ctx: &Context<'_>) -> Result<Vec<WorkspaceNode>, ApiError> {
        let found = loader(ctx)
            .load_one(WorkspacesOfInvitation(self.invitation.id))
            .await
            .map_err(load_failed)?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(|workspace| WorkspaceNode {
                workspace,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
    #[graphql(complexity = "cost::list(cost::ASSIGNED_ASSISTANTS, child_complexity)")]
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Vec<AssistantNode>, ApiError> {
        let found = loader(ctx)
            .load_one(AssistantsOfInvitation(self.invitation.id))
            .await
            .map_err(load_failed)?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(|assistant| AssistantNode {
                assistant,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
}

#[derive(SimpleObject)]
#[graphql(name = "InvitationEdge")]
pub struct InvitationEdge {
    pub cursor: String,
    pub node: InvitationNode,
}

#[derive(SimpleObject)]
#[graphql(name = "InvitationConnection")]
pub struct InvitationConnection {
    pub edges: Vec<InvitationEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// An organization's invitations, newest last.
pub async fn invitation_page(
    ctx: &Context<'_>,
    viewer: &Membership,
    first: i32,
    after: Option<String>,
    status: Option<InvitationStatus>,
) -> Result<InvitationConnection, ApiError> {
    let after = after
        .map(|c| decode_cursor("invitation", &c).map(InvitationId))
        .transpose()?;
    let page = PageRequest::new(first, after)?;
    let filter = InvitationFilter {
        status: status.map(Into::into),
    };
    let page = services(ctx)
        .store
        .list_invitations(viewer.org_id, filter, page)
        .await?;
    let edges: Vec<InvitationEdge> = page
        .items
        .into_iter()
        .map(|invitation| InvitationEdge {
            cursor: encode_cursor("invitation", invitation.id.0),
            node: InvitationNode {
                invitation,
                viewer: viewer.clone(),
            },
        })
        .collect();
    Ok(InvitationConnection {
        page_info: PageInfo {
            has_next_page: page.has_next_page,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
        total_count: page.total_count,
    })
}
