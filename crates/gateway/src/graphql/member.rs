//! `Member`: one user's membership in one organization.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::DomainError;
use roster_domain::model::{AssistantSeat, Membership};

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
}

impl MemberNode {
    async fn assistants_where(
        &self,
        ctx: &Context<'_>,
        keep: impl Fn(&AssistantSeat) -> bool,
    ) -> Result<Vec<AssistantNode>, ApiError> {
        let found = loader(ctx)
            .load_one(AssistantsOf(self.member.id))
            .await
            .map_err(load_failed)?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .filter(|(seat, _)| keep(seat))
            .map(|(_, assistant)| AssistantNode {
                assistant,
                viewer: self.viewer.clone(),
            })
            .collect())
    }
}

#[Object(name = "Member")]
impl MemberNode {
    /// The membership's id.
    async fn id(&self) -> ID {
        ID(self.member.id.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<UserNode, ApiError> {
        load_user(ctx, self.member.user_id).await
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
        let found = loader(ctx)
            .load_one(WorkspacesOf(self.member.id))
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
