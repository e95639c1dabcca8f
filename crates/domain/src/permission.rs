//! The permission table of rules.md §2, as data. Guards read it; resolvers
//! never compare roles themselves. `TABLE` is printed in docs/api/permissions.md
//! (`markdown_table`) and walked cell by cell by the tests.

use crate::{DomainError, OrgRole};

/// Something a member may try to do in an organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
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

/// How much of an action a role holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Not at all.
    No,
    /// Fully, on every target in the organization.
    Yes,
    /// Only where the target (member, invited role) has the MEMBER role.
    MemberRoleOnly,
    /// Only what is the member's own: itself, its assigned workspaces, its
    /// leads, and what the assistants it manages cover.
    Own,
    /// The organization's name and nothing else of its information.
    NameOnly,
}

use Grant::{MemberRoleOnly as MRO, NameOnly, No, Own, Yes};

/// Rows of rules.md §2; columns ADMIN, BILLING_ADMIN, USER_ADMIN, MEMBER.
pub const TABLE: &[(Action, &str, [Grant; 4])] = &[
    (
        Action::ViewOrgInfo,
        "view organization info",
        [Yes, Yes, Yes, NameOnly],
    ),
    (
        Action::EditOrgInfo,
        "edit organization info and settings",
        [Yes, No, No, No],
    ),
    (
        Action::ViewBilling,
        "view billing (plan, seats, invoices)",
        [Yes, Yes, Yes, No],
    ),
    (
        Action::ChangePlan,
        "change plan, billing details",
        [Yes, Yes, No, No],
    ),
    (
        Action::CancelSubscription,
        "cancel subscription",
        [Yes, No, No, No],
    ),
    (
        Action::DeleteOrganization,
        "delete organization",
        [Yes, No, No, No],
    ),
    (
        Action::ViewMembers,
        "view member list",
        [Yes, Yes, Yes, Own],
    ),
    (
        Action::InviteOrRemoveMembers,
        "invite / delete members",
        [Yes, No, MRO, No],
    ),
    (
        Action::ChangeMemberRole,
        "change a member's role",
        [Yes, No, No, No],
    ),
    (
        Action::BlockMembers,
        "block / unblock members",
        [Yes, No, MRO, No],
    ),
    (
        Action::EditMemberWorkspaces,
        "edit a member's assigned workspaces",
        [Yes, No, Yes, No],
    ),
    (
        Action::ManageWorkspaces,
        "create / rename / delete workspaces",
        [Yes, No, Yes, No],
    ),
    (
        Action::ViewWorkspaces,
        "see workspaces",
        [Yes, Yes, Yes, Own],
    ),
    (
        Action::ManageAssistants,
        "create / edit assistants, assign users to them",
        [Yes, No, No, No],
    ),
    (
        Action::MakeAssistantManager,
        "make a user assistant manager",
        [Yes, No, No, No],
    ),
    (Action::ViewLeads, "see leads", [Yes, No, No, Own]),
    (
        Action::EditLeads,
        "create / edit / reassign leads",
        [Yes, No, No, Own],
    ),
    (
        Action::ViewDashboard,
        "see the dashboard",
        [Yes, No, No, Own],
    ),
    (
        Action::ReadAuditLog,
        "read the audit log",
        [Yes, Yes, Yes, No],
    ),
];

fn column(role: OrgRole) -> usize {
    match role {
        OrgRole::Admin => 0,
        OrgRole::BillingAdmin => 1,
        OrgRole::UserAdmin => 2,
        OrgRole::Member => 3,
    }
}

/// The cell of the table for `role` and `action`.
pub fn grant(role: OrgRole, action: Action) -> Grant {
    TABLE
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, _, row)| row[column(role)])
        .unwrap_or(Grant::No)
}

impl Grant {
    /// Whether the grant lets the role attempt the action at all (what a
    /// guard checks). `NameOnly` does not: the name is visible to every
    /// member without asking for "organization info".
    pub fn permits(self) -> bool {
        matches!(self, Yes | MRO | Own)
    }
}

/// The guard's question: may `role` attempt `action`? `FORBIDDEN` if not.
pub fn require(role: OrgRole, action: Action) -> Result<Grant, DomainError> {
    let g = grant(role, action);
    if g.permits() {
        Ok(g)
    } else {
        Err(DomainError::Forbidden)
    }
}

