//! The SQLite backend: the embedded default. Writers are serialized by
//! `begin immediate`, which is also what keeps seat counts exact: every
//! lock of `Backend` is already held, so they are no-ops here.

use apalis_core::task::Task;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, SqlitePool};
use uuid::Uuid;

use roster_domain::{DomainError, JobId, LeadId, OrgId, UserId};

use crate::backend::{Backend, Tx};

pub(crate) type Db = sqlx::Sqlite;

/// The store on SQLite.
pub type SqliteStore = crate::SqlStore<Db>;

#[path = "shared/mod.rs"]
mod shared;

mod live;

pub(crate) use live::run_feed;
pub(crate) use shared::email_keys::refold_email_keys;

impl Backend for Db {
    const WEBHOOK_EVENT_LISTED: &'static str =
        "exists (select 1 from json_each(e.events) where json_each.value = $2)";
    const FINISHED_TASKS: &'static str = "delete from Jobs where id in (select id from Jobs \
         where (status in ('Done', 'Killed') or (status = 'Failed' and attempts >= max_attempts)) \
         and done_at < $1 limit $2)";
    const GONE_WORKERS: &'static str = "delete from Workers where id in (select w.id from Workers w \
         where w.last_seen < $1 and not exists (select 1 from Jobs j where j.lock_by = w.id) limit $2)";
    const LIVE_EVENTS: Option<&'static str> = Some(
        "delete from live_event where seq in (select l.seq from live_event l \
         left join audit_event a on a.id = l.audit_event_id \
         where a.id is null or a.at < $1 order by l.seq limit $2)",
    );

    /// `SEARCHED_MEMBERS` holds only the members `found` holds.
    fn push_member_prefilter(_q: &mut QueryBuilder<Db>, _org: OrgId, _needle: &str) {}

    /// The members `found` holds, in that order: SQLite keeps a `cross
    /// join`'s order, where its planner, not knowing how many rows `found`
    /// has, may walk every member of the organization instead (measured:
    /// 45 ms for 42 matches among 221,000).
    const SEARCHED_MEMBERS: &'static str = " from found f cross join membership m on m.rowid = f.r";

    /// `found(r)`: the membership rowids of the organization's rows of the
    /// FTS5 trigram index (migration 0025: one rowid range per
    /// organization) that hold `needle` as a phrase: its trigrams in a
    /// row, that is, the substring (ignoring case; the `like` conditions
    /// then apply the list's own case rule). Found once for the page and
    /// its total.
    fn push_member_search_with(q: &mut QueryBuilder<Db>, org: OrgId, needle: &str) {
        let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
        q.push(
            "with found(r) as materialized (select rowid & 4294967295 from member_search \
             where member_search match ",
        )
        .push_bind(phrase)
        .push(" and rowid between (select rowid << 32 from organization where id = ")
        .push_bind(org.0)
        .push(") and (select (rowid << 32) | 4294967295 from organization where id = ")
        .push_bind(org.0)
        .push(")) ");
    }

    async fn begin_write(pool: &SqlitePool) -> sqlx::Result<Tx<Db>> {
        pool.begin_with("begin immediate").await
    }

    async fn lock_organization(_tx: &mut Tx<Db>, _org: OrgId) -> sqlx::Result<()> {
        Ok(())
    }

    async fn try_lock_organization(_tx: &mut Tx<Db>, _org: OrgId) -> sqlx::Result<bool> {
        Ok(true)
    }

    /// `begin immediate` already keeps a removal out until commit.
    async fn lock_active_member(tx: &mut Tx<Db>, org: OrgId, user: UserId) -> sqlx::Result<bool> {
        sqlx::query(
            "select 1 from membership where organization_id = $1 and user_id = $2 \
             and status = 'ACTIVE'",
        )
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await
        .map(|row| row.is_some())
    }

    async fn lock_user(_tx: &mut Tx<Db>, _user: UserId) -> sqlx::Result<()> {
        Ok(())
    }

    async fn lock_lead(_tx: &mut Tx<Db>, _lead: LeadId) -> sqlx::Result<()> {
        Ok(())
    }

    /// A second delivery of the task simply runs after this batch.
    async fn lock_job(_tx: &mut Tx<Db>, _job: JobId) -> sqlx::Result<bool> {
        Ok(true)
    }

    /// A batch runs wholly before or after the deletion that calls this.
    async fn lock_unfinished_jobs(_tx: &mut Tx<Db>, _org: OrgId) -> sqlx::Result<()> {
        Ok(())
    }

    /// By `rowid`: the batch is picked from `lead_owner_idx` alone (which
    /// holds the rowid) and each row reached directly, not through the
    /// primary key's separate index.
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

    async fn announce(tx: &mut Tx<Db>, id: Uuid) -> sqlx::Result<()> {
        live::announce(tx, id).await
    }

    async fn push_task(
        tx: &mut Tx<Db>,
        queue: &str,
        task: Task<Vec<u8>>,
    ) -> Result<(), DomainError> {
        apalis_sqlite::queries::push_tasks(&mut **tx, queue, &[task])
            .await
            .map_err(DomainError::internal)
    }
}
