//! The purge (rules.md §8): an organization deleted longer ago than the
//! restore window is deleted for good, one transaction per organization.
//! Deleting its row cascades to every table that references it
//! (memberships and their workspace and assistant places, workspaces,
//! assistants, invitations and their sends, leads, jobs, the ownership
//! transfer, the audit log); the users are global accounts and stay.
//!
//! Every worker process runs it, so several may at once: each takes the
//! organizations no one else holds (`skip locked` on PostgreSQL; SQLite
//! has one writer) and reads the deletion again under the lock, so an
//! organization is purged once, and never one restored meanwhile.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::OrgId;
use roster_domain::lifecycle::restore_window;

use super::super::{BackendStore, Db};
use super::deletion_of;

/// Organizations looked up per round.
const PER_ROUND: i64 = 100;

impl BackendStore {
    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn purge_expired(&self, now: DateTime<Utc>) -> Result<Vec<OrgId>> {
        let cutoff = now - restore_window();
        let mut purged = Vec::new();
        loop {
            let due: Vec<Uuid> = sqlx::query_scalar(
                "select id from organization where deleted_at is not null and deleted_at <= $1 \
                 order by deleted_at limit $2",
            )
            .bind(cutoff)
            .bind(PER_ROUND)
            .fetch_all(&self.pool)
            .await?;
            let mut round = 0;
            for id in due {
                let org = OrgId(id);
                let mut tx = Db::begin_write(&self.pool).await?;
                // Another worker is purging it (or a request holds it).
                if !Db::try_lock_organization(&mut tx, org).await? {
                    continue;
                }
                let due_now = deletion_of(&mut *tx, org)
                    .await?
                    .flatten()
                    .is_some_and(|at| at <= cutoff);
                if !due_now {
                    continue;
                }
                sqlx::query("delete from organization where id = $1")
                    .bind(org.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::info!(%org, "deleted organization purged");
                purged.push(org);
                round += 1;
            }
            // What is left is held by someone else, who purges it, or by
            // a request that will let go: the next run takes it.
            if round == 0 {
                return Ok(purged);
            }
        }
    }
}
