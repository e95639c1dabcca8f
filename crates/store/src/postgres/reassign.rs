//! PostgreSQL's half of a reassignment batch: the job row is locked with
//! `skip locked` (a second delivery of the same task steps aside instead
//! of queueing behind this batch), and the batch's leads are picked and
//! locked in one keyset scan of `lead_owner_idx`, then updated by id.

use chrono::{DateTime, Utc};
use sqlx::Transaction;
use uuid::Uuid;

use roster_domain::{JobId, OrgId, UserId};

use super::Db;

/// `false` when another transaction holds the job (another delivery of
/// the same task is running a batch).
pub(super) async fn lock_job(tx: &mut Transaction<'static, Db>, job: JobId) -> sqlx::Result<bool> {
    sqlx::query("select 1 from job where id = $1 for update skip locked")
        .bind(job.0)
        .fetch_optional(&mut **tx)
        .await
        .map(|row| row.is_some())
}

/// Gives up to `limit` leads of `from` in `org` whose id sorts after
/// `after` (in id order) to `to`; their ids. A lead changed meanwhile by
/// another transaction is re-checked after its lock (and left out when it
/// no longer belongs to `from`).
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
        "with picked as (select id from lead where organization_id = $3 and owner_id = $4 and id > $5 \
         order by id limit $6 for update) \
         update lead set owner_id = $1, updated_at = $2 from picked \
         where lead.id = picked.id and lead.owner_id = $4 returning lead.id",
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

/// Locks `org`'s unfinished jobs until commit (its deletion): a batch
/// running now commits first, and a later one finds the job locked
/// (`skip locked`: it tries again) or, once this commits, the
/// organization deleted.
pub(super) async fn lock_unfinished_jobs(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
) -> sqlx::Result<()> {
    sqlx::query("select 1 from job where organization_id = $1 and state in ('PENDING', 'RUNNING') for update")
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}
