//! The dashboard (rules.md §2 "see the dashboard"): lead and member figures
//! of an organization, as much of it as the viewer may see. The scope is
//! the leads' own (`LeadScope`) and the member list's (`MemberScope`): the
//! dashboard counts exactly what the viewer could list.

use crate::DomainError;
use crate::lead::LeadScope;
use crate::model::{MemberScope, Membership};
use crate::permission::Action;

/// How many leads one owner or assistant has. `key` is the owner's user
/// id or the assistant's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadCount {
    pub key: uuid::Uuid,
    pub label: String,
    pub count: i64,
}

/// A dashboard figure besides the leads' (those are `count_leads`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardCount {
    /// ACTIVE members among those the viewer sees in the member list.
    ActiveMembers,
    /// PENDING, unexpired invitations; 0 for whoever sees none.
    PendingInvitations,
}

/// What lead counts are grouped by: owners leave out unassigned leads,
/// assistants the leads without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadGrouping {
    Owner,
    Assistant,
}

/// Where a page of lead counts resumes: below `count`, or at `count`
/// after `key` (the order is count desc, key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeadCountCursor {
    pub count: i64,
    pub key: uuid::Uuid,
}

/// What of an organization the dashboard counts for one viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DashboardScope {
    pub leads: LeadScope,
    pub members: MemberScope,
    /// Whether invitations are counted (the whole organization's view).
    pub invitations: bool,
}

impl DashboardScope {
    /// The scope of `ViewDashboard` for `viewer`: the whole organization
    /// for ADMIN, a MEMBER's own numbers (and its managed assistants'),
    /// `FORBIDDEN` for the others and for a member that is not ACTIVE.
    pub fn for_viewer(viewer: &Membership) -> Result<Self, DomainError> {
        Ok(
            match LeadScope::for_viewer(viewer, Action::ViewDashboard)? {
                LeadScope::All => DashboardScope {
                    leads: LeadScope::All,
                    members: MemberScope::All,
                    invitations: true,
                },
                LeadScope::Own(me) => DashboardScope {
                    leads: LeadScope::Own(me),
                    members: MemberScope::VisibleTo(me),
                    invitations: false,
                },
            },
        )
    }
}

impl LeadCount {
    /// Sorts by count, highest first, then key: the pages' order.
    pub fn sort(counts: &mut [LeadCount]) {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    }

    /// The cursor of a page that ends with this count.
    pub fn cursor(&self) -> LeadCountCursor {
        LeadCountCursor {
            count: self.count,
            key: self.key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemberStatus, OrgRole};

    fn member(role: OrgRole, status: MemberStatus) -> Membership {
        Membership::fixture(role, status)
    }

    #[test]
    fn scopes_follow_the_table() {
        let admin = member(OrgRole::Admin, MemberStatus::Active);
        let s = DashboardScope::for_viewer(&admin).unwrap();
        assert_eq!(s.leads, LeadScope::All);
        assert_eq!(s.members, MemberScope::All);
        assert!(s.invitations);
        let m = member(OrgRole::Member, MemberStatus::Active);
        let s = DashboardScope::for_viewer(&m).unwrap();
        assert_eq!(s.leads, LeadScope::Own(m.user_id));
        assert_eq!(s.members, MemberScope::VisibleTo(m.user_id));
        assert!(!s.invitations);
        for role in [OrgRole::BillingAdmin, OrgRole::UserAdmin] {
            assert!(DashboardScope::for_viewer(&member(role, MemberStatus::Active)).is_err());
        }
        assert!(
            DashboardScope::for_viewer(&member(OrgRole::Admin, MemberStatus::Blocked)).is_err()
        );
    }

    #[test]
    fn counts_sort_by_count_then_key() {
        let c = |key: u128, count| LeadCount {
            key: uuid::Uuid::from_u128(key),
            label: format!("{key}"),
            count,
        };
        let mut v = vec![c(2, 1), c(1, 1), c(9, 3)];
        LeadCount::sort(&mut v);
        assert_eq!(v, vec![c(9, 3), c(1, 1), c(2, 1)]);
        assert_eq!(v[1].cursor().count, 1);
    }
}
