//! Leads (rules.md §2, §6): who sees and edits which, and what a lead
//! may hold. The SQL that applies a scope is in the store; the rule is here.

use chrono::{DateTime, Utc};

use crate::model::Membership;
use crate::permission::{self, Action, Grant};
use crate::{
    AssistantId, DomainError, Email, LeadId, OrgId, UserId, WorkspaceId,
    value::{LeadCompany, LeadName, LeadStatus},
};

/// A lead (a contact) of an organization.
#[derive(Clone, Debug, PartialEq)]
pub struct Lead {
    /// UUID v7: newest first is `id desc`.
    pub id: LeadId,
    pub org_id: OrgId,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub status: String,
    /// A user, not a membership: a removed member's leads point at it
    /// until the reassignment job has moved them.
    pub owner_id: Option<UserId>,
    pub assistant_id: Option<AssistantId>,
    pub workspace_id: Option<WorkspaceId>,
    pub created_at: DateTime<Utc>,
}

/// The status of a lead given none.
pub const DEFAULT_STATUS: &str = "NEW";

/// Which leads of an organization a member sees (`ViewLeads`) or edits
/// (`EditLeads`), as the permission table grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadScope {
    All,
    /// A MEMBER's own: leads it owns; and for each assistant it manages,
    /// the leads owned by that assistant's users and the leads whose
    /// assistant it is.
    Own(UserId),
}

/// The assistants a member manages and the users assigned to them, as
/// read inside the transaction that decides.
#[derive(Clone, Debug, Default)]
pub struct ManagedTeam {
    pub assistants: Vec<AssistantId>,
    pub users: Vec<UserId>,
}

impl LeadScope {
    /// The scope of `action` for `viewer`; `FORBIDDEN` where the table
    /// says no (BILLING_ADMIN, USER_ADMIN) or the member is not ACTIVE.
    pub fn for_viewer(viewer: &Membership, action: Action) -> Result<Self, DomainError> {
        if viewer.status != crate::MemberStatus::Active {
            return Err(DomainError::Forbidden);
        }
        match permission::require(viewer.role, action)? {
            Grant::Own => Ok(LeadScope::Own(viewer.user_id)),
            _ => Ok(LeadScope::All),
        }
    }

    /// Whether a lead with this owner and assistant is within the scope,
    /// given the team the scope's member manages.
    pub fn covers(
        self,
        owner: Option<UserId>,
        assistant: Option<AssistantId>,
        team: &ManagedTeam,
    ) -> bool {
        match self {
            LeadScope::All => true,
            LeadScope::Own(me) => {
                owner.is_some_and(|o| o == me || team.users.contains(&o))
                    || assistant.is_some_and(|a| team.assistants.contains(&a))
            }
        }
    }
}

/// What a page of leads is narrowed to; `None` keeps all.
#[derive(Clone, Debug, Default)]
pub struct LeadFilter {
    pub owner: Option<UserId>,
    pub assistant: Option<AssistantId>,
    /// `true`: only leads without an owner; `false`: only leads with one.
    pub unassigned: Option<bool>,
}

impl LeadFilter {
    pub fn new(
        owner: Option<UserId>,
        assistant: Option<AssistantId>,
        unassigned: Option<bool>,
    ) -> Result<Self, DomainError> {
        if owner.is_some() && unassigned == Some(true) {
            return Err(DomainError::validation(
                "ownerId and unassigned: true exclude each other",
            ));
        }
        Ok(Self {
            owner,
            assistant,
            unassigned,
        })
    }
}

/// A new lead: its fields parsed, its owner chosen (`None`: unassigned).
#[derive(Clone, Debug)]
pub struct NewLead {
    pub id: LeadId,
    pub org: OrgId,
    pub name: LeadName,
    pub email: Option<Email>,
    pub company: Option<LeadCompany>,
    pub status: Option<LeadStatus>,
    pub owner: Option<UserId>,
    pub assistant: Option<AssistantId>,
    pub workspace: Option<WorkspaceId>,
}

/// Changes to a lead: `name` replaces; for the others `None` keeps and
/// `Some(None)` clears (a cleared status is `NEW`).
#[derive(Clone, Debug)]
pub struct LeadPatch {
    pub name: LeadName,
    pub email: Option<Option<Email>>,
    pub company: Option<Option<LeadCompany>>,
    pub status: Option<Option<LeadStatus>>,
    pub owner: Option<Option<UserId>>,
    pub assistant: Option<Option<AssistantId>>,
    pub workspace: Option<Option<WorkspaceId>>,
}

impl LeadPatch {
    /// The lead as it is after the patch.
    pub fn apply(&self, lead: &Lead) -> Lead {
        fn pick<T: Clone>(patch: &Option<Option<T>>, old: &Option<T>) -> Option<T> {
            match patch {
                Some(new) => new.clone(),
                None => old.clone(),
            }
        }
        Lead {
            name: self.name.as_str().to_owned(),
            email: match &self.email {
                Some(e) => e.as_ref().map(|e| e.as_str().to_owned()),
                None => lead.email.clone(),
            },
            company: match &self.company {
                Some(c) => c.as_ref().map(|c| c.as_str().to_owned()),
                None => lead.company.clone(),
            },
            status: match &self.status {
                Some(s) => s.as_ref().map_or(DEFAULT_STATUS, |s| s.as_str()).to_owned(),
                None => lead.status.clone(),
            },
            owner_id: pick(&self.owner, &lead.owner_id),
            assistant_id: pick(&self.assistant, &lead.assistant_id),
            workspace_id: pick(&self.workspace, &lead.workspace_id),
            ..lead.clone()
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
        assert_eq!(
            LeadScope::for_viewer(&admin, Action::ViewLeads).unwrap(),
            LeadScope::All
        );
        let m = member(OrgRole::Member, MemberStatus::Active);
        assert_eq!(
            LeadScope::for_viewer(&m, Action::EditLeads).unwrap(),
            LeadScope::Own(m.user_id)
        );
        for role in [OrgRole::BillingAdmin, OrgRole::UserAdmin] {
            assert!(
                LeadScope::for_viewer(&member(role, MemberStatus::Active), Action::ViewLeads)
                    .is_err()
            );
        }
        let blocked = member(OrgRole::Admin, MemberStatus::Blocked);
        assert!(LeadScope::for_viewer(&blocked, Action::ViewLeads).is_err());
    }

    #[test]
    fn a_member_covers_its_own_and_its_teams_leads() {
        let (me, mate, stranger) = (UserId::new(), UserId::new(), UserId::new());
        let (mine, other) = (AssistantId::new(), AssistantId::new());
        let team = ManagedTeam {
            assistants: vec![mine],
            users: vec![mate],
        };
        let scope = LeadScope::Own(me);
        assert!(scope.covers(Some(me), None, &team));
        assert!(scope.covers(Some(mate), None, &team));
        assert!(scope.covers(None, Some(mine), &team));
        assert!(scope.covers(Some(stranger), Some(mine), &team));
        assert!(!scope.covers(Some(stranger), Some(other), &team));
        assert!(!scope.covers(None, None, &team));
        assert!(LeadScope::All.covers(None, None, &ManagedTeam::default()));
    }

    #[test]
    fn an_owner_filter_excludes_unassigned() {
        assert!(LeadFilter::new(Some(UserId::new()), None, Some(true)).is_err());
        assert!(LeadFilter::new(Some(UserId::new()), None, Some(false)).is_ok());
    }
}
