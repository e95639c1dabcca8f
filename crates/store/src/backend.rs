//! The seam between the shared SQL and the two databases: [`Backend`] is
//! everything SQLite and PostgreSQL do differently, and nothing else.
//!
//! The SQL is written once, in `shared/`, in the dialect both databases
//! speak (`$1` placeholders, `returning`, `on conflict`), and compiled once
//! per backend: `sqlite.rs` and `postgres.rs` each set `Db` to their
//! `sqlx::Database` and mount `shared/mod.rs` as their module `shared`.
//! Shared code calls what differs through this trait, by name: `Db::lock_organization(&mut tx, org)`,
//! `Db::begin_write(&self.pool)`, `Db::FINISHED_TASKS`. A reader of a shared
//! file who meets `Db::something` finds it here, documented, and its two
//! implementations in `impl Backend for Sqlite` (`sqlite.rs`) and
//! `impl Backend for Postgres` (`postgres.rs`).
//!
//! Why compile twice rather than write the shared code once, generic over
//! `DB: sqlx::Database`: every query would carry `Encode`/`Decode`/`Type`
//! bounds for each bound value and column, per function, for the one
//! benefit of compiling once. A concrete `Db` per copy keeps the queries
//! plain, and the trait keeps the list of differences short and named.

use std::future::Future;

use apalis_core::task::Task;
use chrono::{DateTime, Utc};
use sqlx::{Pool, QueryBuilder, Transaction};
use uuid::Uuid;

use roster_domain::{DomainError, JobId, LeadId, OrgId, UserId};

/// A writing transaction of backend `DB`.
pub(crate) type Tx<DB> = Transaction<'static, DB>;

/// What the two dialects do differently. Implemented for `sqlx::Sqlite`
/// and `sqlx::Postgres`; the shared code reaches it as `Db::…`.
pub(crate) trait Backend: sqlx::Database {
    /// SQL condition: whether endpoint `e`'s JSON array `events` holds
    /// the action bound as `$2`.
    const WEBHOOK_EVENT_LISTED: &'static str;
    /// Statement: deletes the job queue's tasks finished before `$1`
    /// (seconds since the epoch), `$2` at most.
    const FINISHED_TASKS: &'static str;
    /// Statement: deletes the job queue's worker rows last seen before `$1`
    /// that hold no task, `$2` at most.
    const GONE_WORKERS: &'static str;
    /// Statement: deletes live-event rows older than `$1` (or purged with
    /// their organization), `$2` at most; `None` where the live feed keeps
    /// no table.
    const LIVE_EVENTS: Option<&'static str>;

    /// Pushes the start of the member list's indexed search (migration
    /// 0025): a condition on membership `m` of organization `org`, ended
    /// by ` and `, that the memberships' search index answers and that
    /// every member whose display name or email contains `needle` (three
    /// characters or more) meets, or nothing where `SEARCHED_MEMBERS`
    /// holds only such members; the `like` conditions that follow decide.
    fn push_member_prefilter(q: &mut QueryBuilder<Self>, org: OrgId, needle: &str);

    /// Pushes what the indexed search needs before the statement's
    /// `select` (a `with` clause, for the page and its total to share), or
    /// nothing.
    fn push_member_search_with(q: &mut QueryBuilder<Self>, org: OrgId, needle: &str);
    /// The `from` of an indexed search's members `m`, joined by name after.
    const SEARCHED_MEMBERS: &'static str;

    /// Begins a transaction that will write. On SQLite it takes the
    /// database's write lock up front, so that a transaction that reads
    /// and then writes never fails halfway with `SQLITE_BUSY`.
    fn begin_write(pool: &Pool<Self>) -> impl Future<Output = sqlx::Result<Tx<Self>>> + Send;

    /// Serializes the transactions that change one organization's seats or
    /// admins, whichever gateway runs them, until commit.
    fn lock_organization(
        tx: &mut Tx<Self>,
        org: OrgId,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Like `lock_organization`, but gives up at once (`false`) when another
    /// transaction holds it: for background work that another process may
    /// be doing already.
    fn try_lock_organization(
        tx: &mut Tx<Self>,
        org: OrgId,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;

    /// Whether `user` is an ACTIVE member of `org`, kept so until commit: a
    /// removal waits for a lead write that gives the user a lead, and a
    /// lead write after a removal committed finds no member.
    fn lock_active_member(
        tx: &mut Tx<Self>,
        org: OrgId,
        user: UserId,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;

    /// Locks an account until commit: opening a session waits for another
    /// one of the same account (the live-session cap).
    fn lock_user(tx: &mut Tx<Self>, user: UserId) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Locks a lead until commit, so that a change never overwrites another
    /// one made after it was read.
    fn lock_lead(tx: &mut Tx<Self>, lead: LeadId) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Locks a reassignment job for one batch; `false` when another
    /// transaction holds it (another delivery of the same task is running
    /// a batch).
    fn lock_job(tx: &mut Tx<Self>, job: JobId) -> impl Future<Output = sqlx::Result<bool>> + Send;

    /// Locks `org`'s unfinished jobs until commit (its deletion): a batch
    /// running now commits first, a later one finds the organization gone.
    fn lock_unfinished_jobs(
        tx: &mut Tx<Self>,
        org: OrgId,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Gives up to `limit` leads of `from` in `org` whose id sorts after
    /// `after` (in id order) to `to`; their ids.
    #[allow(clippy::too_many_arguments)]
    fn move_leads(
        tx: &mut Tx<Self>,
        org: OrgId,
        from: UserId,
        to: Option<UserId>,
        after: Uuid,
        limit: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<Vec<Uuid>>> + Send;

    /// Announces audit event `id` to the live feed, inside the transaction
    /// that writes it (the feed itself is `live.rs` of each backend).
    fn announce(tx: &mut Tx<Self>, id: Uuid) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Puts `task` on the job queue `queue` in the transaction (the
    /// queue's tables differ: apalis has one crate per database).
    fn push_task(
        tx: &mut Tx<Self>,
        queue: &str,
        task: Task<Vec<u8>>,
    ) -> impl Future<Output = Result<(), DomainError>> + Send;
}

/// `like` pattern matching `needle` anywhere, its wildcards escaped.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
