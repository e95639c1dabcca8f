//! `Subscription.membershipEvents`: the organization's committed audit
//! events (rules.md §9), heard as the member list is seen. The guard lets
//! in whoever may view the member list; each event is then filtered by the
//! viewer's `MemberScope` (`live::hearing`), and an event about the viewer
//! or the organization's deletion makes the stream look the viewer's access
//! up again: a viewer who was blocked, removed, or whose organization was
//! deleted gets one error and the stream completes.

use std::sync::Arc;

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::Stream;
use tokio::sync::broadcast::{self, error::RecvError};

use roster_domain::live::{self, Hearing, LiveItem, RESYNC_ACTION};
use roster_domain::model::{AuditEvent, MemberScope};
use roster_domain::permission::{self, Action};
use roster_domain::{DomainError, MemberStatus, OrgId, SessionId, UserId};

use super::context::{Services, membership, services, viewer};
use super::guards::OrgGuard;
use crate::error::ApiError;

/// A change of membership, role, status, invitation, ownership or plan.
#[derive(SimpleObject)]
#[graphql(name = "MembershipEvent")]
pub struct MembershipEventNode {
    /// The audit event's id (UUID v7, in commit order); a `resync` event
    /// has an id of its own.
    id: ID,
    organization_id: ID,
    /// The audit log's action, e.g. `member.blocked`, `invitation.created`;
    /// `resync` when this gateway may have missed events: reload.
    action: String,
    /// The user the change is about, when it is about a user.
    user_id: Option<ID>,
    at: DateTime<Utc>,
    /// Who made the change; null for what the system did by itself.
    actor_id: Option<ID>,
}

impl MembershipEventNode {
    fn from_event(e: &AuditEvent) -> Self {
        Self {
            id: ID(e.id.to_string()),
            organization_id: ID(e.org_id.to_string()),
            action: e.action.clone(),
            user_id: e.target_user_id.map(|u| ID(u.to_string())),
            at: e.at,
            actor_id: e.actor_id.map(|u| ID(u.to_string())),
        }
    }

    fn resync(org: OrgId, at: DateTime<Utc>) -> Self {
        Self {
            id: ID(uuid::Uuid::now_v7().to_string()),
            organization_id: ID(org.to_string()),
            action: RESYNC_ACTION.to_owned(),
            user_id: None,
            at,
            actor_id: None,
        }
    }
}

/// What a live connection offers its subscriptions: a way to close the
/// whole socket with a code (a subscriber that fell behind).
#[derive(Clone)]
pub(crate) struct LiveConnection {
    pub close: tokio::sync::mpsc::UnboundedSender<(u16, String)>,
}

/// Close code and reason for a subscriber that fell behind the feed.
const TOO_SLOW: (u16, &str) = (4008, "subscriber too slow: events were dropped");

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The organization's membership events from now on, in commit order:
    /// every event for ADMIN, BILLING_ADMIN and USER_ADMIN; for a MEMBER
    /// those about itself and the users of the assistants it manages.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ViewMembers)")]
    async fn membership_events(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<impl Stream<Item = async_graphql::Result<MembershipEventNode>> + use<>, ApiError>
    {
        let org: OrgId = organization_id.parse()?;
        let me = membership(ctx, org).await?;
        let watch = Watch {
            services: services(ctx).clone(),
            org,
            user: me.user_id,
            session: viewer(ctx).await?.session_if_any()?,
            scope: MemberScope::for_viewer(&me),
            feed: services(ctx).live.subscribe(),
            connection: ctx.data_opt::<LiveConnection>().cloned(),
            done: false,
        };
        Ok(futures::stream::unfold(watch, |mut w| async move {
            let item = w.next().await?;
            Some((item, w))
        }))
    }
}

/// One subscription's state.
struct Watch {
    services: Arc<Services>,
    org: OrgId,
    user: UserId,
    /// `None` for a trusted issuer's token: its expiry ends the
    /// connection (docs/api/own-log-in.md).
    session: Option<SessionId>,
    scope: MemberScope,
    feed: broadcast::Receiver<LiveItem>,
    connection: Option<LiveConnection>,
    done: bool,
}

impl Watch {
    /// The next event the viewer hears; an error once when it lost access;
    /// `None` when the stream ends.
    async fn next(&mut self) -> Option<async_graphql::Result<MembershipEventNode>> {
        if self.done {
            return None;
        }
        loop {
            let event = match self.feed.recv().await {
                Ok(LiveItem::Event(event)) => event,
                Ok(LiveItem::Resync) => {
                    let now = self.services.clock.now();
                    return Some(Ok(MembershipEventNode::resync(self.org, now)));
                }
                Err(RecvError::Lagged(_)) => {
                    let Some(c) = &self.connection else {
                        return None;
                    };
                    let _ = c.close.send((TOO_SLOW.0, TOO_SLOW.1.to_owned()));
                    // The connection closes; completing first would tell
                    // the client the stream ended normally.
                    return std::future::pending().await;
                }
                Err(RecvError::Closed) => return None,
            };
            if event.org_id != self.org {
                continue;
            }
            if live::may_change_access(&event, self.user)
                && let Err(e) = self.reload().await
            {
                self.done = true;
                return Some(Err(ApiError(e).into()));
            }
            let heard = match live::hearing(self.scope, &event) {
                Hearing::Yes => true,
                Hearing::No => false,
                Hearing::IfListed(user) => {
                    match self
                        .services
                        .store
                        .member_listed(self.org, self.scope, user)
                        .await
                    {
                        Ok(listed) => listed,
                        Err(e) => {
                            self.done = true;
                            return Some(Err(ApiError(e).into()));
                        }
                    }
                }
            };
            if heard {
                return Some(Ok(MembershipEventNode::from_event(&event)));
            }
        }
    }

    /// Looks the viewer's access up again, as the guard did at the start:
    /// an open session, an ACTIVE membership whose role may view members.
    async fn reload(&mut self) -> Result<(), DomainError> {
        let s = &self.services;
        let now = s.clock.now();
        if let Some(session) = self.session {
            match s.store.session_user(session, now).await? {
                Some(user) if user.id == self.user => {}
                _ => return Err(DomainError::Unauthenticated),
            }
        }
        let me = s
            .store
            .memberships_in(self.user, &[self.org])
            .await?
            .into_iter()
            .next()
            .ok_or(DomainError::NotFound)?;
        match me.status {
            MemberStatus::Active => {}
            MemberStatus::Blocked => return Err(DomainError::Forbidden),
            MemberStatus::Invited => return Err(DomainError::NotFound),
        }
        permission::require(me.role, Action::ViewMembers)?;
        self.scope = MemberScope::for_viewer(&me);
        Ok(())
    }
}
