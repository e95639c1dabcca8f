//! SQLite's half of a reassignment batch. `begin immediate` already holds
//! the database's one write lock, so the job row needs no lock of its own
//! and a second delivery of the task simply runs after this batch.

use chrono::{DateTime, Utc};
use sqlx::Transaction;
use uuid::Uuid;

use roster_domain::{JobId, OrgId, UserId};

use super::Db;

pub(super) async fn lock_job(
    _tx: &mut Transaction<'static, Db>,
    _job: JobId,
) -> sqlx::Result<bool> {
    Ok(true)
}

/// Gives up to `limit` leads of `from` in `org` whose id sorts after
/// `after` (in id order) to `to`; their ids. By `rowid`: the batch is
/// picked from `lead_owner_idx` alone (which holds the rowid) and each row
/// reached directly, not through the primary key's separate index.
pub(super) async fn move_leads(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    from: UserId,
    to: Option<UserId>,
    after: Uuid,
    limit: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "update lead set owner_id = $1, updated_at = $2 where rowid in (select rowid from lead \
         where organization_id = $3 and owner_id = $4 and id > $5 order by id limit $6) returning id",
    )
    .bind(to.map(|u| u.0))
    .bind(now)
    .bind(org.0)
    .bind(from.0)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// `begin immediate` already holds the database's one write lock: a batch
/// runs wholly before or after the deletion that calls this.
pub(super) async fn lock_unfinished_jobs(
    _tx: &mut Transaction<'static, Db>,
    _org: OrgId,
) -> sqlx::Result<()> {
    Ok(())
}
