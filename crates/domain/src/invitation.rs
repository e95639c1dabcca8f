//! Invitations (rules.md §3): what one names, what inviting returns, what
//! the token holder sees, and the email job a send enqueues.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Membership;
use crate::permission::{self, Action, Carried};
use crate::token::TokenHash;
use crate::{
    AssistantId, DisplayName, DomainError, Email, InvitationDelivery, InvitationId,
    InvitationStatus, OrgId, OrgRole, UserId, WorkspaceId,
};

/// An invitation names at most this many workspaces.
pub const MAX_WORKSPACES: usize = 10;
/// Sends (the first and every resend) allowed per invitation per window.
pub const MAX_SENDS_PER_WINDOW: i64 = 5;
pub const SEND_WINDOW: Duration = Duration::hours(24);

#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: InvitationId,
    pub org_id: OrgId,
    /// The invitee's account (made for the invitation when there was none).
    pub user_id: UserId,
    pub email: String,
    pub role: OrgRole,
    pub status: InvitationStatus,
    pub delivery: InvitationDelivery,
    pub invited_by: Option<UserId>,
    pub sent_count: i32,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl Invitation {
    /// Whether the invitation can still be used at `now`: PENDING and not
    /// past its lifetime, whether or not the sweeper has marked it.
    pub fn usable(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.status {
            InvitationStatus::Pending if now < self.expires_at => Ok(()),
            InvitationStatus::Pending | InvitationStatus::Expired => {
                Err(DomainError::InvitationExpired)
            }
            _ => Err(DomainError::InvitationInvalid),
        }
    }

    /// Whether a resend may go out: PENDING and EXPIRED invitations alike
    /// (seed 001: a person whose one-time password lapsed gets a new one);
    /// an accepted, declined or revoked one is over.
    pub fn resendable(&self) -> Result<(), DomainError> {
        match self.status {
            InvitationStatus::Pending | InvitationStatus::Expired => Ok(()),
            _ => Err(DomainError::InvitationInvalid),
        }
    }
}

/// The delivery a send uses: the organization's choice, except that an
/// address with a real account (a password its owner chose) always gets a
/// LINK; a one-time password would replace that password.
pub fn delivery_for(wanted: InvitationDelivery, registered: bool) -> InvitationDelivery {
    if registered {
        InvitationDelivery::Link
    } else {
        wanted
    }
}

/// What an invitation names, parsed: at most 10 workspaces, no duplicates.
#[derive(Debug, Default)]
pub struct InvitationTargets {
    pub workspaces: Vec<WorkspaceId>,
    pub assistants: Vec<AssistantId>,
}

impl InvitationTargets {
    pub fn new(
        mut workspaces: Vec<WorkspaceId>,
        mut assistants: Vec<AssistantId>,
    ) -> Result<Self, DomainError> {
        workspaces.sort();
        workspaces.dedup();
        assistants.sort();
        assistants.dedup();
        if workspaces.len() > MAX_WORKSPACES {
            return Err(DomainError::validation(
                "an invitation names at most 10 workspaces",
            ));
        }
        Ok(Self {
            workspaces,
            assistants,
        })
    }
}

impl InvitationTargets {
    /// The permission-carrying arguments these targets use.
    pub fn carried(&self) -> impl Iterator<Item = Carried> {
        [
            (!self.workspaces.is_empty()).then_some(Carried::InvitationWorkspaces),
            (!self.assistants.is_empty()).then_some(Carried::InvitationAssistants),
        ]
        .into_iter()
        .flatten()
    }
}

/// May a member of `inviter_role` invite `role` with `targets`? The
/// operation's row (rules.md §2: invite members, a USER_ADMIN MEMBERs
/// only) and the row of every argument that grants something (rules.md
/// §10: naming assistants needs the right to assign them). Checked at
/// invite and again, against the inviter's role then, at accept.
pub fn require_inviter(
    inviter_role: OrgRole,
    role: OrgRole,
    targets: &InvitationTargets,
) -> Result<(), DomainError> {
    permission::require_on(inviter_role, Action::InviteOrRemoveMembers, role)?;
    targets
        .carried()
        .try_for_each(|c| permission::require_carried(inviter_role, c, role))
}

pub struct NewInvitation {
    pub org: OrgId,
    /// The inviter's membership; its role is checked again in the store.
    pub inviter: Membership,
    pub email: Email,
    pub role: OrgRole,
    pub targets: InvitationTargets,
    /// Counted in the invitation's transaction when it creates one.
    pub limits: crate::InviteLimits,
    pub now: DateTime<Utc>,
}

#[derive(Debug)]
pub enum InviteOutcome {
    Created(Invitation),
    /// The email already had a PENDING invitation: that one, unchanged.
    AlreadyPending(Invitation),
}

impl InviteOutcome {
    pub fn invitation(self) -> Invitation {
        match self {
            Self::Created(i) | Self::AlreadyPending(i) => i,
        }
    }
}

/// What the holder of a token may see before logging in.
#[derive(Clone, Debug)]
pub struct InvitationPreview {
    pub invitation: Invitation,
    pub organization_name: String,
    pub invited_by_name: Option<String>,
    /// Whether the invitee's account can log in (else accepting creates it).
    pub account_exists: bool,
}

/// A pending invitation as its invitee sees it on `me` (docs/api/invitations.md).
#[derive(Clone, Debug)]
pub struct ReceivedInvitation {
    pub invitation: Invitation,
    pub organization_name: String,
    pub invited_by_name: Option<String>,
}

