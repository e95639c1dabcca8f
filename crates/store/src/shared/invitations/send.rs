//! The worker's side of a send: record the secret, then mark it delivered.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::DomainError;
use roster_domain::invitation::{InvitationMailJob, PendingSend, SendSecret};

use super::super::{BackendStore, Db};
use super::invitation_by_id;

impl BackendStore {
    #[tracing::instrument(skip_all, fields(invitation = %job.invitation_id, send = job.send_no))]
    pub(in super::super) async fn prepare_send(
        &self,
        job: InvitationMailJob,
        secret: SendSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSend>> {
        let mut tx = Db::begin_write(&self.pool).await?;
        // Only a real supersession ends the job unsent: an invitation that
        // is gone. Any other error (the database away, a lock timeout) is
        // returned, so the job retries and the mail still goes.
        let inv = match invitation_by_id(&mut tx, job.invitation_id).await {
            Ok(inv) => inv,
            Err(e) if matches!(e.domain(), DomainError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let delivered: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as(
            "select delivered_at from invitation_send where invitation_id = $1 and send_no = $2",
        )
        .bind(inv.id.0)
        .bind(job.send_no)
        .fetch_optional(&mut *tx)
        .await?;
        let undelivered = matches!(delivered, Some((None,)));
        // Revoked, accepted, expired or resent since: this send is obsolete.
        if !undelivered || inv.sent_count != job.send_no || inv.usable(now).is_err() {
            return Ok(None);
        }
        let recorded = match &secret {
            SendSecret::LinkToken(hash) => sqlx::query("update invitation set token_hash = $2 where id = $1")
                .bind(inv.id.0)
                .bind(hash.as_bytes())
                .execute(&mut *tx)
                .await,
            // Only while the account is still a placeholder: one whose
            // owner chose a password (or that was claimed) is obsolete.
            SendSecret::TemporaryPassword(hash) => sqlx::query(
                "update invitation set temporary_password_hash = $2 where id = $1 and exists \
                 (select 1 from app_user u where u.id = invitation.user_id and u.must_change_password = true)",
            )
            .bind(inv.id.0)
            .bind(hash.as_bytes())
            .execute(&mut *tx)
            .await,
        }?
        .rows_affected();
        if recorded == 0 {
            return Ok(None);
        }
        let (organization_name, invited_by_name): (String, Option<String>) = sqlx::query_as(
            "select o.name, (select display_name from app_user where id = $2) from organization o where o.id = $1",
        )
        .bind(inv.org_id.0)
        .bind(inv.invited_by.map(|u| u.0))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(PendingSend {
            invitation: inv,
            organization_name,
            invited_by_name,
        }))
    }

    #[tracing::instrument(skip_all, fields(invitation = %job.invitation_id, send = job.send_no))]
    pub(in super::super) async fn mark_sent(
        &self,
        job: InvitationMailJob,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "update invitation_send set delivered_at = $3 where invitation_id = $1 and send_no = $2 and delivered_at is null",
        )
        .bind(job.invitation_id.0)
        .bind(job.send_no)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
