//! The mutations the matrix walks: each with its row of the permission
//! table, the rule it applies after it, the targets it is tried against,
//! and how a cell's variables are made.

use roster_domain::permission::Action;
use roster_tests::serde_json::Value;

use super::expect::{Address, Caller, Rule, Shape, Target};
use super::world::{Cast, Setup, World, vars};

pub struct Op {
    pub query: &'static str,
    pub shape: Shape,
    pub targets: &'static [Target],
    pub setup: Setup,
    pub vars: fn(&Cast, &World, Caller, Target) -> Value,
}

impl Op {
    pub fn name(&self) -> &'static str {
        let after = self.query.split_once('{').map_or("", |(_, rest)| rest);
        after.trim_start().split(['(', ' ']).next().unwrap_or("?")
    }
}

use Target::{Admin, Caller as Myself, Here, Member, OtherOrg, Owner, UserAdmin};

pub(super) const MEMBERS: &[Target] = &[Member, UserAdmin, Admin, Owner, OtherOrg];
const MEMBERS_AND_SELF: &[Target] = &[Member, UserAdmin, Admin, Owner, Myself, OtherOrg];
const OBJECTS: &[Target] = &[Here, OtherOrg];
const INVITATIONS: &[Target] = &[Member, UserAdmin, Admin, OtherOrg];

pub(super) const fn shape(action: Action, address: Address, rule: Rule) -> Shape {
    Shape {
        action: Some(action),
        address,
        rule,
    }
}

fn org_user(c: &Cast, w: &World, caller: Caller, t: Target) -> Value {
    vars(&[
        ("o", w.org.to_string()),
        ("u", c.user(caller, t).to_string()),
    ])
}

/// The workspace or assistant a target names.
fn object(w_here: uuid::Uuid, w_other: uuid::Uuid, t: Target) -> String {
    if t == OtherOrg { w_other } else { w_here }.to_string()
}

pub fn all() -> Vec<Op> {
    let mut ops = member_and_object_ops();
    ops.extend(super::ops_invite::all());
    ops.extend(super::ops_life::all());
    ops
}

