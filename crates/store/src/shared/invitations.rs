//! Invitations (rules.md §3–§4): invite, resend, revoke, accept, decline,
//! expire, and the worker's side of a send. Each is one transaction under
//! the organization's lock; sends enqueue their email job inside it.

use chrono::{DateTime, Duration, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use roster_domain::error::Result;
use roster_domain::invitation::{
    Acceptance, Invitation, InvitationFilter, InvitationMailJob, InvitationPreview, InviteOutcome,
    MAX_SENDS_PER_WINDOW, NewInvitation, PendingSend, SEND_WINDOW, SendSecret,
};
use roster_domain::model::{
    Assistant, Membership, Organization, Page, PageRequest, User, Workspace,
};
use roster_domain::permission::{self, Action};
use roster_domain::token::TokenHash;
use roster_domain::{
    DomainError, InvitationDelivery, InvitationId, InvitationStatus, MemberStatus, OrgId, UserId,
};

use super::organizations::{AuditRecord, record_audit, select_org};
use super::rows::{
    ASSISTANT_COLUMNS, AssistantRow, INVITATION_COLUMNS, InvitationRow, USER_COLUMNS, UserRow,
    WORKSPACE_COLUMNS, WorkspaceRow, composed, convert_all, push_id_list,
};
use super::workspaces::{
    fetch_keyed, insert_assistant_users, insert_member_workspaces, require_all_in_org,
};
use super::{BackendStore, Db, begin_write, enqueue, lock_organization};
use crate::unexpected;

type Tx = Transaction<'static, Db>;

async fn invitation_by_id(tx: &mut Tx, id: InvitationId) -> Result<Invitation> {
    let row: InvitationRow = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unexpected)?
    .ok_or(DomainError::NotFound)?;
    row.try_into()
}

async fn invitation_by_token<'c, E>(executor: E, token: &TokenHash) -> Result<Option<Invitation>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row: Option<InvitationRow> = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.token_hash = $1"
    )))
    .bind(token.as_bytes())
    .fetch_optional(executor)
    .await
    .map_err(unexpected)?;
    row.map(Invitation::try_from).transpose()
}

/// The invitation a token opens, read again once its organization is
/// locked (a concurrent accept may have won meanwhile).
async fn locked_by_token(tx: &mut Tx, token: &TokenHash) -> Result<Invitation> {
    let found = invitation_by_token(&mut **tx, token)
        .await?
        .ok_or(DomainError::InvitationInvalid)?;
    lock_organization(tx, found.org_id)
        .await
        .map_err(unexpected)?;
    invitation_by_token(&mut **tx, token)
        .await?
        .ok_or(DomainError::InvitationInvalid)
}

/// The ACTIVE membership of `user` in `org`, if any.
async fn active_membership(tx: &mut Tx, org: OrgId, user: UserId) -> Result<Option<Membership>> {
    let row: Option<super::rows::MemberRow> = sqlx::query_as(composed(format!(
        "select {} from membership m join organization o on o.id = m.organization_id \
         where m.organization_id = $1 and m.user_id = $2 and m.status = 'ACTIVE'",
        super::rows::MEMBER_COLUMNS
    )))
    .bind(org.0)
    .bind(user.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unexpected)?;
    row.map(Membership::try_from).transpose()
}

/// `actor` may still act on invitations of `role` in `org`: an ACTIVE
/// member whose role the table lets invite that role.
async fn require_inviter(
    tx: &mut Tx,
    org: OrgId,
    actor: UserId,
    role: roster_domain::OrgRole,
) -> Result<Membership> {
    let m = active_membership(tx, org, actor)
        .await?
        .ok_or(DomainError::Forbidden)?;
    permission::require_on(m.role, Action::InviteOrRemoveMembers, role)?;
    Ok(m)
}

async fn seats_in_use(tx: &mut Tx, org: OrgId) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from membership where organization_id = $1 and status in ('ACTIVE', 'INVITED')",
    )
    .bind(org.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(unexpected)?;
    Ok(n)
}

fn ttl(org: &Organization, delivery: InvitationDelivery) -> Duration {
    Duration::hours(i64::from(match delivery {
        InvitationDelivery::Link => org.link_ttl_hours,
        InvitationDelivery::TemporaryPassword => org.temporary_password_ttl_hours,
    }))
}

