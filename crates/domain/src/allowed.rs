//! What the viewer may do, as data for a screen (docs/api/permissions.md,
//! "Asking what the viewer may do"): the console and the embedded elements
//! show exactly these actions and never work them out themselves.
//!
//! Each answer is the mutation's own checks, run on what the viewer's
//! membership and the target say now: the permission table
//! (`permission.rs`), then the owner and self rules (`member_admin.rs`),
//! the invitation rules (`invitation.rs`) and the ownership rules
//! (`ownership.rs`), for a member, an invitation and a pending ownership
//! transfer. Only what depends on a count taken under the
//! organization's lock is left out: an action listed here may still be
//! refused with `LAST_ADMIN` or `SEAT_LIMIT_REACHED` when it runs.

use crate::invitation::{Invitation, InvitationTargets, require_inviter};
use crate::member_admin::{self, Change};
use crate::model::Membership;
use crate::ownership::{self, OwnershipTransfer, Standing};
use crate::permission::{self, Action, CARRIED, Carried, TABLE};
use crate::{MemberStatus, OrgRole, standing};

/// Something the viewer may do to one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// `setAssistantManager` for an assistant the member is assigned to.
    MakeAssistantManager,
    /// `requestOwnershipTransfer` to this member.
    TransferOwnership,
}

/// Something the viewer may do to one invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvitationAction {
    /// `resendInvitation`.
    Resend,
    /// `revokeInvitation`.
    Revoke,
}

/// Something the viewer may do to the organization's pending ownership
/// transfer (docs/api/ownership.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransferAction {
    /// `acceptOwnershipTransfer`: the viewer is the ADMIN asked.
    Accept,
    /// `cancelOwnershipTransfer`: the viewer is the owner who asked.
    Cancel,
}

/// A count that only the store knows under its lock stands at "more than
/// enough" here, so that no rule resting on it refuses.
const UNCOUNTED: i64 = i64::MAX;

/// The rows of the permission table the viewer's role permits in its
/// organization (none unless it is ACTIVE there).
pub fn on_organization(viewer: &Membership) -> Vec<Action> {
    if !standing::sees_inside(viewer) {
        return Vec::new();
    }
    TABLE
        .iter()
        .map(|(action, _, _)| *action)
        .filter(|action| permission::require(viewer.role, *action).is_ok())
        .collect()
}

/// The roles the viewer may give in an invitation (and so offer in an
/// invite form), with no workspaces or assistants named.
pub fn invitable_roles(viewer: &Membership) -> Vec<OrgRole> {
    if !standing::sees_inside(viewer) {
        return Vec::new();
    }
    OrgRole::ALL
        .iter()
        .copied()
        .filter(|role| require_inviter(viewer.role, *role, &InvitationTargets::default()).is_ok())
        .collect()
}

/// The arguments beyond the email and the role (workspaces, assistants)
/// that the viewer may name when it invites `role`: none when it may not
/// invite `role` at all. An invite form offers exactly these.
pub fn invitation_arguments(viewer: &Membership, role: OrgRole) -> Vec<Carried> {
    if !invitable_roles(viewer).contains(&role) {
        return Vec::new();
    }
    CARRIED
        .iter()
        .map(|(carried, _, _)| *carried)
        .filter(|carried| permission::require_carried(viewer.role, *carried, role).is_ok())
        .collect()
}

/// What the viewer may do to `target`, a membership of the same
/// organization.
pub fn on_member(viewer: &Membership, target: &Membership) -> Vec<MemberAction> {
    if !standing::sees_inside(viewer) || viewer.org_id != target.org_id {
        return Vec::new();
    }
    let role = viewer.role;
    let may = |action| permission::require(role, action).is_ok();
    let may_on = |action| permission::require_on(role, action, target.role).is_ok();
    // INVITED members are reached through their invitation, except for
    // the workspaces they will join with.
    let joined = target.status != MemberStatus::Invited;
    let mut out = Vec::new();
    if joined
        && may(Action::ChangeMemberRole)
        && member_admin::spare_the_owner(target, UNCOUNTED).is_ok()
    {
        out.push(MemberAction::ChangeRole);
    }
    if joined
        && may_on(Action::BlockMembers)
        && member_admin::check_block(viewer.user_id, target, UNCOUNTED).ok() == Some(Change::Apply)
    {
        out.push(MemberAction::Block);
    }
    if joined
        && may_on(Action::BlockMembers)
        && member_admin::check_unblock(target) == Change::Apply
    {
        out.push(MemberAction::Unblock);
    }
    if joined
        && may_on(Action::InviteOrRemoveMembers)
        && member_admin::check_removal(viewer.user_id, target, UNCOUNTED).is_ok()
    {
        out.push(MemberAction::Remove);
    }
    if target.status != MemberStatus::Blocked && may(Action::EditMemberWorkspaces) {
        out.push(MemberAction::EditWorkspaces);
    }
    if joined && may(Action::MakeAssistantManager) {
        out.push(MemberAction::MakeAssistantManager);
    }
    let standing = Standing {
        role: target.role,
        status: target.status,
    };
    if permission::require_owner(viewer).is_ok()
        && ownership::check_target(viewer.user_id, target.user_id, Some(standing)).is_ok()
    {
        out.push(MemberAction::TransferOwnership);
    }
    out
}

/// What the viewer may do to `invitation`, one of its organization's.
pub fn on_invitation(viewer: &Membership, invitation: &Invitation) -> Vec<InvitationAction> {
    if !standing::sees_inside(viewer) || viewer.org_id != invitation.org_id {
        return Vec::new();
    }
    let targets = InvitationTargets::default();
    if require_inviter(viewer.role, invitation.role, &targets).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if invitation.resendable().is_ok() {
        out.push(InvitationAction::Resend);
    }
    if invitation.status == crate::InvitationStatus::Pending {
        out.push(InvitationAction::Revoke);
    }
    out
}

/// What the viewer may do to `transfer`, its organization's pending
/// ownership transfer: the one asked accepts, the owner cancels.
pub fn on_transfer(viewer: &Membership, transfer: &OwnershipTransfer) -> Vec<TransferAction> {
    if !standing::sees_inside(viewer) || viewer.org_id != transfer.org_id {
        return Vec::new();
    }
    let mut out = Vec::new();
    if ownership::check_acceptor(transfer, viewer.user_id).is_ok() {
        out.push(TransferAction::Accept);
    }
    if permission::require_owner(viewer).is_ok() {
        out.push(TransferAction::Cancel);
    }
    out
}

#[cfg(test)]
mod tests;
