//! Jobs a caller may poll, and the batches of a lead reassignment
//! (rules.md §5).
//!
//! Each batch is one transaction: it locks the job row (a second delivery
//! of the same task waits its turn or, on PostgreSQL, steps aside), moves
//! up to N leads of the removed user after the job's checkpoint in id order,
//! adds them to `done` and stores the last moved id as the new checkpoint.
//! A run after a crash starts from the committed checkpoint, and a lead
//! already moved no longer matches `owner_id = from`, so none is moved
//! twice and none is lost.
//!
//! A batch of a deleted organization moves nothing and reports
//! `Suspended`: the job stays PENDING or RUNNING at its checkpoint, and a
//! restore enqueues it again.
//!
//! When the keyset reaches the end, a plain read (no lock held, no
//! transaction open) looks once more without it: a lead created for the
//! removed user just before the removal committed may sort below the
//! checkpoint (none can be created after it: the owner must be an ACTIVE
//! member). What it finds is moved by id in a batch of its own, and the
//! look repeats; when it finds nothing the job is DONE with `total =
//! done`: `total` was counted at the removal, and becomes the number the
//! job really moved when leads were created late or moved away by someone
//! else meanwhile.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::job::{BatchOutcome, Job, JobState};
use roster_domain::store::JobStore;
use roster_domain::{DomainError, JobId, OrgId, UserId};

use super::member_admin::Tx;
use super::rows::{convert_all, push_id_list};
use super::{BackendStore, Db};

const JOB_COLUMNS: &str = "id, organization_id, kind, state, done, total, created_at, finished_at";

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    organization_id: Uuid,
    kind: String,
    state: String,
    done: i64,
    total: i64,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<JobRow> for Job {
    type Error = DomainError;
    fn try_from(r: JobRow) -> Result<Self, DomainError> {
        Ok(Job {
            id: JobId(r.id),
            org_id: OrgId(r.organization_id),
            kind: r.kind,
            state: JobState::parse(&r.state)
                .ok_or_else(|| DomainError::internal(format!("job state {}", r.state)))?,
            done: r.done,
            total: r.total,
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }
}

/// What a batch needs to know about its job.
#[derive(sqlx::FromRow)]
struct Progress {
    organization_id: Uuid,
    state: String,
    from_user_id: Uuid,
    to_user_id: Option<Uuid>,
    checkpoint: Option<Uuid>,
}

/// A new reassignment job of `total` leads, PENDING, inside the removal's
/// transaction.
pub(super) struct NewReassignment {
    pub id: JobId,
    pub org: OrgId,
    pub from: UserId,
    pub to: Option<UserId>,
    pub total: i64,
    pub created_by: UserId,
    pub now: DateTime<Utc>,
}

pub(super) async fn insert_reassignment(tx: &mut Tx, j: NewReassignment) -> Result<Job> {
    let row: JobRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into job (id, organization_id, kind, state, done, total, from_user_id, to_user_id, \
         created_by, created_at, updated_at) values ($1, $2, $3, 'PENDING', 0, $4, $5, $6, $7, $8, $8) \
         returning {JOB_COLUMNS}"
    )))
    .bind(j.id.0)
    .bind(j.org.0)
    .bind(roster_domain::job::ReassignmentTask::KIND)
    .bind(j.total)
    .bind(j.from.0)
    .bind(j.to.map(|u| u.0))
    .bind(j.created_by.0)
    .bind(j.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_into()?)
}

/// Leads `user` owns in `org` now.
pub(super) async fn count_leads_of(tx: &mut Tx, org: OrgId, user: UserId) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from lead where organization_id = $1 and owner_id = $2")
            .bind(org.0)
            .bind(user.0)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n)
}

/// Gives the listed leads of `from` in `org` to `to`, each only if `from`
/// still owns it; how many moved.
async fn move_listed(
    tx: &mut Tx,
    org: OrgId,
    from: UserId,
    to: Option<UserId>,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut q = QueryBuilder::<Db>::new("update lead set owner_id = ");
    q.push_bind(to.map(|u| u.0))
        .push(", updated_at = ")
        .push_bind(now)
        .push(" where organization_id = ")
        .push_bind(org.0)
        .push(" and owner_id = ")
        .push_bind(from.0)
        .push(" and id in ");
    push_id_list(&mut q, ids.iter().copied());
    let done = q.build().execute(&mut **tx).await?;
    Ok(done.rows_affected())
}

