//! Assistant managers (rules.md §2, §6): an ADMIN makes a user assigned to
//! an assistant its manager, who then sees the assistant's users and their
//! leads. One transaction, with its audit event.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::AuditChange;
use roster_domain::model::{Assistant, Membership};
use roster_domain::permission::{self, Action};
use roster_domain::{AssistantId, DomainError, UserId};

use super::members::{acting_member, membership_in};
use super::organizations::{AuditRecord, record_audit};
use super::rows::{ASSISTANT_COLUMNS, AssistantRow, composed};
use super::{BackendStore, Db};

impl BackendStore {
    #[tracing::instrument(skip_all, fields(assistant = %id, user = %user, manager))]
    pub(super) async fn update_assistant_manager(
        &self,
        id: AssistantId,
        user: UserId,
        manager: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Assistant> {
        let mut tx = Db::begin_write(&self.pool).await?;
        let assistant: Assistant = sqlx::query_as::<_, AssistantRow>(composed(format!(
            "select {ASSISTANT_COLUMNS} from assistant a where a.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(DomainError::NotFound)?
        .into();
        // The actor as it is now, not as the guard saw it.
        let me = acting_member(&mut tx, assistant.org_id, actor.user_id).await?;
        permission::require(me.role, Action::MakeAssistantManager)?;
        // Someone who is not a member here is another organization's (or
        // nobody's): `NOT_FOUND`, like every object of another organization.
        membership_in(&mut tx, assistant.org_id, user)
            .await?
            .ok_or(DomainError::NotFound)?;
        let seat: Option<(Uuid, bool)> = sqlx::query_as(
            "select au.membership_id, au.is_manager from assistant_user au \
             join membership m on m.id = au.membership_id where au.assistant_id = $1 and m.user_id = $2",
        )
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await?;
        let not_assigned = || DomainError::validation("the user is not assigned to this assistant");
        let (member, was) = seat.ok_or_else(not_assigned)?;
        if was == manager {
            return Ok(assistant);
        }
        let changed = sqlx::query(
            "update assistant_user set is_manager = $3 where assistant_id = $1 and membership_id = $2",
        )
        .bind(id.0)
        .bind(member)
        .bind(manager)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Unassigned by a concurrent `setAssistantUsers` meanwhile.
        if changed == 0 {
            return Err(not_assigned().into());
        }
        record_audit(
            &mut tx,
            AuditRecord {
                org: assistant.org_id,
                actor: Some(actor.user_id),
                change: AuditChange::AssistantManager {
                    assistant: id,
                    was,
                    manager,
                },
                target_user: Some(user),
                target_email: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(assistant)
    }
}