/// Records send `send_no` and enqueues its email job.
async fn request_send(
    tx: &mut Tx,
    inv: &Invitation,
    send_no: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "insert into invitation_send (invitation_id, send_no, requested_at) values ($1, $2, $3)",
    )
    .bind(inv.id.0)
    .bind(send_no)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(unexpected)?;
    let job = InvitationMailJob {
        invitation_id: inv.id,
        send_no,
        delivery: inv.delivery,
    };
    enqueue(
        tx,
        InvitationMailJob::QUEUE,
        serde_json::to_vec(&job).map_err(DomainError::internal)?,
    )
    .await
}

/// Ends a PENDING invitation: its token dies, its seat (the INVITED
/// membership) is freed, and a one-time password no other invitation
/// needs stops working.
async fn end_pending(
    tx: &mut Tx,
    inv: &Invitation,
    status: InvitationStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "update invitation set status = $2, token_hash = null, updated_at = $3 where id = $1",
    )
    .bind(inv.id.0)
    .bind(status.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(unexpected)?;
    sqlx::query(
        "delete from membership where organization_id = $1 and user_id = $2 and status = 'INVITED'",
    )
    .bind(inv.org_id.0)
    .bind(inv.user_id.0)
    .execute(&mut **tx)
    .await
    .map_err(unexpected)?;
    if inv.delivery == InvitationDelivery::TemporaryPassword {
        sqlx::query(
            "update app_user set password_hash = null where id = $1 and must_change_password = true \
             and not exists (select 1 from invitation where user_id = $1 and status = 'PENDING' \
             and delivery = 'TEMPORARY_PASSWORD')",
        )
        .bind(inv.user_id.0)
        .execute(&mut **tx)
        .await
        .map_err(unexpected)?;
    }
    Ok(())
}

/// Marks the organization's (or, with `None`, every) PENDING invitation
/// past its lifetime EXPIRED.
async fn expire_overdue(tx: &mut Tx, org: Option<OrgId>, now: DateTime<Utc>) -> Result<u64> {
    let mut q = QueryBuilder::<Db>::new(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.status = 'PENDING' and i.expires_at <= "
    ));
    q.push_bind(now);
    if let Some(org) = org {
        q.push(" and i.organization_id = ").push_bind(org.0);
    }
    q.push(" order by i.expires_at limit 500");
    let rows: Vec<InvitationRow> = q
        .build_query_as()
        .fetch_all(&mut **tx)
        .await
        .map_err(unexpected)?;
    let overdue: Vec<Invitation> = convert_all(rows)?;
    for inv in &overdue {
        end_pending(tx, inv, InvitationStatus::Expired, now).await?;
        record_audit(
            tx,
            audit(
                inv,
                None,
                "invitation.expired",
                serde_json::json!({ "before": "PENDING", "after": "EXPIRED" }),
                now,
            ),
        )
        .await?;
    }
    Ok(overdue.len() as u64)
}

