//! The PostgreSQL backend: production, many gateways and workers on one
//! database. Seat-changing transactions lock their organization's row.

use sqlx::{PgPool, Transaction};

use apalis_core::task::builder::TaskBuilder;
use roster_domain::{DomainError, OrgId};

use crate::JOB_MAX_ATTEMPTS;

pub(crate) type Db = sqlx::Postgres;

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

pub(crate) use live::run_feed;

type BackendStore = PostgresStore;

async fn begin_write(pool: &PgPool) -> sqlx::Result<Transaction<'static, Db>> {
    pool.begin().await
}

/// Serializes the transactions that change one organization's seats or
/// admins, whichever gateway runs them.
async fn lock_organization(tx: &mut Transaction<'static, Db>, org: OrgId) -> sqlx::Result<()> {
    sqlx::query("select 1 from organization where id = $1 for update")
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Like `lock_organization`, but gives up at once (`false`) when another
/// transaction holds the row: for background work that another process
/// may be doing already.
async fn try_lock_organization(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
) -> sqlx::Result<bool> {
    sqlx::query("select 1 from organization where id = $1 for update skip locked")
        .bind(org.0)
        .fetch_optional(&mut **tx)
        .await
        .map(|row| row.is_some())
}

/// Locks `user`'s ACTIVE membership in `org` until commit (`false` when
/// there is none): a removal, which deletes the row, waits for a lead write
/// that gives the user a lead, and a lead write after a removal committed
/// finds no row.
async fn lock_active_member(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: roster_domain::UserId,
) -> sqlx::Result<bool> {
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

/// Locks an account's row until commit: opening a session waits for
/// another one of the same account (the live-session cap).
async fn lock_user(
    tx: &mut Transaction<'static, Db>,
    user: roster_domain::UserId,
) -> sqlx::Result<()> {
    sqlx::query("select 1 from app_user where id = $1 for update")
        .bind(user.0)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Locks a lead's row until commit, so that a change never overwrites
/// another one made after it was read.
async fn lock_lead(
    tx: &mut Transaction<'static, Db>,
    lead: roster_domain::LeadId,
) -> sqlx::Result<()> {
    sqlx::query("select 1 from lead where id = $1 for update")
        .bind(lead.0)
        .execute(&mut **tx)
        .await
        .map(|_| ())
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
#[path = "postgres/live.rs"]
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
#[path = "postgres/reassign.rs"]
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
const WEBHOOK_EVENT_LISTED: &str = "$2 in (select jsonb_array_elements_text(e.events::jsonb))";
/// Queue tasks finished before `$1` (seconds since the epoch), `$2` at most.
const FINISHED_TASKS: &str = "delete from apalis.jobs where id in (select id from apalis.jobs \
     where (status in ('Done', 'Killed') or (status = 'Failed' and attempts >= max_attempts)) \
     and done_at < to_timestamp($1) limit $2)";
/// Queue workers last seen before `$1` that hold no task, `$2` at most.
const GONE_WORKERS: &str = "delete from apalis.workers where id in (select w.id from apalis.workers w \
     where w.last_seen < to_timestamp($1) \
     and not exists (select 1 from apalis.jobs j where j.lock_by = w.id) limit $2)";
/// PostgreSQL's live events are notifications: no table to purge.
const LIVE_EVENTS: Option<&str> = None;
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
    apalis_postgres::queries::push_tasks(&mut **tx, queue, vec![task])
        .await
        .map_err(DomainError::internal)
}

#[path = "shared/rows.rs"]
mod rows;
