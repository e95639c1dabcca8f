//! What an administrator may do to a member whatever its role (rules.md §2,
//! §4, §5): the owner rules, "nobody blocks or removes itself", the last
//! ACTIVE ADMIN and who may receive a removed member's leads. The
//! permission table (`permission.rs`) says who may act on whom; these rules
//! hold on top of it.
//!
//! Each is a pure decision over facts the store reads under the
//! organization's lock (the target's membership, the caller, the number of
//! ACTIVE ADMINs), so that two admins acting on each other at once are
//! judged on what the first one did. The checks run in one order
//! (docs/api/permissions.md): the owner and self rules, a no-op when nothing
//! would change, then the invariants.

use crate::model::Membership;
use crate::{DomainError, MemberStatus, OrgRole, UserId};

type Result<T> = std::result::Result<T, DomainError>;

/// Whether a change applies, or the member already is as asked: then it is
/// answered as it is, with no audit event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Apply,
    Unchanged,
}

/// `LAST_ADMIN` when `target` is an ACTIVE ADMIN and no other is left
/// (`active_admins` counts the target).
pub fn keep_an_admin(target: &Membership, active_admins: i64) -> Result<()> {
    if target.role == OrgRole::Admin && target.status == MemberStatus::Active && active_admins <= 1
    {
        return Err(DomainError::LastAdmin);
    }
    Ok(())
}

/// Nobody changes, blocks or removes the owner; the owner itself transfers
/// ownership first (rules.md §2): `LAST_ADMIN` when it is the only ACTIVE
/// ADMIN, else `FORBIDDEN`.
pub fn spare_the_owner(target: &Membership, active_admins: i64) -> Result<()> {
    match (target.is_owner, active_admins <= 1) {
        (false, _) => Ok(()),
        (true, true) => Err(DomainError::LastAdmin),
        (true, false) => Err(DomainError::Forbidden),
    }
}

/// Nobody blocks or removes itself: another authorized member must
/// (rules.md §2).
fn not_oneself(actor: UserId, target: &Membership) -> Result<()> {
    if target.user_id == actor {
        Err(DomainError::Forbidden)
    } else {
        Ok(())
    }
}

/// Giving `target` the role `role`.
pub fn check_role_change(target: &Membership, role: OrgRole, active_admins: i64) -> Result<Change> {
    if target.role == role {
        return Ok(Change::Unchanged);
    }
    spare_the_owner(target, active_admins)?;
    keep_an_admin(target, active_admins)?;
    Ok(Change::Apply)
}

/// `actor` blocking `target`: blocking a BLOCKED member is a no-op.
pub fn check_block(actor: UserId, target: &Membership, active_admins: i64) -> Result<Change> {
    spare_the_owner(target, active_admins)?;
    not_oneself(actor, target)?;
    if target.status != MemberStatus::Active {
        return Ok(Change::Unchanged);
    }
    keep_an_admin(target, active_admins)?;
    Ok(Change::Apply)
}

/// Unblocking `target`: unblocking an ACTIVE member is a no-op. The member
/// takes a seat again: the store checks it with `Plan::check_free_seat`.
pub fn check_unblock(target: &Membership) -> Change {
    if target.status == MemberStatus::Blocked {
        Change::Apply
    } else {
        Change::Unchanged
    }
}

/// `actor` removing `target` (rules.md §5).
pub fn check_removal(actor: UserId, target: &Membership, active_admins: i64) -> Result<()> {
    spare_the_owner(target, active_admins)?;
    not_oneself(actor, target)?;
    keep_an_admin(target, active_admins)
}

