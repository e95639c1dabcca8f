//! Ending an invitation unaccepted: revoked by an inviter, declined by
//! the token holder, or revoked with its organization's deletion.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::invitation::{Invitation, InvitationTargets};
use roster_domain::model::Membership;
use roster_domain::token::TokenHash;
use roster_domain::{DomainError, InvitationId, InvitationStatus, OrgId, UserId};

use super::super::organizations::record_audit;
use super::super::rows::{INVITATION_COLUMNS, InvitationRow, composed, convert_all};
use super::super::{BackendStore, Db};
use super::{Tx, audit, end_pending, ended, invitation_by_id, locked_by_token, require_inviter};

/// Revokes every PENDING invitation of `org` as its deletion does (the
/// caller holds the organization's lock): each token dies and each seat
/// frees, audited as `invitation.revoked` by `actor`; how many.
pub(in super::super) async fn revoke_all_pending(
    tx: &mut Tx,
    org: OrgId,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<u64> {
    let rows: Vec<InvitationRow> = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.organization_id = $1 \
         and i.status = 'PENDING' order by i.id"
    )))
    .bind(org.0)
    .fetch_all(&mut **tx)
    .await?;
    let pending: Vec<Invitation> = convert_all(rows)?;
    let mut revoked = 0;
    for inv in &pending {
        if !end_pending(tx, inv, InvitationStatus::Revoked, now).await? {
            continue;
        }
        revoked += 1;
        let change = ended(inv, InvitationStatus::Revoked, Some("organization.deleted"));
        record_audit(tx, audit(inv, Some(actor), change, now)).await?;
    }
    Ok(revoked)
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(in super::super) async fn cancel_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Invitation> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let found = invitation_by_id(&mut tx, id).await?;
        if found.org_id != actor.org_id {
            return Err(DomainError::NotFound.into());
        }
        Db::lock_organization(&mut tx, found.org_id).await?;
        let inv = invitation_by_id(&mut tx, id).await?;
        require_inviter(
            &mut tx,
            inv.org_id,
            actor.user_id,
            inv.role,
            &InvitationTargets::default(),
        )
        .await?;
        if inv.status != InvitationStatus::Pending {
            return Err(DomainError::InvitationInvalid.into());
        }
        if !end_pending(&mut tx, &inv, InvitationStatus::Revoked, now).await? {
            return Err(DomainError::InvitationInvalid.into());
        }
        let change = ended(&inv, InvitationStatus::Revoked, None);
        record_audit(&mut tx, audit(&inv, Some(actor.user_id), change, now)).await?;
        tx.commit().await?;
        Ok(Invitation {
            status: InvitationStatus::Revoked,
            ..inv
        })
    }

    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn decline(
        &self,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let inv = locked_by_token(&mut tx, token).await?;
        inv.usable(now)?;
        decline_pending(&mut tx, &inv, now).await?;
        Ok(tx.commit().await?)
    }
}

/// The invitee declines `inv` (by its token or, signed in, by its id): it
/// ends, with its audit event, unless it is no longer PENDING.
pub(super) async fn decline_pending(
    tx: &mut Tx,
    inv: &Invitation,
    now: DateTime<Utc>,
) -> Result<()> {
    if !end_pending(tx, inv, InvitationStatus::Declined, now).await? {
        return Err(DomainError::InvitationInvalid.into());
    }
    let change = ended(inv, InvitationStatus::Declined, None);
    record_audit(tx, audit(inv, Some(inv.user_id), change, now)).await
}
