//! Email verification (docs/api/sessions.md): `verifyEmail` with the
//! mailed link's token, `resendEmailVerification` for a fresh link.

use async_graphql::{Context, Object};

use roster_domain::token::TokenHash;
use roster_domain::verification::NewVerificationLink;
use roster_domain::{DomainError, RateScope};

use super::context::{services, viewer};
use super::guards::SignedIn;
use super::rate_limit;
use super::user::UserNode;
use crate::error::ApiError;

/// Tokens we mail are 43 characters; anything far longer is not one.
const MAX_TOKEN_LEN: usize = 256;

#[derive(Default)]
pub struct VerificationMutation;

#[Object]
impl VerificationMutation {
    /// Verifies the caller's address with the token of the link mailed to
    /// it. Only the account the link was made for, signed in, may use it
    /// (`FORBIDDEN` for any other): a link mailed to an address someone
    /// else signed up with cannot verify that account for them. A used,
    /// expired, superseded or made-up token is `NOT_FOUND`.
    #[graphql(guard = "SignedIn")]
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<UserNode, ApiError> {
        let viewer = viewer(ctx).await?;
        let me = viewer.user_pending_password_change()?;
        if token.len() > MAX_TOKEN_LEN {
            return Err(DomainError::NotFound.into());
        }
        let services = services(ctx);
        let user = services
            .store
            .verify_email(&TokenHash::of(&token), me.id, services.clock.now())
            .await?;
        Ok(UserNode(user))
    }

    /// Mails the caller's address a fresh verification link; the earlier
    /// ones stop working. `false` when the address is verified already
    /// (nothing is mailed). Limited per user (`RATE_LIMITED`).
    #[graphql(guard = "SignedIn")]
    async fn resend_email_verification(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        let viewer = viewer(ctx).await?;
        let me = viewer.user_pending_password_change()?;
        let services = services(ctx);
        rate_limit::hit(
            services,
            services.config.rate_limits.verification_resend_per_user,
            RateScope::VerificationResendUser,
            &me.id.to_string(),
        )
        .await?;
        let now = services.clock.now();
        let renewed = services
            .store
            .renew_verification_link(me.id, NewVerificationLink::new(now), now)
            .await?;
        Ok(renewed)
    }
}
