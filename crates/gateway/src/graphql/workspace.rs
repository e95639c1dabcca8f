//! `Workspace` and `Assistant`, and the mutations that manage them.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, Value};

use roster_domain::model::{Assistant, MemberScope, Membership, Workspace};
use roster_domain::permission::Action;
use roster_domain::{ResourceName, UserId, WorkspaceId, standing};

use super::context::{loader, membership, parse_ids, services};
use super::cost;
use super::guards::{OrgGuard, OrgOf};
use super::loaders::{MembersOfAssistant, MembersOfWorkspace, load_failed};
use super::member::MemberNode;
use crate::error::ApiError;
use crate::resolve::inline::Inline;

pub struct WorkspaceNode {
    pub workspace: Workspace,
    pub viewer: Membership,
}

/// The members the viewer may see among `members` (a MEMBER sees itself,
/// unless `manages` says it manages the list's assistant). None for a
/// viewer that does not see inside the organization (`standing`).
fn visible(viewer: &Membership, members: Vec<Membership>, manages: bool) -> Vec<MemberNode> {
    if !standing::sees_inside(viewer) {
        return Vec::new();
    }
    let scope = MemberScope::for_viewer(viewer);
    members
        .into_iter()
        .filter(|m| {
            manages
                || matches!(scope, MemberScope::All)
                || scope == MemberScope::VisibleTo(m.user_id)
        })
        .map(|member| MemberNode::new(member, viewer.clone()))
        .collect()
}

impl Inline for WorkspaceNode {
    fn inline(&self, field: &Field) -> Option<Value> {
        match field.name.node.as_str() {
            "id" => Some(Value::String(self.workspace.id.to_string())),
            "name" => Some(Value::String(self.workspace.name.clone())),
            _ => None,
        }
    }
}

#[Object(name = "Workspace", serial)]
impl WorkspaceNode {
    async fn id(&self) -> ID {
        ID(self.workspace.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.workspace.name
    }
    #[graphql(complexity = "cost::list(cost::TEAM_MEMBERS, child_complexity)")]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<MemberNode>, ApiError> {
        let members = loader(ctx)
            .load_one(MembersOfWorkspace(self.workspace.id))
            .await
            .map_err(load_failed)?;
        Ok(visible(&self.viewer, members.unwrap_or_default(), false))
    }
}

#[derive(Clone)]
pub struct AssistantNode {
    pub assistant: Assistant,
    pub viewer: Membership,
}

impl AssistantNode {
    /// The assistant's members with their manager flag, as the viewer may
    /// see them: an assistant manager sees all of its assistant's users.
    async fn members(
        &self,
        ctx: &Context<'_>,
        managers_only: bool,
    ) -> Result<Vec<MemberNode>, ApiError> {
        let seats = loader(ctx)
            .load_one(MembersOfAssistant(self.assistant.id))
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        let manages = seats
            .iter()
            .any(|(s, _)| s.member_id == self.viewer.id && s.is_manager);
        let members = seats
            .into_iter()
            .filter(|(s, _)| !managers_only || s.is_manager)
            .map(|(_, m)| m)
            .collect();
        Ok(visible(&self.viewer, members, manages))
    }
}

impl Inline for AssistantNode {
    fn inline(&self, field: &Field) -> Option<Value> {
        match field.name.node.as_str() {
            "id" => Some(Value::String(self.assistant.id.to_string())),
            "name" => Some(Value::String(self.assistant.name.clone())),
            _ => None,
        }
    }
}

#[Object(name = "Assistant", serial)]
impl AssistantNode {
    async fn id(&self) -> ID {
        ID(self.assistant.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.assistant.name
    }
    #[graphql(complexity = "cost::list(cost::TEAM_MEMBERS, child_complexity)")]
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<MemberNode>, ApiError> {
        self.members(ctx, false).await
    }
    #[graphql(complexity = "cost::list(cost::MANAGERS, child_complexity)")]
    async fn managers(&self, ctx: &Context<'_>) -> Result<Vec<MemberNode>, ApiError> {
        self.members(ctx, true).await
    }
}

#[derive(Default)]
pub struct WorkspaceMutation;

#[Object]
impl WorkspaceMutation {
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ManageWorkspaces)")]
    async fn create_workspace(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
    ) -> Result<WorkspaceNode, ApiError> {
        let name = ResourceName::parse(&name)?;
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let workspace = s
            .store
            .create_workspace(viewer.org_id, name, viewer.user_id, s.clock.now())
            .await?;
        Ok(WorkspaceNode { workspace, viewer })
    }

    #[graphql(guard = "OrgGuard::on(OrgOf::workspace(&id), Action::ManageWorkspaces)")]
    async fn rename_workspace(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
    ) -> Result<WorkspaceNode, ApiError> {
        let name = ResourceName::parse(&name)?;
        let viewer = membership(ctx, OrgOf::workspace(&id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let workspace = s
            .store
            .rename_workspace(id.parse()?, name, viewer.user_id, s.clock.now())
            .await?;
        Ok(WorkspaceNode { workspace, viewer })
    }

    /// Deletes the workspace and its assignments.
    #[graphql(guard = "OrgGuard::on(OrgOf::workspace(&id), Action::ManageWorkspaces)")]
    async fn delete_workspace(&self, ctx: &Context<'_>, id: ID) -> Result<bool, ApiError> {
        let viewer = membership(ctx, OrgOf::workspace(&id).resolve(ctx).await?).await?;
        let s = services(ctx);
        s.store
            .delete_workspace(id.parse()?, viewer.user_id, s.clock.now())
            .await?;
        Ok(true)
    }

    /// Replaces the workspaces of a member (ACTIVE or invited).
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::EditMemberWorkspaces)")]
    async fn set_member_workspaces(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
        workspace_ids: Vec<ID>,
    ) -> Result<MemberNode, ApiError> {
        let workspaces: Vec<WorkspaceId> = parse_ids(&workspace_ids)?;
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let member = s
            .store
            .set_member_workspaces(
                viewer.org_id,
                user_id.parse()?,
                &workspaces,
                viewer.user_id,
                s.clock.now(),
            )
            .await?;
        Ok(MemberNode::new(member, viewer))
    }

    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ManageAssistants)")]
    async fn create_assistant(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
    ) -> Result<AssistantNode, ApiError> {
        let name = ResourceName::parse(&name)?;
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let assistant = s
            .store
            .create_assistant(viewer.org_id, name, viewer.user_id, s.clock.now())
            .await?;
        Ok(AssistantNode { assistant, viewer })
    }

    /// Replaces the users of an assistant (members of its organization).
    #[graphql(guard = "OrgGuard::on(OrgOf::assistant(&assistant_id), Action::ManageAssistants)")]
    async fn set_assistant_users(
        &self,
        ctx: &Context<'_>,
        assistant_id: ID,
        user_ids: Vec<ID>,
    ) -> Result<AssistantNode, ApiError> {
        let users: Vec<UserId> = parse_ids(&user_ids)?;
        let viewer = membership(ctx, OrgOf::assistant(&assistant_id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let assistant = s
            .store
            .set_assistant_users(assistant_id.parse()?, &users, viewer.user_id, s.clock.now())
            .await?;
        Ok(AssistantNode { assistant, viewer })
    }
}
