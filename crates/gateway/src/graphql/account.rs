//! Accounts and sessions: sign up, log in, refresh, log out, change password.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::identity_link::NO_ROSTER_PASSWORD;
use roster_domain::model::{Credentials, NewSession, NewUser, Rotation, User};
use roster_domain::org_claims::OrgClaims;
use roster_domain::password_reset::SessionDraft;
use roster_domain::token::{SecretToken, TokenHash};
use roster_domain::verification::NewVerificationLink;
use roster_domain::{
    DisplayName, DomainError, Email, OrgId, Password, RateScope, SessionId, UserId,
};

use super::context::{Services, services, viewer};
use super::guards::SignedIn;
use super::log_in_attempt;
use super::rate_limit;
use super::user::UserNode;
use crate::auth::credentials::prove;
use crate::auth::tokens::TokenSubject;
use crate::error::ApiError;

#[derive(SimpleObject)]
pub struct AuthPayload {
    access_token: String,
    refresh_token: String,
    access_token_expires_at: DateTime<Utc>,
    user: UserNode,
}

/// Refresh tokens we issue are 43 characters; anything far longer is not one.
const MAX_REFRESH_TOKEN_LEN: usize = 256;

/// A new session for `user`: its first refresh token and an access token.
fn new_session(services: &Services, user: UserId) -> (NewSession, SecretToken) {
    let (draft, refresh) = session_draft(services);
    (draft.for_user(user), refresh)
}

/// A new session for an account not known yet (`resetPassword` learns it
/// from the link), and its first refresh token.
pub(super) fn session_draft(services: &Services) -> (SessionDraft, SecretToken) {
    let refresh = SecretToken::generate();
    let now = services.clock.now();
    let ttl = chrono::Duration::from_std(services.config.session_ttl)
        .unwrap_or(chrono::Duration::days(30));
    let session = SessionDraft {
        id: SessionId::new(),
        refresh_token: refresh.hash(),
        now,
        expires_at: now + ttl,
        max_live: services.config.max_live_sessions,
    };
    (session, refresh)
}

pub(super) async fn payload(
    services: &Services,
    user: User,
    session: SessionId,
    refresh: &SecretToken,
    org: Option<&OrgClaims>,
) -> Result<AuthPayload, ApiError> {
    let (access_token, expires_at) = services
        .tokens
        .issue(
            TokenSubject {
                user: user.id,
                session,
            },
            org,
            services.clock.now(),
        )
        .await?;
    Ok(AuthPayload {
        access_token,
        refresh_token: refresh.as_str().to_owned(),
        access_token_expires_at: expires_at,
        user: UserNode(user),
    })
}

pub(super) async fn open_session(services: &Services, user: User) -> Result<AuthPayload, ApiError> {
    let (session, refresh) = new_session(services, user.id);
    let id = session.id;
    services.store.create_session(session).await?;
    payload(services, user, id, &refresh, None).await
}

/// `LOCAL_ACCOUNTS_DISABLED` when the deployment has no sign-up or
/// password log-in (`ROSTER_LOCAL_ACCOUNTS=false`, docs/api/own-log-in.md).
pub(super) fn local_accounts(services: &Services) -> Result<(), DomainError> {
    if services.config.local_accounts {
        Ok(())
    } else {
        Err(DomainError::LocalAccountsOff)
    }
}

