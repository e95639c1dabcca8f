use super::*;
use crate::model::Membership;

fn member(role: OrgRole, status: MemberStatus) -> Membership {
    Membership::fixture(role, status)
}

/// `target` in the organization of `viewer`.
fn beside(viewer: &Membership, role: OrgRole, status: MemberStatus) -> Membership {
    Membership {
        org_id: viewer.org_id,
        ..member(role, status)
    }
}

fn owner() -> Membership {
    Membership {
        is_owner: true,
        ..member(OrgRole::Admin, MemberStatus::Active)
    }
}

use MemberAction::*;

#[test]
fn an_admin_may_do_everything_to_a_member_but_transfer_ownership() {
    let admin = member(OrgRole::Admin, MemberStatus::Active);
    let target = beside(&admin, OrgRole::Member, MemberStatus::Active);
    assert_eq!(
        on_member(&admin, &target),
        vec![
            ChangeRole,
            Block,
            Remove,
            EditWorkspaces,
            MakeAssistantManager
        ]
    );
    let blocked = beside(&admin, OrgRole::Member, MemberStatus::Blocked);
    assert_eq!(
        on_member(&admin, &blocked),
        vec![ChangeRole, Unblock, Remove, MakeAssistantManager]
    );
}

#[test]
fn a_user_admin_acts_on_members_only_and_never_on_roles() {
    let ua = member(OrgRole::UserAdmin, MemberStatus::Active);
    let m = beside(&ua, OrgRole::Member, MemberStatus::Active);
    assert_eq!(on_member(&ua, &m), vec![Block, Remove, EditWorkspaces]);
    let admin = beside(&ua, OrgRole::Admin, MemberStatus::Active);
    assert_eq!(on_member(&ua, &admin), vec![EditWorkspaces]);
    assert_eq!(invitable_roles(&ua), vec![OrgRole::Member]);
}

#[test]
fn billing_admins_and_members_may_do_nothing_to_anyone() {
    for role in [OrgRole::BillingAdmin, OrgRole::Member] {
        let viewer = member(role, MemberStatus::Active);
        let m = beside(&viewer, OrgRole::Member, MemberStatus::Active);
        assert!(on_member(&viewer, &m).is_empty(), "{role:?}");
        assert!(invitable_roles(&viewer).is_empty(), "{role:?}");
    }
}

#[test]
fn nobody_acts_on_the_owner_or_on_itself() {
    let o = owner();
    let admin = beside(&o, OrgRole::Admin, MemberStatus::Active);
    assert_eq!(
        on_member(&admin, &o),
        vec![EditWorkspaces, MakeAssistantManager]
    );
    assert_eq!(
        on_member(&admin, &admin),
        vec![ChangeRole, EditWorkspaces, MakeAssistantManager]
    );
    assert_eq!(
        on_member(&o, &o),
        vec![EditWorkspaces, MakeAssistantManager]
    );
}

#[test]
fn only_the_owner_offers_ownership_and_only_to_an_active_admin() {
    let o = owner();
    let admin = beside(&o, OrgRole::Admin, MemberStatus::Active);
    assert!(on_member(&o, &admin).contains(&TransferOwnership));
    let blocked = beside(&o, OrgRole::Admin, MemberStatus::Blocked);
    assert!(!on_member(&o, &blocked).contains(&TransferOwnership));
    let m = beside(&o, OrgRole::Member, MemberStatus::Active);
    assert!(!on_member(&o, &m).contains(&TransferOwnership));
    let other_admin = beside(&o, OrgRole::Admin, MemberStatus::Active);
    assert!(!on_member(&other_admin, &admin).contains(&TransferOwnership));
}

#[test]
fn invited_members_are_reached_through_their_invitation() {
    let admin = member(OrgRole::Admin, MemberStatus::Active);
    let invited = beside(&admin, OrgRole::Member, MemberStatus::Invited);
    assert_eq!(on_member(&admin, &invited), vec![EditWorkspaces]);
}

#[test]
fn a_viewer_not_inside_or_from_elsewhere_may_do_nothing() {
    let blocked = member(OrgRole::Admin, MemberStatus::Blocked);
    let m = beside(&blocked, OrgRole::Member, MemberStatus::Active);
    assert!(on_member(&blocked, &m).is_empty());
    assert!(on_organization(&blocked).is_empty());
    assert!(invitable_roles(&blocked).is_empty());
    let admin = member(OrgRole::Admin, MemberStatus::Active);
    let stranger = member(OrgRole::Member, MemberStatus::Active);
    assert!(on_member(&admin, &stranger).is_empty());
}

#[test]
fn the_organization_actions_are_the_table_row_by_row() {
    for role in OrgRole::ALL {
        let viewer = member(*role, MemberStatus::Active);
        let actions = on_organization(&viewer);
        for (action, _, _) in TABLE {
            assert_eq!(
                actions.contains(action),
                permission::require(*role, *action).is_ok(),
                "{role:?} {action:?}"
            );
        }
    }
    let admin = member(OrgRole::Admin, MemberStatus::Active);
    assert_eq!(invitable_roles(&admin), OrgRole::ALL.to_vec());
}

#[test]
fn the_admin_asked_accepts_a_transfer_and_the_owner_cancels_it() {
    let o = owner();
    let asked = beside(&o, OrgRole::Admin, MemberStatus::Active);
    let transfer = crate::ownership::OwnershipTransfer {
        org_id: o.org_id,
        from: o.user_id,
        to: asked.user_id,
        requested_at: chrono::Utc::now(),
    };
    assert_eq!(on_transfer(&asked, &transfer), vec![TransferAction::Accept]);
    assert_eq!(on_transfer(&o, &transfer), vec![TransferAction::Cancel]);
    let other_admin = beside(&o, OrgRole::Admin, MemberStatus::Active);
    assert!(on_transfer(&other_admin, &transfer).is_empty());
    let billing = beside(&o, OrgRole::BillingAdmin, MemberStatus::Active);
    assert!(on_transfer(&billing, &transfer).is_empty());
    // Blocked meanwhile, or from another organization: nothing.
    let blocked_asked = Membership {
        status: MemberStatus::Blocked,
        ..asked.clone()
    };
    assert!(on_transfer(&blocked_asked, &transfer).is_empty());
    let elsewhere = Membership {
        org_id: crate::OrgId::new(),
        ..asked
    };
    assert!(on_transfer(&elsewhere, &transfer).is_empty());
}

#[test]
fn an_invite_form_offers_what_the_inviter_may_grant() {
    use crate::permission::Carried::{InvitationAssistants, InvitationWorkspaces};
    let admin = member(OrgRole::Admin, MemberStatus::Active);
    for role in OrgRole::ALL.iter().copied() {
        assert_eq!(
            invitation_arguments(&admin, role),
            vec![InvitationWorkspaces, InvitationAssistants],
            "{role:?}"
        );
    }
    let ua = member(OrgRole::UserAdmin, MemberStatus::Active);
    assert_eq!(
        invitation_arguments(&ua, OrgRole::Member),
        vec![InvitationWorkspaces]
    );
    assert!(invitation_arguments(&ua, OrgRole::Admin).is_empty());
    for role in [OrgRole::BillingAdmin, OrgRole::Member] {
        let viewer = member(role, MemberStatus::Active);
        assert!(invitation_arguments(&viewer, OrgRole::Member).is_empty());
    }
    let blocked = member(OrgRole::Admin, MemberStatus::Blocked);
    assert!(invitation_arguments(&blocked, OrgRole::Member).is_empty());
}
