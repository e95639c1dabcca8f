//! What a user may restore: the organizations it owns that were deleted
//! and are still within the window.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::Result;
use roster_domain::lifecycle::{DeletedOrganization, restore_window};
use roster_domain::{OrgId, UserId};

use super::super::BackendStore;

#[derive(sqlx::FromRow)]
struct DeletedRow {
    id: Uuid,
    name: String,
    deleted_at: DateTime<Utc>,
    deleted_by: Option<Uuid>,
}

impl BackendStore {
    /// The owner's ACTIVE membership is what `permission::require_owner`
    /// asks for, so only what it could restore is listed.
    #[tracing::instrument(skip_all, fields(owner = %owner))]
    pub(in super::super) async fn select_deleted_organizations(
        &self,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<DeletedOrganization>> {
        let rows: Vec<DeletedRow> = sqlx::query_as(
            "select o.id, o.name, o.deleted_at, o.deleted_by from organization o \
             join membership m on m.organization_id = o.id and m.user_id = o.owner_id \
             where o.owner_id = $1 and m.status = 'ACTIVE' and o.deleted_at is not null \
             and o.deleted_at > $2 order by o.deleted_at desc, o.id",
        )
        .bind(owner.0)
        .bind(now - restore_window())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DeletedOrganization {
                id: OrgId(r.id),
                name: r.name,
                deleted_at: r.deleted_at,
                deleted_by: r.deleted_by.map(UserId),
            })
            .collect())
    }
}
