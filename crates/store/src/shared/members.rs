//! Memberships: the viewer's own, the member list (filtered, paged), seats
//! and the throttled `lastActiveAt`. The reads that authorize a caller
//! (`membership_in`, `select_memberships_in`, `select_memberships_of`)
//! leave deleted organizations out: their members lose access at once.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};

use crate::backend::{Backend, contains_pattern};
use crate::error::{PortResult, Result, port};
use roster_domain::model::{MemberFilter, MemberScope, Membership};
use roster_domain::permission::{self, Action};
use roster_domain::store::MemberStore;
use roster_domain::{DomainError, MemberId, MemberStatus, OrgId, UserId};

use super::rows::{MEMBER_COLUMNS, MemberRow, composed, convert_all};
use super::{BackendStore, Db};

/// `user`'s membership in `org`, whatever its status, read inside a
/// writing transaction (each use case then decides which statuses count).
/// A deleted organization has no members (only a restore reads them:
/// `lifecycle::standing_in`), so a write racing its deletion finds none.
pub(super) async fn membership_in(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: UserId,
) -> Result<Option<Membership>> {
    let row: Option<MemberRow> = sqlx::query_as(composed(format!(
        "select {MEMBER_COLUMNS} from membership m join organization o on o.id = m.organization_id \
         where m.organization_id = $1 and m.user_id = $2 and o.deleted_at is null"
    )))
    .bind(org.0)
    .bind(user.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Membership::try_from).transpose()?)
}

/// `user` as it acts in `org` now, read again inside a writing transaction
/// (the guard's look may be stale): an ACTIVE member; `FORBIDDEN` if it is
/// blocked or only invited; `NOT_FOUND`, as for a stranger, if it is no
/// member any more or the organization was deleted meanwhile. The use case
/// then asks the permission table.
pub(super) async fn acting_member(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: UserId,
) -> Result<Membership> {
    let m = membership_in(tx, org, user)
        .await?
        .ok_or(DomainError::NotFound)?;
    if m.status != MemberStatus::Active {
        return Err(DomainError::Forbidden.into());
    }
    Ok(m)
}

/// `user` may still do `action` in `org`: the organization's lock taken
/// (first, as every writer of it does), then `acting_member` and the
/// permission table. What every organization-scoped write whose caller is
/// given as a bare id does first, so that the last word on who may act is
/// the transaction's, not the guard's (docs/api/sessions.md).
pub(super) async fn lock_and_require(
    tx: &mut Transaction<'static, Db>,
    org: OrgId,
    user: UserId,
    action: Action,
) -> Result<Membership> {
    Db::lock_organization(tx, org).await?;
    let m = acting_member(tx, org, user).await?;
    permission::require(m.role, action)?;
    Ok(m)
}

/// The shortest fragment the search index serves: one trigram. A shorter
/// one is looked for among the organization's members, whatever its size.
const INDEXED_SEARCH_CHARS: usize = 3;

/// The search, when the index serves it.
pub(super) fn indexed_search(filter: &MemberFilter) -> Option<&str> {
    filter
        .search
        .as_deref()
        .filter(|s| s.chars().count() >= INDEXED_SEARCH_CHARS)
}

/// Appends the conditions shared by a page and its total count (and the
/// dashboard's member figure).
pub(super) fn push_conditions(
    q: &mut QueryBuilder<Db>,
    org: OrgId,
    scope: MemberScope,
    filter: &MemberFilter,
) {
    q.push(" where m.organization_id = ").push_bind(org.0);
    // Itself, and every member assigned to an assistant it manages.
    if let MemberScope::VisibleTo(user) = scope {
        q.push(" and (m.user_id = ")
            .push_bind(user.0)
            .push(
                " or m.id in (select tau.membership_id from assistant_user tau \
                 where tau.assistant_id in (select mau.assistant_id from assistant_user mau \
                 join membership mm on mm.id = mau.membership_id where mau.is_manager \
                 and mm.organization_id = ",
            )
            .push_bind(org.0)
            .push(" and mm.user_id = ")
            .push_bind(user.0)
            .push(")))");
    }
    if let Some(role) = filter.role {
        q.push(" and m.role = ").push_bind(role.as_str());
    }
    if let Some(status) = filter.status {
        q.push(" and m.status = ").push_bind(status.as_str());
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        q.push(" and ");
        if let Some(needle) = indexed_search(filter) {
            Db::push_member_prefilter(q, org, needle);
        }
        push_account_contains(q, search);
    }
}

