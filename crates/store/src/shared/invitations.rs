//! Invitations (rules.md §3–§4), one file per use case under
//! `invitations/`: invite, resend, revoke and decline, accept, the expiry
//! sweep, the worker's side of a send, and reads. Each write is one
//! transaction under the organization's lock, taken first (then the
//! invitation, its membership, the account), so that concurrent writers
//! never deadlock; sends enqueue their email job inside it. This file holds
//! what the use cases share.

use chrono::{DateTime, Duration, Utc};
use sqlx::Transaction;

use crate::backend::Backend;
use crate::error::{PortResult, Result};
use roster_domain::AuditChange;
use roster_domain::invitation::{self, Invitation, InvitationMailJob, InvitationTargets};
use roster_domain::model::{Membership, Organization};
use roster_domain::store::InvitationStore;
use roster_domain::token::TokenHash;
use roster_domain::{
    AssistantId, DomainError, InvitationDelivery, InvitationId, InvitationStatus, OrgId, UserId,
    WorkspaceId,
};

use super::BackendStore;
use super::Db;
use super::organizations::AuditRecord;
use super::outbox::enqueue;
use super::rows::{INVITATION_COLUMNS, InvitationRow, composed};
use roster_domain::invitation::{
    Acceptance, InvitationFilter, InvitationPreview, InviteOutcome, NewInvitation, PendingSend,
    ReceivedInvitation, SendSecret,
};
use roster_domain::model::{Assistant, Page, PageRequest, User, Workspace};

mod accept;
mod by_id;
mod invite;
mod one_time;
mod read;
mod resend;
mod revoke;
mod send;
mod sweep;

pub(super) use accept::mark_address_proved;
pub(super) use one_time::{accept_by_one_time_password, one_time_passwords};
pub(super) use revoke::revoke_all_pending;
pub(super) use sweep::expire_overdue;
pub(super) use sweep::expire_overdue_of_email;

type Tx = Transaction<'static, Db>;

async fn invitation_by_id(tx: &mut Tx, id: InvitationId) -> Result<Invitation> {
    let row: InvitationRow = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound)?;
    Ok(row.try_into()?)
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
    .await?;
    Ok(row.map(Invitation::try_from).transpose()?)
}

/// The invitation a token opens, read again once its organization is
/// locked (a concurrent accept may have won meanwhile).
async fn locked_by_token(tx: &mut Tx, token: &TokenHash) -> Result<Invitation> {
    let found = invitation_by_token(&mut **tx, token)
        .await?
        .ok_or(DomainError::InvitationInvalid)?;
    Db::lock_organization(tx, found.org_id).await?;
    invitation_by_token(&mut **tx, token)
        .await?
        .ok_or(DomainError::InvitationInvalid.into())
}

/// `actor` may still act on invitations of `role` naming `targets` in
/// `org`: an ACTIVE member whose role the table lets invite that role and
/// grant what the targets grant (`invitation::require_inviter`). No member
/// any more (removed, or the organization deleted meanwhile) is
/// `NOT_FOUND`, as for a stranger.
async fn require_inviter(
    tx: &mut Tx,
    org: OrgId,
    actor: UserId,
    role: roster_domain::OrgRole,
    targets: &InvitationTargets,
) -> Result<Membership> {
    let m = super::members::acting_member(tx, org, actor).await?;
    invitation::require_inviter(m.role, role, targets)?;
    Ok(m)
}

/// The workspaces and assistants a stored invitation names.
async fn stored_targets(tx: &mut Tx, id: InvitationId) -> Result<InvitationTargets> {
    let workspaces: Vec<(uuid::Uuid,)> =
        sqlx::query_as("select workspace_id from invitation_workspace where invitation_id = $1")
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?;
    let assistants: Vec<(uuid::Uuid,)> =
        sqlx::query_as("select assistant_id from invitation_assistant where invitation_id = $1")
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?;
    Ok(InvitationTargets {
        workspaces: workspaces.into_iter().map(|(w,)| WorkspaceId(w)).collect(),
        assistants: assistants.into_iter().map(|(a,)| AssistantId(a)).collect(),
    })
}

pub(super) async fn seats_in_use(tx: &mut Tx, org: OrgId) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from membership where organization_id = $1 and status in ('ACTIVE', 'INVITED')",
    )
    .bind(org.0)
    .fetch_one(&mut **tx)
    .await?;
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
    .await?;
    let job = InvitationMailJob {
        invitation_id: inv.id,
        send_no,
        delivery: inv.delivery,
    };
    enqueue(tx, InvitationMailJob::QUEUE, &job).await
}

