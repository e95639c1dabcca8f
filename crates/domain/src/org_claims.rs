//! An organization in the access token (docs/api/sessions.md): what a
//! product that authorizes without a round trip reads, checked against
//! the database when the token is issued. Roster itself never trusts
//! these claims; it reads the membership on every request.

use crate::model::Membership;
use crate::{DomainError, MemberStatus, OrgId, OrgRole};

/// `org_id`, `org_role` and `org_status` of an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgClaims {
    pub org_id: OrgId,
    pub role: OrgRole,
    pub status: MemberStatus,
}

impl OrgClaims {
    /// The claims `membership` earns, as the caller stands in its
    /// organization (what a read by the member answers): an ACTIVE member
    /// gets them; a BLOCKED one is `FORBIDDEN`; an INVITED one, a stranger
    /// or a deleted organization is `NOT_FOUND`. A token is never minted
    /// that a careless product could read as "admin" while the member is
    /// blocked.
    pub fn for_membership(membership: Option<&Membership>) -> Result<Self, DomainError> {
        let m = membership.ok_or(DomainError::NotFound)?;
        match m.status {
            MemberStatus::Active => Ok(Self {
                org_id: m.org_id,
                role: m.role,
                status: m.status,
            }),
            MemberStatus::Blocked => Err(DomainError::Forbidden),
            MemberStatus::Invited => Err(DomainError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(status: MemberStatus, role: OrgRole) -> Membership {
        Membership::fixture(role, status)
    }

    #[test]
    fn an_active_member_gets_its_role_and_status() {
        let m = member(MemberStatus::Active, OrgRole::Admin);
        let claims = OrgClaims::for_membership(Some(&m)).expect("active");
        assert_eq!(claims.org_id, m.org_id);
        assert_eq!(claims.role, OrgRole::Admin);
        assert_eq!(claims.status, MemberStatus::Active);
    }

    #[test]
    fn a_blocked_member_is_forbidden_and_an_invited_one_unknown() {
        let blocked = member(MemberStatus::Blocked, OrgRole::Admin);
        assert!(matches!(
            OrgClaims::for_membership(Some(&blocked)),
            Err(DomainError::Forbidden)
        ));
        let invited = member(MemberStatus::Invited, OrgRole::Member);
        assert!(matches!(
            OrgClaims::for_membership(Some(&invited)),
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            OrgClaims::for_membership(None),
            Err(DomainError::NotFound)
        ));
    }
}
