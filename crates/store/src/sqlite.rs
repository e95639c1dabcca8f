//! The SQLite backend: the embedded default. Writers are serialized by
//! `begin immediate`, which is also what keeps seat counts exact.

use sqlx::{SqlitePool, Transaction};

use apalis_core::task::builder::TaskBuilder;
use roster_domain::{DomainError, OrgId};

use crate::JOB_MAX_ATTEMPTS;

pub(crate) type Db = sqlx::Sqlite;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

pub(crate) use live::run_feed;

type BackendStore = SqliteStore;

/// Takes the write lock up front, so that a transaction that reads and
/// then writes never fails halfway with `SQLITE_BUSY`.
async fn begin_write(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Db>> {
    pool.begin_with("begin immediate").await
}

/// `begin immediate` already holds the database's single write lock.
async fn lock_organization(_tx: &mut Transaction<'static, Db>, _org: OrgId) -> sqlx::Result<()> {
    Ok(())
}

/// `begin immediate` already holds the database's single write lock.
async fn try_lock_organization(
    _tx: &mut Transaction<'static, Db>,
    _org: OrgId,
) -> sqlx::Result<bool> {
    Ok(true)
}

/// Whether `user` is an ACTIVE member of `org`; `begin immediate` already
/// keeps a removal out until commit.
async fn lock_active_member(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: roster_domain::UserId,
) -> sqlx::Result<bool> {
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

/// `begin immediate` already holds the database's single write lock.
async fn lock_user(
    _tx: &mut Transaction<'static, Db>,
    _user: roster_domain::UserId,
) -> sqlx::Result<()> {
    Ok(())
}

/// `begin immediate` already holds the database's single write lock.
async fn lock_lead(
    _tx: &mut Transaction<'static, Db>,
    _lead: roster_domain::LeadId,
) -> sqlx::Result<()> {
    Ok(())
}

#[path = "shared/accounts.rs"]
mod accounts;
#[path = "shared/assistant_managers.rs"]
mod assistant_managers;
#[path = "shared/assistants.rs"]
mod assistants;
#[path = "shared/audit.rs"]
mod audit;
#[path = "shared/billing.rs"]
mod billing;
#[path = "shared/dashboard.rs"]
mod dashboard;
#[path = "shared/events.rs"]
mod events;
#[path = "shared/invitations.rs"]
mod invitations;
#[path = "shared/jobs.rs"]
mod jobs;
#[path = "shared/leads.rs"]
mod leads;
#[path = "shared/lifecycle.rs"]
mod lifecycle;
#[path = "sqlite/live.rs"]
mod live;
#[path = "shared/member_admin.rs"]
mod member_admin;
#[path = "shared/member_page.rs"]
mod member_page;
#[path = "shared/members.rs"]
mod members;
#[path = "shared/notices.rs"]
mod notices;
#[path = "shared/organizations.rs"]
mod organizations;
#[path = "shared/ownership.rs"]
mod ownership;
#[path = "shared/port.rs"]
mod port;
#[path = "shared/rate_limits.rs"]
mod rate_limits;
#[path = "sqlite/reassign.rs"]
mod reassign;
#[path = "shared/removal.rs"]
mod removal;
#[path = "shared/retention.rs"]
mod retention;
#[path = "shared/webhooks.rs"]
mod webhooks;
#[path = "shared/workspaces.rs"]
mod workspaces;

/// Whether endpoint `e`'s JSON array `events` holds action `$2`.
const WEBHOOK_EVENT_LISTED: &str =
    "exists (select 1 from json_each(e.events) where json_each.value = $2)";
/// Queue tasks finished before `$1` (seconds since the epoch), `$2` at most.
const FINISHED_TASKS: &str = "delete from Jobs where id in (select id from Jobs \
     where (status in ('Done', 'Killed') or (status = 'Failed' and attempts >= max_attempts)) \
     and done_at < $1 limit $2)";
/// Queue workers last seen before `$1` that hold no task, `$2` at most.
const GONE_WORKERS: &str = "delete from Workers where id in (select w.id from Workers w \
     where w.last_seen < $1 and not exists (select 1 from Jobs j where j.lock_by = w.id) limit $2)";
/// Live-event rows of audit events before `$1` (or purged with their
/// organization), oldest first, `$2` at most.
const LIVE_EVENTS: Option<&str> = Some(
    "delete from live_event where seq in (select l.seq from live_event l \
     left join audit_event a on a.id = l.audit_event_id \
     where a.id is null or a.at < $1 order by l.seq limit $2)",
);
/// Enqueues `job` (as JSON) in the writing transaction: it commits with
/// the write or not at all (the outbox guarantee).
async fn enqueue(
    tx: &mut Transaction<'static, Db>,
    queue: &str,
    job: &impl serde::Serialize,
) -> Result<(), DomainError> {
    enqueue_after(tx, queue, job, None).await
}

/// `enqueue`, due only after `delay` (the queue counts whole seconds).
async fn enqueue_after(
    tx: &mut Transaction<'static, Db>,
    queue: &str,
    job: &impl serde::Serialize,
    delay: Option<std::time::Duration>,
) -> Result<(), DomainError> {
    let payload = serde_json::to_vec(job).map_err(DomainError::internal)?;
    let mut task = TaskBuilder::new(payload).max_attempts(JOB_MAX_ATTEMPTS);
    if let Some(delay) = delay {
        task = task.run_after(delay);
    }
    let task = task.build();
    apalis_sqlite::queries::push_tasks(&mut **tx, queue, &[task])
        .await
        .map_err(DomainError::internal)
}

#[path = "shared/rows.rs"]
mod rows;
