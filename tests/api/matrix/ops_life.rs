//! The organization's life in the matrix (docs/api/lifecycle.md): deleting it
//! (the table's "delete organization" row), restoring it (the owner's
//! power, on a deleted world and on one that is not), and what its members
//! get once it is deleted (`NOT_FOUND`, whatever their role or status).

use roster_domain::permission::Action;

use super::expect::{Address, Rule, Shape};
use super::ops::Op;
use super::world::{Setup, vars};

use super::expect::Target::{Here, OtherOrg};

/// The world's organization, or Globex for another organization's.
fn org(c: &super::world::Cast, w: &super::world::World, t: super::expect::Target) -> String {
    if t == OtherOrg { c.globex.org } else { w.org }.to_string()
}

const fn owner_only(rule: Rule) -> Shape {
    Shape {
        action: None,
        address: Address::Object,
        rule,
    }
}

pub fn all() -> Vec<Op> {
    let deleted = Setup {
        deleted: true,
        ..Setup::default()
    };
    let gone = || Shape {
        action: Some(Action::DeleteOrganization),
        address: Address::Org,
        rule: Rule::Gone,
    };
    vec![
        Op {
            query: "mutation($o: ID!) { deleteOrganization(id: $o) }",
            shape: Shape {
                action: Some(Action::DeleteOrganization),
                address: Address::Object,
                rule: Rule::OnObject,
            },
            targets: &[Here, OtherOrg],
            setup: Setup::default(),
            vars: |c, w, _, t| vars(&[("o", org(c, w, t))]),
        },
        Op {
            query: "mutation($o: ID!) { restoreOrganization(id: $o) { id } }",
            shape: owner_only(Rule::Restore { deleted: true }),
            targets: &[Here, OtherOrg],
            setup: deleted,
            vars: |c, w, _, t| vars(&[("o", org(c, w, t))]),
        },
        Op {
            query: "mutation($o: ID!) { restoreOrganization(id: $o) { id } }",
            shape: owner_only(Rule::Restore { deleted: false }),
            targets: &[Here],
            setup: Setup::default(),
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        // A deleted organization is gone for all of its members.
        Op {
            query: "mutation($o: ID!) { deleteOrganization(id: $o) }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        Op {
            query: "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"New\") { id } }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { createLead(organizationId: $o, input: { name: \"New\", ownerId: $u }) { id } }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |c, w, _, _| vars(&[("o", w.org.to_string()), ("u", c.tom.to_string())]),
        },
        Op {
            query: "mutation($id: ID!) { renameWorkspace(id: $id, name: \"New\") { id } }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |_, w, _, _| vars(&[("id", w.workspace.to_string())]),
        },
        Op {
            query: "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |c, w, _, _| vars(&[("o", w.org.to_string()), ("u", c.tom.to_string())]),
        },
        Op {
            query: "mutation($o: ID!) { changePlan(organizationId: $o, plan: PRO) { plan } }",
            shape: gone(),
            targets: &[Here],
            setup: deleted,
            vars: |_, w, _, _| vars(&[("o", w.org.to_string())]),
        },
    ]
}
