//! The store port: whole operations, each one transaction in the adapter,
//! each re-checking its invariants inside that transaction.
//!
//! The port is split by capability, one trait per area (accounts,
//! organizations, members, invitations, …; billing, the organization's
//! life, webhooks, the live feed, retention and the member page have
//! theirs in their own modules), and each adapter file implements the
//! trait of its area. `Store` is their union: what the gateway and the
//! worker hold (`Arc<dyn Store>`), implemented for every type that
//! implements all of them. Code that calls a capability on a concrete
//! store rather than on `dyn Store` imports `store::prelude::*`.

mod invitations;
mod organizations;

pub use invitations::{InvitationStore, JobStore};
pub use organizations::{
    AssistantStore, LeadStore, MemberAdminStore, MemberStore, OrganizationStore, OwnershipStore,
    WorkspaceStore,
};

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Credentials, NewSession, NewUser, PasswordProof, Rotation, User};
use crate::rate_limit::RateKey;
use crate::token::TokenHash;
use crate::{Email, OrgId, SessionId, UserId};

/// A connection pool's size and its idle connections (the rest are in use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUsage {
    pub size: u32,
    pub idle: u32,
}

/// The whole port: every capability, as the gateway and the worker hold it.
pub trait Store:
    HealthStore
    + RateLimitStore
    + AccountStore
    + OrganizationStore
    + MemberStore
    + MemberAdminStore
    + OwnershipStore
    + WorkspaceStore
    + AssistantStore
    + LeadStore
    + InvitationStore
    + JobStore
    + crate::billing::BillingStore
    + crate::lifecycle::LifecycleStore
    + crate::webhook::WebhookStore
    + crate::live::LiveStore
    + crate::retention::RetentionStore
    + crate::member_page::MemberPageStore
    + crate::password_reset::PasswordResetStore
    + crate::identity_link::IdentityLinkStore
    + crate::verification::VerificationStore
    + crate::signing_key::SigningKeyStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: HealthStore
        + RateLimitStore
        + AccountStore
        + OrganizationStore
        + MemberStore
        + MemberAdminStore
        + OwnershipStore
        + WorkspaceStore
        + AssistantStore
        + LeadStore
        + InvitationStore
        + JobStore
        + crate::billing::BillingStore
        + crate::lifecycle::LifecycleStore
        + crate::webhook::WebhookStore
        + crate::live::LiveStore
        + crate::retention::RetentionStore
        + crate::member_page::MemberPageStore
        + crate::password_reset::PasswordResetStore
        + crate::identity_link::IdentityLinkStore
        + crate::verification::VerificationStore
        + crate::signing_key::SigningKeyStore
        + Send
        + Sync
        + 'static
{
}

/// Every capability trait, for calling the port's methods on a concrete
/// store: `use roster_domain::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        AccountStore, AssistantStore, HealthStore, InvitationStore, JobStore, LeadStore,
        MemberAdminStore, MemberStore, OrganizationStore, OwnershipStore, RateLimitStore, Store,
        WorkspaceStore,
    };
    pub use crate::billing::BillingStore;
    pub use crate::identity_link::IdentityLinkStore;
    pub use crate::lifecycle::LifecycleStore;
    pub use crate::live::LiveStore;
    pub use crate::member_page::MemberPageStore;
    pub use crate::password_reset::PasswordResetStore;
    pub use crate::retention::RetentionStore;
    pub use crate::signing_key::SigningKeyStore;
    pub use crate::verification::VerificationStore;
    pub use crate::webhook::WebhookStore;
}

/// The database itself, for `/readyz` and the metrics.
#[async_trait::async_trait]
pub trait HealthStore: Send + Sync {
    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;
    /// This process's connections to the database, for the metrics;
    /// `None` for a store without a pool.
    fn pool_usage(&self) -> Option<PoolUsage> {
        None
    }
}

/// Rate limits: a fixed window per key, shared by every gateway.
#[async_trait::async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one hit on `key` in the window starting at `window_start`
    /// (seconds since the epoch; an older window's count is replaced) and
    /// returns the hits in that window so far, this one included.
    async fn hit_rate_limit(&self, key: &RateKey, window_start: i64) -> Result<i64>;
    /// Takes back one hit on `key` in that window (an attempt that turned
    /// out not to count, such as a log-in with the right password).
    async fn refund_rate_limit(&self, key: &RateKey, window_start: i64) -> Result<()>;
    /// Deletes counters whose window started before `before`; how many.
    async fn purge_rate_limits(&self, before: i64) -> Result<u64>;
}

/// Accounts, sessions and passwords.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// `CONFLICT` when the email (compared case-insensitively) is taken.
    async fn create_user(&self, user: NewUser) -> Result<User>;
    /// What logging in as `email` at `now` checks the password against.
    async fn credentials_by_email(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<Option<Credentials>>;
    async fn credentials_by_id(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Credentials>>;
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>>;
    async fn create_session(&self, session: NewSession) -> Result<()>;
    /// Spends `presented` and stores `next` in its place, or reports reuse
    /// (and revokes the session) or an unknown token. With `within`, the
    /// user's membership there is read in the same transaction and
    /// `OrgClaims::for_membership` decides the token's organization claims;
    /// when it refuses, nothing is spent.
    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        next: &TokenHash,
        now: DateTime<Utc>,
        within: Option<OrgId>,
    ) -> Result<Rotation>;
    /// The user of a session that is neither ended nor expired.
    async fn session_user(&self, session: SessionId, now: DateTime<Utc>) -> Result<Option<User>>;
    async fn end_session(&self, session: SessionId, now: DateTime<Utc>) -> Result<()>;
    /// Sets the password, clears `mustChangePassword`, ends every session of
    /// the user and opens `session` in their place. When the password
    /// replaced was a one-time password (`proof`), its invitation, and no
    /// other, is accepted, and the address counts as proved.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        session: NewSession,
        proof: PasswordProof,
    ) -> Result<User>;
}
