//! Live membership events (rules.md §9), the store's half: every audit
//! event is announced in its own transaction (`publish`, called by
//! `record_audit_as` only), so that the backend's feed (`live.rs`) hands it
//! to subscribers after commit and never for a rolled-back change; the
//! feed loads announced events by id; subscriptions ask whether a user is
//! in a viewer's member list.

use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::live::LiveStore;
use roster_domain::model::{AuditEvent, MemberFilter, MemberScope};
use roster_domain::{OrgId, UserId};

use super::audit::{AUDIT_COLUMNS, AuditRow};
use super::members::push_conditions;
use super::{BackendStore, Db};

/// Leads the feed's own statements (sqlx logs a statement's first words).
pub(super) const LIVE_FEED_TAG: &str = "/* live feed */";

/// Announces audit event `id` to the live feed, inside the transaction that
/// writes it.
pub(super) async fn publish(tx: &mut Transaction<'static, Db>, id: Uuid) -> Result<()> {
    Ok(Db::announce(tx, id).await?)
}

/// The events named by `ids` (one statement), in the order of `ids`;
/// an id whose event is gone (purged) is left out.
pub(crate) async fn events_by_ids(pool: &sqlx::Pool<Db>, ids: &[Uuid]) -> Result<Vec<AuditEvent>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Tagged: a background statement, not a request's (the tests that count
    // a request's statements leave it out).
    let mut q = QueryBuilder::<Db>::new(format!(
        "{LIVE_FEED_TAG} select {AUDIT_COLUMNS} from audit_event e left join app_user t on t.id = e.target_user_id \
         where e.id in ("
    ));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
    let rows: Vec<AuditRow> = q.build_query_as().fetch_all(pool).await?;
    let mut by_id: std::collections::HashMap<Uuid, AuditRow> =
        rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(Into::into)
        .collect())
}

#[async_trait::async_trait]
impl LiveStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org, user = %user))]
    async fn member_listed(
        &self,
        org: OrgId,
        scope: MemberScope,
        user: UserId,
    ) -> PortResult<bool> {
        port(async {
            let mut q = QueryBuilder::<Db>::new(
                "select count(*) from membership m join app_user u on u.id = m.user_id",
            );
            push_conditions(&mut q, org, scope, &MemberFilter::default());
            q.push(" and m.user_id = ").push_bind(user.0);
            let (n,): (i64,) = q.build_query_as().fetch_one(&self.pool).await?;
            Ok(n > 0)
        })
        .await
    }
}