/// Accepting with a token: as the logged-in invitee, or by choosing a
/// display name and password for the invitee's new account.
pub struct Acceptance {
    pub token: TokenHash,
    pub viewer: Option<UserId>,
    pub new_account: Option<(DisplayName, String)>,
    pub now: DateTime<Utc>,
}

/// The job a send enqueues, in the same transaction: mail send `send_no`
/// of the invitation. The secret (link token or one-time password) is
/// derived by the worker from this send's identity and a server key
/// ([`InvitationMailJob::secret_input`]), so only its hash is ever stored
/// and every attempt of the same send mails the same secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationMailJob {
    pub invitation_id: InvitationId,
    pub send_no: i32,
    /// Which secret the send carries.
    pub delivery: InvitationDelivery,
}

impl InvitationMailJob {
    pub const QUEUE: &'static str = "invitation-email";

    /// Stable across retries of the same send.
    pub fn message_id(&self) -> String {
        format!(
            "<invitation-{}-{}@roster>",
            self.invitation_id, self.send_no
        )
    }

    /// What this send's secret is derived from: the invitation and the send
    /// number, so a retry gets the same secret and a resend (the next
    /// number) a new one.
    pub fn secret_input(&self) -> Vec<u8> {
        let mut input = self.invitation_id.0.as_bytes().to_vec();
        input.extend_from_slice(&self.send_no.to_be_bytes());
        input
    }
}

/// The hash of the secret a send carries.
pub enum SendSecret {
    LinkToken(TokenHash),
    /// SHA-256 of the one-time password (144 random bits, so a fast hash
    /// is as safe as for a link token).
    TemporaryPassword(TokenHash),
}

/// A send the worker should mail now (current, undelivered, still usable).
#[derive(Clone, Debug)]
pub struct PendingSend {
    pub invitation: Invitation,
    pub organization_name: String,
    pub invited_by_name: Option<String>,
}

/// Which invitations a viewer may list.
#[derive(Clone, Copy, Debug)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(status: InvitationStatus, expires_in: Duration) -> (Invitation, DateTime<Utc>) {
        let now = Utc::now();
        let inv = Invitation {
            id: InvitationId::new(),
            org_id: OrgId::new(),
            user_id: UserId::new(),
            email: "a@example.com".into(),
            role: OrgRole::Member,
            status,
            delivery: InvitationDelivery::Link,
            invited_by: None,
            sent_count: 1,
            last_sent_at: Some(now),
            expires_at: now + expires_in,
            created_at: now,
        };
        (inv, now)
    }

    #[test]
    fn expiry_is_enforced_at_use_whatever_the_sweeper_did() {
        let (live, now) = invitation(InvitationStatus::Pending, Duration::hours(1));
        assert!(live.usable(now).is_ok());
        let (overdue, now) = invitation(InvitationStatus::Pending, Duration::seconds(-1));
        assert!(matches!(
            overdue.usable(now),
            Err(DomainError::InvitationExpired)
        ));
        for status in [
            InvitationStatus::Accepted,
            InvitationStatus::Declined,
            InvitationStatus::Revoked,
        ] {
            let (done, now) = invitation(status, Duration::hours(1));
            assert!(matches!(
                done.usable(now),
                Err(DomainError::InvitationInvalid)
            ));
        }
    }

    #[test]
    fn pending_and_expired_invitations_may_be_resent_ended_ones_not() {
        for (status, ok) in [
            (InvitationStatus::Pending, true),
            (InvitationStatus::Expired, true),
            (InvitationStatus::Accepted, false),
            (InvitationStatus::Declined, false),
            (InvitationStatus::Revoked, false),
        ] {
            let (inv, _) = invitation(status, Duration::hours(-1));
            assert_eq!(inv.resendable().is_ok(), ok, "{status:?}");
        }
    }

    #[test]
    fn a_real_account_always_gets_a_link() {
        use InvitationDelivery::{Link, TemporaryPassword};
        assert_eq!(delivery_for(TemporaryPassword, false), TemporaryPassword);
        assert_eq!(delivery_for(TemporaryPassword, true), Link);
        assert_eq!(delivery_for(Link, false), Link);
    }

    #[test]
    fn assistants_in_an_invitation_need_the_right_to_assign_them() {
        let with = |w: usize, a: usize| InvitationTargets {
            workspaces: (0..w).map(|_| WorkspaceId::new()).collect(),
            assistants: (0..a).map(|_| AssistantId::new()).collect(),
        };
        let member = OrgRole::Member;
        assert!(require_inviter(OrgRole::UserAdmin, member, &with(0, 0)).is_ok());
        assert!(require_inviter(OrgRole::UserAdmin, member, &with(2, 0)).is_ok());
        assert!(require_inviter(OrgRole::UserAdmin, member, &with(0, 1)).is_err());
        assert!(require_inviter(OrgRole::UserAdmin, OrgRole::Admin, &with(0, 0)).is_err());
        assert!(require_inviter(OrgRole::Admin, OrgRole::Admin, &with(2, 1)).is_ok());
        assert!(require_inviter(OrgRole::BillingAdmin, member, &with(0, 0)).is_err());
    }

    #[test]
    fn at_most_ten_distinct_workspaces() {
        let ten: Vec<WorkspaceId> = (0..10).map(|_| WorkspaceId::new()).collect();
        assert!(InvitationTargets::new(ten.clone(), vec![]).is_ok());
        let mut dup = ten.clone();
        dup.push(ten[0]);
        assert_eq!(
            InvitationTargets::new(dup, vec![])
                .unwrap()
                .workspaces
                .len(),
            10
        );
        let mut eleven = ten;
        eleven.push(WorkspaceId::new());
        assert!(InvitationTargets::new(eleven, vec![]).is_err());
    }
}
