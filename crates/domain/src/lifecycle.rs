//! An organization's end (rules.md §8): a soft delete by an ADMIN, a
//! restore by the owner within [`RESTORE_WINDOW_DAYS`], and the purge of
//! what stayed deleted longer.
//!
//! A deleted organization is not there for anyone: every membership read
//! for authorization leaves it out, so its members get `NOT_FOUND` with
//! their next request. Only the owner's restore reads it, through a lookup
//! of its own ([`LifecycleStore::membership_for_restore`]).

use chrono::{DateTime, Duration, Utc};

use crate::error::Result;
use crate::model::{Membership, Organization};
use crate::{DomainError, OrgId, UserId, permission};

/// How long a deleted organization can be restored; after that the
/// worker purges it for good.
pub const RESTORE_WINDOW_DAYS: i64 = 30;

/// [`RESTORE_WINDOW_DAYS`] as a duration.
pub fn restore_window() -> Duration {
    Duration::days(RESTORE_WINDOW_DAYS)
}

/// When an organization deleted at `deleted_at` is purged: from then on it
/// can no longer be restored.
pub fn purge_after(deleted_at: DateTime<Utc>) -> DateTime<Utc> {
    deleted_at + restore_window()
}

/// Whether an organization deleted at `deleted_at` can still be restored
/// at `now`.
pub fn restorable(deleted_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < purge_after(deleted_at)
}

/// A deleted organization its owner may still restore.
#[derive(Clone, Debug, PartialEq)]
pub struct DeletedOrganization {
    pub id: OrgId,
    pub name: String,
    pub deleted_at: DateTime<Utc>,
    pub deleted_by: Option<UserId>,
}

impl DeletedOrganization {
    pub fn purge_after(&self) -> DateTime<Utc> {
        purge_after(self.deleted_at)
    }
}

/// The caller's membership in an organization, deleted or not, with when
/// it was deleted (`None`: it is not): what a restore decides on.
#[derive(Clone, Debug, PartialEq)]
pub struct RestoreStanding {
    pub membership: Membership,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Who may restore: the owner (`FORBIDDEN` for any other member), within
/// the window (after it the organization is gone: `NOT_FOUND`). Someone
/// only invited is not a member (`NOT_FOUND`), as everywhere.
pub fn require_restorer(standing: &RestoreStanding, now: DateTime<Utc>) -> Result<()> {
    if standing.deleted_at.is_some_and(|at| !restorable(at, now))
        || standing.membership.status == crate::MemberStatus::Invited
    {
        return Err(DomainError::NotFound);
    }
    permission::require_owner(&standing.membership)
}

/// A restore as the store applies it: the restorer's rule, then the
/// organization must be deleted (`CONFLICT` when it is not).
pub fn require_restorable(standing: &RestoreStanding, now: DateTime<Utc>) -> Result<()> {
    require_restorer(standing, now)?;
    if standing.deleted_at.is_none() {
        return Err(DomainError::Conflict(
            "the organization is not deleted".into(),
        ));
    }
    Ok(())
}

/// The store's operations on an organization's life; a supertrait of
/// [`crate::Store`].
#[async_trait::async_trait]
pub trait LifecycleStore: Send + Sync {
    /// Soft-deletes `org` in one transaction under its lock: `actor` (read
    /// again inside; gone or deleted meanwhile: `NOT_FOUND`) must still hold
    /// the table's "delete organization"; every PENDING invitation is
    /// revoked (and audited); `organization.deleted` is audited.
    async fn delete_organization(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// `user`'s membership in `org` whether or not `org` is deleted (and
    /// not yet purged): for restoring only, never for anything else.
    async fn membership_for_restore(
        &self,
        user: UserId,
        org: OrgId,
    ) -> Result<Option<RestoreStanding>>;
    /// Brings `org` back as it was, in one transaction under its lock:
    /// [`require_restorable`] for `user`, read again inside;
    /// `organization.restored` is audited and the organization's unfinished
    /// lead reassignments are enqueued again.
    async fn restore_organization(
        &self,
        org: OrgId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// The organizations `owner` owns that were deleted and can still be
    /// restored at `now`, most recently deleted first.
    async fn deleted_organizations(
        &self,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<DeletedOrganization>>;
    /// Deletes for good every organization deleted before `now` minus the
    /// window, one transaction each (its rows cascade); the ids purged by
    /// this call. Safe to run in several processes at once.
    async fn purge_deleted_organizations(&self, now: DateTime<Utc>) -> Result<Vec<OrgId>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemberId, MemberStatus, OrgRole};

    fn standing(
        is_owner: bool,
        deleted_days_ago: Option<i64>,
        now: DateTime<Utc>,
    ) -> RestoreStanding {
        RestoreStanding {
            membership: Membership {
                id: MemberId::new(),
                org_id: OrgId::new(),
                user_id: UserId::new(),
                role: OrgRole::Admin,
                status: MemberStatus::Active,
                is_owner,
                joined_at: None,
                last_active_at: None,
            },
            deleted_at: deleted_days_ago.map(|d| now - Duration::days(d)),
        }
    }

    #[test]
    fn the_owner_restores_within_the_window_only() {
        let now = Utc::now();
        assert!(require_restorable(&standing(true, Some(29), now), now).is_ok());
        assert!(matches!(
            require_restorable(&standing(true, Some(30), now), now),
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            require_restorable(&standing(false, Some(1), now), now),
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            require_restorable(&standing(true, None, now), now),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            require_restorable(&standing(false, None, now), now),
            Err(DomainError::Forbidden)
        ));
    }
}
