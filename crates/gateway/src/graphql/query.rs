//! The root query.

use async_graphql::{Context, ID, Object};

use roster_domain::DomainError;
use roster_domain::permission::Action;

use super::context::{membership_and_org, viewer};
use super::cost;
use super::guards::{Authenticated, OrgGuard, OrgOf};
use super::invitation::{InvitationPreviewNode, preview};
use super::organization::OrganizationNode;
use super::rate_limit;
use super::user::UserNode;
use crate::auth::viewer::Viewer;
use crate::error::ApiError;

pub struct Query;

#[Object]
impl Query {
    /// Null when not authenticated.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<UserNode>, ApiError> {
        match viewer(ctx).await? {
            Viewer::Anonymous => Ok(None),
            Viewer::Rejected => Err(DomainError::Unauthenticated.into()),
            Viewer::Authenticated { user, .. } => Ok(Some(UserNode(user))),
        }
    }

    /// Public: what a token holder sees on the accept page. Tokens that
    /// open nothing are limited per client address.
    async fn invitation_preview(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> Result<InvitationPreviewNode, ApiError> {
        rate_limit::token_use(ctx, preview(ctx, &token)).await
    }

    /// An organization the caller belongs to; any other id is `NOT_FOUND`.
    #[graphql(guard = "OrgGuard::member_of(&id)")]
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<OrganizationNode, ApiError> {
        let (viewer, org) = membership_and_org(ctx, id.parse()?).await?;
        Ok(OrganizationNode { org, viewer })
    }

    /// The organizations the caller owns that were deleted and can still
    /// be restored (`restoreOrganization`), most recently deleted first.
    #[graphql(
        guard = "Authenticated",
        complexity = "cost::list(cost::MEMBERSHIPS, child_complexity)"
    )]
    async fn deleted_organizations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::lifecycle::DeletedOrganizationNode>, ApiError> {
        super::lifecycle::deleted_organizations(ctx).await
    }

    /// A background job (a removal's lead reassignment), for ADMIN and
    /// USER_ADMIN of its organization; any other id is `NOT_FOUND`.
    #[graphql(guard = "OrgGuard::on(OrgOf::job(&id), Action::InviteOrRemoveMembers)")]
    async fn job(&self, ctx: &Context<'_>, id: ID) -> Result<super::removal::JobNode, ApiError> {
        super::removal::job(ctx, &id).await
    }
}
