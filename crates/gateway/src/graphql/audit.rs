//! `Organization.auditLog`: the organization's audit events, newest first,
//! for those the permission table lets read it (rules.md §2, §7).

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::model::{AuditEvent, AuditFilter, Organization, PageRequest, Slice};
use roster_domain::{OrgId, UserId};

use super::connection::{PageInfo, decode_cursor, encode_cursor};
use super::context::{loader, services};
use super::loaders::load_failed;
use super::user::UserNode;
use crate::error::ApiError;

/// The cursor kind of the audit log's pages.
const CURSOR_KIND: &str = "audit";

pub struct AuditEventNode(AuditEvent);

#[Object(name = "AuditEvent")]
impl AuditEventNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who made the change; null for what the system did by itself.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<UserNode>, ApiError> {
        let Some(actor) = self.0.actor_id else {
            return Ok(None);
        };
        let user = loader(ctx).load_one(actor).await.map_err(load_failed)?;
        Ok(user.map(UserNode))
    }
    /// What happened, e.g. `member.role_changed`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The email of the person the change was about, as it was then.
    async fn target_user_email(&self) -> Option<&str> {
        self.0.target_email.as_deref()
    }
    /// The change's before/after, as JSON text.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
}

#[derive(SimpleObject)]
#[graphql(name = "AuditEventEdge")]
pub struct AuditEventEdge {
    pub cursor: String,
    pub node: AuditEventNode,
}

pub struct AuditEventConnection {
    edges: Vec<AuditEventEdge>,
    page_info: PageInfo,
    /// What `totalCount` counts, read only when it is selected.
    counted: (OrgId, AuditFilter),
}

#[Object(name = "AuditEventConnection")]
impl AuditEventConnection {
    async fn edges(&self) -> &[AuditEventEdge] {
        &self.edges
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// The events the filter matches; a kept count when unfiltered
    /// (docs/operations/performance.md).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        let (org, filter) = &self.counted;
        Ok(services(ctx).store.count_audit_events(*org, filter).await?)
    }
}

/// The page of `org`'s audit log the arguments ask for.
pub async fn audit_page(
    ctx: &Context<'_>,
    org: &Organization,
    first: i32,
    after: Option<String>,
    action: Option<String>,
    target_user_id: Option<ID>,
) -> Result<AuditEventConnection, ApiError> {
    let after = after.map(|c| decode_cursor(CURSOR_KIND, &c)).transpose()?;
    let page = PageRequest::new(first, after)?;
    // A malformed id is `NOT_FOUND` (no such user), as `parse_ids` has it.
    let target_user = target_user_id.map(|id| id.parse::<UserId>()).transpose()?;
    let filter = AuditFilter {
        action,
        target_user,
    };
    let page = services(ctx)
        .store
        .list_audit_events(org.id, &filter, page)
        .await?;
    prime_actors(ctx, &page.items).await?;
    Ok(connection(page, (org.id, filter)))
}

/// Loads a page's actors in one batch when the selection asks for them,
/// instead of trusting the loader's timing window to gather them.
async fn prime_actors(ctx: &Context<'_>, events: &[AuditEvent]) -> Result<(), ApiError> {
    if ctx
        .look_ahead()
        .field("edges")
        .field("node")
        .field("actor")
        .exists()
    {
        loader(ctx)
            .load_many(events.iter().filter_map(|e| e.actor_id))
            .await
            .map_err(load_failed)?;
    }
    Ok(())
}

fn connection(page: Slice<AuditEvent>, counted: (OrgId, AuditFilter)) -> AuditEventConnection {
    let edges: Vec<AuditEventEdge> = page
        .items
        .into_iter()
        .map(|e| AuditEventEdge {
            cursor: encode_cursor(CURSOR_KIND, e.id),
            node: AuditEventNode(e),
        })
        .collect();
    AuditEventConnection {
        page_info: PageInfo {
            has_next_page: page.has_next_page,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
        counted,
    }
}
