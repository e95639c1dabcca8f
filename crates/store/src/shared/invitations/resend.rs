//! Resending (rules.md §3): a new secret, a new lifetime, a new send.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::invitation::{
    Invitation, InvitationTargets, MAX_SENDS_PER_WINDOW, SEND_WINDOW, delivery_for,
};
use roster_domain::model::{Membership, Organization};
use uuid::Uuid;

use roster_domain::{
    DomainError, Email, InvitationDelivery, InvitationId, InvitationStatus, InviteLimits, UserId,
};

use super::super::organizations::{record_audit, select_org};
use super::super::rate_limits::charge_send;
use super::super::{BackendStore, Db};
use super::{
    Tx, audit, expire_overdue, invitation_by_id, request_send, require_inviter, seats_in_use, ttl,
};

impl BackendStore {
    /// Resends a PENDING or EXPIRED invitation (rules.md §3, seed 001): a
    /// new secret and lifetime; an EXPIRED one becomes PENDING again and
    /// takes a seat. Overdue invitations are expired first, so the outcome
    /// is the same whether or not the sweeper has run.
    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(in super::super) async fn send_again(
        &self,
        id: InvitationId,
        actor: &Membership,
        limits: InviteLimits,
        now: DateTime<Utc>,
    ) -> Result<Invitation> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let found = invitation_by_id(&mut tx, id).await?;
        if found.org_id != actor.org_id {
            return Err(DomainError::NotFound.into());
        }
        Db::lock_organization(&mut tx, found.org_id).await?;
        expire_overdue(&mut tx, found.org_id, now).await?;
        let mut inv = invitation_by_id(&mut tx, id).await?;
        require_inviter(
            &mut tx,
            inv.org_id,
            actor.user_id,
            inv.role,
            &InvitationTargets::default(),
        )
        .await?;
        inv.resendable()?;
        let (recent,): (i64,) = sqlx::query_as(
            "select count(*) from invitation_send where invitation_id = $1 and requested_at > $2",
        )
        .bind(inv.id.0)
        .bind(now - SEND_WINDOW)
        .fetch_one(&mut *tx)
        .await?;
        if recent >= MAX_SENDS_PER_WINDOW {
            // A send becomes possible again when the oldest one in the
            // window leaves it.
            let (oldest,): (DateTime<Utc>,) = sqlx::query_as(
                "select requested_at from invitation_send where invitation_id = $1 and requested_at > $2 \
                 order by requested_at limit 1",
            )
            .bind(inv.id.0)
            .bind(now - SEND_WINDOW)
            .fetch_one(&mut *tx)
            .await?;
            let wait = (oldest + SEND_WINDOW - now).to_std().unwrap_or_default();
            return Err(DomainError::rate_limited(wait).into());
        }
        let org = select_org(&mut tx, inv.org_id).await?;
        if inv.status == InvitationStatus::Expired {
            inv.user_id = current_account(&mut tx, &inv).await?;
            revive_seat(&mut tx, &org, &inv, now).await?;
        }
        let (registered,): (bool,) = sqlx::query_as(
            "select password_hash is not null and must_change_password = false from app_user where id = $1",
        )
        .bind(inv.user_id.0)
        .fetch_one(&mut *tx)
        .await?;
        let delivery = delivery_for(inv.delivery, registered);
        let resent = Invitation {
            status: InvitationStatus::Pending,
            delivery,
            sent_count: inv.sent_count + 1,
            last_sent_at: Some(now),
            expires_at: now + ttl(&org, delivery),
            ..inv.clone()
        };
        // The old secret dies now, link token or one-time password; the
        // new send sets the next one.
        sqlx::query(
            "update invitation set status = 'PENDING', delivery = $5, token_hash = null, \
             temporary_password_hash = null, sent_count = $2, \
             last_sent_at = $3, expires_at = $4, updated_at = $3 where id = $1",
        )
        .bind(resent.id.0)
        .bind(resent.sent_count)
        .bind(now)
        .bind(resent.expires_at)
        .bind(delivery.as_str())
        .execute(&mut *tx)
        .await?;
        if delivery == InvitationDelivery::TemporaryPassword {
            sqlx::query(
                "update app_user set must_change_password = true where id = $1 and password_hash is null",
            )
            .bind(resent.user_id.0)
            .execute(&mut *tx)
            .await?;
        }
        // Last, once nothing else can refuse: only a send counts.
        let recipient = Email::parse(&resent.email)?;
        charge_send(
            &mut tx,
            &limits,
            actor.user_id,
            &recipient.normalized(),
            now,
        )
        .await?;
        request_send(&mut tx, &resent, resent.sent_count, now).await?;
        let change = AuditChange::InvitationResent {
            invitation: resent.id,
            role: resent.role,
            before: inv.status,
            sent_count: resent.sent_count.into(),
            delivery,
        };
        record_audit(&mut tx, audit(&resent, Some(actor.user_id), change, now)).await?;
        tx.commit().await?;
        Ok(resent)
    }
}

/// The account the invited address has now: an ended invitation stays
/// with the placeholder it was made for, and when someone has signed up
/// with the address since, the placeholder was retired and the invitation
/// goes on for the new account.
async fn current_account(tx: &mut Tx, inv: &Invitation) -> Result<UserId> {
    let email = Email::parse(&inv.email)?;
    let (account,): (Uuid,) = sqlx::query_as("select id from app_user where email_normalized = $1")
        .bind(email.normalized())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| DomainError::internal("an invited address without an account"))?;
    sqlx::query("update invitation set user_id = $2 where id = $1")
        .bind(inv.id.0)
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(UserId(account))
}

/// An EXPIRED invitation coming back holds a seat again (its INVITED
/// membership), unless the address became a member meanwhile or was
/// invited again (`CONFLICT`), or no seat is free.
async fn revive_seat(
    tx: &mut Tx,
    org: &Organization,
    inv: &Invitation,
    now: DateTime<Utc>,
) -> Result<()> {
    let existing: Option<(String,)> =
        sqlx::query_as("select status from membership where organization_id = $1 and user_id = $2")
            .bind(org.id.0)
            .bind(inv.user_id.0)
            .fetch_optional(&mut **tx)
            .await?;
    if existing.is_some() {
        return Err(DomainError::Conflict(
            "this email is already a member or has a newer invitation".into(),
        )
        .into());
    }
    org.plan.check_free_seat(seats_in_use(tx, org.id).await?)?;
    sqlx::query(
        "insert into membership (id, organization_id, user_id, role, status, created_at, updated_at) \
         values ($1, $2, $3, $4, 'INVITED', $5, $5)",
    )
    .bind(roster_domain::MemberId::new().0)
    .bind(org.id.0)
    .bind(inv.user_id.0)
    .bind(inv.role.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
