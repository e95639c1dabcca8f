//! `Member`: one user's membership in one organization.

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::resolver_utils::enum_value;
use async_graphql::{Context, ID, Object, Value};
use chrono::{DateTime, Utc};

use roster_domain::model::{Assistant, AssistantSeat, Membership, User, Workspace};
use roster_domain::{DomainError, allowed, standing};

use super::allowed::{MemberAction, named};
use super::context::loader;
use super::cost;
use super::enums::{MemberStatus, OrgRole};
use super::loaders::{AssistantsOf, WorkspacesOf, load_failed};
use super::organization::OrganizationNode;
use super::user::{UserNode, load_user};
use super::workspace::{AssistantNode, WorkspaceNode};
use crate::error::ApiError;
use crate::resolve::inline::{Inline, Listed, One, answer, answer_all, timestamp};

pub struct MemberNode {
    pub member: Membership,
    /// The caller's own membership in the same organization.
    pub viewer: Membership,
    /// What the member page's statements read with the member
    /// (`organization::member_page_nodes`); elsewhere the loaders fetch it.
    preloaded: Option<Box<Preloaded>>,
}

/// A member's user, workspaces and assistants, read with its page; a list
/// the selection did not ask for is `None`. Its fields answer with
/// references to them, not copies.
pub(super) struct Preloaded {
    user: UserNode,
    workspaces: Option<Vec<WorkspaceNode>>,
    /// The assistants, and the member's seat in each (the same order).
    assistants: Option<(Vec<AssistantNode>, Vec<AssistantSeat>)>,
}

impl Preloaded {
    pub(super) fn new(
        user: User,
        workspaces: Option<Vec<Workspace>>,
        assistants: Option<Vec<(AssistantSeat, Assistant)>>,
        viewer: &Membership,
    ) -> Self {
        let workspaces = workspaces.map(|found| {
            let node = |workspace| WorkspaceNode {
                workspace,
                viewer: viewer.clone(),
            };
            found.into_iter().map(node).collect()
        });
        let assistants = assistants.map(|found| {
            let node = |assistant| AssistantNode {
                assistant,
                viewer: viewer.clone(),
            };
            let (seats, assistants): (Vec<_>, Vec<_>) = found.into_iter().unzip();
            (assistants.into_iter().map(node).collect(), seats)
        });
        Self {
            user: UserNode(user),
            workspaces,
            assistants,
        }
    }
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

    /// Whether the viewer sees inside the organization (`standing`): a
    /// membership read through `me` may be BLOCKED or INVITED, and then its
    /// lists answer empty.
    fn inside(&self) -> bool {
        standing::sees_inside(&self.viewer)
    }

