//! Ownership transfer (rules.md §2): only the owner asks, only an ACTIVE
//! ADMIN may be asked, and only the one asked accepts. At most one request
//! is pending per organization; a new one replaces it.
//!
//! A request lapses by itself: it is pending only while its requester is
//! still the owner and an ACTIVE ADMIN and its target still an ACTIVE
//! ADMIN. That is evaluated here, wherever a request is read, so that no
//! other change (a role change, a block, a removal) has to remember to
//! clear it.

use chrono::{DateTime, Utc};

use crate::{DomainError, MemberStatus, OrgId, OrgRole, UserId};

/// A request of the owner `from` to make `to` owner of `org_id`, as stored
/// (pending or lapsed: see [`OwnershipTransfer::is_pending`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OwnershipTransfer {
    pub org_id: OrgId,
    pub from: UserId,
    pub to: UserId,
    pub requested_at: DateTime<Utc>,
}

/// Where a user stands in an organization now: its role and status, or
/// `None` when it has no membership there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub role: OrgRole,
    pub status: MemberStatus,
}

impl Standing {
    pub fn is_active_admin(self) -> bool {
        self.role == OrgRole::Admin && self.status == MemberStatus::Active
    }
}

fn active_admin(standing: Option<Standing>) -> bool {
    standing.is_some_and(Standing::is_active_admin)
}

/// The organization's parties to a transfer, as they stand now.
#[derive(Clone, Copy, Debug)]
pub struct Parties {
    /// The organization's owner now.
    pub owner: UserId,
    /// The requester's standing now.
    pub from: Option<Standing>,
    /// The target's standing now.
    pub to: Option<Standing>,
}

impl OwnershipTransfer {
    /// Whether the request still holds: its requester is still the owner
    /// and an ACTIVE ADMIN, its target still an ACTIVE ADMIN.
    pub fn is_pending(&self, now: &Parties) -> bool {
        now.owner == self.from && active_admin(now.from) && active_admin(now.to)
    }
}

/// Who may be asked to become owner: an ACTIVE ADMIN of the organization
/// other than the owner itself. `VALIDATION` otherwise (a MEMBER, a BLOCKED
/// or INVITED admin, a stranger, the owner).
pub fn check_target(
    owner: UserId,
    to: UserId,
    standing: Option<Standing>,
) -> Result<(), DomainError> {
    if to == owner {
        return Err(DomainError::validation(
            "the owner cannot transfer ownership to itself",
        ));
    }
    if !active_admin(standing) {
        return Err(DomainError::validation(
            "ownership can only be transferred to an ACTIVE ADMIN of the organization",
        ));
    }
    Ok(())
}

/// Whether `caller` may accept `transfer` (pending, checked first): only
/// the one it names. `FORBIDDEN` for anyone else.
pub fn check_acceptor(transfer: &OwnershipTransfer, caller: UserId) -> Result<(), DomainError> {
    if transfer.to == caller {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> Option<Standing> {
        Some(Standing {
            role: OrgRole::Admin,
            status: MemberStatus::Active,
        })
    }

    fn transfer() -> OwnershipTransfer {
        OwnershipTransfer {
            org_id: OrgId::new(),
            from: UserId::new(),
            to: UserId::new(),
            requested_at: Utc::now(),
        }
    }

    #[test]
    fn pending_while_both_sides_are_active_admins_and_the_requester_owns() {
        let t = transfer();
        let parties = Parties {
            owner: t.from,
            from: admin(),
            to: admin(),
        };
        assert!(t.is_pending(&parties));
        for to in [
            None,
            Some(Standing {
                role: OrgRole::Member,
                status: MemberStatus::Active,
            }),
            Some(Standing {
                role: OrgRole::Admin,
                status: MemberStatus::Blocked,
            }),
            Some(Standing {
                role: OrgRole::Admin,
                status: MemberStatus::Invited,
            }),
        ] {
            assert!(!t.is_pending(&Parties { to, ..parties }), "{to:?}");
        }
        assert!(!t.is_pending(&Parties {
            from: None,
            ..parties
        }));
        assert!(!t.is_pending(&Parties {
            owner: t.to,
            ..parties
        }));
    }

    #[test]
    fn only_another_active_admin_may_be_asked() {
        let (owner, other) = (UserId::new(), UserId::new());
        assert!(check_target(owner, other, admin()).is_ok());
        assert!(matches!(
            check_target(owner, owner, admin()),
            Err(DomainError::Validation(_))
        ));
        let member = Some(Standing {
            role: OrgRole::UserAdmin,
            status: MemberStatus::Active,
        });
        for standing in [None, member] {
            assert!(matches!(
                check_target(owner, other, standing),
                Err(DomainError::Validation(_))
            ));
        }
    }
}
