//! Accepting by token (LINK), and what the token holder sees first; what
//! every acceptance shares (by id: `by_id.rs`; by changing a one-time
//! password: `one_time.rs`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::invitation::{Acceptance, Invitation, InvitationPreview};
use roster_domain::model::User;
use roster_domain::token::TokenHash;
use roster_domain::{AssistantId, DomainError, UserId};

use super::super::assistants::insert_assistant_users;
use super::super::organizations::{AuditRecord, record_audit, select_org};
use super::super::rows::{USER_COLUMNS, UserRow, composed};
use super::super::verification::{NewOwner, take_over_address};
use super::super::workspaces::{audit as workspace_audit, insert_member_workspaces};
use super::super::{BackendStore, Db};
use super::{
    Tx, audit, ended, invitation_by_token, locked_by_token, require_inviter, seats_in_use,
    stored_targets,
};
use roster_domain::verification::{Holder, takes_over};

impl BackendStore {
    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn preview(
        &self,
        token: &TokenHash,
    ) -> Result<Option<InvitationPreview>> {
        let Some(inv) = invitation_by_token(&self.pool, token).await? else {
            return Ok(None);
        };
        let (organization_name, invited_by_name, account_exists): (String, Option<String>, bool) =
            sqlx::query_as(
                "select o.name, (select display_name from app_user where id = $2), \
             (select password_hash is not null and must_change_password = false \
              and email_verified_at is not null from app_user where id = $3) \
             from organization o where o.id = $1",
            )
            .bind(inv.org_id.0)
            .bind(inv.invited_by.map(|u| u.0))
            .bind(inv.user_id.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(InvitationPreview {
            invitation: inv,
            organization_name,
            invited_by_name,
            account_exists,
        }))
    }

    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn accept(&self, a: Acceptance) -> Result<User> {
        let now = a.now;
        let mut tx = Db::begin_write(&self.pool).await?;
        let mut inv = locked_by_token(&mut tx, &a.token).await?;
        inv.usable(now)?;
        let (registered, verified, key): (bool, bool, String) = sqlx::query_as(
            "select password_hash is not null and must_change_password = false, \
             email_verified_at is not null, email_normalized from app_user where id = $1",
        )
        .bind(inv.user_id.0)
        .fetch_one(&mut *tx)
        .await?;
        match (a.viewer, a.new_account) {
            // Logged in: only as the invited email.
            (Some(viewer), _) if viewer != inv.user_id => return Err(DomainError::Forbidden.into()),
            (Some(_), _) => {}
            // An account that never proved the address does not stop its
            // owner, who proves it with this token (rules.md §1): it is
            // retired and the owner gets a fresh account.
            (None, Some((name, password_hash)))
                if takes_over(Holder {
                    has_own_password: registered,
                    verified,
                }) =>
            {
                let owner = NewOwner {
                    id: UserId::new(),
                    email: &inv.email,
                    display_name: name.as_str(),
                    password_hash: &password_hash,
                };
                let taken = take_over_address(&mut tx, &key, owner, now).await?;
                inv.user_id = taken.ok_or(DomainError::Unauthenticated)?.id;
            }
            (None, _) if registered => return Err(DomainError::Unauthenticated.into()),
            (None, None) => {
                return Err(DomainError::validation(
                    "choose a display name and a password to create your account",
                )
                .into());
            }
            (None, Some((name, password_hash))) => {
                let claimed = sqlx::query(
                    "update app_user set display_name = $2, password_hash = $3, must_change_password = false, \
                     updated_at = $4 where id = $1 and (password_hash is null or must_change_password = true)",
                )
                .bind(inv.user_id.0)
                .bind(name.as_str())
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed == 0 {
                    return Err(DomainError::Unauthenticated.into());
                }
            }
        }
        activate(&mut tx, &inv, now).await?;
        // The token came by mail to the invited address: it is proved.
        mark_address_proved(&mut tx, inv.user_id, now).await?;
        let user: UserRow = sqlx::query_as(composed(format!(
            "select {USER_COLUMNS} from app_user u where u.id = $1"
        )))
        .bind(inv.user_id.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user.into())
    }
}

