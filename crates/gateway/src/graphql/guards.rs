//! Guards: the only place that asks the permission table whether the
//! caller may attempt an operation. Resolvers never compare roles.

use async_graphql::{Context, Guard, ID};

use roster_domain::model::Membership;
use roster_domain::permission::{self, Action};
use roster_domain::{
    AssistantId, DomainError, InvitationId, JobId, LeadId, OrgId, UserId, WebhookEndpointId,
    WorkspaceId,
};
use roster_domain::{lifecycle, standing};

use super::context::{loader, membership, services, viewer};
use super::loaders::load_failed;
use crate::error::ApiError;

fn deny(e: DomainError) -> async_graphql::Error {
    ApiError(e).into()
}

/// Signed in, with no password change pending.
pub struct Authenticated;

impl Guard for Authenticated {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = viewer(ctx).await.map_err(deny)?;
        viewer.user().map(|_| ()).map_err(deny)
    }
}

/// Signed in, possibly with a password change pending (`me`, `logOut`,
/// `changePassword`).
pub struct SignedIn;

impl Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = viewer(ctx).await.map_err(deny)?;
        viewer
            .user_pending_password_change()
            .map(|_| ())
            .map_err(deny)
    }
}

/// What a field argument names, through which its organization is found.
#[derive(Clone, Copy)]
pub enum OrgOf {
    Org(OrgId),
    Workspace(WorkspaceId),
    Assistant(AssistantId),
    Invitation(InvitationId),
    Lead(LeadId),
    Job(JobId),
    WebhookEndpoint(WebhookEndpointId),
    /// A malformed id: no such object.
    Nothing,
}

impl OrgOf {
    pub fn org(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Org)
    }
    pub fn workspace(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Workspace)
    }
    pub fn assistant(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Assistant)
    }
    pub fn invitation(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Invitation)
    }
    pub fn lead(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Lead)
    }
    pub fn job(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::Job)
    }
    pub fn webhook_endpoint(id: &ID) -> Self {
        id.parse().map_or(Self::Nothing, Self::WebhookEndpoint)
    }

    /// The organization, or `NOT_FOUND` for what does not exist.
    pub async fn resolve(self, ctx: &Context<'_>) -> Result<OrgId, DomainError> {
        let loader = loader(ctx);
        let org = match self {
            Self::Org(org) => Some(org),
            Self::Workspace(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|w| w.org_id),
            Self::Assistant(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|a| a.org_id),
            Self::Invitation(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|i| i.org_id),
            Self::Lead(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|l| l.org_id),
            Self::Job(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|j| j.org_id),
            Self::WebhookEndpoint(id) => loader
                .load_one(id)
                .await
                .map_err(load_failed)?
                .map(|e| e.org_id),
            Self::Nothing => None,
        };
        org.ok_or(DomainError::NotFound)
    }
}

/// An operation on what a field argument names: the caller is an ACTIVE
/// member of its organization whose role the table grants `action`, or
/// the owner for the owner's own powers, or (with neither) any member.
/// Another organization's object is `NOT_FOUND`, like one that does not
/// exist.
pub struct OrgGuard {
    target: OrgOf,
    need: Need,
}

/// What an `OrgGuard` asks of the caller's membership.
#[derive(Clone, Copy)]
enum Need {
    Member,
    Table(Action),
    /// `permission::require_owner`: the owner is a flag on one ADMIN, not a
    /// role, so not a cell of the table.
    Owner,
    /// `lifecycle::require_restorer`: the owner, of an organization that
    /// may be deleted (which no other guard sees), within the window.
    Restorer,
}

impl OrgGuard {
    pub fn new(org: &ID, action: Action) -> Self {
        Self::on(OrgOf::org(org), action)
    }

    pub fn on(target: OrgOf, action: Action) -> Self {
        Self {
            target,
            need: Need::Table(action),
        }
    }

    pub fn member_of(org: &ID) -> Self {
        Self {
            target: OrgOf::org(org),
            need: Need::Member,
        }
    }

    /// An owner-only operation: any member but the owner is `FORBIDDEN`.
    pub fn owner_of(org: &ID) -> Self {
        Self {
            target: OrgOf::org(org),
            need: Need::Owner,
        }
    }

    /// Restoring an organization, deleted or not: its owner within the
    /// restore window; any other member `FORBIDDEN`, anyone else (or after
    /// the window) `NOT_FOUND`.
    pub fn restorer_of(org: &ID) -> Self {
        Self {
            target: OrgOf::org(org),
            need: Need::Restorer,
        }
    }
}

impl Guard for OrgGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        self.check_viewer(ctx).await.map_err(deny)
    }
}

impl OrgGuard {
    async fn check_viewer(&self, ctx: &Context<'_>) -> Result<(), DomainError> {
        // An organization named outright is looked up with the viewer's
        // session, in one statement (`membership`); anything else only for
        // a signed-in viewer.
        let org = match self.target {
            OrgOf::Org(org) => org,
            target => {
                viewer(ctx).await?.user()?;
                target.resolve(ctx).await?
            }
        };
        match self.need {
            Need::Member => membership(ctx, org).await.map(|_| ()),
            Need::Table(action) => membership(ctx, org)
                .await
                .and_then(|m| permission::require(m.role, action).map(|_| ())),
            Need::Owner => membership(ctx, org)
                .await
                .and_then(|m| permission::require_owner(&m)),
            Need::Restorer => {
                let me = viewer(ctx).await?.user()?.id;
                restorer(ctx, me, org).await
            }
        }
    }
}

/// The restore's rule, on the one lookup that sees a deleted
/// organization's members (the viewer's memberships leave it out).
async fn restorer(ctx: &Context<'_>, user: UserId, org: OrgId) -> Result<(), DomainError> {
    let s = services(ctx);
    let standing = s
        .store
        .membership_for_restore(user, org)
        .await?
        .ok_or(DomainError::NotFound)?;
    lifecycle::require_restorer(&standing, s.clock.now())
}

/// A field of an organization already resolved for the viewer: the viewer
/// must see inside it (`standing`: ACTIVE; a membership read through `me`
/// may be BLOCKED or INVITED), and the table must grant its role `action`.
pub struct Can<'a> {
    viewer: &'a Membership,
    action: Action,
}

impl<'a> Can<'a> {
    pub fn new(viewer: &'a Membership, action: Action) -> Self {
        Self { viewer, action }
    }
}

impl Guard for Can<'_> {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        viewer(ctx)
            .await
            .and_then(|v| v.user().map(drop))
            .map_err(deny)?;
        standing::require_inside(self.viewer).map_err(deny)?;
        permission::require(self.viewer.role, self.action)
            .map(|_| ())
            .map_err(deny)
    }
}

/// A field only its own user may read (`User.memberships`).
pub struct IsViewer(pub UserId);

impl Guard for IsViewer {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let me = viewer(ctx)
            .await
            .and_then(|v| v.user_pending_password_change().map(|u| u.id))
            .map_err(deny)?;
        if me == self.0 {
            Ok(())
        } else {
            Err(deny(DomainError::Forbidden))
        }
    }
}
