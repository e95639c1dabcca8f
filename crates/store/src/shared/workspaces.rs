//! Workspaces and who is assigned to them, and what assignment needs of
//! both workspaces and assistants (`assistants.rs`).

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::AuditChange;
use roster_domain::model::{AssignmentScope, Membership, Workspace};
use roster_domain::store::WorkspaceStore;
use roster_domain::{
    DomainError, MemberId, MemberStatus, OrgId, ResourceName, UserId, WorkspaceId,
};

use super::members::lock_and_require;
use super::organizations::{AuditRecord, record_audit};
use super::rows::{
    MEMBER_COLUMNS, MemberRow, WORKSPACE_COLUMNS, WorkspaceRow, composed, pairs, push_id_list,
};
use super::{BackendStore, Db};
use roster_domain::permission::Action;

async fn workspace_in_tx(tx: &mut Transaction<'static, Db>, id: WorkspaceId) -> Result<Workspace> {
    let row: WorkspaceRow = sqlx::query_as(composed(format!(
        "select {WORKSPACE_COLUMNS} from workspace w where w.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound)?;
    Ok(row.into())
}

/// The membership of `user` in `org` (ACTIVE or INVITED), else `NOT_FOUND`.
pub(super) async fn assignable_member(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: UserId,
) -> Result<Membership> {
    let m = super::members::membership_in(tx, org, user)
        .await?
        .ok_or(DomainError::NotFound)?;
    if m.status == MemberStatus::Blocked {
        Err(DomainError::Forbidden.into())
    } else {
        Ok(m)
    }
}

/// How many of `ids` are rows of `table` in `org`: all of them, or the
/// caller names something it may not (`NOT_FOUND`).
pub(super) async fn require_all_in_org(
    tx: &mut Transaction<'static, Db>,
    table: &'static str,
    org: OrgId,
    ids: &[Uuid],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Db>::new(format!(
        "select count(*) from {table} where organization_id = "
    ));
    q.push_bind(org.0).push(" and id in ");
    push_id_list(&mut q, ids.iter().copied());
    let (n,): (i64,) = q.build_query_as().fetch_one(&mut **tx).await?;
    if n as usize == ids.len() {
        Ok(())
    } else {
        Err(DomainError::NotFound.into())
    }
}

pub(super) fn audit<'a>(
    org: OrgId,
    actor: UserId,
    change: AuditChange,
    at: DateTime<Utc>,
) -> AuditRecord<'a> {
    AuditRecord {
        org,
        actor: Some(actor),
        change,
        target_user: None,
        target_email: None,
        at,
    }
}

#[async_trait::async_trait]
impl WorkspaceStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn create_workspace(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Workspace> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            lock_and_require(&mut tx, org, actor, Action::ManageWorkspaces).await?;
            let id = WorkspaceId::new();
            sqlx::query("insert into workspace (id, organization_id, name, created_at, updated_at) values ($1, $2, $3, $4, $4)")
                .bind(id.0)
                .bind(org.0)
                .bind(name.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let change = AuditChange::WorkspaceCreated {
                workspace: id,
                name: name.as_str().to_owned(),
            };
            record_audit(&mut tx, audit(org, actor, change, now)).await?;
            let w = workspace_in_tx(&mut tx, id).await?;
            tx.commit().await?;
            Ok(w)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(workspace = %id))]
    async fn rename_workspace(
        &self,
        id: WorkspaceId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Workspace> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let found = workspace_in_tx(&mut tx, id).await?;
            lock_and_require(&mut tx, found.org_id, actor, Action::ManageWorkspaces).await?;
            let before = workspace_in_tx(&mut tx, id).await?;
            sqlx::query("update workspace set name = $2, updated_at = $3 where id = $1")
                .bind(id.0)
                .bind(name.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let change = AuditChange::WorkspaceRenamed {
                workspace: id,
                before: before.name.clone(),
                after: name.as_str().to_owned(),
            };
            record_audit(&mut tx, audit(before.org_id, actor, change, now)).await?;
            tx.commit().await?;
            Ok(Workspace {
                name: name.as_str().to_owned(),
                ..before
            })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(workspace = %id))]
    async fn delete_workspace(
        &self,
        id: WorkspaceId,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let found = workspace_in_tx(&mut tx, id).await?;
            lock_and_require(&mut tx, found.org_id, actor, Action::ManageWorkspaces).await?;
            let before = workspace_in_tx(&mut tx, id).await?;
            // Assignments and invitations' mentions go with it (cascade).
            sqlx::query("delete from workspace where id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            let change = AuditChange::WorkspaceDeleted {
                workspace: id,
                name: before.name.clone(),
            };
            record_audit(&mut tx, audit(before.org_id, actor, change, now)).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn workspaces_by_ids(&self, ids: &[WorkspaceId]) -> PortResult<Vec<Workspace>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {WORKSPACE_COLUMNS} from workspace w where w.id in "
            ));
            push_id_list(&mut q, ids.iter().map(|i| i.0));
            let rows: Vec<WorkspaceRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(Workspace::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn organization_workspaces(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> PortResult<Vec<Workspace>> {
        port(async {
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {WORKSPACE_COLUMNS} from workspace w where w.organization_id = "
            ));
            q.push_bind(org.0);
            if let AssignmentScope::AssignedTo(member) = scope {
                q.push(
                    " and w.id in (select workspace_id from member_workspace where membership_id = ",
                )
                .push_bind(member.0)
                .push(")");
            }
            q.push(" order by w.name, w.id");
            let rows: Vec<WorkspaceRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(Workspace::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = members.len()))]
    async fn member_workspaces(
        &self,
        members: &[MemberId],
    ) -> PortResult<Vec<(MemberId, Workspace)>> {
        port(async {
            if members.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select mw.membership_id, {WORKSPACE_COLUMNS} from member_workspace mw join workspace w on w.id = mw.workspace_id \
                 where mw.membership_id in "
            ));
            push_id_list(&mut q, members.iter().map(|m| m.0));
            q.push(" order by w.name, w.id");
            let rows: Vec<(Uuid, WorkspaceRow)> = fetch_keyed(&self.pool, q).await?;
            Ok(rows
                .into_iter()
                .map(|(m, w)| (MemberId(m), w.into()))
                .collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = workspaces.len()))]
    async fn workspace_members(
        &self,
        workspaces: &[WorkspaceId],
    ) -> PortResult<Vec<(WorkspaceId, Membership)>> {
        port(async {
            if workspaces.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select mw.workspace_id, {MEMBER_COLUMNS} from member_workspace mw join membership m on m.id = mw.membership_id \
                 join organization o on o.id = m.organization_id where mw.workspace_id in "
            ));
            push_id_list(&mut q, workspaces.iter().map(|w| w.0));
            q.push(" order by m.id");
            let rows: Vec<(Uuid, MemberRow)> = fetch_keyed(&self.pool, q).await?;
            let rows = rows.into_iter().map(|(w, m)| (WorkspaceId(w), m)).collect();
            pairs(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org, user = %user))]
    async fn set_member_workspaces(
        &self,
        org: OrgId,
        user: UserId,
        workspaces: &[WorkspaceId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            lock_and_require(&mut tx, org, actor, Action::EditMemberWorkspaces).await?;
            let member = assignable_member(&mut tx, org, user).await?;
            let ids: Vec<Uuid> = workspaces.iter().map(|w| w.0).collect();
            require_all_in_org(&mut tx, "workspace", org, &ids).await?;
            let before: Vec<(Uuid,)> = sqlx::query_as(
                "select workspace_id from member_workspace where membership_id = $1",
            )
            .bind(member.id.0)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("delete from member_workspace where membership_id = $1")
                .bind(member.id.0)
                .execute(&mut *tx)
                .await?;
            insert_member_workspaces(&mut tx, member.id, &ids).await?;
            let change = AuditChange::MemberWorkspaces {
                before: before.iter().map(|(w,)| *w).collect(),
                after: ids.clone(),
            };
            record_audit(
                &mut tx,
                AuditRecord {
                    target_user: Some(user),
                    ..audit(org, actor, change, now)
                },
            )
            .await?;
            tx.commit().await?;
            Ok(member)
        })
        .await
    }
}

pub(super) async fn insert_member_workspaces(
    tx: &mut Transaction<'static, Db>,
    member: MemberId,
    workspaces: &[Uuid],
) -> Result<()> {
    for w in workspaces {
        sqlx::query("insert into member_workspace (membership_id, workspace_id) values ($1, $2) on conflict do nothing")
            .bind(member.0)
            .bind(w)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Rows of a key column followed by a record.
pub(super) async fn fetch_keyed<R>(
    pool: &sqlx::Pool<Db>,
    mut q: QueryBuilder<Db>,
) -> Result<Vec<(Uuid, R)>>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    use sqlx::Row;
    let rows = q.build().fetch_all(pool).await?;
    rows.iter()
        .map(|row| Ok((row.try_get::<Uuid, _>(0)?, R::from_row(row)?)))
        .collect()
}
