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

/// The figures, each counted by one SQL statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// Leads in scope, unassigned ones included.
    pub total_leads: i64,
    /// Per owner; leads without an owner are left out. Count desc, label.
    pub leads_by_owner: Vec<LeadCount>,
    /// Per assistant; leads without one are left out. Count desc, label.
    pub leads_by_assistant: Vec<LeadCount>,
    /// ACTIVE members among those the viewer sees in the member list.
    pub active_members: i64,
    /// PENDING, unexpired invitations; 0 for whoever sees none.
    pub pending_invitations: i64,
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
    /// Sorts by count, highest first, then label, then key.
    pub fn sort(counts: &mut [LeadCount]) {
        counts.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.label.cmp(&b.label))
                .then_with(|| a.key.cmp(&b.key))
        });
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
    fn counts_sort_by_count_then_label() {
        let c = |label: &str, count| LeadCount {
            key: uuid::Uuid::nil(),
            label: label.into(),
            count,
        };
        let mut v = vec![c("b", 1), c("a", 1), c("z", 3)];
        LeadCount::sort(&mut v);
        assert_eq!(v, vec![c("z", 3), c("a", 1), c("b", 1)]);
    }
}
