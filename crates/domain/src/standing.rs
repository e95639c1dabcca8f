//! What a membership's status lets its holder read of its organization
//! (rules.md §4 and §10). Only an ACTIVE membership sees inside. A BLOCKED
//! or INVITED one shows its own status and role and the organization's id
//! and name, and nothing else, by any path: every other field of the
//! organization answers `FORBIDDEN`, and the lists that hang off the
//! membership itself (its workspaces, assistants, and their members)
//! answer empty (docs/api/permissions.md).
//!
//! Not a cell of the permission table: the table says what each role may
//! do; a status that is not ACTIVE holds no role's powers at all.

use crate::model::Membership;
use crate::{DomainError, MemberStatus};

/// Whether `viewer` sees inside its organization: only while ACTIVE.
pub fn sees_inside(viewer: &Membership) -> bool {
    viewer.status == MemberStatus::Active
}

/// `FORBIDDEN` unless `viewer` sees inside its organization: what a guard
/// asks before the permission table.
pub fn require_inside(viewer: &Membership) -> Result<(), DomainError> {
    if sees_inside(viewer) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Whether `viewer` may be shown `member` at all: its own membership
/// always, any other only from inside (the permission table then says
/// which).
pub fn sees_member(viewer: &Membership, member: &Membership) -> bool {
    viewer.id == member.id || sees_inside(viewer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrgRole;

    fn member(status: MemberStatus) -> Membership {
        Membership::fixture(OrgRole::Admin, status)
    }

    #[test]
    fn only_an_active_membership_sees_inside() {
        assert!(sees_inside(&member(MemberStatus::Active)));
        assert!(require_inside(&member(MemberStatus::Active)).is_ok());
        for status in [MemberStatus::Blocked, MemberStatus::Invited] {
            let viewer = member(status);
            assert!(!sees_inside(&viewer), "{status:?}");
            assert!(matches!(
                require_inside(&viewer),
                Err(DomainError::Forbidden)
            ));
        }
    }

    #[test]
    fn a_membership_outside_sees_itself_only() {
        for status in [MemberStatus::Blocked, MemberStatus::Invited] {
            let viewer = member(status);
            assert!(sees_member(&viewer, &viewer));
            assert!(!sees_member(&viewer, &member(MemberStatus::Active)));
        }
        let active = member(MemberStatus::Active);
        assert!(sees_member(&active, &member(MemberStatus::Blocked)));
    }
}
