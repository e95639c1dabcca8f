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

#[path = "shared/accounts.rs"]
mod accounts;
#[path = "shared/audit.rs"]
mod audit;
#[path = "shared/invitations.rs"]
mod invitations;
#[path = "shared/member_admin.rs"]
mod member_admin;
#[path = "shared/members.rs"]
mod members;
#[path = "shared/organizations.rs"]
mod organizations;
#[path = "shared/port.rs"]
mod port;
#[path = "shared/rate_limits.rs"]
mod rate_limits;
#[path = "shared/workspaces.rs"]
mod workspaces;
/// Enqueues a job in the writing transaction: it commits with the write
/// or not at all (the outbox guarantee).
async fn enqueue(
    tx: &mut Transaction<'static, Db>,
    queue: &str,
    payload: Vec<u8>,
) -> Result<(), DomainError> {
    let task = TaskBuilder::new(payload)
        .max_attempts(JOB_MAX_ATTEMPTS)
        .build();
    apalis_postgres::queries::push_tasks(&mut **tx, queue, vec![task])
        .await
        .map_err(DomainError::internal)
}

#[path = "shared/rows.rs"]
mod rows;
