//! `Member`: one user's membership in one organization.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::DomainError;
use roster_domain::model::{Assistant, AssistantSeat, Membership, User, Workspace};

use super::context::loader;
use super::cost;
use super::enums::{MemberStatus, OrgRole};
use super::loaders::{AssistantsOf, WorkspacesOf, load_failed};
use super::organization::OrganizationNode;
use super::user::{UserNode, load_user};
use super::workspace::{AssistantNode, WorkspaceNode};
use crate::error::ApiError;

pub struct MemberNode {
    pub member: Membership,
    /// The caller's own membership in the same organization.
    pub viewer: Membership,
    /// What the member page's statements read with the member
    /// (`organization::member_page_nodes`); elsewhere the loaders fetch it.
    preloaded: Option<Box<Preloaded>>,
}

/// A member's user, workspaces and assistants, read with its page; a list
/// the selection did not ask for is `None`.
pub(super) struct Preloaded {
    pub user: User,
    pub workspaces: Option<Vec<Workspace>>,
    pub assistants: Option<Vec<(AssistantSeat, Assistant)>>,
}

impl MemberNode {
    pub fn new(member: Membership, viewer: Membership) -> Self {
        Self {
            member,
            viewer,
            preloaded: None,
        }
    }

    pub(super) fn preloaded(member: Membership, viewer: Membership, preloaded: Preloaded) -> Self {
        Self {
            member,
            viewer,
            preloaded: Some(Box::new(preloaded)),
        }
    }

    async fn assistants_where(
        &self,
        ctx: &Context<'_>,
        keep: impl Fn(&AssistantSeat) -> bool,
    ) -> Result<Vec<AssistantNode>, ApiError> {
        let found = match self.preloaded.as_ref().and_then(|p| p.assistants.as_ref()) {
            Some(found) => found.clone(),
            None => loader(ctx)
                .load_one(AssistantsOf(self.member.id))
                .await
                .map_err(load_failed)?
                .unwrap_or_default(),
        };
        Ok(found
            .into_iter()
            .filter(|(seat, _)| keep(seat))
            .map(|(_, assistant)| AssistantNode {
                assistant,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
}

#[Object(name = "Member", serial)]
impl MemberNode {
    /// The membership's id.
    async fn id(&self) -> ID {
        ID(self.member.id.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<UserNode, ApiError> {
        match &self.preloaded {
            Some(p) => Ok(UserNode(p.user.clone())),
            None => load_user(ctx, self.member.user_id).await,
        }
    }
    async fn organization(&self, ctx: &Context<'_>) -> Result<OrganizationNode, ApiError> {
        let org = loader(ctx)
            .load_one(self.member.org_id)
            .await
            .map_err(load_failed)?
            .ok_or_else(|| DomainError::internal("organization of a membership vanished"))?;
        Ok(OrganizationNode {
            org,
            viewer: self.viewer.clone(),
        })
    }
    async fn role(&self) -> OrgRole {
        self.member.role.into()
    }
    async fn status(&self) -> MemberStatus {
        self.member.status.into()
    }
    async fn is_owner(&self) -> bool {
        self.member.is_owner
    }
    async fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.member.joined_at
    }
    #[graphql(complexity = "cost::list(cost::ASSIGNED_WORKSPACES, child_complexity)")]
    async fn workspaces(&self, ctx: &Context<'_>) -> Result<Vec<WorkspaceNode>, ApiError> {
        let found = match self.preloaded.as_ref().and_then(|p| p.workspaces.as_ref()) {
            Some(found) => found.clone(),
            None => loader(ctx)
                .load_one(WorkspacesOf(self.member.id))
                .await
                .map_err(load_failed)?
                .unwrap_or_default(),
        };
        Ok(found
            .into_iter()
            .map(|workspace| WorkspaceNode {
                workspace,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
    #[graphql(complexity = "cost::list(cost::ASSIGNED_ASSISTANTS, child_complexity)")]
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Vec<AssistantNode>, ApiError> {
        self.assistants_where(ctx, |_| true).await
    }
    #[graphql(complexity = "cost::list(cost::ASSIGNED_ASSISTANTS, child_complexity)")]
    async fn managed_assistants(&self, ctx: &Context<'_>) -> Result<Vec<AssistantNode>, ApiError> {
        self.assistants_where(ctx, |seat| seat.is_manager).await
    }
    /// Null while the member has not accepted (shown as 'Pending').
    async fn last_active_at(&self) -> Option<DateTime<Utc>> {
        self.member.last_active_at
    }
}
