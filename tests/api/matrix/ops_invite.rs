//! Inviting in the matrix: the plain invitation (the table's "invite /
//! delete members" row, for each role), and one more operation per
//! permission-carrying argument of `permission::CARRIED` (rules.md §10),
//! which needs its own row besides: an invitation naming workspaces, one
//! naming assistants.

use roster_domain::permission::{Action, CARRIED, Carried};
use roster_tests::serde_json::{Value, json};

use super::expect::{Address, Caller, Rule, Target};
use super::ops::{MEMBERS, Op, shape};
use super::world::{Cast, Setup, World};

const INVITE: &str = "mutation($o: ID!, $e: String!, $r: OrgRole!, $w: [ID!], $a: [ID!]) { inviteMember(organizationId: $o, input: { email: $e, role: $r, workspaceIds: $w, assistantIds: $a }) { id } }";

/// The target's email and role; the world's workspace and assistant when
/// the invitation names them.
fn invite_vars(c: &Cast, w: &World, t: Target, carried: Option<Carried>) -> Value {
    let role = match t {
        Target::UserAdmin => "USER_ADMIN",
        Target::Admin => "ADMIN",
        _ => "MEMBER",
    };
    let named = |c: Carried, id: uuid::Uuid| {
        if carried == Some(c) {
            json!([id.to_string()])
        } else {
            json!([])
        }
    };
    json!({
        "o": w.org.to_string(),
        "e": c.email(t),
        "r": role,
        "w": named(Carried::InvitationWorkspaces, w.workspace),
        "a": named(Carried::InvitationAssistants, w.assistant),
    })
}

/// The cell's variables for an invitation naming what `carried` grants
/// (a plain `fn` per argument: the matrix's `Op::vars` is one).
fn vars_for(carried: Option<Carried>) -> fn(&Cast, &World, Caller, Target) -> Value {
    match carried {
        None => |c, w, _, t| invite_vars(c, w, t, None),
        Some(Carried::InvitationWorkspaces) => {
            |c, w, _, t| invite_vars(c, w, t, Some(Carried::InvitationWorkspaces))
        }
        Some(Carried::InvitationAssistants) => {
            |c, w, _, t| invite_vars(c, w, t, Some(Carried::InvitationAssistants))
        }
    }
}

pub fn all() -> Vec<Op> {
    std::iter::once(None)
        .chain(CARRIED.iter().map(|(c, _, _)| Some(*c)))
        .map(|carried| Op {
            query: INVITE,
            shape: shape(
                Action::InviteOrRemoveMembers,
                Address::Org,
                Rule::Invite { carried },
            ),
            targets: MEMBERS,
            setup: Setup::default(),
            vars: vars_for(carried),
        })
        .collect()
}