fn audit<'a>(
    inv: &'a Invitation,
    actor: Option<UserId>,
    action: &'a str,
    detail: serde_json::Value,
    at: DateTime<Utc>,
) -> AuditRecord<'a> {
    AuditRecord {
        org: inv.org_id,
        actor,
        action,
        target_user: Some(inv.user_id),
        target_email: Some(&inv.email),
        detail: {
            let mut d = detail;
            d["invitationId"] = serde_json::json!(inv.id.to_string());
            d["role"] = serde_json::json!(inv.role.as_str());
            d
        },
        at,
    }
}

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
    .await
    .map_err(unexpected)?;
    let (id, registered): (Uuid, bool) = sqlx::query_as(
        "select id, (password_hash is not null and must_change_password = false) from app_user where email_normalized = $1",
    )
    .bind(invite.email.normalized())
    .fetch_one(&mut **tx)
    .await
    .map_err(unexpected)?;
    Ok((UserId(id), registered))
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %invite.org))]
    pub(super) async fn create_invitation(&self, invite: NewInvitation) -> Result<InviteOutcome> {
        let now = invite.now;
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        lock_organization(&mut tx, invite.org)
            .await
            .map_err(unexpected)?;
        let inviter =
            require_inviter(&mut tx, invite.org, invite.inviter.user_id, invite.role).await?;
        let org = select_org(&mut tx, invite.org).await?;
        let workspaces: Vec<Uuid> = invite.targets.workspaces.iter().map(|w| w.0).collect();
        let assistants: Vec<Uuid> = invite.targets.assistants.iter().map(|a| a.0).collect();
        require_all_in_org(&mut tx, "workspace", org.id, &workspaces).await?;
        require_all_in_org(&mut tx, "assistant", org.id, &assistants).await?;
        // Overdue invitations hold no seat, swept or not.
        expire_overdue(&mut tx, Some(org.id), now).await?;

        let existing: Option<(Uuid, String)> = sqlx::query_as(
            "select m.user_id, m.status from membership m join app_user u on u.id = m.user_id \
             where m.organization_id = $1 and u.email_normalized = $2",
        )
        .bind(org.id.0)
        .bind(invite.email.normalized())
        .fetch_optional(&mut *tx)
        .await
        .map_err(unexpected)?;
        if let Some((user, status)) = existing {
            if status.parse::<MemberStatus>()? != MemberStatus::Invited {
                return Err(DomainError::Conflict(
                    "this email is already a member".into(),
                ));
            }
            let pending: Option<InvitationRow> = sqlx::query_as(composed(format!(
                "select {INVITATION_COLUMNS} from invitation i where i.organization_id = $1 and i.user_id = $2 \
                 and i.status = 'PENDING'"
            )))
            .bind(org.id.0)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await
            .map_err(unexpected)?;
            let pending = pending.ok_or_else(|| {
                DomainError::internal("INVITED membership without its invitation")
            })?;
            tx.commit().await.map_err(unexpected)?;
            return Ok(InviteOutcome::AlreadyPending(pending.try_into()?));
        }

        if let Some(limit) = org.plan.seat_limit()
            && seats_in_use(&mut tx, org.id).await? >= limit
        {
            return Err(DomainError::SeatLimitReached);
        }
        let wants_temporary = org.invitation_delivery == InvitationDelivery::TemporaryPassword;
        let (user, registered) = invitee_account(&mut tx, &invite, wants_temporary).await?;
        // For an email that already has an account, LINK is used.
        let delivery = if wants_temporary && !registered {
            sqlx::query("update app_user set must_change_password = true where id = $1 and password_hash is null")
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(unexpected)?;
            InvitationDelivery::TemporaryPassword
        } else {
            InvitationDelivery::Link
        };
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
        .await
        .map_err(unexpected)?;
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
        .await
        .map_err(unexpected)?;
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
                .await
                .map_err(unexpected)?;
            }
        }
        request_send(&mut tx, &inv, 1, now).await?;
        let detail = serde_json::json!({ "after": "PENDING", "delivery": delivery.as_str() });
        record_audit(
            &mut tx,
            audit(
                &inv,
                Some(inviter.user_id),
                "invitation.created",
                detail,
                now,
            ),
        )
        .await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(InviteOutcome::Created(inv))
    }

    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(super) async fn send_again(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Invitation> {
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let found = invitation_by_id(&mut tx, id).await?;
        if found.org_id != actor.org_id {
            return Err(DomainError::NotFound);
        }
        lock_organization(&mut tx, found.org_id)
            .await
            .map_err(unexpected)?;
        let inv = invitation_by_id(&mut tx, id).await?;
        require_inviter(&mut tx, inv.org_id, actor.user_id, inv.role).await?;
        match inv.status {
            InvitationStatus::Pending => {}
            InvitationStatus::Expired => return Err(DomainError::InvitationExpired),
            _ => return Err(DomainError::InvitationInvalid),
        }
        let (recent,): (i64,) = sqlx::query_as(
            "select count(*) from invitation_send where invitation_id = $1 and requested_at > $2",
        )
        .bind(inv.id.0)
        .bind(now - SEND_WINDOW)
        .fetch_one(&mut *tx)
        .await
        .map_err(unexpected)?;
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
            .await
            .map_err(unexpected)?;
            let wait = (oldest + SEND_WINDOW - now).to_std().unwrap_or_default();
            return Err(DomainError::rate_limited(wait));
        }
        let org = select_org(&mut tx, inv.org_id).await?;
        let resent = Invitation {
            sent_count: inv.sent_count + 1,
            last_sent_at: Some(now),
            expires_at: now + ttl(&org, inv.delivery),
            ..inv.clone()
        };
        // The old secret dies now: the link token at once, a one-time
        // password by clearing it until the new send sets the next one.
        sqlx::query(
            "update invitation set token_hash = null, sent_count = $2, last_sent_at = $3, expires_at = $4, updated_at = $3 \
             where id = $1",
        )
        .bind(resent.id.0)
        .bind(resent.sent_count)
        .bind(now)
        .bind(resent.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(unexpected)?;
        if resent.delivery == InvitationDelivery::TemporaryPassword {
            sqlx::query("update app_user set password_hash = null where id = $1 and must_change_password = true")
                .bind(resent.user_id.0)
                .execute(&mut *tx)
                .await
                .map_err(unexpected)?;
        }
        request_send(&mut tx, &resent, resent.sent_count, now).await?;
        let detail = serde_json::json!({ "sentCount": resent.sent_count });
        record_audit(
            &mut tx,
            audit(
                &resent,
                Some(actor.user_id),
                "invitation.resent",
                detail,
                now,
            ),
        )
        .await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(resent)
    }

    #[tracing::instrument(skip_all, fields(invitation = %id))]
    pub(super) async fn cancel_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Invitation> {
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let found = invitation_by_id(&mut tx, id).await?;
        if found.org_id != actor.org_id {
            return Err(DomainError::NotFound);
        }
        lock_organization(&mut tx, found.org_id)
            .await
            .map_err(unexpected)?;
        let inv = invitation_by_id(&mut tx, id).await?;
        require_inviter(&mut tx, inv.org_id, actor.user_id, inv.role).await?;
        if inv.status != InvitationStatus::Pending {
            return Err(DomainError::InvitationInvalid);
        }
        end_pending(&mut tx, &inv, InvitationStatus::Revoked, now).await?;
        let detail = serde_json::json!({ "before": "PENDING", "after": "REVOKED" });
        record_audit(
            &mut tx,
            audit(&inv, Some(actor.user_id), "invitation.revoked", detail, now),
        )
        .await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(Invitation {
            status: InvitationStatus::Revoked,
            ..inv
        })
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn preview(&self, token: &TokenHash) -> Result<Option<InvitationPreview>> {
        let Some(inv) = invitation_by_token(&self.pool, token).await? else {
            return Ok(None);
        };
        let (organization_name, invited_by_name, account_exists): (String, Option<String>, bool) = sqlx::query_as(
            "select o.name, (select display_name from app_user where id = $2), \
             (select password_hash is not null and must_change_password = false from app_user where id = $3) \
             from organization o where o.id = $1",
        )
        .bind(inv.org_id.0)
        .bind(inv.invited_by.map(|u| u.0))
        .bind(inv.user_id.0)
        .fetch_one(&self.pool)
        .await
        .map_err(unexpected)?;
        Ok(Some(InvitationPreview {
            invitation: inv,
            organization_name,
            invited_by_name,
            account_exists,
        }))
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn accept(&self, a: Acceptance) -> Result<User> {
        let now = a.now;
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let inv = locked_by_token(&mut tx, &a.token).await?;
        inv.usable(now)?;
        // The invited role is checked again against the inviter's role now.
        let inviter = inv.invited_by.ok_or(DomainError::InvitationInvalid)?;
        require_inviter(&mut tx, inv.org_id, inviter, inv.role)
            .await
            .map_err(|e| match e {
                DomainError::Internal(e) => DomainError::Internal(e),
                _ => DomainError::InvitationInvalid,
            })?;
        let (registered,): (bool,) = sqlx::query_as(
            "select password_hash is not null and must_change_password = false from app_user where id = $1",
        )
        .bind(inv.user_id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(unexpected)?;
        match (a.viewer, a.new_account) {
            // Logged in: only as the invited email.
            (Some(viewer), _) if viewer != inv.user_id => return Err(DomainError::Forbidden),
            (Some(_), _) => {}
            (None, _) if registered => return Err(DomainError::Unauthenticated),
            (None, None) => {
                return Err(DomainError::validation(
                    "choose a display name and a password to create your account",
                ));
            }
            (None, Some((name, password_hash))) => {
                let claimed = sqlx::query(
                    "update app_user set display_name = $2, password_hash = $3, must_change_password = false, \
                     updated_at = $4 where id = $1 and password_hash is null",
                )
                .bind(inv.user_id.0)
                .bind(name.as_str())
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(unexpected)?
                .rows_affected();
                if claimed == 0 {
                    return Err(DomainError::Unauthenticated);
                }
            }
        }
        activate(&mut tx, &inv, now).await?;
        let user: UserRow = sqlx::query_as(composed(format!(
            "select {USER_COLUMNS} from app_user u where u.id = $1"
        )))
        .bind(inv.user_id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(unexpected)?;
        tx.commit().await.map_err(unexpected)?;
        Ok(user.into())
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn decline(&self, token: &TokenHash, now: DateTime<Utc>) -> Result<()> {
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let inv = locked_by_token(&mut tx, token).await?;
        inv.usable(now)?;
        end_pending(&mut tx, &inv, InvitationStatus::Declined, now).await?;
        let detail = serde_json::json!({ "before": "PENDING", "after": "DECLINED" });
        record_audit(
            &mut tx,
            audit(&inv, Some(inv.user_id), "invitation.declined", detail, now),
        )
        .await?;
        tx.commit().await.map_err(unexpected)
    }

    #[tracing::instrument(skip_all, fields(invitation = %job.invitation_id, send = job.send_no))]
    pub(super) async fn prepare_send(
        &self,
        job: InvitationMailJob,
        secret: SendSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSend>> {
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let Ok(inv) = invitation_by_id(&mut tx, job.invitation_id).await else {
            return Ok(None);
        };
        let delivered: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as(
            "select delivered_at from invitation_send where invitation_id = $1 and send_no = $2",
        )
        .bind(inv.id.0)
        .bind(job.send_no)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unexpected)?;
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
            SendSecret::TemporaryPassword(hash) => {
                sqlx::query("update app_user set password_hash = $2 where id = $1 and must_change_password = true")
                    .bind(inv.user_id.0)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
            }
        }
        .map_err(unexpected)?
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
        .await
        .map_err(unexpected)?;
        tx.commit().await.map_err(unexpected)?;
        Ok(Some(PendingSend {
            invitation: inv,
            organization_name,
            invited_by_name,
        }))
    }

    #[tracing::instrument(skip_all, fields(invitation = %job.invitation_id, send = job.send_no))]
    pub(super) async fn mark_sent(&self, job: InvitationMailJob, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "update invitation_send set delivered_at = $3 where invitation_id = $1 and send_no = $2 and delivered_at is null",
        )
        .bind(job.invitation_id.0)
        .bind(job.send_no)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(unexpected)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await.map_err(unexpected)?;
        let n = expire_overdue(&mut tx, None, now).await?;
        tx.commit().await.map_err(unexpected)?;
        Ok(n)
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(super) async fn select_invitation_workspaces(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Workspace)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select iw.invitation_id, {WORKSPACE_COLUMNS} from invitation_workspace iw \
             join workspace w on w.id = iw.workspace_id where iw.invitation_id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        q.push(" order by w.name, w.id");
        let rows: Vec<(Uuid, WorkspaceRow)> = fetch_keyed(&self.pool, q).await?;
        Ok(rows
            .into_iter()
            .map(|(i, w)| (InvitationId(i), w.into()))
            .collect())
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(super) async fn select_invitation_assistants(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Assistant)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select ia.invitation_id, {ASSISTANT_COLUMNS} from invitation_assistant ia \
             join assistant a on a.id = ia.assistant_id where ia.invitation_id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        q.push(" order by a.name, a.id");
        let rows: Vec<(Uuid, AssistantRow)> = fetch_keyed(&self.pool, q).await?;
        Ok(rows
            .into_iter()
            .map(|(i, a)| (InvitationId(i), a.into()))
            .collect())
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(super) async fn select_invitations(&self, ids: &[InvitationId]) -> Result<Vec<Invitation>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {INVITATION_COLUMNS} from invitation i where i.id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        let rows: Vec<InvitationRow> = q
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(unexpected)?;
        convert_all(rows)
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(super) async fn select_invitation_page(
        &self,
        org: OrgId,
        filter: InvitationFilter,
        page: PageRequest<InvitationId>,
    ) -> Result<Page<Invitation>> {
        let conditions = |q: &mut QueryBuilder<Db>| {
            q.push(" where i.organization_id = ").push_bind(org.0);
            if let Some(status) = filter.status {
                q.push(" and i.status = ").push_bind(status.as_str());
            }
        };
        let mut q =
            QueryBuilder::<Db>::new(format!("select {INVITATION_COLUMNS} from invitation i"));
        conditions(&mut q);
        if let Some(after) = page.after {
            q.push(" and i.id > ").push_bind(after.0);
        }
        q.push(" order by i.id limit ")
            .push_bind(i64::from(page.first) + 1);
        let rows: Vec<InvitationRow> = q
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(unexpected)?;
        let mut items: Vec<Invitation> = convert_all(rows)?;
        let has_next_page = items.len() > page.first as usize;
        items.truncate(page.first as usize);
        let mut count = QueryBuilder::<Db>::new("select count(*) from invitation i");
        conditions(&mut count);
        let (total_count,): (i64,) = count
            .build_query_as()
            .fetch_one(&self.pool)
            .await
            .map_err(unexpected)?;
        Ok(Page {
            items,
            has_next_page,
            total_count,
        })
    }
}

/// Turns the invitation's INVITED membership ACTIVE with the workspaces
/// and assistants it names. The seat was held since the invitation; it is
/// counted again in case the plan shrank meanwhile.
pub(super) async fn activate(tx: &mut Tx, inv: &Invitation, now: DateTime<Utc>) -> Result<()> {
    let org = select_org(tx, inv.org_id).await?;
    if let Some(limit) = org.plan.seat_limit()
        && seats_in_use(tx, org.id).await? > limit
    {
        return Err(DomainError::SeatLimitReached);
    }
    let won = sqlx::query(
        "update invitation set status = 'ACCEPTED', token_hash = null, updated_at = $2 where id = $1 and status = 'PENDING'",
    )
    .bind(inv.id.0)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(unexpected)?
    .rows_affected();
    if won == 0 {
        return Err(DomainError::InvitationInvalid);
    }
    let (member,): (Uuid,) = sqlx::query_as(
        "update membership set status = 'ACTIVE', joined_at = $3, last_active_at = $3, updated_at = $3 \
         where organization_id = $1 and user_id = $2 and status = 'INVITED' returning id",
    )
    .bind(inv.org_id.0)
    .bind(inv.user_id.0)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unexpected)?
    .ok_or(DomainError::InvitationInvalid)?;
    let member = roster_domain::MemberId(member);
    let workspaces: Vec<(Uuid,)> =
        sqlx::query_as("select workspace_id from invitation_workspace where invitation_id = $1")
            .bind(inv.id.0)
            .fetch_all(&mut **tx)
            .await
            .map_err(unexpected)?;
    insert_member_workspaces(
        tx,
        member,
        &workspaces.into_iter().map(|(w,)| w).collect::<Vec<_>>(),
    )
    .await?;
    let assistants: Vec<(Uuid,)> =
        sqlx::query_as("select assistant_id from invitation_assistant where invitation_id = $1")
            .bind(inv.id.0)
            .fetch_all(&mut **tx)
            .await
            .map_err(unexpected)?;
    for (a,) in assistants {
        insert_assistant_users(tx, roster_domain::AssistantId(a), &[member]).await?;
    }
    let detail = serde_json::json!({ "before": "PENDING", "after": "ACCEPTED" });
    record_audit(
        tx,
        audit(inv, Some(inv.user_id), "invitation.accepted", detail, now),
    )
    .await
}

/// Accepts the user's usable TEMPORARY_PASSWORD invitations: changing the
/// one-time password is what activates those memberships.
pub(super) async fn activate_temporary_password_invitations(
    tx: &mut Tx,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<InvitationRow> = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.user_id = $1 and i.status = 'PENDING' \
         and i.delivery = 'TEMPORARY_PASSWORD' and i.expires_at > $2"
    )))
    .bind(user.0)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
    .map_err(unexpected)?;
    let pending: Vec<Invitation> = convert_all(rows)?;
    for inv in &pending {
        lock_organization(tx, inv.org_id)
            .await
            .map_err(unexpected)?;
        activate(tx, inv, now).await?;
    }
    Ok(())
}
