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
    apalis_sqlite::queries::push_tasks(&mut **tx, queue, &[task])
        .await
        .map_err(DomainError::internal)
}

#[path = "shared/rows.rs"]
mod rows;
