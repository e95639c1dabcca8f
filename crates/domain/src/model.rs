//! The records the store hands back, and the inputs of its operations.

use chrono::{DateTime, Duration, Utc};

use crate::{
    Email, InvitationDelivery, MemberId, MemberStatus, OrgId, OrgName, OrgRole, Plan, SessionId,
    UserId, token::TokenHash, value::DisplayName,
};

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    /// As the user typed it.
    pub email: String,
    pub display_name: String,
    pub must_change_password: bool,
    /// Whether the owner of the address proved it (a mailed link or
    /// one-time password used; rules.md §1).
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

pub use crate::credentials::{Credentials, OneTimePassword, PasswordProof};

pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub now: DateTime<Utc>,
    /// The verification link mailed to the new address (rules.md §1).
    pub verification: crate::verification::NewVerificationLink,
}

/// A session to open: the first refresh token of its family.
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub refresh_token: TokenHash,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The most live sessions the account may have once this one is open
    /// (at least 1; docs/operations/limits.md "Guessing and password hashing").
    pub max_live: usize,
}

impl NewSession {
    /// Of the account's other live sessions, oldest first, those that end
    /// as this one opens: the oldest, until at most `max_live` are live.
    pub fn sessions_to_end<'a>(&self, live_oldest_first: &'a [SessionId]) -> &'a [SessionId] {
        let keep = self.max_live.max(1) - 1;
        let excess = live_oldest_first.len().saturating_sub(keep);
        &live_oldest_first[..excess]
    }
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: it is now spent and `next` replaces it.
    Rotated {
        session: SessionId,
        user: User,
        /// The organization claims asked for, when they were.
        org: Option<crate::org_claims::OrgClaims>,
    },
    /// The token had been spent before: someone replayed it, so the whole
    /// session family is now revoked.
    Reused,
    /// Unknown, or its session is over.
    Invalid,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub owner_id: UserId,
    pub plan: Plan,
    pub invitation_delivery: InvitationDelivery,
    pub link_ttl_hours: i32,
    pub temporary_password_ttl_hours: i32,
    pub created_at: DateTime<Utc>,
    pub subscription: crate::billing::Subscription,
}

impl Organization {
    /// The lifetime of invitations sent now, by the delivery in effect.
    pub fn invitation_ttl_hours(&self) -> i32 {
        match self.invitation_delivery {
            InvitationDelivery::Link => self.link_ttl_hours,
            InvitationDelivery::TemporaryPassword => self.temporary_password_ttl_hours,
        }
    }
}

pub struct NewOrganization {
    pub id: OrgId,
    pub name: OrgName,
    pub owner: UserId,
    pub now: DateTime<Utc>,
    /// For the first period's invoice.
    pub prices: crate::billing::Prices,
}

/// Changes to an organization's information and settings; `None` keeps.
#[derive(Default)]
pub struct OrganizationPatch {
    pub name: Option<OrgName>,
    pub invitation_delivery: Option<InvitationDelivery>,
    /// Applies to the delivery in effect after the patch.
    pub invitation_ttl_hours: Option<InvitationTtl>,
}

/// An invitation lifetime in hours, 1 hour to 30 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvitationTtl(i32);

impl InvitationTtl {
    pub const MAX_HOURS: i32 = 30 * 24;

    pub fn parse(hours: i32) -> Result<Self, crate::DomainError> {
        if (1..=Self::MAX_HOURS).contains(&hours) {
            Ok(Self(hours))
        } else {
            Err(crate::DomainError::validation(
                "invitationTtlHours must be between 1 and 720",
            ))
        }
    }

    pub fn hours(self) -> i32 {
        self.0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub id: MemberId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub role: OrgRole,
    pub status: MemberStatus,
    pub is_owner: bool,
    pub joined_at: Option<DateTime<Utc>>,
    pub last_active_at: Option<DateTime<Utc>>,
}

/// A membership for the domain's unit tests: a fresh organization and user.
#[cfg(test)]
impl Membership {
    pub(crate) fn fixture(role: OrgRole, status: MemberStatus) -> Self {
        Self {
            id: MemberId::new(),
            org_id: OrgId::new(),
            user_id: UserId::new(),
            role,
            status,
            is_owner: false,
            joined_at: None,
            last_active_at: None,
        }
    }
}

impl Membership {
    /// `lastActiveAt` is written at most once a minute per membership.
    pub const ACTIVITY_RESOLUTION: Duration = Duration::minutes(1);