fn member_and_object_ops() -> Vec<Op> {
    let plain = Setup::default();
    vec![
        Op {
            query: "mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: BILLING_ADMIN) { role } }",
            shape: shape(
                Action::ChangeMemberRole,
                Address::Org,
                Rule::OnMember {
                    spares_owner: true,
                    not_self: false,
                },
            ),
            targets: MEMBERS,
            setup: plain,
            vars: org_user,
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }",
            shape: shape(
                Action::BlockMembers,
                Address::Org,
                Rule::OnMember {
                    spares_owner: true,
                    not_self: true,
                },
            ),
            targets: MEMBERS_AND_SELF,
            setup: plain,
            vars: org_user,
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { unblockMember(organizationId: $o, userId: $u) { status } }",
            shape: shape(
                Action::BlockMembers,
                Address::Org,
                Rule::OnMember {
                    spares_owner: false,
                    not_self: false,
                },
            ),
            targets: MEMBERS,
            setup: Setup {
                blocked_targets: true,
                ..plain
            },
            vars: org_user,
        },
        Op {
            query: "mutation($o: ID!, $u: ID!, $w: ID!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: [$w]) { id } }",
            shape: shape(
                Action::EditMemberWorkspaces,
                Address::Org,
                Rule::OnMember {
                    spares_owner: false,
                    not_self: false,
                },
            ),
            targets: MEMBERS,
            setup: plain,
            vars: |c, w, caller, t| {
                vars(&[
                    ("o", w.org.to_string()),
                    ("u", c.user(caller, t).to_string()),
                    ("w", w.workspace.to_string()),
                ])
            },
        },
        Op {
            query: "mutation($a: ID!, $u: ID!) { setAssistantUsers(assistantId: $a, userIds: [$u]) { id } }",
            shape: shape(
                Action::ManageAssistants,
                Address::Org,
                Rule::OnMember {
                    spares_owner: false,
                    not_self: false,
                },
            ),
            targets: MEMBERS,
            setup: plain,
            vars: |c, w, caller, t| {
                vars(&[
                    ("a", w.assistant.to_string()),
                    ("u", c.user(caller, t).to_string()),
                ])
            },
        },
        Op {
            query: "mutation($id: ID!) { revokeInvitation(id: $id) { status } }",
            shape: shape(
                Action::InviteOrRemoveMembers,
                Address::Object,
                Rule::OnInvitation,
            ),
            targets: INVITATIONS,
            setup: Setup {
                invitations: true,
                ..plain
            },
            vars: |c, w, _, t| vars(&[("id", w.invitation(c, t))]),
        },
        Op {
            query: "mutation($id: ID!) { resendInvitation(id: $id) { sentCount } }",
            shape: shape(
                Action::InviteOrRemoveMembers,
                Address::Object,
                Rule::OnInvitation,
            ),
            targets: INVITATIONS,
            setup: Setup {
                invitations: true,
                ..plain
            },
            vars: |c, w, _, t| vars(&[("id", w.invitation(c, t))]),
        },
        Op {
            query: "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"New\") { id } }",
            shape: shape(Action::ManageWorkspaces, Address::Org, Rule::OnObject),
            targets: &[Here],
            setup: plain,
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        Op {
            query: "mutation($id: ID!) { renameWorkspace(id: $id, name: \"Renamed\") { id } }",
            shape: shape(Action::ManageWorkspaces, Address::Object, Rule::OnObject),
            targets: OBJECTS,
            setup: plain,
            vars: |c, w, _, t| vars(&[("id", object(w.workspace, c.globex.workspace, t))]),
        },
        Op {
            query: "mutation($id: ID!) { deleteWorkspace(id: $id) }",
            shape: shape(Action::ManageWorkspaces, Address::Object, Rule::OnObject),
            targets: OBJECTS,
            setup: plain,
            vars: |c, w, _, t| vars(&[("id", object(w.workspace, c.globex.workspace, t))]),
        },
        Op {
            query: "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"New\") { id } }",
            shape: shape(Action::ManageAssistants, Address::Org, Rule::OnObject),
            targets: &[Here],
            setup: plain,
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        // The owner's powers (a flag, not a row of the table).
        Op {
            query: "mutation($o: ID!, $u: ID!) { requestOwnershipTransfer(organizationId: $o, toUserId: $u) { requestedAt } }",
            shape: Shape {
                action: None,
                address: Address::Org,
                rule: Rule::RequestTransfer,
            },
            targets: MEMBERS,
            setup: plain,
            vars: org_user,
        },
        Op {
            query: "mutation($o: ID!) { acceptOwnershipTransfer(organizationId: $o) { id } }",
            shape: Shape {
                action: None,
                address: Address::Org,
                rule: Rule::AcceptTransfer,
            },
            targets: &[Here],
            setup: Setup {
                transfer: true,
                ..Setup::default()
            },
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        Op {
            query: "mutation($o: ID!) { cancelOwnershipTransfer(organizationId: $o) }",
            shape: Shape {
                action: None,
                address: Address::Org,
                rule: Rule::CancelTransfer,
            },
            targets: &[Here],
            setup: Setup {
                transfer: true,
                ..Setup::default()
            },
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }",
            shape: shape(
                Action::InviteOrRemoveMembers,
                Address::Org,
                Rule::OnMember {
                    spares_owner: true,
                    not_self: true,
                },
            ),
            targets: MEMBERS_AND_SELF,
            setup: plain,
            vars: org_user,
        },
        // Leads and assistant managers.
        Op {
            query: "mutation($a: ID!, $u: ID!) { setAssistantManager(assistantId: $a, userId: $u, manager: true) { id } }",
            shape: shape(
                Action::MakeAssistantManager,
                Address::Org,
                Rule::OnMember {
                    spares_owner: false,
                    not_self: false,
                },
            ),
            // A member here who is not on the assistant is `VALIDATION`
            // (assistant_managers.rs); another organization's is `NOT_FOUND`.
            targets: MEMBERS,
            setup: plain,
            vars: |c, w, caller, t| {
                vars(&[
                    ("a", w.assistant.to_string()),
                    ("u", c.user(caller, t).to_string()),
                ])
            },
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { createLead(organizationId: $o, input: { name: \"New\", ownerId: $u }) { id } }",
            shape: shape(Action::EditLeads, Address::Org, Rule::CreateLead),
            targets: MEMBERS_AND_SELF,
            setup: plain,
            vars: org_user,
        },
        Op {
            query: "mutation($id: ID!) { updateLead(id: $id, input: { name: \"Renamed\" }) { id } }",
            shape: shape(Action::EditLeads, Address::Object, Rule::EditLead),
            targets: MEMBERS_AND_SELF,
            setup: plain,
            vars: |c, w, caller, t| {
                // Nina, a member of no organization here, owns no lead:
                // any id answers alike.
                let lead = if t == Myself && caller == Caller::NonMember {
                    uuid::Uuid::now_v7()
                } else {
                    w.lead(c, caller, t)
                };
                vars(&[("id", lead.to_string())])
            },
        },
    ]
}