/// `reassignLeadsTo` (the user `to`, standing `to_status` in the
/// organization, if a member) must be an ACTIVE member other than the one
/// `removed` (`VALIDATION`).
pub fn check_lead_target(
    removed: UserId,
    to: UserId,
    to_status: Option<MemberStatus>,
) -> Result<()> {
    if to == removed || to_status != Some(MemberStatus::Active) {
        return Err(DomainError::validation(
            "reassignLeadsTo must be another ACTIVE member of the organization",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: OrgRole, status: MemberStatus) -> Membership {
        Membership::fixture(role, status)
    }

    fn admin() -> Membership {
        member(OrgRole::Admin, MemberStatus::Active)
    }

    fn owner() -> Membership {
        Membership {
            is_owner: true,
            ..admin()
        }
    }

    fn is<T: std::fmt::Debug>(r: Result<T>, code: crate::ErrorCode) -> bool {
        matches!(&r, Err(e) if e.code() == code)
    }

    use crate::ErrorCode::{Forbidden, LastAdmin, Validation};

    #[test]
    fn the_last_active_admin_stays() {
        assert!(is(keep_an_admin(&admin(), 1), LastAdmin));
        assert!(keep_an_admin(&admin(), 2).is_ok());
        // A BLOCKED admin or a non-admin is not what keeps the organization.
        assert!(keep_an_admin(&member(OrgRole::Admin, MemberStatus::Blocked), 1).is_ok());
        assert!(keep_an_admin(&member(OrgRole::UserAdmin, MemberStatus::Active), 1).is_ok());
    }

    #[test]
    fn nobody_acts_on_the_owner() {
        assert!(is(spare_the_owner(&owner(), 1), LastAdmin));
        assert!(is(spare_the_owner(&owner(), 2), Forbidden));
        assert!(spare_the_owner(&admin(), 1).is_ok());
    }

    #[test]
    fn role_changes() {
        let a = admin();
        assert_eq!(
            check_role_change(&a, OrgRole::Admin, 1).ok(),
            Some(Change::Unchanged)
        );
        assert!(is(check_role_change(&a, OrgRole::Member, 1), LastAdmin));
        assert_eq!(
            check_role_change(&a, OrgRole::Member, 2).ok(),
            Some(Change::Apply)
        );
        let o = owner();
        assert_eq!(
            check_role_change(&o, OrgRole::Admin, 1).ok(),
            Some(Change::Unchanged)
        );
        assert!(is(check_role_change(&o, OrgRole::Member, 1), LastAdmin));
        assert!(is(check_role_change(&o, OrgRole::Member, 3), Forbidden));
        let m = member(OrgRole::Member, MemberStatus::Active);
        assert_eq!(
            check_role_change(&m, OrgRole::Admin, 1).ok(),
            Some(Change::Apply)
        );
    }

    #[test]
    fn blocks() {
        let actor = UserId::new();
        let m = member(OrgRole::Member, MemberStatus::Active);
        assert_eq!(check_block(actor, &m, 1).ok(), Some(Change::Apply));
        assert!(is(check_block(m.user_id, &m, 1), Forbidden));
        let blocked = member(OrgRole::Admin, MemberStatus::Blocked);
        assert_eq!(
            check_block(actor, &blocked, 1).ok(),
            Some(Change::Unchanged)
        );
        // Blocking oneself is refused even when it would change nothing.
        assert!(is(check_block(blocked.user_id, &blocked, 1), Forbidden));
        assert!(is(check_block(actor, &admin(), 1), LastAdmin));
        assert_eq!(check_block(actor, &admin(), 2).ok(), Some(Change::Apply));
        assert!(is(check_block(actor, &owner(), 2), Forbidden));
        // The owner rule comes first: the owner blocking itself learns why.
        let o = owner();
        assert!(is(check_block(o.user_id, &o, 1), LastAdmin));
    }

    #[test]
    fn unblocks() {
        assert_eq!(
            check_unblock(&member(OrgRole::Member, MemberStatus::Blocked)),
            Change::Apply
        );
        assert_eq!(check_unblock(&admin()), Change::Unchanged);
    }

    #[test]
    fn removals() {
        let actor = UserId::new();
        let m = member(OrgRole::Member, MemberStatus::Blocked);
        assert!(check_removal(actor, &m, 1).is_ok());
        assert!(is(check_removal(m.user_id, &m, 1), Forbidden));
        assert!(is(check_removal(actor, &admin(), 1), LastAdmin));
        assert!(check_removal(actor, &admin(), 2).is_ok());
        let o = owner();
        assert!(is(check_removal(actor, &o, 2), Forbidden));
        assert!(is(check_removal(o.user_id, &o, 1), LastAdmin));
    }

    #[test]
    fn leads_go_to_another_active_member() {
        let (removed, to) = (UserId::new(), UserId::new());
        assert!(check_lead_target(removed, to, Some(MemberStatus::Active)).is_ok());
        for status in [
            None,
            Some(MemberStatus::Blocked),
            Some(MemberStatus::Invited),
        ] {
            assert!(is(check_lead_target(removed, to, status), Validation));
        }
        assert!(is(
            check_lead_target(removed, removed, Some(MemberStatus::Active)),
            Validation
        ));
    }
}
