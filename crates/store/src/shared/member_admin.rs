//! Member administration (rules.md §2, §4): role changes, block and
//! unblock. Each is one transaction under the organization's lock, so that
//! two admins acting on each other at once are serialized and the second
//! sees what the first did: the last ACTIVE ADMIN and the last seat are
//! counted inside it.
//!
//! The checks run in this order: the target (`NOT_FOUND`), the caller's
//! role against the permission table as the guard saw it (`FORBIDDEN`), the
//! owner and self rules, a no-op when nothing would change, the invariants
//! (`LAST_ADMIN`, `SEAT_LIMIT_REACHED`), and last the caller's membership
//! read again under the lock (`FORBIDDEN` when a racing request took its
//! power away). The invariants come before that re-read so that the loser
//! of "two admins demote each other" learns why: `LAST_ADMIN`.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::AuditChange;
use roster_domain::member_admin::{self, Change};
use roster_domain::model::Membership;
use roster_domain::permission::{self, Action};
use roster_domain::store::MemberAdminStore;
use roster_domain::{DomainError, MemberStatus, OrgId, OrgRole, UserId};

use super::invitations::{expire_overdue, seats_in_use};
use super::members::membership_in;
use super::organizations::{AuditRecord, record_audit, select_org};
use super::{BackendStore, Db};

pub(super) type Tx = Transaction<'static, Db>;

/// The member an administrator acts on: ACTIVE or BLOCKED. An INVITED one
/// is `NOT_FOUND` too: its invitation is changed by revoke and invite.
pub(super) async fn target(tx: &mut Tx, org: OrgId, user: UserId) -> Result<Membership> {
    membership_in(tx, org, user)
        .await?
        .filter(|m| m.status != MemberStatus::Invited)
        .ok_or(DomainError::NotFound.into())
}

/// The organization's ACTIVE ADMINs, read under its lock from its
/// counters (migration 0019): the fact the domain's owner and last-admin
/// rules (`roster_domain::member_admin`) read.
pub(super) async fn active_admins(tx: &mut Tx, org: OrgId) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "select coalesce(sum(n), 0) from member_count where organization_id = $1 \
         and role = 'ADMIN' and status = 'ACTIVE'",
    )
    .bind(org.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// The caller, read again under the lock: still ACTIVE, and still allowed
/// by the table to do `action` to a member of `target_role`.
pub(super) async fn still_allowed(
    tx: &mut Tx,
    actor: &Membership,
    action: Action,
    target_role: OrgRole,
) -> Result<()> {
    let now = membership_in(tx, actor.org_id, actor.user_id)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(DomainError::Forbidden)?;
    Ok(permission::require_on(now.role, action, target_role)?)
}

async fn audit(
    tx: &mut Tx,
    target: &Membership,
    actor: UserId,
    change: AuditChange,
    at: DateTime<Utc>,
) -> Result<()> {
    record_audit(
        tx,
        AuditRecord {
            org: target.org_id,
            actor: Some(actor),
            change,
            target_user: Some(target.user_id),
            target_email: None,
            at,
        },
    )
    .await
}

#[async_trait::async_trait]
impl MemberAdminStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn change_member_role(
        &self,
        org: OrgId,
        user: UserId,
        role: OrgRole,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_organization(&mut tx, org).await?;
            let before = target(&mut tx, org, user).await?;
            permission::require(actor.role, Action::ChangeMemberRole)?;
            let admins = active_admins(&mut tx, org).await?;
            if member_admin::check_role_change(&before, role, admins)? == Change::Unchanged {
                tx.commit().await?;
                return Ok(before);
            }
            still_allowed(&mut tx, actor, Action::ChangeMemberRole, before.role).await?;
            sqlx::query(
                "update membership set role = $3, updated_at = $4 where organization_id = $1 and user_id = $2",
            )
            .bind(org.0)
            .bind(user.0)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let change = AuditChange::MemberRole {
                from: before.role,
                to: role,
            };
            audit(&mut tx, &before, actor.user_id, change, now).await?;
            let after = target(&mut tx, org, user).await?;
            tx.commit().await?;
            Ok(after)
        })
        .await
    }

    /// Blocks (`blocked`) or unblocks a member. Blocking a BLOCKED member
    /// and unblocking an ACTIVE one answer the member as it is, with no
    /// audit event: the caller's wish already holds.
    #[tracing::instrument(skip_all, fields(org = %org, blocked))]
    async fn set_member_blocked(
        &self,
        org: OrgId,
        user: UserId,
        blocked: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_organization(&mut tx, org).await?;
            let before = target(&mut tx, org, user).await?;
            permission::require_on(actor.role, Action::BlockMembers, before.role)?;
            let (from, to, change) = if blocked {
                let admins = active_admins(&mut tx, org).await?;
                let change = member_admin::check_block(actor.user_id, &before, admins)?;
                (MemberStatus::Active, MemberStatus::Blocked, change)
            } else {
                let change = member_admin::check_unblock(&before);
                (MemberStatus::Blocked, MemberStatus::Active, change)
            };
            if change == Change::Unchanged {
                tx.commit().await?;
                return Ok(before);
            }
            if !blocked {
                // The member takes a seat again; overdue invitations hold none.
                expire_overdue(&mut tx, org, now).await?;
                let plan = select_org(&mut tx, org).await?.plan;
                plan.check_free_seat(seats_in_use(&mut tx, org).await?)?;
            }
            still_allowed(&mut tx, actor, Action::BlockMembers, before.role).await?;
            sqlx::query(
                "update membership set status = $3, updated_at = $4 where organization_id = $1 and user_id = $2",
            )
            .bind(org.0)
            .bind(user.0)
            .bind(to.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let status = AuditChange::MemberStatus { from, to };
            audit(&mut tx, &before, actor.user_id, status, now).await?;
            let after = target(&mut tx, org, user).await?;
            tx.commit().await?;
            Ok(after)
        })
        .await
    }

    async fn remove_member(
        &self,
        removal: roster_domain::job::Removal,
        actor: &Membership,
    ) -> PortResult<roster_domain::job::Removed> {
        Ok(self.delete_member(removal, actor).await?)
    }
}
