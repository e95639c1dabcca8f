//! What resolvers reach through the context: the services (per schema),
//! the viewer and the loaders (per request), and the viewer's membership in
//! an organization, resolved once per request.

use std::sync::Arc;

use async_graphql::Context;

use roster_domain::model::{Membership, Organization};
use roster_domain::{Clock, DomainError, MemberStatus, OrgId, Store};

use super::loaders::StoreLoader;
use crate::auth::passwords::Passwords;
use crate::auth::tokens::AccessTokens;
use crate::auth::viewer::{LazyViewer, Viewer};
use crate::config::GatewayConfig;
use crate::resolve::batch::BatchLoader;

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
pub(crate) fn request_data(services: &Arc<Services>, viewer: LazyViewer) -> (LazyViewer, Loader) {
    let loader = StoreLoader {
        store: services.store.clone(),
        clock: services.clock.clone(),
        viewer: viewer.claimed_user(),
        viewer_in: Default::default(),
    };
    (viewer, BatchLoader::new(loader))
}

pub fn services<'a>(ctx: &Context<'a>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

/// Who calls; its session is checked here unless it has been already
/// (for this root field, in a mutation: `LazyViewer`).
pub async fn viewer(ctx: &Context<'_>) -> Result<Viewer, DomainError> {
    let s = services(ctx);
    let loader = loader(ctx).loader();
    ctx.data_unchecked::<LazyViewer>()
        .get_or_resolve(root_field(ctx), |subject, replacing| async move {
            if replacing {
                loader.forget_viewer_in().await;
            }
            s.store.session_user(subject.session, s.clock.now()).await
        })
        .await
}

/// The response key of the root field `ctx` is under (what a mutation's
/// viewer is checked again for).
fn root_field<'a>(ctx: &Context<'a>) -> Option<&'a str> {
    let mut node = ctx.path_node.as_ref()?;
    while let Some(parent) = node.parent {
        node = parent;
    }
    match node.segment {
        async_graphql::QueryPathSegment::Name(name) => Some(name),
        async_graphql::QueryPathSegment::Index(_) => None,
    }
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
    let s = services(ctx);
    let loader = loader(ctx).loader();
    // Unless it is known already, the viewer's session is checked in the
    // statement that reads its membership in `org`.
    ctx.data_unchecked::<LazyViewer>()
        .get_or_resolve(root_field(ctx), |subject, replacing| async move {
            if replacing {
                loader.forget_viewer_in().await;
            }
            let now = s.clock.now();
            let Some((user, found)) = s
                .store
                .session_membership(subject.session, subject.user, org, now)
                .await?
            else {
                return Ok(None);
            };
            if !user.must_change_password {
                loader.remember_viewer_in(org, found).await?;
            }
            Ok(Some(user))
        })
        .await?
        .user()?;
    let (m, org) = loader.viewer_in(org).await?.ok_or(DomainError::NotFound)?;
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
