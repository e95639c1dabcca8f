//! The caller of one operation, resolved once from its bearer token.

use roster_domain::model::User;
use roster_domain::{DomainError, SessionId, UserId};

use super::tokens::TokenSubject;

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
    /// The caller a verified token names, given the user of its session if
    /// that is open: that user if it is the token's, else `Rejected`.
    pub fn of_session(subject: TokenSubject, session_user: Option<User>) -> Self {
        match session_user {
            Some(user) if user.id == subject.user => Viewer::Authenticated {
                user,
                session: subject.session,
            },
            _ => Viewer::Rejected,
        }
    }

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

/// The caller of one operation, resolved when first needed: the token is
/// verified before the operation runs, its session checked by the first
/// resolver that needs the viewer (at most once per operation), in the same
/// statement as the viewer's membership when that is what it needs first
/// (`graphql::context::membership_and_org`).
pub struct LazyViewer {
    token: Option<TokenSubject>,
    resolved: tokio::sync::OnceCell<Viewer>,
}

impl LazyViewer {
    /// A caller already known (no token, a bad one, or a websocket's).
    pub fn resolved(viewer: Viewer) -> Self {
        Self {
            token: None,
            resolved: tokio::sync::OnceCell::new_with(Some(viewer)),
        }
    }

    /// A verified token, its session not yet checked.
    pub fn token(subject: TokenSubject) -> Self {
        Self {
            token: Some(subject),
            resolved: tokio::sync::OnceCell::new(),
        }
    }

    /// The user the token names, before its session is checked.
    pub fn claimed_user(&self) -> Option<UserId> {
        match (&self.token, self.resolved.get()) {
            (Some(subject), _) => Some(subject.user),
            (None, Some(Viewer::Authenticated { user, .. })) => Some(user.id),
            _ => None,
        }
    }

    /// The viewer, resolving the token with `resolve` (given its subject:
    /// whether its session is open, and its user) if nobody has yet.
    pub async fn get_or_resolve<F, Fut>(&self, resolve: F) -> Result<&Viewer, DomainError>
    where
        F: FnOnce(TokenSubject) -> Fut,
        Fut: Future<Output = Result<Option<User>, DomainError>>,
    {
        self.resolved
            .get_or_try_init(|| async {
                let Some(subject) = self.token else {
                    return Ok(Viewer::Anonymous);
                };
                Ok(Viewer::of_session(subject, resolve(subject).await?))
            })
            .await
    }
}
