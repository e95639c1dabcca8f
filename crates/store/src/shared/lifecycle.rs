//! An organization's life (rules.md §8), one file per use case under
//! `lifecycle/`: the soft delete, the restore, the purge, and the reads
//! that see deleted organizations. This file is the port and what the use
//! cases share.
//!
//! Deleting sets `organization.deleted_at` and revokes the PENDING
//! invitations; nothing else of the organization changes, so a restore
//! brings back its members, workspaces, assistants and leads exactly as
//! they were. Everywhere else a deleted organization has no members
//! (`members::membership_in` and the viewer's reads leave it out).

use chrono::{DateTime, Utc};

use crate::error::{PortResult, Result};
use roster_domain::lifecycle::{DeletedOrganization, LifecycleStore, RestoreStanding};
use roster_domain::model::{Membership, Organization};
use roster_domain::{OrgId, UserId};

use super::rows::{MEMBER_COLUMNS, MemberRow, composed};
use super::{BackendStore, Db};

mod delete;
mod purge;
mod read;
mod restore;

#[derive(sqlx::FromRow)]
struct StandingRow {
    #[sqlx(flatten)]
    member: MemberRow,
    deleted_at: Option<DateTime<Utc>>,
}

/// `user`'s membership in `org` and when `org` was deleted, deleted or
/// not: the one read that sees a deleted organization's members, for its
/// restore only.
async fn standing_in<'c, E>(
    executor: E,
    user: UserId,
    org: OrgId,
) -> Result<Option<RestoreStanding>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row: Option<StandingRow> = sqlx::query_as(composed(format!(
        "select {MEMBER_COLUMNS}, o.deleted_at from membership m \
         join organization o on o.id = m.organization_id \
         where m.organization_id = $1 and m.user_id = $2"
    )))
    .bind(org.0)
    .bind(user.0)
    .fetch_optional(executor)
    .await?;
    row.map(|r| {
        Ok(RestoreStanding {
            membership: Membership::try_from(r.member)?,
            deleted_at: r.deleted_at,
        })
    })
    .transpose()
}

/// When `org` was deleted: `None` when it is gone, `Some(None)` when it
/// is not deleted.
async fn deletion_of<'c, E>(executor: E, org: OrgId) -> Result<Option<Option<DateTime<Utc>>>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row: Option<(Option<DateTime<Utc>>,)> =
        sqlx::query_as("select deleted_at from organization where id = $1")
            .bind(org.0)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(|(at,)| at))
}

/// Whether `org` is there and not deleted, read inside a transaction that
/// already holds what a deletion must wait for: a reassignment batch reads
/// it after its job's lock (a deletion locks the unfinished jobs, so a batch
/// either commits before it or sees it), the billing roll-over after the
/// organization's lock. A deleted organization's leads never move and its
/// periods are not rolled (rules.md §8) until it is restored.
pub(super) async fn organization_is_live(
    tx: &mut sqlx::Transaction<'static, Db>,
    org: OrgId,
) -> Result<bool> {
    let live: Option<(bool,)> =
        sqlx::query_as("select deleted_at is null from organization where id = $1")
            .bind(org.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(live.is_some_and(|(live,)| live))
}

#[async_trait::async_trait]
impl LifecycleStore for BackendStore {
    async fn delete_organization(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.soft_delete(org, actor, now).await?)
    }
    async fn membership_for_restore(
        &self,
        user: UserId,
        org: OrgId,
    ) -> PortResult<Option<RestoreStanding>> {
        Ok(standing_in(&self.pool, user, org).await?)
    }
    async fn restore_organization(
        &self,
        org: OrgId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.undelete(org, user, now).await?)
    }
    async fn deleted_organizations(
        &self,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Vec<DeletedOrganization>> {
        Ok(self.select_deleted_organizations(owner, now).await?)
    }
    async fn purge_deleted_organizations(&self, now: DateTime<Utc>) -> PortResult<Vec<OrgId>> {
        Ok(self.purge_expired(now).await?)
    }
}