/// Whether the account was made by a trusted issuer's token and has no
/// Roster password (docs/api/own-log-in.md).
fn product_log_in_only(credentials: &Credentials) -> bool {
    credentials.password_hash.as_deref() == Some(NO_ROSTER_PASSWORD)
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        display_name: String,
    ) -> Result<AuthPayload, ApiError> {
        let services = services(ctx);
        local_accounts(services)?;
        let email = Email::parse(&email)?;
        let password = Password::parse(&password)?;
        let display_name = DisplayName::parse(&display_name)?;
        // Every sign-up counts: each one is an account, and a CONFLICT
        // tells whether an email is registered.
        rate_limit::hit(
            services,
            services.config.rate_limits.sign_up_per_address,
            RateScope::SignUpAddress,
            &rate_limit::client_subject(ctx),
        )
        .await?;
        let password_hash = services.passwords.hash(&password).await?;
        let now = services.clock.now();
        // The address is mailed a verification link (docs/api/sessions.md).
        let user = services
            .store
            .create_user(NewUser {
                id: UserId::new(),
                email,
                display_name,
                password_hash,
                now,
                verification: NewVerificationLink::new(now),
            })
            .await?;
        open_session(services, user).await
    }

    /// A wrong password and an unknown email get the same answer, in about
    /// the same time. Attempts are throttled per client address, per
    /// (email, address) pair and per email, and successes per account
    /// (docs/operations/limits.md "Guessing and password hashing"): a refused attempt gets
    /// `RATE_LIMITED` whatever its password, and a stranger's failures
    /// never refuse the owner from an address that has not been failing.
    async fn log_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload, ApiError> {
        let services = services(ctx);
        local_accounts(services)?;
        let email = Email::parse(&email).map_err(|_| DomainError::WrongCredentials)?;
        if password.chars().count() > Password::MAX_CHARS {
            return Err(DomainError::WrongCredentials.into());
        }
        // Counted before the hash, so that a refused guess costs no hash.
        let attempt = log_in_attempt::begin(ctx, services, &email.normalized()).await?;
        let checked = async {
            let credentials = services
                .store
                .credentials_by_email(&email, services.clock.now())
                .await?;
            if credentials.as_ref().is_some_and(product_log_in_only) {
                return Err(DomainError::ProductLogInOnly);
            }
            let proof = prove(&services.passwords, &password, credentials.as_ref()).await?;
            Ok::<_, DomainError>(credentials.filter(|_| proof.is_some()))
        };
        let user = match checked.await {
            Ok(Some(credentials)) => credentials.user,
            Ok(None) => {
                attempt.failed(services).await;
                return Err(DomainError::WrongCredentials.into());
            }
            Err(e) => {
                attempt.abandoned(services).await;
                return Err(e.into());
            }
        };
        attempt.succeeded(services).await;
        open_session(services, user).await
    }

    /// Trades a refresh token for a new pair. Each refresh token works
    /// once; presenting a spent one ends its whole session. With
    /// `organizationId`, the access token also carries `org_id`,
    /// `org_role` and `org_status` for it, read when it is issued
    /// (docs/api/sessions.md); a refusal spends nothing.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
        organization_id: Option<ID>,
    ) -> Result<AuthPayload, ApiError> {
        if refresh_token.len() > MAX_REFRESH_TOKEN_LEN {
            return Err(DomainError::Unauthenticated.into());
        }
        let within = organization_id.map(|id| id.parse::<OrgId>()).transpose()?;
        let services = services(ctx);
        let next = SecretToken::generate();
        let rotation = services
            .store
            .rotate_refresh_token(
                &TokenHash::of(&refresh_token),
                &next.hash(),
                services.clock.now(),
                within,
            )
            .await?;
        match rotation {
            Rotation::Rotated { session, user, org } => {
                payload(services, user, session, &next, org.as_ref()).await
            }
            Rotation::Reused => {
                tracing::warn!("a spent refresh token was presented; its session is revoked");
                Err(DomainError::Unauthenticated.into())
            }
            Rotation::Invalid => Err(DomainError::Unauthenticated.into()),
        }
    }

    /// Ends the caller's session at once: its access and refresh tokens
    /// stop working.
    #[graphql(guard = "SignedIn")]
    async fn log_out(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        let session = viewer(ctx).await?.session()?;
        let services = services(ctx);
        services
            .store
            .end_session(session, services.clock.now())
            .await?;
        Ok(true)
    }

    /// Sets a new password, ends every session of the account, and opens a
    /// fresh one. Replacing an invitation's one-time password accepts that
    /// invitation, and no other (docs/api/invitations.md).
    #[graphql(guard = "SignedIn")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<AuthPayload, ApiError> {
        let viewer = viewer(ctx).await?;
        let me = viewer.user_pending_password_change()?;
        let new_password = Password::parse(&new_password)?;
        if new_password.expose() == current_password {
            return Err(DomainError::validation(
                "the new password must differ from the current one",
            )
            .into());
        }
        let services = services(ctx);
        // A stolen access token must not become a password oracle: wrong
        // current passwords are limited per user.
        let attempt = rate_limit::hit(
            services,
            services.config.rate_limits.change_password_per_user,
            RateScope::ChangePasswordUser,
            &me.id.to_string(),
        )
        .await?;
        let credentials = services
            .store
            .credentials_by_id(me.id, services.clock.now())
            .await?;
        if credentials.as_ref().is_some_and(product_log_in_only) {
            rate_limit::refund(services, attempt).await;
            return Err(DomainError::ProductLogInOnly.into());
        }
        let Some(proof) =
            prove(&services.passwords, &current_password, credentials.as_ref()).await?
        else {
            return Err(DomainError::Forbidden.into());
        };
        rate_limit::refund(services, attempt).await;
        let new_hash = services.passwords.hash(&new_password).await?;
        let (session, refresh) = new_session(services, me.id);
        let id = session.id;
        let user = services
            .store
            .change_password(me.id, new_hash, session, proof)
            .await?;
        payload(services, user, id, &refresh, None).await
    }
}
