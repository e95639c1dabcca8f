//! Deleting an organization (rules.md §8): a soft delete under the
//! organization's lock. Its PENDING invitations are revoked (their links
//! die, their seats free), its unfinished jobs are held until commit so
//! that no batch moves a lead after it, and the organization is marked
//! deleted; `organization.deleted` is audited. Its members lose access
//! with their next request, because every membership read for
//! authorization leaves deleted organizations out.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::lifecycle::purge_after;
use roster_domain::model::Membership;
use roster_domain::permission::{self, Action};
use roster_domain::{DomainError, OrgId};

use super::super::invitations::revoke_all_pending;
use super::super::members::acting_member;
use super::super::organizations::{AuditRecord, record_audit};
use super::super::{BackendStore, Db};
use super::deletion_of;

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(in super::super) async fn soft_delete(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, org).await?;
        // Deleted (or purged) meanwhile, by a racing request: it is gone.
        if !matches!(deletion_of(&mut *tx, org).await?, Some(None)) {
            return Err(DomainError::NotFound.into());
        }
        // The caller again, under the lock: demoted or blocked meanwhile.
        let me = acting_member(&mut tx, org, actor.user_id).await?;
        permission::require(me.role, Action::DeleteOrganization)?;
        Db::lock_unfinished_jobs(&mut tx, org).await?;
        let revoked = revoke_all_pending(&mut tx, org, me.user_id, now).await?;
        sqlx::query(
            "update organization set deleted_at = $2, deleted_by = $3, updated_at = $2 where id = $1",
        )
        .bind(org.0)
        .bind(now)
        .bind(me.user_id.0)
        .execute(&mut *tx)
        .await?;
        record_audit(
            &mut tx,
            AuditRecord {
                org,
                actor: Some(me.user_id),
                change: AuditChange::OrganizationDeleted {
                    at: now,
                    purge_after: purge_after(now),
                    revoked_invitations: revoked,
                },
                target_user: None,
                target_email: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(%org, revoked, "organization deleted");
        Ok(())
    }
}
