//! The PostgreSQL backend: production, many gateways and workers on one
//! database. Seat-changing transactions lock their organization's row;
//! the other locks of `Backend` are row locks too.

use apalis_core::task::Task;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

use roster_domain::{DomainError, JobId, LeadId, OrgId, UserId};

use crate::backend::{Backend, Tx, contains_pattern};

pub(crate) type Db = sqlx::Postgres;

/// The store on PostgreSQL.
pub type PostgresStore = crate::SqlStore<Db>;

#[path = "shared/mod.rs"]
mod shared;

mod live;

pub(crate) use live::run_feed;
pub(crate) use shared::email_keys::refold_email_keys;

impl Backend for Db {
    const WEBHOOK_EVENT_LISTED: &'static str =
        "$2 in (select jsonb_array_elements_text(e.events::jsonb))";
    const FINISHED_TASKS: &'static str = "delete from apalis.jobs where id in (select id from apalis.jobs \
         where (status in ('Done', 'Killed') or (status = 'Failed' and attempts >= max_attempts)) \
         and done_at < to_timestamp($1) limit $2)";
    const GONE_WORKERS: &'static str = "delete from apalis.workers where id in (select w.id from apalis.workers w \
         where w.last_seen < to_timestamp($1) \
         and not exists (select 1 from apalis.jobs j where j.lock_by = w.id) limit $2)";
    /// PostgreSQL's live events are notifications: no table to purge.
    const LIVE_EVENTS: Option<&'static str> = None;

    /// The membership's copy of its account's searchable text, in its
    /// trigram index (migration 0025).
    fn push_member_prefilter(q: &mut QueryBuilder<Db>, _org: OrgId, needle: &str) {
        q.push("m.search like ")
            .push_bind(contains_pattern(needle))
            .push(" escape '\\' and ");
    }

    fn push_member_search_with(_q: &mut QueryBuilder<Db>, _org: OrgId, _needle: &str) {}

    const SEARCHED_MEMBERS: &'static str = " from membership m";

    async fn begin_write(pool: &PgPool) -> sqlx::Result<Tx<Db>> {
        pool.begin().await
    }

    async fn lock_organization(tx: &mut Tx<Db>, org: OrgId) -> sqlx::Result<()> {
        sqlx::query("select 1 from organization where id = $1 for update")
            .bind(org.0)
            .execute(&mut **tx)
            .await
            .map(|_| ())
    }

    async fn try_lock_organization(tx: &mut Tx<Db>, org: OrgId) -> sqlx::Result<bool> {
        sqlx::query("select 1 from organization where id = $1 for update skip locked")
            .bind(org.0)
            .fetch_optional(&mut **tx)
            .await
            .map(|row| row.is_some())
    }

    /// A share lock on the membership row, which a removal deletes.
    async fn lock_active_member(tx: &mut Tx<Db>, org: OrgId, user: UserId) -> sqlx::Result<bool> {
        sqlx::query(
            "select 1 from membership where organization_id = $1 and user_id = $2 \
             and status = 'ACTIVE' for share",
        )
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await
        .map(|row| row.is_some())
    }

    async fn lock_user(tx: &mut Tx<Db>, user: UserId) -> sqlx::Result<()> {
        sqlx::query("select 1 from app_user where id = $1 for update")
            .bind(user.0)
            .execute(&mut **tx)
            .await
            .map(|_| ())
    }

    async fn lock_lead(tx: &mut Tx<Db>, lead: LeadId) -> sqlx::Result<()> {
        sqlx::query("select 1 from lead where id = $1 for update")
            .bind(lead.0)
            .execute(&mut **tx)
            .await
            .map(|_| ())
    }

    /// `skip locked`: a second delivery of the same task steps aside
    /// instead of queueing behind this batch.
    async fn lock_job(tx: &mut Tx<Db>, job: JobId) -> sqlx::Result<bool> {
        sqlx::query("select 1 from job where id = $1 for update skip locked")
            .bind(job.0)
            .fetch_optional(&mut **tx)
            .await
            .map(|row| row.is_some())
    }

    /// A later batch finds the job locked (`skip locked`: it tries again)
    /// or, once this commits, the organization deleted.
    async fn lock_unfinished_jobs(tx: &mut Tx<Db>, org: OrgId) -> sqlx::Result<()> {
        sqlx::query(
            "select 1 from job where organization_id = $1 and state in ('PENDING', 'RUNNING') \
             for update",
        )
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map(|_| ())
    }

    /// The batch's leads are picked and locked in one keyset scan of
    /// `lead_owner_idx`, then updated by id; a lead changed meanwhile by
    /// another transaction is re-checked after its lock (and left out when
    /// it no longer belongs to `from`).
    async fn move_leads(
        tx: &mut Tx<Db>,
        org: OrgId,
        from: UserId,
        to: Option<UserId>,
        after: Uuid,
        limit: i64,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Vec<Uuid>> {
        sqlx::query_scalar(
            "with picked as (select id from lead where organization_id = $3 and owner_id = $4 \
             and id > $5 order by id limit $6 for update) \
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

    async fn announce(tx: &mut Tx<Db>, id: Uuid) -> sqlx::Result<()> {
        live::announce(tx, id).await
    }

    async fn push_task(
        tx: &mut Tx<Db>,
        queue: &str,
        task: Task<Vec<u8>>,
    ) -> Result<(), DomainError> {
        apalis_postgres::queries::push_tasks(&mut **tx, queue, vec![task])
            .await
            .map_err(DomainError::internal)
    }
}
