//! `User`: a global account.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, ScalarType, Value};
use chrono::{DateTime, Utc};

use roster_domain::model::User;

use super::context::{loader, services};
use super::cost;
use super::guards::IsViewer;
use super::invitation::ReceivedInvitationNode;
use super::loaders::load_failed;
use super::member::MemberNode;
use super::memberships::{LIST_CAP, MembershipConnection, membership_connection, memberships_page};
use crate::error::ApiError;
use crate::resolve::inline::Inline;

#[derive(Clone)]
pub struct UserNode(pub User);

impl Inline for UserNode {
    fn inline(&self, field: &Field) -> Option<Value> {
        let user = &self.0;
        Some(match field.name.node.as_str() {
            "id" => Value::String(user.id.to_string()),
            "email" => Value::String(user.email.clone()),
            "displayName" => Value::String(user.display_name.clone()),
            "mustChangePassword" => Value::Boolean(user.must_change_password),
            "emailVerified" => Value::Boolean(user.email_verified),
            "createdAt" => user.created_at.to_value(),
            _ => return None,
        })
    }
}

#[Object(name = "User", serial)]
impl UserNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
    /// Whether the owner of the address proved it: a verification,
    /// password-reset or LINK invitation link used, or a one-time password
    /// (docs/api/sessions.md). Only a verified account is matched to
    /// invitations by its email.
    async fn email_verified(&self) -> bool {
        self.0.email_verified
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    // rules.md §10 (`standing`): a membership that is not ACTIVE shows its
    // status, role and the organization's id and name; its lists answer
    // empty, the organization's other fields `FORBIDDEN` (docs/api/permissions.md).
    /// The caller's own memberships; only visible on `me`. A membership that is not ACTIVE shows nothing inside its organization.
    #[graphql(
        guard = "IsViewer(self.0.id)",
        deprecation = "holds at most the caller's 100 oldest memberships: page through `membershipsConnection`",
        complexity = "cost::list(cost::MEMBERSHIPS, child_complexity)"
    )]
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<MemberNode>, ApiError> {
        let node = ctx.look_ahead();
        let (nodes, _) = memberships_page(ctx, self.0.id, LIST_CAP, None, node).await?;
        Ok(nodes)
    }
    /// The caller's own memberships, oldest first, a page at a time; only
    /// visible on `me`. A membership that is not ACTIVE shows nothing
    /// inside its organization.
    #[graphql(
        guard = "IsViewer(self.0.id)",
        complexity = "cost::page(first, child_complexity)?"
    )]
    async fn memberships_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<MembershipConnection, ApiError> {
        membership_connection(ctx, self.0.id, first.unwrap_or(50), after).await
    }
    /// Pending invitations to the caller's own address; only visible on
    /// `me`, and empty until the address is proved (a one-time password
    /// or an invitation link used). Accept each with `acceptInvitationById`.
    #[graphql(
        guard = "IsViewer(self.0.id)",
        complexity = "cost::list(cost::RECEIVED_INVITATIONS, child_complexity)"
    )]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<ReceivedInvitationNode>, ApiError> {
        let s = services(ctx);
        let found = s.store.invitations_to(self.0.id, s.clock.now()).await?;
        Ok(found.into_iter().map(ReceivedInvitationNode).collect())
    }
}

/// A user by id, through the request's loader.
pub async fn load_user(ctx: &Context<'_>, id: roster_domain::UserId) -> Result<UserNode, ApiError> {
    let user = loader(ctx).load_one(id).await.map_err(load_failed)?;
    Ok(UserNode(user.ok_or_else(|| {
        roster_domain::DomainError::internal(format!("user {id} vanished"))
    })?))
}
