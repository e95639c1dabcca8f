//! Assistants and who is assigned to them.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::AuditChange;
use roster_domain::model::{AssignmentScope, Assistant, AssistantSeat, Membership};
use roster_domain::store::AssistantStore;
use roster_domain::{AssistantId, DomainError, MemberId, OrgId, ResourceName, UserId};

use super::members::lock_and_require;
use super::organizations::record_audit;
use super::rows::{
    ASSISTANT_COLUMNS, AssistantRow, MEMBER_COLUMNS, MemberRow, composed, push_id_list,
};
use super::workspaces::{assignable_member, audit};
use super::{BackendStore, Db};
use roster_domain::permission::Action;

#[async_trait::async_trait]
impl AssistantStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn create_assistant(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            lock_and_require(&mut tx, org, actor, Action::ManageAssistants).await?;
            let id = AssistantId::new();
            sqlx::query("insert into assistant (id, organization_id, name, created_at, updated_at) values ($1, $2, $3, $4, $4)")
                .bind(id.0)
                .bind(org.0)
                .bind(name.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let change = AuditChange::AssistantCreated {
                assistant: id,
                name: name.as_str().to_owned(),
            };
            record_audit(&mut tx, audit(org, actor, change, now)).await?;
            tx.commit().await?;
            Ok(Assistant {
                id,
                org_id: org,
                name: name.as_str().to_owned(),
                created_at: now,
            })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn assistants_by_ids(&self, ids: &[AssistantId]) -> PortResult<Vec<Assistant>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {ASSISTANT_COLUMNS} from assistant a where a.id in "
            ));
            push_id_list(&mut q, ids.iter().map(|i| i.0));
            let rows: Vec<AssistantRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(Assistant::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn organization_assistants(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> PortResult<Vec<Assistant>> {
        port(async {
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {ASSISTANT_COLUMNS} from assistant a where a.organization_id = "
            ));
            q.push_bind(org.0);
            if let AssignmentScope::AssignedTo(member) = scope {
                q.push(
                    " and a.id in (select assistant_id from assistant_user where membership_id = ",
                )
                .push_bind(member.0)
                .push(")");
            }
            q.push(" order by a.name, a.id");
            let rows: Vec<AssistantRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(Assistant::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(assistant = %id))]
    async fn set_assistant_users(
        &self,
        id: AssistantId,
        users: &[UserId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let row: AssistantRow = sqlx::query_as(composed(format!(
                "select {ASSISTANT_COLUMNS} from assistant a where a.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(DomainError::NotFound)?;
            let assistant = Assistant::from(row);
            lock_and_require(&mut tx, assistant.org_id, actor, Action::ManageAssistants).await?;
            let mut members = Vec::with_capacity(users.len());
            for user in users {
                members.push(
                    assignable_member(&mut tx, assistant.org_id, *user)
                        .await?
                        .id,
                );
            }
            members.sort();
            members.dedup();
            // Users who stay keep their manager flag; the others go.
            let mut q = QueryBuilder::<Db>::new("delete from assistant_user where assistant_id = ");
            q.push_bind(id.0);
            if !members.is_empty() {
                q.push(" and membership_id not in ");
                push_id_list(&mut q, members.iter().map(|m| m.0));
            }
            q.build().execute(&mut *tx).await?;
            insert_assistant_users(&mut tx, id, &members).await?;
            let change = AuditChange::AssistantUsers {
                assistant: id,
                invitation: None,
                users: members.iter().map(|m| m.0).collect(),
            };
            record_audit(&mut tx, audit(assistant.org_id, actor, change, now)).await?;
            tx.commit().await?;
            Ok(assistant)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = members.len()))]
    async fn member_assistants(
        &self,
        members: &[MemberId],
    ) -> PortResult<Vec<(AssistantSeat, Assistant)>> {
        port(async {
            if members.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select au.membership_id, au.is_manager, {ASSISTANT_COLUMNS} from assistant_user au \
                 join assistant a on a.id = au.assistant_id where au.membership_id in "
            ));
            push_id_list(&mut q, members.iter().map(|m| m.0));
            q.push(" order by a.name, a.id");
            let rows: Vec<(Uuid, bool, AssistantRow)> = fetch_seated(&self.pool, q).await?;
            Ok(rows
                .into_iter()
                .map(|(m, is_manager, a)| {
                    let a = Assistant::from(a);
                    (
                        AssistantSeat {
                            assistant_id: a.id,
                            member_id: MemberId(m),
                            is_manager,
                        },
                        a,
                    )
                })
                .collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = assistants.len()))]
    async fn assistant_members(
        &self,
        assistants: &[AssistantId],
    ) -> PortResult<Vec<(AssistantSeat, Membership)>> {
        port(async {
            if assistants.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select au.assistant_id, au.is_manager, {MEMBER_COLUMNS} from assistant_user au \
                 join membership m on m.id = au.membership_id join organization o on o.id = m.organization_id \
                 where au.assistant_id in "
            ));
            push_id_list(&mut q, assistants.iter().map(|a| a.0));
            q.push(" order by m.id");
            let rows: Vec<(Uuid, bool, MemberRow)> = fetch_seated(&self.pool, q).await?;
            rows.into_iter()
                .map(|(a, is_manager, m)| {
                    let m = Membership::try_from(m)?;
                    Ok((
                        AssistantSeat {
                            assistant_id: AssistantId(a),
                            member_id: m.id,
                            is_manager,
                        },
                        m,
                    ))
                })
                .collect()
        })
        .await
    }

    async fn set_assistant_manager(
        &self,
        id: AssistantId,
        user: UserId,
        manager: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        Ok(self
            .update_assistant_manager(id, user, manager, actor, now)
            .await?)
    }
}

pub(super) async fn insert_assistant_users(
    tx: &mut Transaction<'static, Db>,
    assistant: AssistantId,
    members: &[MemberId],
) -> Result<()> {
    for m in members {
        sqlx::query("insert into assistant_user (assistant_id, membership_id) values ($1, $2) on conflict do nothing")
            .bind(assistant.0)
            .bind(m.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Rows of a key column and a manager flag followed by a record.
async fn fetch_seated<R>(
    pool: &sqlx::Pool<Db>,
    mut q: QueryBuilder<Db>,
) -> Result<Vec<(Uuid, bool, R)>>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    use sqlx::Row;
    let rows = q.build().fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<Uuid, _>(0)?,
                row.try_get::<bool, _>(1)?,
                R::from_row(row)?,
            ))
        })
        .collect()
}
