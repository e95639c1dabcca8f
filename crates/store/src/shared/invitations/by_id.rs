//! An invitee's own pending invitations: listed on `me`, accepted or
//! declined by id, once the invitee has proved the address (a one-time
//! password or an invitation link used; docs/api/invitations.md).
//! Someone who signed up with an invited address without proving it sees
//! none and accepts none: the claim gives nothing in the organization.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::invitation::{Invitation, ReceivedInvitation};
use roster_domain::model::Membership;
use roster_domain::{DomainError, InvitationId, UserId};

use super::super::members::acting_member;
use super::super::rows::{INVITATION_COLUMNS, InvitationRow, composed};
use super::super::{BackendStore, Db};
use super::accept::activate;
use super::revoke::decline_pending;
use super::{Tx, invitation_by_id};

#[derive(sqlx::FromRow)]
struct ReceivedRow {
    #[sqlx(flatten)]
    invitation: InvitationRow,
    organization_name: String,
    invited_by_name: Option<String>,
}

impl BackendStore {
    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn select_invitations_to(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReceivedInvitation>> {
        let rows: Vec<ReceivedRow> = sqlx::query_as(composed(format!(
            "select {INVITATION_COLUMNS}, o.name as organization_name, \
             (select display_name from app_user where id = i.invited_by) as invited_by_name \
             from invitation i join organization o on o.id = i.organization_id \
             join app_user u on u.id = i.user_id \
             where i.user_id = $1 and i.status = 'PENDING' and i.expires_at > $2 \
             and u.email_verified_at is not null order by i.id"
        )))
        .bind(user.0)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ReceivedInvitation {
                    invitation: r.invitation.try_into()?,
                    organization_name: r.organization_name,
                    invited_by_name: r.invited_by_name,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(in super::super) async fn accept_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Membership> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let inv = invitees_own(&mut tx, id, user, now).await?;
        activate(&mut tx, &inv, now).await?;
        let member = acting_member(&mut tx, inv.org_id, user).await?;
        tx.commit().await?;
        Ok(member)
    }

    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(in super::super) async fn decline_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let inv = invitees_own(&mut tx, id, user, now).await?;
        decline_pending(&mut tx, &inv, now).await?;
        Ok(tx.commit().await?)
    }
}

/// Invitation `id`, read under its organization's lock, if it is `user`'s
/// and usable: anyone else's is `NOT_FOUND` (as if it did not exist), and
/// an invitee who has not proved the address is `FORBIDDEN`.
async fn invitees_own(
    tx: &mut Tx,
    id: InvitationId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Invitation> {
    let found = invitation_by_id(tx, id).await?;
    if found.user_id != user {
        return Err(DomainError::NotFound.into());
    }
    Db::lock_organization(tx, found.org_id).await?;
    let inv = invitation_by_id(tx, id).await?;
    if inv.user_id != user {
        return Err(DomainError::NotFound.into());
    }
    let (proved,): (bool,) =
        sqlx::query_as("select email_verified_at is not null from app_user where id = $1")
            .bind(user.0)
            .fetch_one(&mut **tx)
            .await?;
    if !proved {
        return Err(DomainError::Forbidden.into());
    }
    inv.usable(now)?;
    Ok(inv)
}