/// May `role` do `action` to a target holding `target_role` (a member being
/// blocked, removed, or an invitation's role)? Reads the same table.
pub fn require_on(role: OrgRole, action: Action, target_role: OrgRole) -> Result<(), DomainError> {
    match require(role, action)? {
        Grant::MemberRoleOnly if target_role != OrgRole::Member => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

/// An argument that grants something beyond its operation's own row
/// (rules.md §10): naming it needs that row of the table too, checked
/// when the operation runs and again when what it granted takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Carried {
    /// An invitation's `workspaceIds`: assigns the invitee to workspaces.
    InvitationWorkspaces,
    /// An invitation's `assistantIds`: assigns the invitee to assistants.
    InvitationAssistants,
}

/// Each permission-carrying argument, what it is called in the API, and
/// the row of [`TABLE`] it needs.
pub const CARRIED: &[(Carried, &str, Action)] = &[
    (
        Carried::InvitationWorkspaces,
        "inviteMember's workspaceIds",
        Action::EditMemberWorkspaces,
    ),
    (
        Carried::InvitationAssistants,
        "inviteMember's assistantIds",
        Action::ManageAssistants,
    ),
];

/// The row an argument needs.
pub fn carried_action(carried: Carried) -> Action {
    CARRIED
        .iter()
        .find(|(c, _, _)| *c == carried)
        .map(|(_, _, action)| *action)
        .expect("every carried argument has a row")
}

/// May `role` use `carried` for a member (or invitee) holding
/// `target_role`? Its row must grant it for someone else: `Yes`, or
/// `MemberRoleOnly` towards a MEMBER; `Own` never reaches another person.
pub fn require_carried(
    role: OrgRole,
    carried: Carried,
    target_role: OrgRole,
) -> Result<(), DomainError> {
    match grant(role, carried_action(carried)) {
        Yes => Ok(()),
        MRO if target_role == OrgRole::Member => Ok(()),
        _ => Err(DomainError::Forbidden),
    }
}

/// Owner-only operations (asking for an ownership transfer, cancelling
/// it): not a cell of the table, because the owner is a flag on one ADMIN,
/// not a role. `FORBIDDEN` for anyone else, whatever its role.
pub fn require_owner(member: &crate::model::Membership) -> Result<(), DomainError> {
    if member.is_owner && member.status == crate::MemberStatus::Active {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// The table as Markdown, as printed in docs/api/permissions.md.
pub fn markdown_table() -> String {
    let cell = |g: Grant| match g {
        Yes => "yes",
        No => "no",
        MRO => "MEMBER role only",
        Own => "own only",
        NameOnly => "name only",
    };
    let mut out = String::from(
        "| capability | ADMIN | BILLING_ADMIN | USER_ADMIN | MEMBER |\n|---|---|---|---|---|\n",
    );
    for (_, label, row) in TABLE {
        out.push_str(&format!(
            "| {label} | {} | {} | {} | {} |\n",
            cell(row[0]),
            cell(row[1]),
            cell(row[2]),
            cell(row[3])
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row() {
        for (a, _, _) in TABLE {
            assert_eq!(TABLE.iter().filter(|(b, _, _)| b == a).count(), 1, "{a:?}");
        }
        assert_eq!(TABLE.len(), 19);
    }

    #[test]
    fn only_admin_holds_admin_only_powers() {
        for action in [
            Action::EditOrgInfo,
            Action::CancelSubscription,
            Action::DeleteOrganization,
            Action::ChangeMemberRole,
            Action::ManageAssistants,
            Action::MakeAssistantManager,
        ] {
            assert!(require(OrgRole::Admin, action).is_ok());
            for role in [OrgRole::BillingAdmin, OrgRole::UserAdmin, OrgRole::Member] {
                assert!(require(role, action).is_err(), "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn user_admin_acts_on_members_only() {
        let a = Action::InviteOrRemoveMembers;
        assert!(require_on(OrgRole::UserAdmin, a, OrgRole::Member).is_ok());
        for target in [OrgRole::Admin, OrgRole::BillingAdmin, OrgRole::UserAdmin] {
            assert!(require_on(OrgRole::UserAdmin, a, target).is_err());
            assert!(require_on(OrgRole::Admin, a, target).is_ok());
        }
        assert!(require_on(OrgRole::BillingAdmin, a, OrgRole::Member).is_err());
    }

    #[test]
    fn only_admin_names_assistants_in_an_invitation() {
        let a = Carried::InvitationAssistants;
        assert!(require_carried(OrgRole::Admin, a, OrgRole::Member).is_ok());
        for role in [OrgRole::BillingAdmin, OrgRole::UserAdmin, OrgRole::Member] {
            assert!(
                require_carried(role, a, OrgRole::Member).is_err(),
                "{role:?}"
            );
        }
        let w = Carried::InvitationWorkspaces;
        assert!(require_carried(OrgRole::UserAdmin, w, OrgRole::Member).is_ok());
        assert!(require_carried(OrgRole::BillingAdmin, w, OrgRole::Member).is_err());
        for (c, _, _) in CARRIED {
            carried_action(*c);
        }
    }

    #[test]
    fn member_sees_name_only_and_its_own() {
        assert_eq!(grant(OrgRole::Member, Action::ViewOrgInfo), NameOnly);
        assert!(require(OrgRole::Member, Action::ViewOrgInfo).is_err());
        assert_eq!(require(OrgRole::Member, Action::ViewMembers).unwrap(), Own);
        assert!(require(OrgRole::Member, Action::ViewBilling).is_err());
    }
}
