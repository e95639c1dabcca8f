//! Password reset (rules.md §1; docs/api/sessions.md "Forgetting a
//! password"): a link mailed to the account's own address, single use,
//! valid for a while (an hour by default), of which only the token's
//! SHA-256 is stored.
//!
//! Asking for a link does the same work whether or not the address has an
//! account: the request writes a link row for the account it finds (none
//! for an unknown address, in the same statement) and always enqueues the
//! mail job; the job, not the request, learns whether there is anyone to
//! mail. The token is derived from the link's id by the workers' key
//! ([`PasswordResetJob::secret_input`]), so every attempt of the job mails
//! the same link, as invitation sends do (docs/api/invitations.md).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{NewSession, User};
use crate::token::{SecretToken, TokenHash};
use crate::{Email, EmailLinkId, SessionId, UserId};

/// How long a reset link works unless configured (`ROSTER_PASSWORD_RESET_TTL`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// A request for a reset link, as the store writes it.
#[derive(Clone, Debug)]
pub struct ResetRequest {
    pub link_id: EmailLinkId,
    /// The address asked for, normalized (`Email::normalized`).
    pub email: String,
    /// What the link row holds until its job derives the real token: the
    /// hash of a random token nobody is shown, so the link opens nothing
    /// before it is mailed.
    pub unmailed_hash: TokenHash,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl ResetRequest {
    /// A request for `email` at `now`, its link valid for `ttl`.
    pub fn new(email: &Email, ttl: Duration, now: DateTime<Utc>) -> Self {
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
        Self {
            link_id: EmailLinkId::new(),
            email: email.normalized(),
            unmailed_hash: SecretToken::generate().hash(),
            now,
            expires_at: now + ttl,
        }
    }
}

/// The mail job of one reset request: only the link's id (the address it
/// goes to is read when it runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetJob {
    pub link_id: EmailLinkId,
}

impl PasswordResetJob {
    pub const QUEUE: &'static str = "password-reset-email";

    /// Stable across the job's attempts.
    pub fn message_id(&self) -> String {
        format!("<password-reset-{}@roster>", self.link_id)
    }

    /// What the link's token is derived from: a label and the link's id.
    /// The label keeps these inputs apart from an invitation send's (its
    /// id and send number, 20 bytes) under the same key.
    pub fn secret_input(&self) -> Vec<u8> {
        let mut input = b"password-reset\0".to_vec();
        input.extend_from_slice(self.link_id.0.as_bytes());
        input
    }
}

/// A link the job should mail now: to whom, and until when it works.
#[derive(Clone, Debug)]
pub struct PendingReset {
    pub to_email: String,
    pub display_name: String,
    pub expires_at: DateTime<Utc>,
}

/// A stored link, as read when its token is presented.
#[derive(Clone, Copy, Debug)]
pub struct ResetLink {
    pub user_id: UserId,
    pub used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

impl ResetLink {
    /// A link works once, and only before it expires; otherwise
    /// `LinkInvalid`, the same answer as for a token that never existed.
    pub fn usable(&self, now: DateTime<Utc>) -> Result<()> {
        if self.used_at.is_some() || now >= self.expires_at {
            return Err(crate::DomainError::LinkInvalid);
        }
        Ok(())
    }
}

/// The session a reset opens, made before the account is known.
pub struct SessionDraft {
    pub id: SessionId,
    pub refresh_token: TokenHash,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub max_live: usize,
}

impl SessionDraft {
    pub fn for_user(self, user_id: UserId) -> NewSession {
        NewSession {
            id: self.id,
            user_id,
            refresh_token: self.refresh_token,
            now: self.now,
            expires_at: self.expires_at,
            max_live: self.max_live,
        }
    }
}

/// `resetPassword`: the presented token, the new password's hash, the
/// session to open.
pub struct PasswordReset {
    pub token: TokenHash,
    pub password_hash: String,
    pub session: SessionDraft,
}

/// The store's side of password reset.
#[async_trait::async_trait]
pub trait PasswordResetStore: Send + Sync {
    /// Writes a link for the account of `request.email`, if there is one,
    /// and enqueues its mail job whether there is or not, in one
    /// transaction and with the same statements either way.
    async fn request_password_reset(&self, request: ResetRequest) -> Result<()>;
    /// Gives the job's link its derived token (`token`, the SHA-256) and
    /// says whom to mail; `None` when there is nothing to mail (no account
    /// had the address, or the link was used or has expired).
    async fn prepare_password_reset(
        &self,
        job: PasswordResetJob,
        token: TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingReset>>;
    /// Spends the link and, in the same transaction, proves the account's
    /// address with it: the new password, `mustChangePassword` cleared,
    /// every session ended and every other reset link spent, the address
    /// verified; then opens `reset.session`. `LinkInvalid` (and nothing
    /// changed) for a used, expired or unknown token.
    async fn reset_password(&self, reset: PasswordReset) -> Result<User>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_link_works_once_and_only_before_it_expires() {
        let link = ResetLink {
            user_id: UserId::new(),
            used_at: None,
            expires_at: at(1_000),
        };
        assert!(link.usable(at(999)).is_ok());
        assert!(matches!(
            link.usable(at(1_000)),
            Err(crate::DomainError::LinkInvalid)
        ));
        let used = ResetLink {
            used_at: Some(at(10)),
            ..link
        };
        assert!(matches!(
            used.usable(at(11)),
            Err(crate::DomainError::LinkInvalid)
        ));
        assert_eq!(
            crate::DomainError::LinkInvalid.code(),
            crate::ErrorCode::NotFound
        );
    }

    #[test]
    fn a_request_expires_after_its_ttl_and_holds_no_usable_token() {
        let email = Email::parse("Ada@Example.com").unwrap();
        let a = ResetRequest::new(&email, Duration::from_secs(3600), at(0));
        let b = ResetRequest::new(&email, Duration::from_secs(3600), at(0));
        assert_eq!(a.expires_at, at(3600));
        assert_eq!(a.email, "ada@example.com");
        assert_ne!(a.link_id, b.link_id);
        assert_ne!(a.unmailed_hash, b.unmailed_hash);
    }

    #[test]
    fn the_job_keeps_its_message_id_and_secret_input_apart_from_invitations() {
        let job = PasswordResetJob {
            link_id: EmailLinkId::new(),
        };
        assert_eq!(job.message_id(), job.message_id());
        assert!(job.message_id().starts_with("<password-reset-"));
        let input = job.secret_input();
        assert_eq!(input.len(), 15 + 16);
        assert!(input.starts_with(b"password-reset\0"));
    }
}