    pub fn activity_is_stale(&self, now: DateTime<Utc>) -> bool {
        self.status == MemberStatus::Active
            && self
                .last_active_at
                .is_none_or(|at| now - at >= Self::ACTIVITY_RESOLUTION)
    }
}

/// Which members a viewer may list (from the permission table's grant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberScope {
    All,
    /// The viewer itself and the users of the assistants it manages.
    VisibleTo(UserId),
}

#[derive(Clone, Debug, Default)]
pub struct MemberFilter {
    /// Case-insensitive substring of display name or email.
    pub search: Option<String>,
    pub role: Option<OrgRole>,
    pub status: Option<MemberStatus>,
}

/// A page request: at most `first` items after the item `after`.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest<C> {
    pub first: u32,
    pub after: Option<C>,
}

impl<C> PageRequest<C> {
    pub const MAX_FIRST: i32 = 100;

    pub fn new(first: i32, after: Option<C>) -> Result<Self, crate::DomainError> {
        if !(0..=Self::MAX_FIRST).contains(&first) {
            return Err(crate::DomainError::validation(
                "first must be between 0 and 100",
            ));
        }
        Ok(Self {
            first: first as u32,
            after,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    pub total_count: i64,
}

/// A page without its total: lists whose `totalCount` is read apart, and
/// only when the query selects it (docs/operations/performance.md).
#[derive(Clone, Debug)]
pub struct Slice<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
}

impl<T> Slice<T> {
    /// The first `first` of `rows` (read with a limit of `first + 1`).
    pub fn of(mut rows: Vec<T>, first: u32) -> Self {
        let has_next_page = rows.len() > first as usize;
        rows.truncate(first as usize);
        Self {
            items: rows,
            has_next_page,
        }
    }
}

impl MemberScope {
    /// The members `viewer` may list, as the permission table grants.
    pub fn for_viewer(viewer: &Membership) -> Self {
        match crate::permission::grant(viewer.role, crate::Action::ViewMembers) {
            crate::Grant::Own => MemberScope::VisibleTo(viewer.user_id),
            _ => MemberScope::All,
        }
    }
}

/// A workspace ("space") members are assigned to.
#[derive(Clone, Debug, PartialEq)]
pub struct Workspace {
    pub id: crate::WorkspaceId,
    pub org_id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A sales assistant users are assigned to, some of them as managers.
#[derive(Clone, Debug, PartialEq)]
pub struct Assistant {
    pub id: crate::AssistantId,
    pub org_id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// One member's place on an assistant.
#[derive(Clone, Debug, PartialEq)]
pub struct AssistantSeat {
    pub assistant_id: crate::AssistantId,
    pub member_id: MemberId,
    pub is_manager: bool,
}

/// Which of an organization's workspaces or assistants a viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentScope {
    All,
    /// Only those the member is assigned to.
    AssignedTo(MemberId),
}

impl AssignmentScope {
    /// As the permission table grants `action` to `viewer`.
    pub fn for_viewer(viewer: &Membership, action: crate::Action) -> Self {
        match crate::permission::grant(viewer.role, action) {
            crate::Grant::Own => AssignmentScope::AssignedTo(viewer.id),
            _ => AssignmentScope::All,
        }
    }
}

/// One entry of an organization's audit log (rules.md §7), as written by
/// the change it records.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// UUID v7: its order is the order events were written in.
    pub id: uuid::Uuid,
    pub org_id: OrgId,
    /// Null for what the system did by itself (an expiry sweep).
    pub actor_id: Option<crate::UserId>,
    pub action: String,
    pub target_user_id: Option<crate::UserId>,
    pub target_email: Option<String>,
    /// JSON text: before/after of what changed.
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What a support person narrows the audit log to; `None` keeps all.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Exact match on the action, e.g. `member.role_changed`.
    pub action: Option<String>,
    pub target_user: Option<crate::UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(max_live: usize) -> NewSession {
        NewSession {
            id: SessionId::new(),
            user_id: UserId::new(),
            refresh_token: TokenHash::of("refresh"),
            now: Utc::now(),
            expires_at: Utc::now(),
            max_live,
        }
    }

    #[test]
    fn a_new_session_ends_the_oldest_past_the_cap() {
        let live: Vec<SessionId> = (0..5).map(|_| SessionId::new()).collect();
        assert_eq!(session(3).sessions_to_end(&live), &live[..3]);
        assert_eq!(session(6).sessions_to_end(&live), &[] as &[SessionId]);
        assert_eq!(session(5).sessions_to_end(&live), &live[..1]);
        assert_eq!(session(1).sessions_to_end(&live), &live[..]);
        assert_eq!(
            session(0).sessions_to_end(&live),
            &live[..],
            "never below one"
        );
    }
}
