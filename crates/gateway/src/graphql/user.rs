//! `User`: a global account.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, ScalarType, Value};
use chrono::{DateTime, Utc};

use roster_domain::model::User;
use roster_domain::standing;

use super::context::{loader, services};
use super::cost;
use super::guards::IsViewer;
use super::invitation::ReceivedInvitationNode;
use super::loaders::{InvoicesOf, SeatsOf, load_failed};
use super::member::MemberNode;
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
        complexity = "cost::list(cost::MEMBERSHIPS, child_complexity)"
    )]
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<MemberNode>, ApiError> {
        let memberships = services(ctx).store.memberships_of(self.0.id).await?;
        if ctx.look_ahead().field("organization").exists() {
            loader(ctx)
                .load_many(memberships.iter().map(|m| m.org_id))
                .await
                .map_err(load_failed)?;
        }
        // Billing's lists in one batch each, rather than trusting the
        // loader's timing window to gather the organizations' fields; none
        // for an organization the caller does not see inside.
        let billing = ctx.look_ahead().field("organization").field("billing");
        let inside = || {
            memberships
                .iter()
                .filter(|m| standing::sees_inside(m))
                .map(|m| m.org_id)
        };
        if billing.field("seatsUsed").exists() {
            loader(ctx)
                .load_many(inside().map(SeatsOf))
                .await
                .map_err(load_failed)?;
        }
        if billing.field("invoices").exists() {
            loader(ctx)
                .load_many(inside().map(InvoicesOf))
                .await
                .map_err(load_failed)?;
        }
        Ok(memberships
            .into_iter()
            .map(|m| MemberNode::new(m.clone(), m))
            .collect())
    }
    /// Pending invitations to the caller's own address; only visible on
    /// `me`, and empty until the address is proved (a one-time password
    /// or an invitation link used). Accept each with `acceptInvitationById`.
    #[graphql(
        guard = "IsViewer(self.0.id)",
        complexity = "cost::list(cost::MEMBERSHIPS, child_complexity)"
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
