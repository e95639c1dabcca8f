//! Restoring a deleted organization (rules.md §8): the owner, within the
//! window, under the organization's lock. Clearing `deleted_at` is all it
//! takes to bring back what was there (memberships with their roles and
//! statuses, workspaces, assistants, leads, settings); the invitations
//! revoked by the deletion stay revoked. The organization's unfinished
//! lead reassignments are enqueued again (a batch of a deleted
//! organization moved nothing and left the job at its checkpoint).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::job::ReassignmentTask;
use roster_domain::lifecycle::require_restorable;
use roster_domain::model::Organization;
use roster_domain::{DomainError, JobId, OrgId, UserId};

use super::super::organizations::{AuditRecord, record_audit, select_org};
use super::super::outbox::enqueue;
use super::super::{BackendStore, Db};
use super::standing_in;

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(in super::super) async fn undelete(
        &self,
        org: OrgId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, org).await?;
        let standing = standing_in(&mut *tx, user, org)
            .await?
            .ok_or(DomainError::NotFound)?;
        require_restorable(&standing, now)?;
        let (deleted_at, deleted_by): (Option<DateTime<Utc>>, Option<Uuid>) =
            sqlx::query_as("select deleted_at, deleted_by from organization where id = $1")
                .bind(org.0)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "update organization set deleted_at = null, deleted_by = null, updated_at = $2 where id = $1",
        )
        .bind(org.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let unfinished: Vec<Uuid> = sqlx::query_scalar(
            "select id from job where organization_id = $1 and state in ('PENDING', 'RUNNING') order by id",
        )
        .bind(org.0)
        .fetch_all(&mut *tx)
        .await?;
        for job in &unfinished {
            let task = ReassignmentTask {
                job_id: JobId(*job),
            };
            enqueue(&mut tx, ReassignmentTask::QUEUE, &task).await?;
        }
        record_audit(
            &mut tx,
            AuditRecord {
                org,
                actor: Some(user),
                change: AuditChange::OrganizationRestored {
                    deleted_at,
                    deleted_by: deleted_by.map(UserId),
                    resumed_jobs: unfinished.len(),
                },
                target_user: None,
                target_email: None,
                at: now,
            },
        )
        .await?;
        let restored = select_org(&mut tx, org).await?;
        tx.commit().await?;
        tracing::info!(%org, jobs = unfinished.len(), "organization restored");
        Ok(restored)
    }
}