/// Appends the condition that account `u`'s display name (lowercased) or
/// email (normalized) contains `needle`, ignoring case.
pub(super) fn push_account_contains(q: &mut QueryBuilder<Db>, needle: &str) {
    let pattern = contains_pattern(needle);
    q.push("(lower(u.display_name) like ")
        .push_bind(pattern.clone())
        .push(" escape '\\' or u.email_normalized like ")
        .push_bind(pattern)
        .push(" escape '\\')");
}

#[async_trait::async_trait]
impl MemberStore for BackendStore {
    #[tracing::instrument(skip_all, fields(user = %user, n = orgs.len()))]
    async fn memberships_in(&self, user: UserId, orgs: &[OrgId]) -> PortResult<Vec<Membership>> {
        port(async {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {MEMBER_COLUMNS} from membership m join organization o on o.id = m.organization_id \
                 where o.deleted_at is null and m.user_id = "
            ));
            q.push_bind(user.0).push(" and m.organization_id in (");
            let mut list = q.separated(", ");
            for org in orgs {
                list.push_bind(org.0);
            }
            list.push_unseparated(")");
            let rows: Vec<MemberRow> = q.build_query_as().fetch_all(&self.pool).await?;
            convert_all(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(user = %user))]
    async fn memberships_of(&self, user: UserId) -> PortResult<Vec<Membership>> {
        port(async {
            let rows: Vec<MemberRow> = sqlx::query_as(composed(format!(
                "select {MEMBER_COLUMNS} from membership m join organization o on o.id = m.organization_id \
                 where m.user_id = $1 and o.deleted_at is null order by m.id"
            )))
            .bind(user.0)
            .fetch_all(&self.pool)
            .await?;
            convert_all(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = orgs.len()))]
    async fn seats_used(&self, orgs: &[OrgId]) -> PortResult<Vec<(OrgId, i64)>> {
        port(async {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            // A seat is an ACTIVE member or a PENDING invitation (an INVITED
            // membership); BLOCKED members hold none. Read from the
            // organizations' counters (migration 0019), not counted.
            let mut q = QueryBuilder::<Db>::new(
                "select m.organization_id, coalesce(sum(m.n), 0) from member_count m where m.status in (",
            );
            q.push_bind(MemberStatus::Active.as_str())
                .push(", ")
                .push_bind(MemberStatus::Invited.as_str());
            q.push(") and m.organization_id in (");
            let mut list = q.separated(", ");
            for org in orgs {
                list.push_bind(org.0);
            }
            list.push_unseparated(") group by m.organization_id");
            let rows: Vec<(uuid::Uuid, i64)> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(orgs
                .iter()
                .map(|org| {
                    (
                        *org,
                        rows.iter()
                            .find(|(id, _)| *id == org.0)
                            .map_or(0, |(_, n)| *n),
                    )
                })
                .collect())
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(member = %member))]
    async fn touch_membership(&self, member: MemberId, now: DateTime<Utc>) -> PortResult<()> {
        port(async {
            let stale_before = now - Membership::ACTIVITY_RESOLUTION;
            sqlx::query(
                "update membership set last_active_at = $2 \
                 where id = $1 and status = 'ACTIVE' and (last_active_at is null or last_active_at <= $3)",
            )
            .bind(member.0)
            .bind(now)
            .bind(stale_before)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    async fn members_by_users(&self, org: OrgId, users: &[UserId]) -> PortResult<Vec<Membership>> {
        Ok(self.select_members_by_users(org, users).await?)
    }
}
