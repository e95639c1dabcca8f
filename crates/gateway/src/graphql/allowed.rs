//! What the viewer may do, as data (docs/api/permissions.md, "Asking what
//! the viewer may do"): `Organization.viewerCan`, `viewerCanInviteAs`,
//! `viewerCanInviteWith`, `Member.viewerCan`, `Invitation.viewerCan` and
//! `OwnershipTransfer.viewerCan`. The answers are the
//! domain's (`roster_domain::allowed`); these are their GraphQL names.

use async_graphql::Enum;

/// A row of the permission table (docs/api/permissions.md).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "OrgAction", remote = "roster_domain::permission::Action")]
pub enum OrgAction {
    ViewOrgInfo,
    EditOrgInfo,
    ViewBilling,
    ChangePlan,
    CancelSubscription,
    DeleteOrganization,
    ViewMembers,
    InviteOrRemoveMembers,
    ChangeMemberRole,
    BlockMembers,
    EditMemberWorkspaces,
    ManageWorkspaces,
    ViewWorkspaces,
    ManageAssistants,
    MakeAssistantManager,
    ViewLeads,
    EditLeads,
    ViewDashboard,
    ReadAuditLog,
}

/// Something the viewer may do to one member, each a mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "roster_domain::allowed::MemberAction")]
pub enum MemberAction {
    /// `changeMemberRole`.
    ChangeRole,
    /// `blockMember`.
    Block,
    /// `unblockMember`.
    Unblock,
    /// `removeMember`.
    Remove,
    /// `setMemberWorkspaces`.
    EditWorkspaces,
    /// `setAssistantManager`, for an assistant the member is assigned to.
    MakeAssistantManager,
    /// `requestOwnershipTransfer` to this member.
    TransferOwnership,
}

/// Something the viewer may do to one invitation, each a mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "roster_domain::allowed::InvitationAction")]
pub enum InvitationAction {
    /// `resendInvitation`.
    Resend,
    /// `revokeInvitation`.
    Revoke,
}

/// Something the viewer may do to a pending ownership transfer, each a
/// mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "roster_domain::allowed::TransferAction")]
pub enum TransferAction {
    /// `acceptOwnershipTransfer`: the viewer is the ADMIN asked.
    Accept,
    /// `cancelOwnershipTransfer`: the viewer is the owner who asked.
    Cancel,
}

/// A field of `InviteMemberInput` beyond the email and the role, which
/// grants something of its own (docs/api/invitations.md).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "InviteArgument", remote = "roster_domain::permission::Carried")]
pub enum InviteArgument {
    /// `workspaceIds`.
    #[graphql(name = "WORKSPACE_IDS")]
    InvitationWorkspaces,
    /// `assistantIds`.
    #[graphql(name = "ASSISTANT_IDS")]
    InvitationAssistants,
}

/// The domain's answer in GraphQL's names.
pub fn named<D, G: From<D>>(answer: Vec<D>) -> Vec<G> {
    answer.into_iter().map(G::from).collect()
}
