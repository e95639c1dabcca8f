//! Inviting (rules.md §3): one PENDING invitation per address, its seat
//! (an INVITED membership) and its first email job, in one transaction.

use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::invitation::{Invitation, InviteOutcome, NewInvitation, delivery_for};
use roster_domain::{
    DomainError, InvitationDelivery, InvitationId, InvitationStatus, MemberStatus, UserId,
};

use super::super::organizations::{record_audit, select_org};
use super::super::rate_limits::charge_send;
use super::super::rows::{INVITATION_COLUMNS, InvitationRow, composed};
use super::super::workspaces::require_all_in_org;
use super::super::{BackendStore, Db};
use super::{Tx, audit, expire_overdue, request_send, require_inviter, seats_in_use, ttl};

/// The invitee's account for `email`, made (without a password) when there
/// is none; and whether it can log in already.
async fn invitee_account(
    tx: &mut Tx,
    invite: &NewInvitation,
    temporary: bool,
) -> Result<(UserId, bool)> {
    let display_name = invite
        .email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("invitee")
        .to_owned();
    sqlx::query(
        "insert into app_user (id, email, email_normalized, display_name, must_change_password, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6) on conflict (email_normalized) do nothing",
    )
    .bind(UserId::new().0)
    .bind(invite.email.as_str())
    .bind(invite.email.normalized())
    .bind(display_name)
    .bind(temporary)
    .bind(invite.now)
    .execute(&mut **tx)
    .await?;
    let (id, registered): (Uuid, bool) = sqlx::query_as(
        "select id, (password_hash is not null and must_change_password = false) from app_user where email_normalized = $1",
    )
    .bind(invite.email.normalized())
    .fetch_one(&mut **tx)
    .await?;
    Ok((UserId(id), registered))
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %invite.org))]
    pub(in super::super) async fn create_invitation(
        &self,
        invite: NewInvitation,
    ) -> Result<InviteOutcome> {
        let now = invite.now;
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, invite.org).await?;
        let inviter = require_inviter(
            &mut tx,
            invite.org,
            invite.inviter.user_id,
            invite.role,
            &invite.targets,
        )
        .await?;
        let org = select_org(&mut tx, invite.org).await?;
        let workspaces: Vec<Uuid> = invite.targets.workspaces.iter().map(|w| w.0).collect();
        let assistants: Vec<Uuid> = invite.targets.assistants.iter().map(|a| a.0).collect();
        require_all_in_org(&mut tx, "workspace", org.id, &workspaces).await?;
        require_all_in_org(&mut tx, "assistant", org.id, &assistants).await?;
        // Overdue invitations hold no seat, swept or not.
        expire_overdue(&mut tx, org.id, now).await?;

        let existing: Option<(Uuid, String)> = sqlx::query_as(
            "select m.user_id, m.status from membership m join app_user u on u.id = m.user_id \
             where m.organization_id = $1 and u.email_normalized = $2",
        )
        .bind(org.id.0)
        .bind(invite.email.normalized())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((user, status)) = existing {
            if status.parse::<MemberStatus>()? != MemberStatus::Invited {
                return Err(DomainError::Conflict("this email is already a member".into()).into());
            }
            let pending: Option<InvitationRow> = sqlx::query_as(composed(format!(
                "select {INVITATION_COLUMNS} from invitation i where i.organization_id = $1 and i.user_id = $2 \
                 and i.status = 'PENDING'"
            )))
            .bind(org.id.0)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
            let pending = pending.ok_or_else(|| {
                DomainError::internal("INVITED membership without its invitation")
            })?;
            tx.commit().await?;
            return Ok(InviteOutcome::AlreadyPending(pending.try_into()?));
        }

        org.plan
            .check_free_seat(seats_in_use(&mut tx, org.id).await?)?;
        let wants_temporary = org.invitation_delivery == InvitationDelivery::TemporaryPassword;
        let (user, registered) = invitee_account(&mut tx, &invite, wants_temporary).await?;
        // For an email that already has an account, LINK is used.
        let delivery = delivery_for(org.invitation_delivery, registered);
        if delivery == InvitationDelivery::TemporaryPassword {
            sqlx::query("update app_user set must_change_password = true where id = $1 and password_hash is null")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "insert into membership (id, organization_id, user_id, role, status, created_at, updated_at) \
             values ($1, $2, $3, $4, 'INVITED', $5, $5)",
        )
        .bind(roster_domain::MemberId::new().0)
        .bind(org.id.0)
        .bind(user.0)
        .bind(invite.role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let inv = Invitation {
            id: InvitationId::new(),
            org_id: org.id,
            user_id: user,
            email: invite.email.as_str().to_owned(),
            role: invite.role,
            status: InvitationStatus::Pending,
            delivery,
            invited_by: Some(inviter.user_id),
            sent_count: 1,
            last_sent_at: Some(now),
            expires_at: now + ttl(&org, delivery),
            created_at: now,
        };
        sqlx::query(
            "insert into invitation (id, organization_id, user_id, email, role, status, delivery, invited_by, \
             sent_count, last_sent_at, expires_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 'PENDING', $6, $7, 1, $8, $9, $8, $8)",
        )
        .bind(inv.id.0)
        .bind(org.id.0)
        .bind(user.0)
        .bind(&inv.email)
        .bind(inv.role.as_str())
        .bind(delivery.as_str())
        .bind(inviter.user_id.0)
        .bind(now)
        .bind(inv.expires_at)
        .execute(&mut *tx)
        .await?;
        for (table, column, ids) in [
            ("invitation_workspace", "workspace_id", &workspaces),
            ("invitation_assistant", "assistant_id", &assistants),
        ] {
            for id in ids {
                sqlx::query(composed(format!(
                    "insert into {table} (invitation_id, {column}) values ($1, $2)"
                )))
                .bind(inv.id.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        // Last, once nothing else can refuse: only a send counts.
        charge_send(
            &mut tx,
            &invite.limits,
            inviter.user_id,
            &invite.email.normalized(),
            now,
        )
        .await?;
        request_send(&mut tx, &inv, 1, now).await?;
        let change = AuditChange::InvitationCreated {
            invitation: inv.id,
            role: inv.role,
            delivery,
        };
        record_audit(&mut tx, audit(&inv, Some(inviter.user_id), change, now)).await?;
        tx.commit().await?;
        Ok(InviteOutcome::Created(inv))
    }
}
