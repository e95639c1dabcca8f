//! What each cell of the matrix must answer, derived from the permission
//! table in the domain crate (`roster_domain::permission`) and the rules
//! of rules.md §2 that are not cells of it (the owner, oneself). No code
//! is written here by hand per cell: a changed cell of the table changes
//! what the matrix expects, and the server must follow.

use roster_domain::OrgRole;
use roster_domain::permission::{Action, Carried, Grant, grant, require_carried};

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    /// Signed in, but a member of neither organization.
    NonMember,
    /// A BLOCKED ADMIN: blocked trumps every role.
    Blocked,
    /// The owner (an ADMIN).
    Owner,
    Admin,
    BillingAdmin,
    UserAdmin,
    Member,
}

pub const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::NonMember,
    Caller::Blocked,
    Caller::Owner,
    Caller::Admin,
    Caller::BillingAdmin,
    Caller::UserAdmin,
    Caller::Member,
];

impl Caller {
    /// The role the table is read for (an ACTIVE member only).
    pub fn role(self) -> Option<OrgRole> {
        match self {
            Caller::Owner | Caller::Admin => Some(OrgRole::Admin),
            Caller::BillingAdmin => Some(OrgRole::BillingAdmin),
            Caller::UserAdmin => Some(OrgRole::UserAdmin),
            Caller::Member => Some(OrgRole::Member),
            Caller::Anonymous | Caller::NonMember | Caller::Blocked => None,
        }
    }
}

/// What the operation is done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// An ACTIVE member of each role, other than the caller.
    Member,
    UserAdmin,
    Admin,
    /// The owner (the caller itself when the owner calls).
    Owner,
    /// The caller itself (an active member's own membership or lead).
    Caller,
    /// A member (or object) of another organization.
    OtherOrg,
    /// The caller's organization itself, or an object of it (what
    /// creating a workspace or accepting a transfer acts on).
    Here,
}

impl Target {
    /// The target's role in the caller's organization.
    pub fn role(self, caller: Caller) -> Option<OrgRole> {
        match self {
            Target::Member => Some(OrgRole::Member),
            Target::UserAdmin => Some(OrgRole::UserAdmin),
            Target::Admin | Target::Owner => Some(OrgRole::Admin),
            Target::Caller => caller.role(),
            Target::OtherOrg | Target::Here => None,
        }
    }

    fn is_self(self, caller: Caller) -> bool {
        self == Target::Caller || (self == Target::Owner && caller == Caller::Owner)
    }
}

/// An answer: success, or an error's `extensions.code`.
pub type Code = &'static str;
pub const OK: Code = "OK";

/// How an operation finds its organization, which decides whether a
/// target of another organization is `NOT_FOUND` before or after the
/// caller's role is read.
#[derive(Clone, Copy, Debug)]
pub enum Address {
    /// An argument names the caller's organization (`organizationId`, or
    /// an object of it); the target is another argument.
    Org,
    /// The target is the object (workspace, invitation, lead) whose id
    /// names the organization: another organization's is `NOT_FOUND` for
    /// every signed-in caller, whatever its role here.
    Object,
}

/// What an operation checks after its permission-table row.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Acts on the target's membership; another organization's member is
    /// `NOT_FOUND`. `spares_owner`: nobody acts on the owner (`FORBIDDEN`,
    /// as the world always has other ACTIVE ADMINs); `not_self`: nobody
    /// acts on itself (`FORBIDDEN`).
    OnMember { spares_owner: bool, not_self: bool },
    /// Invites the target's email with the target's role (MEMBER for the
    /// owner and another organization's member): the owner is already a
    /// member (`CONFLICT`). `carried`: the invitation also names what that
    /// argument grants, which needs its own row (`permission::CARRIED`).
    Invite { carried: Option<Carried> },
    /// Acts on a PENDING invitation for the target's role.
    OnInvitation,
    /// Acts on an object of the organization, or of another one.
    OnObject,
    /// Creates a lead owned by the target: the owner must be an ACTIVE
    /// member (`VALIDATION`); `Own` reaches only the caller's own leads.
    CreateLead,
    /// Edits the lead the target owns: one the caller may not see is
    /// `NOT_FOUND`.
    EditLead,
    /// Only the owner may, and only towards an ACTIVE ADMIN (`VALIDATION`).
    RequestTransfer,
    /// The world's pending transfer names the ADMIN: only it accepts.
    AcceptTransfer,
    /// Only the owner cancels.
    CancelTransfer,
    /// Only the owner restores (`deleted`: the world is deleted; else the
    /// owner's restore is `CONFLICT`).
    Restore { deleted: bool },
    /// On a deleted organization: gone for every signed-in caller, its
    /// members (the BLOCKED one included) like strangers.
    Gone,
}

