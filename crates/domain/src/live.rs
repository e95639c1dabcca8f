//! Live membership events (rules.md §9): every audit event is also a
//! membership event, published to GraphQL subscribers once its transaction
//! has committed. Who hears which event is the member list's rule
//! (`MemberScope`); this module says what the transport needs to know
//! about an event, without any transport.

use std::sync::Arc;

use crate::error::Result;
use crate::model::{AuditEvent, MemberScope};
use crate::{OrgId, UserId};

/// What subscriptions ask the store besides the member list's own lookups.
#[async_trait::async_trait]
pub trait LiveStore: Send + Sync {
    /// Whether `user` is in `org`'s member list as `scope` sees it: the
    /// member list's own condition, for one user.
    async fn member_listed(&self, org: OrgId, scope: MemberScope, user: UserId) -> Result<bool>;
}

/// What a gateway's feed hands its subscribers, in commit order.
#[derive(Clone, Debug)]
pub enum LiveItem {
    /// A committed audit event.
    Event(Arc<AuditEvent>),
    /// The feed may have missed events (its database listener reconnected):
    /// subscribers should reload what they show.
    Resync,
}

/// The action of the event a subscriber receives when the feed lost events.
pub const RESYNC_ACTION: &str = "resync";

/// Whether a viewer with `scope` hears `event`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hearing {
    Yes,
    No,
    /// Only if `UserId` is in the viewer's member list (the users of the
    /// assistants it manages): the store knows.
    IfListed(UserId),
}

/// The member list's rule applied to an event: a scope that lists every
/// member hears every event of the organization; a MEMBER hears the events
/// about itself and about the members it may list, and nothing about the
/// organization as a whole (plan, settings, other people's invitations).
pub fn hearing(scope: MemberScope, event: &AuditEvent) -> Hearing {
    match (scope, event.target_user_id) {
        (MemberScope::All, _) => Hearing::Yes,
        (MemberScope::VisibleTo(me), Some(target)) if target == me => Hearing::Yes,
        (MemberScope::VisibleTo(_), Some(target)) => Hearing::IfListed(target),
        (MemberScope::VisibleTo(_), None) => Hearing::No,
    }
}

/// The audit action of an organization's deletion: every member loses
/// access at once.
pub const ORGANIZATION_DELETED: &str = crate::audit::AuditAction::OrganizationDeleted.as_str();

/// Whether `event` may have changed what `viewer` may see of its
/// organization: an event about the viewer (its role or status changed, it
/// was removed) or the organization's deletion. The subscriber then looks
/// its access up again; other events cost it nothing.
pub fn may_change_access(event: &AuditEvent, viewer: UserId) -> bool {
    event.target_user_id == Some(viewer) || event.action == ORGANIZATION_DELETED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(target: Option<UserId>) -> AuditEvent {
        action(target, "member.blocked")
    }

    fn action(target: Option<UserId>, action: &str) -> AuditEvent {
        AuditEvent {
            id: uuid::Uuid::now_v7(),
            org_id: OrgId(uuid::Uuid::now_v7()),
            actor_id: None,
            action: action.into(),
            target_user_id: target,
            target_email: None,
            detail: "{}".into(),
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_member_hears_itself_and_asks_about_others() {
        let me = UserId(uuid::Uuid::now_v7());
        let other = UserId(uuid::Uuid::now_v7());
        let scope = MemberScope::VisibleTo(me);
        assert_eq!(hearing(scope, &event(Some(me))), Hearing::Yes);
        assert_eq!(
            hearing(scope, &event(Some(other))),
            Hearing::IfListed(other)
        );
        assert_eq!(hearing(scope, &event(None)), Hearing::No);
        assert_eq!(hearing(MemberScope::All, &event(None)), Hearing::Yes);
    }

    #[test]
    fn events_about_the_viewer_or_the_deletion_recheck_access() {
        let me = UserId(uuid::Uuid::now_v7());
        assert!(may_change_access(&event(Some(me)), me));
        assert!(may_change_access(&action(None, ORGANIZATION_DELETED), me));
        assert!(!may_change_access(&action(None, "plan.changed"), me));
        assert!(!may_change_access(
            &event(Some(UserId(uuid::Uuid::now_v7()))),
            me
        ));
    }
}
