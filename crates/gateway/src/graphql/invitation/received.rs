//! The invitee's side (docs/api/invitations.md): its own pending
//! invitations on `me`, accepted or declined by id once the address is
//! proved. The invitee is not a member yet, so it sees the organization's
//! id and name and nothing inside it (rules.md §10).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use roster_domain::invitation::ReceivedInvitation;

use super::super::context::{services, viewer};
use super::super::enums::{InvitationDelivery, OrgRole};
use super::super::guards::Authenticated;
use super::super::member::MemberNode;
use crate::error::ApiError;

/// A pending invitation to the caller's own address.
pub struct ReceivedInvitationNode(pub ReceivedInvitation);

#[Object(name = "ReceivedInvitation")]
impl ReceivedInvitationNode {
    /// What `acceptInvitationById` and `declineInvitationById` take.
    async fn id(&self) -> ID {
        ID(self.0.invitation.id.to_string())
    }
    async fn organization_id(&self) -> ID {
        ID(self.0.invitation.org_id.to_string())
    }
    async fn organization_name(&self) -> &str {
        &self.0.organization_name
    }
    async fn role(&self) -> OrgRole {
        self.0.invitation.role.into()
    }
    async fn delivery(&self) -> InvitationDelivery {
        self.0.invitation.delivery.into()
    }
    async fn invited_by_name(&self) -> Option<&str> {
        self.0.invited_by_name.as_deref()
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.invitation.expires_at
    }
}

#[derive(Default)]
pub struct ReceivedInvitationMutation;

#[Object]
impl ReceivedInvitationMutation {
    /// Joins through a pending invitation to the caller's own address (one
    /// listed in `me { invitations }`). Anyone else's invitation is
    /// `NOT_FOUND`; before the address is proved, `FORBIDDEN`.
    #[graphql(guard = "Authenticated")]
    async fn accept_invitation_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<MemberNode, ApiError> {
        let me = viewer(ctx).await?.user()?.id;
        let s = services(ctx);
        let member = s
            .store
            .accept_invitation_by_id(id.parse()?, me, s.clock.now())
            .await?;
        Ok(MemberNode::new(member.clone(), member))
    }

    /// Declines a pending invitation to the caller's own address, as
    /// `acceptInvitationById` would accept it.
    #[graphql(guard = "Authenticated")]
    async fn decline_invitation_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<bool, ApiError> {
        let me = viewer(ctx).await?.user()?.id;
        let s = services(ctx);
        s.store
            .decline_invitation_by_id(id.parse()?, me, s.clock.now())
            .await?;
        Ok(true)
    }
}
