//! Forgetting a password (rules.md §1; docs/api/sessions.md "Forgetting a
//! password"): `requestPasswordReset` mails a single-use link, and
//! `resetPassword` uses it to set a new password.

use async_graphql::{Context, Object};

use roster_domain::password_reset::{PasswordReset, ResetRequest};
use roster_domain::token::TokenHash;
use roster_domain::{DomainError, Email, Password, RateScope};

use super::account::{AuthPayload, local_accounts, payload, session_draft};
use super::context::services;
use super::rate_limit;
use crate::error::ApiError;

/// Link tokens we mail are 43 characters; anything far longer is not one.
const MAX_TOKEN_LEN: usize = 256;

#[derive(Default)]
pub struct PasswordResetMutation;

#[Object]
impl PasswordResetMutation {
    /// Always true, whether or not the address has an account; mails a
    /// single-use link when it does (not to an account a product's log-in
    /// made, which has no Roster password: docs/api/own-log-in.md). The answer and its time are the same
    /// either way (the mail is sent by the worker). Limited per address
    /// asked for and per client address (`RATE_LIMITED`,
    /// docs/operations/limits.md).
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> Result<bool, ApiError> {
        let services = services(ctx);
        local_accounts(services)?;
        let email = Email::parse(&email)?;
        let limits = &services.config.rate_limits;
        rate_limit::hit(
            services,
            limits.password_reset_per_address,
            RateScope::ResetAddress,
            &rate_limit::client_subject(ctx),
        )
        .await?;
        rate_limit::hit(
            services,
            limits.password_reset_per_email,
            RateScope::ResetEmail,
            &email.normalized(),
        )
        .await?;
        let request = ResetRequest::new(
            &email,
            services.config.password_reset_ttl,
            services.clock.now(),
        );
        services.store.request_password_reset(request).await?;
        Ok(true)
    }

    /// Sets the password, ends every session of the account, returns a
    /// fresh one. The link works once and proves the address
    /// (`mustChangePassword` is cleared too); a used, expired or unknown
    /// token is `NOT_FOUND` and changes nothing. Tokens that open nothing
    /// count against the client address like invitation tokens.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        new_password: String,
    ) -> Result<AuthPayload, ApiError> {
        let services = services(ctx);
        local_accounts(services)?;
        let new_password = Password::parse(&new_password)?;
        let hit = rate_limit::hit(
            services,
            services.config.rate_limits.token_per_address,
            RateScope::TokenAddress,
            &rate_limit::client_subject(ctx),
        )
        .await?;
        let reset = async {
            if token.len() > MAX_TOKEN_LEN {
                return Err(DomainError::LinkInvalid);
            }
            let password_hash = services.passwords.hash(&new_password).await?;
            let (session, refresh) = session_draft(services);
            let id = session.id;
            let user = services
                .store
                .reset_password(PasswordReset {
                    token: TokenHash::of(&token),
                    password_hash,
                    session,
                })
                .await?;
            Ok((user, id, refresh))
        };
        match reset.await {
            Ok((user, id, refresh)) => {
                rate_limit::refund(services, hit).await;
                payload(services, user, id, &refresh, None).await
            }
            Err(DomainError::LinkInvalid) => Err(DomainError::LinkInvalid.into()),
            Err(e) => {
                rate_limit::refund(services, hit).await;
                Err(e.into())
            }
        }
    }
}
