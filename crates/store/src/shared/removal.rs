//! Removing a member (rules.md §5): one transaction under the
//! organization's lock, with the checks of member administration in the
//! same order (target, table, owner, self, last ADMIN, the lead target,
//! the caller read again).
//!
//! The membership row is deleted: its workspace and assistant places (and
//! manager flags) cascade, the caller's membership resolution answers as
//! for a stranger at once, and the unique (organization, user) pair is
//! free for a later invitation. The account, its other memberships, its
//! audit events and its leads stay; the leads move in the reassignment job
//! enqueued here, with the removal email.

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::JobId;
use roster_domain::job::{ReassignmentTask, Removal, Removed};
use roster_domain::member_admin;
use roster_domain::model::Membership;
use roster_domain::notice::MemberNotice;
use roster_domain::permission::{self, Action};

use super::jobs::{NewReassignment, count_leads_of, insert_reassignment};
use super::member_admin::{Tx, active_admins, still_allowed, target};
use super::members::membership_in;
use super::organizations::{AuditRecord, record_audit_as};
use super::outbox::enqueue;
use super::{BackendStore, Db};

/// `reassignLeadsTo`, read under the lock for the domain to judge
/// (`member_admin::check_lead_target`).
async fn check_lead_target(tx: &mut Tx, r: &Removal) -> Result<()> {
    let Some(to) = r.reassign_leads_to else {
        return Ok(());
    };
    let status = membership_in(tx, r.org, to).await?.map(|m| m.status);
    Ok(member_admin::check_lead_target(r.user, to, status)?)
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %r.org))]
    pub(super) async fn delete_member(&self, r: Removal, actor: &Membership) -> Result<Removed> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, r.org).await?;
        let before = target(&mut tx, r.org, r.user).await?;
        permission::require_on(actor.role, Action::InviteOrRemoveMembers, before.role)?;
        let admins = active_admins(&mut tx, r.org).await?;
        member_admin::check_removal(actor.user_id, &before, admins)?;
        check_lead_target(&mut tx, &r).await?;
        still_allowed(&mut tx, actor, Action::InviteOrRemoveMembers, before.role).await?;

        sqlx::query("delete from membership where organization_id = $1 and user_id = $2")
            .bind(r.org.0)
            .bind(r.user.0)
            .execute(&mut *tx)
            .await?;
        let total = count_leads_of(&mut tx, r.org, r.user).await?;
        let job = insert_reassignment(
            &mut tx,
            NewReassignment {
                id: JobId::new(),
                org: r.org,
                from: r.user,
                to: r.reassign_leads_to,
                total,
                created_by: actor.user_id,
                now: r.now,
            },
        )
        .await?;
        let event_id = uuid::Uuid::now_v7();
        let change = AuditChange::MemberRemoved {
            role: before.role,
            status: before.status,
            reassign_leads_to: r.reassign_leads_to,
            job: job.id,
        };
        record_audit_as(
            &mut tx,
            event_id,
            AuditRecord {
                org: r.org,
                actor: Some(actor.user_id),
                change,
                target_user: Some(r.user),
                target_email: None,
                at: r.now,
            },
        )
        .await?;
        let notice = MemberNotice::Removed {
            organization_id: r.org,
            user_id: r.user,
            event_id,
        };
        enqueue(&mut tx, MemberNotice::QUEUE, &notice).await?;
        let task = ReassignmentTask { job_id: job.id };
        enqueue(&mut tx, ReassignmentTask::QUEUE, &task).await?;
        tx.commit().await?;
        Ok(Removed { user: r.user, job })
    }
}