/// The account's owner used a secret mailed to its address (docs/api/invitations.md: only then are its invitations accepted by id).
/// Also what a password reset through a mailed link does (docs/api/sessions.md).
pub(in super::super) async fn mark_address_proved(
    tx: &mut Tx,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "update app_user set email_verified_at = $2 where id = $1 and email_verified_at is null",
    )
    .bind(user.0)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Turns the invitation's INVITED membership ACTIVE with the workspaces
/// and assistants it names. What the invitation grants (its role, and
/// what its workspaces and assistants need: rules.md §10) is checked again
/// against the inviter's role now, whichever delivery accepts it
/// (docs/api/invitations.md: "The role is checked again when the invitation is accepted").
/// The seat was held since the invitation; it is counted again in case
/// the plan shrank meanwhile.
pub(in super::super) async fn activate(
    tx: &mut Tx,
    inv: &Invitation,
    now: DateTime<Utc>,
) -> Result<()> {
    let targets = stored_targets(tx, inv.id).await?;
    let inviter = inv.invited_by.ok_or(DomainError::InvitationInvalid)?;
    require_inviter(tx, inv.org_id, inviter, inv.role, &targets)
        .await
        .map_err(|e| match DomainError::from(e) {
            DomainError::Internal(e) => DomainError::Internal(e),
            _ => DomainError::InvitationInvalid,
        })?;
    let org = select_org(tx, inv.org_id).await?;
    // The invitation's seat is counted already.
    org.plan.check_seats(seats_in_use(tx, org.id).await?)?;
    let won = sqlx::query(
        "update invitation set status = 'ACCEPTED', token_hash = null, temporary_password_hash = null, \
         updated_at = $2 where id = $1 and status = 'PENDING'",
    )
    .bind(inv.id.0)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if won == 0 {
        return Err(DomainError::InvitationInvalid.into());
    }
    let (member,): (Uuid,) = sqlx::query_as(
        "update membership set status = 'ACTIVE', joined_at = $3, last_active_at = $3, updated_at = $3 \
         where organization_id = $1 and user_id = $2 and status = 'INVITED' returning id",
    )
    .bind(inv.org_id.0)
    .bind(inv.user_id.0)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::InvitationInvalid)?;
    let member = roster_domain::MemberId(member);
    let workspaces: Vec<Uuid> = targets.workspaces.iter().map(|w| w.0).collect();
    insert_member_workspaces(tx, member, &workspaces).await?;
    for &assistant in &targets.assistants {
        insert_assistant_users(tx, assistant, &[member]).await?;
        assistant_users_changed(tx, inv, inviter, assistant, now).await?;
    }
    let change = ended(inv, roster_domain::InvitationStatus::Accepted, None);
    record_audit(tx, audit(inv, Some(inv.user_id), change, now)).await
}

/// The `assistant.users_changed` event of an accepted invitation's
/// assistant, as `setAssistantUsers` writes it (its users after), by the
/// inviter who granted the place.
async fn assistant_users_changed(
    tx: &mut Tx,
    inv: &Invitation,
    inviter: UserId,
    assistant: AssistantId,
    now: DateTime<Utc>,
) -> Result<()> {
    let users: Vec<(Uuid,)> = sqlx::query_as(
        "select membership_id from assistant_user where assistant_id = $1 order by membership_id",
    )
    .bind(assistant.0)
    .fetch_all(&mut **tx)
    .await?;
    let change = AuditChange::AssistantUsers {
        assistant,
        invitation: Some(inv.id),
        users: users.iter().map(|(m,)| *m).collect(),
    };
    record_audit(
        tx,
        AuditRecord {
            target_user: Some(inv.user_id),
            ..workspace_audit(inv.org_id, inviter, change, now)
        },
    )
    .await
}