async fn record_progress(
    tx: &mut Tx,
    id: JobId,
    moved: u64,
    checkpoint: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "update job set state = 'RUNNING', done = done + $2, checkpoint = coalesce($3, checkpoint), \
         updated_at = $4 where id = $1",
    )
    .bind(id.0)
    .bind(moved as i64)
    .bind(checkpoint)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl JobStore for BackendStore {
    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn jobs_by_ids(&self, ids: &[JobId]) -> PortResult<Vec<Job>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q =
                QueryBuilder::<Db>::new(format!("select {JOB_COLUMNS} from job where id in "));
            push_id_list(&mut q, ids.iter().map(|id| id.0));
            let rows: Vec<JobRow> = q.build_query_as().fetch_all(&self.pool).await?;
            convert_all(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(job = %id, batch_size))]
    async fn run_reassignment_batch(
        &self,
        id: JobId,
        batch_size: u32,
        now: DateTime<Utc>,
    ) -> PortResult<BatchOutcome> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let locked = Db::lock_job(&mut tx, id).await?;
            let p: Option<Progress> = sqlx::query_as(
                "select organization_id, state, from_user_id, to_user_id, checkpoint from job where id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
            // Gone with its organization: nothing left to move.
            let Some(p) = p else {
                return Ok(BatchOutcome::Finished);
            };
            if !locked {
                return Ok(BatchOutcome::Busy);
            }
            if JobState::parse(&p.state).is_none_or(JobState::is_finished) {
                tx.commit().await?;
                return Ok(BatchOutcome::Finished);
            }
            if !super::lifecycle::organization_is_live(&mut tx, OrgId(p.organization_id)).await? {
                return Ok(BatchOutcome::Suspended);
            }
            let (org, from) = (OrgId(p.organization_id), UserId(p.from_user_id));
            let to = p.to_user_id.map(UserId);
            let limit = i64::from(batch_size.max(1));
            let after = p.checkpoint.unwrap_or(Uuid::nil());
            let moved = Db::move_leads(&mut tx, org, from, to, after, limit, now).await?;
            let n = moved.len() as u64;
            let checkpoint = moved.iter().max().copied();
            if n as i64 == limit {
                record_progress(&mut tx, id, n, checkpoint, now).await?;
                tx.commit().await?;
                return Ok(BatchOutcome::Moved(n));
            }
            // The keyset reached the end: what this batch moved commits, then a
            // plain read that holds no lock looks for leads sorting below the
            // checkpoint (on PostgreSQL it walks the index entries the batches
            // left dead, which takes a while at a million leads).
            record_progress(&mut tx, id, n, checkpoint, now).await?;
            tx.commit().await?;
            let late: Vec<Uuid> = sqlx::query_scalar(
                "select id from lead where organization_id = $1 and owner_id = $2 order by id limit $3",
            )
            .bind(org.0)
            .bind(from.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            let mut tx = Db::begin_write(&self.pool).await?;
            let still_running: Option<(String,)> = if Db::lock_job(&mut tx, id).await? {
                sqlx::query_as("select state from job where id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
            } else {
                // Another delivery holds the job; it finishes it.
                return Ok(if n > 0 {
                    BatchOutcome::Moved(n)
                } else {
                    BatchOutcome::Busy
                });
            };
            if still_running
                .is_none_or(|(state,)| JobState::parse(&state).is_none_or(JobState::is_finished))
            {
                tx.commit().await?;
                return Ok(BatchOutcome::Finished);
            }
            if !super::lifecycle::organization_is_live(&mut tx, org).await? {
                return Ok(if n > 0 {
                    BatchOutcome::Moved(n)
                } else {
                    BatchOutcome::Suspended
                });
            }
            if !late.is_empty() {
                // Moved by id, each only while still the removed user's.
                let moved = move_listed(&mut tx, org, from, to, &late, now).await?;
                record_progress(&mut tx, id, moved, None, now).await?;
                tx.commit().await?;
                return Ok(BatchOutcome::Moved(n + moved));
            }
            sqlx::query(
                "update job set state = 'DONE', total = done, updated_at = $2, finished_at = $2 where id = $1",
            )
            .bind(id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(job = %id, "lead reassignment done");
            Ok(BatchOutcome::Finished)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(job = %id))]
    async fn fail_job(&self, id: JobId, now: DateTime<Utc>) -> PortResult<()> {
        port(async {
            sqlx::query(
                "update job set state = 'FAILED', updated_at = $2, finished_at = $2 \
                 where id = $1 and state in ('PENDING', 'RUNNING')",
            )
            .bind(id.0)
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }
}