    /// The member itself is the viewer's to see (`standing`): its own
    /// membership, or any from inside. `FORBIDDEN` otherwise.
    fn require_visible(&self) -> Result<(), DomainError> {
        if standing::sees_member(&self.viewer, &self.member) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// The member's assistants whose seat `keep`s.
    async fn assistants_where(
        &self,
        ctx: &Context<'_>,
        keep: impl Fn(&AssistantSeat) -> bool,
    ) -> Result<Vec<AssistantNode>, ApiError> {
        if !self.inside() {
            return Ok(Vec::new());
        }
        let found = match self.preloaded.as_ref().and_then(|p| p.assistants.as_ref()) {
            Some((nodes, seats)) => {
                let kept = nodes.iter().zip(seats).filter(|(_, seat)| keep(seat));
                return Ok(kept.map(|(node, _)| node.clone()).collect());
            }
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

impl Inline for MemberNode {
    fn inline(&self, field: &Field) -> Option<Value> {
        let member = &self.member;
        let selection = &field.selection_set.node;
        // Outside the organization, what it holds goes the general way,
        // whose resolvers apply `standing`.
        let preloaded = self.preloaded.as_deref().filter(|_| self.inside());
        Some(match field.name.node.as_str() {
            "id" => Value::String(member.id.to_string()),
            "role" => enum_value(OrgRole::from(member.role)),
            "status" => enum_value(MemberStatus::from(member.status)),
            "isOwner" => Value::Boolean(member.is_owner),
            "viewerCan" => Value::List(
                allowed::on_member(&self.viewer, member)
                    .into_iter()
                    .map(|a| enum_value(MemberAction::from(a)))
                    .collect(),
            ),
            "joinedAt" => timestamp(member.joined_at),
            "lastActiveAt" => timestamp(member.last_active_at),
            "user" => answer(&preloaded?.user, selection)?,
            "workspaces" => answer_all(preloaded?.workspaces.as_deref()?, selection)?,
            "assistants" => answer_all(&preloaded?.assistants.as_ref()?.0, selection)?,
            _ => return None,
        })
    }
}

#[Object(name = "Member", serial)]
impl MemberNode {
    /// The membership's id.
    async fn id(&self) -> ID {
        ID(self.member.id.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<One<'_, UserNode>, ApiError> {
        self.require_visible()?;
        Ok(One(match &self.preloaded {
            Some(p) => Cow::Borrowed(&p.user),
            None => Cow::Owned(load_user(ctx, self.member.user_id).await?),
        }))
    }
    /// Outside the organization (a BLOCKED or INVITED membership), only its
    /// id, name and `viewerRole` answer; its other fields are `FORBIDDEN`.
    async fn organization(&self, ctx: &Context<'_>) -> Result<OrganizationNode, ApiError> {
        self.require_visible()?;
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
    /// What the viewer may do to this member now (docs/api/permissions.md,
    /// "Asking what the viewer may do"); a listed action may still be
    /// refused for a count (`LAST_ADMIN`, `SEAT_LIMIT_REACHED`).
    async fn viewer_can(&self) -> Vec<MemberAction> {
        named(allowed::on_member(&self.viewer, &self.member))
    }
    async fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.member.joined_at
    }
    /// Empty outside the organization (a BLOCKED or INVITED membership).
    #[graphql(complexity = "cost::list(cost::ASSIGNED_WORKSPACES, child_complexity)")]
    async fn workspaces(&self, ctx: &Context<'_>) -> Result<Listed<'_, WorkspaceNode>, ApiError> {
        if !self.inside() {
            return Ok(Listed::Owned(Vec::new()));
        }
        if let Some(found) = self.preloaded.as_ref().and_then(|p| p.workspaces.as_ref()) {
            return Ok(Listed::Borrowed(found));
        }
        let found = loader(ctx)
            .load_one(WorkspacesOf(self.member.id))
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        let node = |workspace| WorkspaceNode {
            workspace,
            viewer: self.viewer.clone(),
        };
        Ok(Listed::Owned(found.into_iter().map(node).collect()))
    }
    /// Empty outside the organization (a BLOCKED or INVITED membership).
    #[graphql(complexity = "cost::list(cost::ASSIGNED_ASSISTANTS, child_complexity)")]
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Listed<'_, AssistantNode>, ApiError> {
        if !self.inside() {
            return Ok(Listed::Owned(Vec::new()));
        }
        if let Some((found, _)) = self.preloaded.as_ref().and_then(|p| p.assistants.as_ref()) {
            return Ok(Listed::Borrowed(found));
        }
        Ok(Listed::Owned(self.assistants_where(ctx, |_| true).await?))
    }
    /// Empty outside the organization (a BLOCKED or INVITED membership).
    #[graphql(complexity = "cost::list(cost::ASSIGNED_ASSISTANTS, child_complexity)")]
    async fn managed_assistants(&self, ctx: &Context<'_>) -> Result<Vec<AssistantNode>, ApiError> {
        self.assistants_where(ctx, |seat| seat.is_manager).await
    }
    /// Null while the member has not accepted (shown as 'Pending').
    async fn last_active_at(&self) -> Option<DateTime<Utc>> {
        self.member.last_active_at
    }
}
