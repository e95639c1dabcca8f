//! Creating and changing leads. Each is one transaction that reads the
//! actor's membership and the team it manages again, and locks the new
//! owner's ACTIVE membership against a concurrent removal (never the
//! organization: lead writes of one organization run side by side). No
//! audit event: rules.md §7 does not list leads.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use crate::backend::Backend;
use crate::error::{OnViolation, Result};
use roster_domain::lead::{Lead, LeadPatch, LeadScope, ManagedTeam, NewLead};
use roster_domain::model::Membership;
use roster_domain::permission::Action;
use roster_domain::{AssistantId, DomainError, LeadId, OrgId, UserId, WorkspaceId};
use sqlx::error::ErrorKind;

use super::super::members::membership_in;
use super::super::{BackendStore, Db};
use super::{lead_in_tx, managed_team};

/// The actor's scope for editing leads in `org`, read again inside the
/// transaction, with the team it manages when the scope needs it.
async fn edit_scope(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    actor: &Membership,
) -> Result<(LeadScope, ManagedTeam)> {
    let now = membership_in(tx, org, actor.user_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let scope = LeadScope::for_viewer(&now, Action::EditLeads)?;
    let team = match scope {
        LeadScope::All => ManagedTeam::default(),
        LeadScope::Own(me) => managed_team(tx, org, me).await?,
    };
    Ok((scope, team))
}

/// Whether a row of `table` with `id` belongs to `org`.
async fn belongs(
    tx: &mut Transaction<'static, Db>,
    table: &'static str,
    org: OrgId,
    id: uuid::Uuid,
) -> Result<bool> {
    let sql = format!("select count(*) from {table} where id = $1 and organization_id = $2");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(org.0)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n == 1)
}

/// Checks what a write names: the owner an ACTIVE member (its membership
/// locked until commit), the assistant and workspace of the organization.
async fn check_references(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    owner: Option<UserId>,
    assistant: Option<AssistantId>,
    workspace: Option<WorkspaceId>,
) -> Result<()> {
    if let Some(owner) = owner
        && !Db::lock_active_member(tx, org, owner).await?
    {
        return Err(
            DomainError::validation("ownerId is not an active member of the organization").into(),
        );
    }
    if let Some(a) = assistant
        && !belongs(tx, "assistant", org, a.0).await?
    {
        return Err(
            DomainError::validation("assistantId is not an assistant of the organization").into(),
        );
    }
    if let Some(w) = workspace
        && !belongs(tx, "workspace", org, w.0).await?
    {
        return Err(
            DomainError::validation("workspaceId is not a workspace of the organization").into(),
        );
    }
    Ok(())
}

/// A write that names an assistant or workspace deleted meanwhile.
fn gone() -> DomainError {
    DomainError::validation("the lead names something that no longer exists")
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %new.org, lead = %new.id))]
    pub(in super::super) async fn insert_lead(
        &self,
        new: NewLead,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Lead> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let (scope, team) = edit_scope(&mut tx, new.org, actor).await?;
        check_references(&mut tx, new.org, new.owner, new.assistant, new.workspace).await?;
        if !scope.covers(new.owner, new.assistant, &team) {
            return Err(DomainError::Forbidden.into());
        }
        let lead = Lead {
            id: new.id,
            org_id: new.org,
            name: new.name.as_str().to_owned(),
            email: new.email.map(|e| e.as_str().to_owned()),
            company: new.company.map(|c| c.as_str().to_owned()),
            status: new
                .status
                .as_ref()
                .map_or(roster_domain::lead::DEFAULT_STATUS.to_owned(), |s| {
                    s.as_str().to_owned()
                }),
            owner_id: new.owner,
            assistant_id: new.assistant,
            workspace_id: new.workspace,
            created_at: now,
        };
        sqlx::query(
            "insert into lead (id, organization_id, name, email, company, status, owner_id, \
             assistant_id, workspace_id, created_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(lead.id.0)
        .bind(lead.org_id.0)
        .bind(&lead.name)
        .bind(&lead.email)
        .bind(&lead.company)
        .bind(&lead.status)
        .bind(lead.owner_id.map(|u| u.0))
        .bind(lead.assistant_id.map(|a| a.0))
        .bind(lead.workspace_id.map(|w| w.0))
        .bind(actor.user_id.0)
        .bind(now)
        .execute(&mut *tx)
        .await
        .on_violation(ErrorKind::ForeignKeyViolation, gone)?;
        tx.commit()
            .await
            .on_violation(ErrorKind::ForeignKeyViolation, gone)?;
        Ok(lead)
    }

    #[tracing::instrument(skip_all, fields(lead = %id))]
    pub(in super::super) async fn change_lead(
        &self,
        id: LeadId,
        patch: LeadPatch,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Lead> {
        let mut tx = Db::begin_write(&self.pool).await?;
        // Locked first, so that a concurrent write (the reassignment job
        // moving it) is never overwritten with what we read before it.
        Db::lock_lead(&mut tx, id).await?;
        let before = lead_in_tx(&mut tx, id)
            .await?
            .filter(|l| l.org_id == actor.org_id)
            .ok_or(DomainError::NotFound)?;
        let (scope, team) = edit_scope(&mut tx, before.org_id, actor).await?;
        // A lead the actor may not see does not exist for it.
        if !scope.covers(before.owner_id, before.assistant_id, &team) {
            return Err(DomainError::NotFound.into());
        }
        check_references(
            &mut tx,
            before.org_id,
            patch.owner.flatten(),
            patch.assistant.flatten(),
            patch.workspace.flatten(),
        )
        .await?;
        let after = patch.apply(&before);
        if !scope.covers(after.owner_id, after.assistant_id, &team) {
            return Err(DomainError::Forbidden.into());
        }
        sqlx::query(
            "update lead set name = $2, email = $3, company = $4, status = $5, owner_id = $6, \
             assistant_id = $7, workspace_id = $8, updated_at = $9 where id = $1",
        )
        .bind(id.0)
        .bind(&after.name)
        .bind(&after.email)
        .bind(&after.company)
        .bind(&after.status)
        .bind(after.owner_id.map(|u| u.0))
        .bind(after.assistant_id.map(|a| a.0))
        .bind(after.workspace_id.map(|w| w.0))
        .bind(now)
        .execute(&mut *tx)
        .await
        .on_violation(ErrorKind::ForeignKeyViolation, gone)?;
        tx.commit()
            .await
            .on_violation(ErrorKind::ForeignKeyViolation, gone)?;
        Ok(after)
    }
}
