//! An organization's end (rules.md §8): `deleteOrganization`,
//! `restoreOrganization` and `Query.deletedOrganizations`. The guards say
//! who may try (the table's "delete organization" row; the owner for a
//! restore, through the one lookup that sees deleted organizations); the
//! store applies the rest under the organization's lock.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::lifecycle::DeletedOrganization;
use roster_domain::permission::Action;
use roster_domain::{DomainError, OrgId};

use super::context::{membership, services, viewer};
use super::guards::OrgGuard;
use super::organization::OrganizationNode;
use super::user::{UserNode, load_user};
use crate::error::ApiError;

/// A deleted organization its owner may still restore.
pub struct DeletedOrganizationNode(DeletedOrganization);

#[Object(name = "DeletedOrganization")]
impl DeletedOrganizationNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn deleted_at(&self) -> DateTime<Utc> {
        self.0.deleted_at
    }
    /// Who deleted it.
    async fn deleted_by(&self, ctx: &Context<'_>) -> Result<Option<UserNode>, ApiError> {
        match self.0.deleted_by {
            Some(user) => load_user(ctx, user).await.map(Some),
            None => Ok(None),
        }
    }
    /// When it is purged for good: it can be restored until then.
    async fn purge_after(&self) -> DateTime<Utc> {
        self.0.purge_after()
    }
}

/// The organizations the caller owns that were deleted less than the
/// restore window ago, most recently deleted first.
pub async fn deleted_organizations(
    ctx: &Context<'_>,
) -> Result<Vec<DeletedOrganizationNode>, ApiError> {
    let me = viewer(ctx).await?.user()?.id;
    let s = services(ctx);
    let found = s.store.deleted_organizations(me, s.clock.now()).await?;
    Ok(found.into_iter().map(DeletedOrganizationNode).collect())
}

#[derive(Default)]
pub struct LifecycleMutation;

#[Object]
impl LifecycleMutation {
    /// Deletes the organization (ADMIN): at once its members lose access
    /// and its pending invitations are revoked. The owner may restore it
    /// within 30 days; then it is purged for good.
    #[graphql(guard = "OrgGuard::new(&id, Action::DeleteOrganization)")]
    async fn delete_organization(&self, ctx: &Context<'_>, id: ID) -> Result<bool, ApiError> {
        let viewer = membership(ctx, id.parse()?).await?;
        let s = services(ctx);
        s.store
            .delete_organization(viewer.org_id, &viewer, s.clock.now())
            .await?;
        Ok(true)
    }

    /// The owner, within 30 days of deletion: brings the organization back
    /// as it was (its revoked invitations stay revoked). `CONFLICT` when it
    /// is not deleted.
    #[graphql(guard = "OrgGuard::restorer_of(&id)")]
    async fn restore_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<OrganizationNode, ApiError> {
        let me = viewer(ctx).await?.user()?.id;
        let org: OrgId = id.parse()?;
        let s = services(ctx);
        let org = s.store.restore_organization(org, me, s.clock.now()).await?;
        // The caller's membership as the restore left it (it is the owner).
        let viewer = s
            .store
            .memberships_in(me, &[org.id])
            .await?
            .pop()
            .ok_or_else(|| DomainError::internal("the owner's membership vanished"))?;
        Ok(OrganizationNode { org, viewer })
    }
}