/// One mutation of the matrix.
pub struct Shape {
    /// The row of the permission table (none for the owner's own powers).
    pub action: Option<Action>,
    pub address: Address,
    pub rule: Rule,
}

/// The code `caller` must get for doing `shape` to `target`.
pub fn expect(shape: &Shape, caller: Caller, target: Target) -> Code {
    match caller {
        Caller::Anonymous => return "UNAUTHENTICATED",
        _ if matches!(shape.rule, Rule::Gone) => return "NOT_FOUND",
        _ if matches!(shape.address, Address::Object) && target == Target::OtherOrg => {
            return "NOT_FOUND";
        }
        Caller::NonMember => return "NOT_FOUND",
        Caller::Blocked => return "FORBIDDEN",
        _ => {}
    }
    let role = caller.role().expect("an ACTIVE member");
    // The owner's powers are a flag, not a cell of the table.
    match shape.rule {
        Rule::RequestTransfer => {
            return match (caller, target) {
                (Caller::Owner, Target::Admin) => OK,
                (Caller::Owner, _) => "VALIDATION",
                _ => "FORBIDDEN",
            };
        }
        Rule::AcceptTransfer => {
            return if caller == Caller::Admin {
                OK
            } else {
                "FORBIDDEN"
            };
        }
        Rule::CancelTransfer => {
            return if caller == Caller::Owner {
                OK
            } else {
                "FORBIDDEN"
            };
        }
        Rule::Restore { deleted } => {
            return match (caller, deleted) {
                (Caller::Owner, true) => OK,
                (Caller::Owner, false) => "CONFLICT",
                _ => "FORBIDDEN",
            };
        }
        _ => {}
    }
    let g = grant(role, shape.action.expect("a row of the table"));
    if !g.permits() {
        return "FORBIDDEN";
    }
    let member_role_only =
        |r: Option<OrgRole>| g == Grant::MemberRoleOnly && r != Some(OrgRole::Member);
    match shape.rule {
        Rule::OnMember {
            spares_owner,
            not_self,
        } => {
            if target == Target::OtherOrg {
                "NOT_FOUND"
            } else if member_role_only(target.role(caller))
                || (spares_owner && target == Target::Owner)
                || (not_self && target.is_self(caller))
            {
                "FORBIDDEN"
            } else {
                OK
            }
        }
        Rule::Invite { carried } => {
            let invited = match target {
                Target::Owner | Target::OtherOrg => Some(OrgRole::Member),
                t => t.role(caller),
            };
            let carried_refused = carried
                .is_some_and(|c| require_carried(role, c, invited.expect("a role")).is_err());
            if member_role_only(invited) || carried_refused {
                "FORBIDDEN"
            } else if target == Target::Owner {
                "CONFLICT"
            } else {
                OK
            }
        }
        Rule::OnInvitation => {
            if member_role_only(target.role(caller)) {
                "FORBIDDEN"
            } else {
                OK
            }
        }
        Rule::OnObject => OK,
        Rule::CreateLead => {
            if target == Target::OtherOrg {
                "VALIDATION"
            } else if g == Grant::Own && !target.is_self(caller) {
                "FORBIDDEN"
            } else {
                OK
            }
        }
        Rule::EditLead => {
            if g == Grant::Own && !target.is_self(caller) {
                "NOT_FOUND"
            } else {
                OK
            }
        }
        Rule::RequestTransfer
        | Rule::AcceptTransfer
        | Rule::CancelTransfer
        | Rule::Restore { .. }
        | Rule::Gone => unreachable!(),
    }
}
