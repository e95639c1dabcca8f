//! What resolvers reach through the context: the services (per schema),
//! the viewer and the loaders (per request), and the viewer's membership in
//! an organization, resolved once per request.

use std::sync::Arc;

use async_graphql::Context;

use roster_domain::model::{Membership, Organization};
use roster_domain::{Clock, DomainError, MemberStatus, OrgId, Store};

use super::batch::BatchLoader;
use super::loaders::StoreLoader;
use crate::auth::viewer::Viewer;
use crate::config::GatewayConfig;
use crate::{AccessTokens, Passwords};

/// Shared by every request.
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub tokens: AccessTokens,
    pub passwords: Passwords,
    pub config: GatewayConfig,
    /// Committed audit events, for subscriptions (rules.md §9).
    pub live: tokio::sync::broadcast::Sender<roster_domain::live::LiveItem>,
}

pub type Loader = BatchLoader<StoreLoader>;

/// The data one request adds to the schema's: who calls, and a fresh
/// loader (its cache lives as long as the request), which the request's
/// execution must run under (`Loader::drive`).
pub(crate) fn request_data(services: &Arc<Services>, viewer: Viewer) -> (Viewer, Loader) {
    let loader = StoreLoader {
        store: services.store.clone(),
        clock: services.clock.clone(),
        viewer: match &viewer {
            Viewer::Authenticated { user, .. } => Some(user.id),
            _ => None,
        },
        viewer_in: Default::default(),
    };
    (viewer, BatchLoader::new(loader))
}

pub fn services<'a>(ctx: &Context<'a>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}

pub fn loader<'a>(ctx: &Context<'a>) -> &'a Loader {
    ctx.data_unchecked::<Loader>()
}

/// The viewer's ACTIVE membership in `org`. Not a member (or only invited):
/// `NOT_FOUND`, so another organization's ids reveal nothing. BLOCKED:
/// `FORBIDDEN`, at once, whatever token it holds.
pub async fn membership(ctx: &Context<'_>, org: OrgId) -> Result<Membership, DomainError> {
    membership_and_org(ctx, org).await.map(|(m, _)| m)
}

/// [`membership`], with its organization (read in the same statement).
pub async fn membership_and_org(
    ctx: &Context<'_>,
    org: OrgId,
) -> Result<(Membership, Organization), DomainError> {
    viewer(ctx).user()?;
    let (m, org) = loader(ctx)
        .loader()
        .viewer_in(org)
        .await?
        .ok_or(DomainError::NotFound)?;
    match m.status {
        MemberStatus::Active => Ok((m, org)),
        MemberStatus::Blocked => Err(DomainError::Forbidden),
        MemberStatus::Invited => Err(DomainError::NotFound),
    }
}

/// Ids given by a client; a malformed one is `NOT_FOUND` (no such object).
pub fn parse_ids<T: std::str::FromStr<Err = DomainError>>(
    ids: &[async_graphql::ID],
) -> Result<Vec<T>, DomainError> {
    ids.iter().map(|id| id.parse()).collect()
}
