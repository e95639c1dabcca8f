//! Member administration: `changeMemberRole`, `blockMember`,
//! `unblockMember` (rules.md §2, §4). The guards ask the permission table
//! whether the caller's role may attempt the action at all; the store
//! applies the rest (the target's role, the owner, the last ACTIVE ADMIN,
//! seats) under the organization's lock.

use async_graphql::{Context, ID, Object};

use roster_domain::permission::Action;

use super::context::{membership, services};
use super::enums::OrgRole;
use super::guards::OrgGuard;
use super::member::MemberNode;
use crate::error::ApiError;

#[derive(Default)]
pub struct MemberAdminMutation;

/// Blocks or unblocks `user_id` in `organization_id` for the caller.
async fn set_blocked(
    ctx: &Context<'_>,
    organization_id: &ID,
    user_id: &ID,
    blocked: bool,
) -> Result<MemberNode, ApiError> {
    let viewer = membership(ctx, organization_id.parse()?).await?;
    let s = services(ctx);
    let member = s
        .store
        .set_member_blocked(
            viewer.org_id,
            user_id.parse()?,
            blocked,
            &viewer,
            s.clock.now(),
        )
        .await?;
    Ok(MemberNode::new(member, viewer))
}

#[Object]
impl MemberAdminMutation {
    /// Gives an ACTIVE or BLOCKED member another role (ADMIN only). Not the
    /// owner's (`FORBIDDEN`; `LAST_ADMIN` when it is the only ADMIN); never
    /// leaving no ACTIVE ADMIN (`LAST_ADMIN`). The role it has is a no-op.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ChangeMemberRole)")]
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
        role: OrgRole,
    ) -> Result<MemberNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let member = s
            .store
            .change_member_role(
                viewer.org_id,
                user_id.parse()?,
                role.into(),
                &viewer,
                s.clock.now(),
            )
            .await?;
        Ok(MemberNode::new(member, viewer))
    }

    /// Blocks a member: it keeps its place and data, and every request it
    /// makes in this organization answers `FORBIDDEN`. Not the owner, not
    /// oneself (`FORBIDDEN`), not the last ACTIVE ADMIN (`LAST_ADMIN`).
    /// Blocking a BLOCKED member is a no-op.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::BlockMembers)")]
    async fn block_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
    ) -> Result<MemberNode, ApiError> {
        set_blocked(ctx, &organization_id, &user_id, true).await
    }

    /// Restores a BLOCKED member's access; it needs a free seat
    /// (`SEAT_LIMIT_REACHED`). Unblocking an ACTIVE member is a no-op.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::BlockMembers)")]
    async fn unblock_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
    ) -> Result<MemberNode, ApiError> {
        set_blocked(ctx, &organization_id, &user_id, false).await
    }
}