/// Ends a PENDING invitation: its token and one-time password die, and
/// its seat (the INVITED membership) is freed. `false` when it was no longer PENDING: the guard
/// in the update, not an earlier read, decides, so a concurrent accept or
/// a second sweep never has its outcome overwritten (nor audited twice).
async fn end_pending(
    tx: &mut Tx,
    inv: &Invitation,
    status: InvitationStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    let ended = sqlx::query(
        "update invitation set status = $2, updated_at = $3, \
         token_hash = case when $2 = 'EXPIRED' then token_hash end, temporary_password_hash = null \
         where id = $1 and status = 'PENDING'",
    )
    .bind(inv.id.0)
    .bind(status.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if ended == 0 {
        return Ok(false);
    }
    sqlx::query(
        "delete from membership where organization_id = $1 and user_id = $2 and status = 'INVITED'",
    )
    .bind(inv.org_id.0)
    .bind(inv.user_id.0)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

fn audit<'a>(
    inv: &'a Invitation,
    actor: Option<UserId>,
    change: AuditChange,
    at: DateTime<Utc>,
) -> AuditRecord<'a> {
    AuditRecord {
        org: inv.org_id,
        actor,
        change,
        target_user: Some(inv.user_id),
        target_email: Some(&inv.email),
        at,
    }
}

/// `inv`, PENDING, ended in `to` (`reason` when the system ended it).
fn ended(inv: &Invitation, to: InvitationStatus, reason: Option<&'static str>) -> AuditChange {
    AuditChange::InvitationEnded {
        invitation: inv.id,
        role: inv.role,
        to,
        reason,
    }
}

#[async_trait::async_trait]
impl InvitationStore for BackendStore {
    async fn invite_member(&self, invite: NewInvitation) -> PortResult<InviteOutcome> {
        Ok(self.create_invitation(invite).await?)
    }

    async fn resend_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        limits: roster_domain::InviteLimits,
        now: DateTime<Utc>,
    ) -> PortResult<Invitation> {
        Ok(self.send_again(id, actor, limits, now).await?)
    }

    async fn revoke_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Invitation> {
        Ok(self.cancel_invitation(id, actor, now).await?)
    }

    async fn invitations_by_ids(&self, ids: &[InvitationId]) -> PortResult<Vec<Invitation>> {
        Ok(self.select_invitations(ids).await?)
    }

    async fn list_invitations(
        &self,
        org: OrgId,
        filter: InvitationFilter,
        page: PageRequest<InvitationId>,
    ) -> PortResult<Page<Invitation>> {
        Ok(self.select_invitation_page(org, filter, page).await?)
    }

    async fn invitation_workspaces(
        &self,
        ids: &[InvitationId],
    ) -> PortResult<Vec<(InvitationId, Workspace)>> {
        Ok(self.select_invitation_workspaces(ids).await?)
    }

    async fn invitation_assistants(
        &self,
        ids: &[InvitationId],
    ) -> PortResult<Vec<(InvitationId, Assistant)>> {
        Ok(self.select_invitation_assistants(ids).await?)
    }

    async fn invitation_preview(&self, token: &TokenHash) -> PortResult<Option<InvitationPreview>> {
        Ok(self.preview(token).await?)
    }

    async fn accept_invitation(&self, acceptance: Acceptance) -> PortResult<User> {
        Ok(self.accept(acceptance).await?)
    }

    async fn decline_invitation(&self, token: &TokenHash, now: DateTime<Utc>) -> PortResult<()> {
        Ok(self.decline(token, now).await?)
    }

    async fn invitations_to(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Vec<ReceivedInvitation>> {
        Ok(self.select_invitations_to(user, now).await?)
    }

    async fn accept_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        Ok(self.accept_by_id(id, user, now).await?)
    }

    async fn decline_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.decline_by_id(id, user, now).await?)
    }

    async fn prepare_invitation_send(
        &self,
        job: InvitationMailJob,
        secret: SendSecret,
        now: DateTime<Utc>,
    ) -> PortResult<Option<PendingSend>> {
        Ok(self.prepare_send(job, secret, now).await?)
    }

    async fn mark_invitation_sent(
        &self,
        job: InvitationMailJob,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.mark_sent(job, now).await?)
    }

    async fn expire_invitations(&self, now: DateTime<Utc>) -> PortResult<u64> {
        Ok(self.sweep_expired(now).await?)
    }
}
