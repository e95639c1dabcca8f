//! Ownership transfer (rules.md §2): `requestOwnershipTransfer`,
//! `acceptOwnershipTransfer`, `cancelOwnershipTransfer` and
//! `Organization.pendingOwnershipTransfer`. The guards say who may try
//! (the owner, or any member for accept); the store applies the rest (the
//! target, the lapse, who accepts) under the organization's lock.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::allowed;
use roster_domain::model::Membership;
use roster_domain::ownership::OwnershipTransfer;
use roster_domain::{DomainError, UserId};

use super::allowed::{TransferAction, named};
use super::context::{loader, membership, services};
use super::guards::OrgGuard;
use super::loaders::{PendingTransferOf, load_failed};
use super::organization::OrganizationNode;
use super::user::{UserNode, load_user};
use crate::error::ApiError;

/// A pending transfer, as `viewer` (a member of its organization) sees it.
pub struct OwnershipTransferNode {
    transfer: OwnershipTransfer,
    viewer: Membership,
}

#[Object(name = "OwnershipTransfer")]
impl OwnershipTransferNode {
    /// The owner who asked.
    async fn from(&self, ctx: &Context<'_>) -> Result<UserNode, ApiError> {
        load_user(ctx, self.transfer.from).await
    }
    /// The ADMIN asked to become owner.
    async fn to(&self, ctx: &Context<'_>) -> Result<UserNode, ApiError> {
        load_user(ctx, self.transfer.to).await
    }
    async fn requested_at(&self) -> DateTime<Utc> {
        self.transfer.requested_at
    }
    /// What the caller may do to this request: `ACCEPT` for the ADMIN
    /// asked, `CANCEL` for the owner (docs/api/permissions.md, "Asking
    /// what the viewer may do").
    async fn viewer_can(&self) -> Vec<TransferAction> {
        named(allowed::on_transfer(&self.viewer, &self.transfer))
    }
}

/// The pending transfer of `viewer`'s organization, through the
/// request's loader (one query for every organization of a list).
pub async fn pending_transfer(
    ctx: &Context<'_>,
    viewer: &Membership,
) -> Result<Option<OwnershipTransferNode>, ApiError> {
    let found = loader(ctx)
        .load_one(PendingTransferOf(viewer.org_id))
        .await
        .map_err(load_failed)?;
    Ok(found.map(|transfer| OwnershipTransferNode {
        transfer,
        viewer: viewer.clone(),
    }))
}

#[derive(Default)]
pub struct OwnershipMutation;

#[Object]
impl OwnershipMutation {
    /// The owner asks an ACTIVE ADMIN of the organization to become owner
    /// (anyone else, the owner included, is `VALIDATION`); the ADMIN gets an
    /// email. Replaces any pending request. Owner only (`FORBIDDEN`).
    #[graphql(guard = "OrgGuard::owner_of(&organization_id)")]
    async fn request_ownership_transfer(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        to_user_id: ID,
    ) -> Result<OwnershipTransferNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        // A malformed id names nobody, like an id of no member: not an
        // ACTIVE ADMIN of this organization.
        let to: UserId = to_user_id.parse().map_err(|_| {
            DomainError::validation(
                "ownership can only be transferred to an ACTIVE ADMIN of the organization",
            )
        })?;
        let s = services(ctx);
        let transfer = s
            .store
            .request_ownership_transfer(viewer.org_id, to, &viewer, s.clock.now())
            .await?;
        Ok(OwnershipTransferNode { transfer, viewer })
    }

    /// The ADMIN named by the pending request becomes owner; the previous
    /// owner stays ADMIN. `NOT_FOUND` when no request is pending (or it
    /// lapsed), `FORBIDDEN` for anyone else.
    #[graphql(guard = "OrgGuard::member_of(&organization_id)")]
    async fn accept_ownership_transfer(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<OrganizationNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let org = s
            .store
            .accept_ownership_transfer(viewer.org_id, &viewer, s.clock.now())
            .await?;
        // The caller's membership as it is now (it owns the organization).
        let viewer = s
            .store
            .memberships_in(viewer.user_id, &[org.id])
            .await?
            .pop()
            .ok_or_else(|| DomainError::internal("the new owner's membership vanished"))?;
        Ok(OrganizationNode { org, viewer })
    }

    /// The owner withdraws its request: `true` when one was pending, `false`
    /// when none was. Owner only (`FORBIDDEN`).
    #[graphql(guard = "OrgGuard::owner_of(&organization_id)")]
    async fn cancel_ownership_transfer(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<bool, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        Ok(s.store
            .cancel_ownership_transfer(viewer.org_id, &viewer, s.clock.now())
            .await?)
    }
}
