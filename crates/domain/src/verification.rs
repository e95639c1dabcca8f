//! Email verification (rules.md §1, docs/api/sessions.md): the link mailed
//! to an account's address, and who may use it.
//!
//! A link verifies only the account it was made for, and only for a
//! caller signed in as that account: whoever owns the mailbox but not the
//! account (someone else signed up with her address) cannot verify the
//! squatter's account by clicking, which would hand the squatter a
//! verified address (pre-account takeover). She takes the address over
//! instead, by a mailed secret that does not need the squatter's password
//! (an invitation link, a password reset): see [`takes_over`].

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::model::User;
use crate::token::{SecretToken, TokenHash};
use crate::{DomainError, UserId};

/// How long a verification link works.
pub const LINK_TTL: Duration = Duration::hours(24);

/// A verification link to record with its mail job. Until the worker
/// records the hash of the link's derived token, the row holds the hash of
/// a random token never shown to anyone (the column is never empty).
#[derive(Clone, Debug)]
pub struct NewVerificationLink {
    pub id: Uuid,
    pub placeholder: TokenHash,
    pub expires_at: DateTime<Utc>,
}

impl NewVerificationLink {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            placeholder: SecretToken::generate().hash(),
            expires_at: now + LINK_TTL,
        }
    }
}

/// The job that mails one verification link.
///
/// Exactly once in effect, as an invitation send: the link's token is
/// derived from the link's id with the workers' key
/// ([`VerificationMailJob::secret_input`]) and the Message-ID from the
/// same id, so every attempt mails the same message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationMailJob {
    pub link_id: Uuid,
}

impl VerificationMailJob {
    pub const QUEUE: &'static str = "verification-email";

    pub fn message_id(&self) -> String {
        format!("<verify-{}@roster>", self.link_id)
    }

    pub fn secret_input(&self) -> Vec<u8> {
        let mut input = b"verify-email\0".to_vec();
        input.extend_from_slice(self.link_id.as_bytes());
        input
    }
}

/// What a verification mail shows, read when the link is recorded.
#[derive(Clone, Debug)]
pub struct VerificationMail {
    pub to: String,
    pub display_name: String,
    pub expires_at: DateTime<Utc>,
}

/// A stored link, as `verifyEmail` finds it by its token.
#[derive(Clone, Copy, Debug)]
pub struct StoredLink {
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// Whether `caller` may use `link` at `now`: only the account it was made
/// for (anyone else is `FORBIDDEN`), and only once and before it expires
/// (else `NOT_FOUND`, as for a token that was never made).
pub fn may_verify(link: &StoredLink, caller: UserId, now: DateTime<Utc>) -> Result<()> {
    if link.used || now >= link.expires_at {
        return Err(DomainError::NotFound);
    }
    if link.user_id != caller {
        return Err(DomainError::Forbidden);
    }
    Ok(())
}

/// Who holds an address that its owner just proved by a mailed secret
/// (rules.md §1: an unverified account never stops the real owner).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The account chose its own password (not a placeholder made for an
    /// invitee).
    pub has_own_password: bool,
    pub verified: bool,
}

/// Whether proving the address retires the account holding it, for a
/// fresh, verified account of the prover: yes for an account whose owner
/// chose a password but never proved the address (it may be a squatter's;
/// the prover does not know its password). A verified account, or a
/// placeholder (made for the invitee, no password), is the prover's own.
pub fn takes_over(holder: Holder) -> bool {
    holder.has_own_password && !holder.verified
}

/// Email verification, as the store keeps it.
#[async_trait]
pub trait VerificationStore: Send + Sync {
    /// A fresh link for `user` (not yet verified: else `false`, nothing
    /// changes), its mail job enqueued in the same transaction; the
    /// account's earlier verification links stop working.
    async fn renew_verification_link(
        &self,
        user: UserId,
        link: NewVerificationLink,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// The worker's side: records the hash of the link's token while the
    /// link is still usable and the account unverified, and returns what
    /// the mail shows; `None` when the link is obsolete.
    async fn prepare_verification_mail(
        &self,
        job: VerificationMailJob,
        token: TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<VerificationMail>>;

    /// `verifyEmail`: uses the link `token` names, for `caller`
    /// ([`may_verify`]), and returns the verified account.
    async fn verify_email(
        &self,
        token: &TokenHash,
        caller: UserId,
        now: DateTime<Utc>,
    ) -> Result<User>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(user: UserId, used: bool) -> StoredLink {
        StoredLink {
            user_id: user,
            expires_at: Utc::now() + Duration::hours(1),
            used,
        }
    }

    #[test]
    fn only_the_links_own_account_verifies_once_before_expiry() {
        let owner = UserId::new();
        let now = Utc::now();
        assert!(may_verify(&link(owner, false), owner, now).is_ok());
        assert!(matches!(
            may_verify(&link(owner, false), UserId::new(), now),
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            may_verify(&link(owner, true), owner, now),
            Err(DomainError::NotFound)
        ));
        let later = now + Duration::hours(2);
        assert!(matches!(
            may_verify(&link(owner, false), owner, later),
            Err(DomainError::NotFound)
        ));
    }

    #[test]
    fn only_an_unverified_account_with_its_own_password_is_taken_over() {
        let holder = |has_own_password, verified| Holder {
            has_own_password,
            verified,
        };
        assert!(takes_over(holder(true, false)));
        assert!(!takes_over(holder(true, true)));
        assert!(!takes_over(holder(false, false)));
        assert!(!takes_over(holder(false, true)));
    }

    #[test]
    fn a_links_mail_is_the_same_on_every_attempt() {
        let job = VerificationMailJob {
            link_id: Uuid::now_v7(),
        };
        assert_eq!(job.message_id(), job.message_id());
        assert_eq!(job.secret_input(), job.secret_input());
        assert_ne!(
            job.secret_input(),
            VerificationMailJob {
                link_id: Uuid::now_v7()
            }
            .secret_input()
        );
    }
}
