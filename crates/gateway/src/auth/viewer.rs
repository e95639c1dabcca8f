//! The caller of one request, resolved once from its bearer token.

use roster_domain::model::User;
use roster_domain::{DomainError, SessionId};

#[derive(Clone, Debug)]
pub enum Viewer {
    /// No `Authorization` header.
    Anonymous,
    /// A token was sent but is not valid (bad signature, expired, ended
    /// session, garbage): authenticated operations answer `UNAUTHENTICATED`.
    Rejected,
    Authenticated {
        user: User,
        session: SessionId,
    },
}

impl Viewer {
    /// The user, allowed to do anything its roles allow.
    pub fn user(&self) -> Result<&User, DomainError> {
        let user = self.user_pending_password_change()?;
        if user.must_change_password {
            return Err(DomainError::PasswordChangeRequired);
        }
        Ok(user)
    }

    /// The user, even one that must change its password first (for `me`,
    /// `changePassword` and `logOut` only).
    pub fn user_pending_password_change(&self) -> Result<&User, DomainError> {
        match self {
            Viewer::Authenticated { user, .. } => Ok(user),
            _ => Err(DomainError::Unauthenticated),
        }
    }

    pub fn session(&self) -> Result<SessionId, DomainError> {
        match self {
            Viewer::Authenticated { session, .. } => Ok(*session),
            _ => Err(DomainError::Unauthenticated),
        }
    }
}
