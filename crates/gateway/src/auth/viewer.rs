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
        /// `None`: signed in by a trusted issuer's token, which has no
        /// Roster session (docs/api/own-log-in.md).
        session: Option<SessionId>,
        /// `ROSTER_REQUIRE_VERIFIED_EMAIL` holds and the address is not
        /// verified: only what `user_pending_password_change` allows.
        unverified: bool,
    },
}

impl Viewer {
    /// The caller a verified token names, given the user of its session if
    /// that is open: that user if it is the token's, else `Rejected`.
    pub fn of_session(subject: TokenSubject, session_user: Option<User>) -> Self {
        match session_user {
            Some(user) if user.id == subject.user => Viewer::Authenticated {
                user,
                session: Some(subject.session),
                unverified: false,
            },
            _ => Viewer::Rejected,
        }
    }

    /// This viewer where a verified address is required before any use
    /// (`ROSTER_REQUIRE_VERIFIED_EMAIL`, docs/api/sessions.md) if `required`.
    pub fn requiring_verified_email(self, required: bool) -> Self {
        match self {
            Viewer::Authenticated { user, session, .. } => Viewer::Authenticated {
                unverified: required && !user.email_verified,
                user,
                session,
            },
            other => other,
        }
    }

    /// The user, allowed to do anything its roles allow.
    pub fn user(&self) -> Result<&User, DomainError> {
        let user = self.user_pending_password_change()?;
        if user.must_change_password {
            return Err(DomainError::PasswordChangeRequired);
        }
        if let Viewer::Authenticated {
            unverified: true, ..
        } = self
        {
            return Err(DomainError::EmailNotVerified);
        }
        Ok(user)
    }

    /// The user, even one that must change its password first or verify
    /// its address first (for `me`, `changePassword`, `logOut`,
    /// `verifyEmail` and `resendEmailVerification` only).
    pub fn user_pending_password_change(&self) -> Result<&User, DomainError> {
        match self {
            Viewer::Authenticated { user, .. } => Ok(user),
            _ => Err(DomainError::Unauthenticated),
        }
    }

    /// The caller's Roster session; a trusted issuer's token has none
    /// (`PRODUCT_LOG_IN`: the product logs its users out).
    pub fn session(&self) -> Result<SessionId, DomainError> {
        match self {
            Viewer::Authenticated { session, .. } => session.ok_or(DomainError::ProductSession),
            _ => Err(DomainError::Unauthenticated),
        }
    }

    /// The caller's Roster session, if it has one.
    pub fn session_if_any(&self) -> Result<Option<SessionId>, DomainError> {
        match self {
            Viewer::Authenticated { session, .. } => Ok(*session),
            _ => Err(DomainError::Unauthenticated),
        }
    }
}

/// The caller of one operation, resolved when first needed: the token is
/// verified before the operation runs, its session checked by the first
/// resolver that needs the viewer, in the same statement as the viewer's
/// membership when that is what it needs first
/// (`graphql::context::membership_and_org`). A query checks it at most
/// once. A mutation checks it again for each of its root fields, which
/// run one after the other (docs/api/sessions.md): a `logOut`, a
/// block or a demotion committed before a field starts holds for that
/// field, whatever the earlier fields saw.
pub struct LazyViewer {
    token: Option<TokenSubject>,
    /// Whether each root field is checked afresh (a mutation).
    per_root_field: bool,
    /// `ROSTER_REQUIRE_VERIFIED_EMAIL`.
    require_verified_email: bool,
    /// The viewer as checked, and the root field it was checked for.
    resolved: tokio::sync::Mutex<Option<(Option<String>, Viewer)>>,
}

impl LazyViewer {
    /// A caller already known (no token, a bad one, or a websocket's).
    pub fn resolved(viewer: Viewer) -> Self {
        Self {
            token: None,
            per_root_field: false,
            require_verified_email: false,
            resolved: tokio::sync::Mutex::new(Some((None, viewer))),
        }
    }

    /// A verified token, its session not yet checked.
    pub fn token(subject: TokenSubject) -> Self {
        Self {
            token: Some(subject),
            per_root_field: false,
            require_verified_email: false,
            resolved: tokio::sync::Mutex::new(None),
        }
    }

    /// Checks the session again for each root field (for a mutation).
    pub fn per_root_field(self, yes: bool) -> Self {
        Self {
            per_root_field: yes && self.token.is_some(),
            ..self
        }
    }

    /// Requires a verified address of the viewer when `yes`
    /// ([`Viewer::requiring_verified_email`]).
    pub fn requiring_verified_email(self, yes: bool) -> Self {
        Self {
            require_verified_email: yes,
            ..self
        }
    }

    /// The user the token names, before its session is checked.
    pub fn claimed_user(&self) -> Option<UserId> {
        match &self.token {
            Some(subject) => Some(subject.user),
            None => match self.resolved.try_lock().ok()?.as_ref() {
                Some((_, Viewer::Authenticated { user, .. })) => Some(user.id),
                _ => None,
            },
        }
    }

    /// The viewer for the root field `root` (its response key), resolving
    /// the token with `resolve` if nobody has yet for this field (for this
    /// operation, unless it is checked per root field). `resolve` gets the
    /// token's subject (is its session open, and whose is it?) and whether
    /// an earlier field's viewer is being replaced: what was cached with
    /// that one is stale then.
    pub async fn get_or_resolve<F, Fut>(
        &self,
        root: Option<&str>,
        resolve: F,
    ) -> Result<Viewer, DomainError>
    where
        F: FnOnce(TokenSubject, bool) -> Fut,
        Fut: Future<Output = Result<Option<User>, DomainError>>,
    {
        let scope = root.filter(|_| self.per_root_field);
        let mut resolved = self.resolved.lock().await;
        let replacing = match resolved.as_ref() {
            Some((seen, viewer)) if seen.as_deref() == scope => return Ok(viewer.clone()),
            Some(_) => true,
            None => false,
        };
        let Some(subject) = self.token else {
            return Ok(Viewer::Anonymous);
        };
        let viewer = Viewer::of_session(subject, resolve(subject, replacing).await?)
            .requiring_verified_email(self.require_verified_email);
        *resolved = Some((scope.map(str::to_owned), viewer.clone()));
        Ok(viewer)
    }
}
