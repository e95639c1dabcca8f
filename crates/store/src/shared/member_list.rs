//! The member page's statement, whose cost does not grow with the
//! organization (docs/operations/performance.md, "Large organizations"):
//! the organization's members walked in id order from the cursor, on an
//! index that starts with the organization (and its role or status, when
//! filtered: migration 0018); the total read from the organization's
//! counters (migration 0019) when the filter is only role and status, and
//! only when asked; a search through the memberships' trigram index
//! (migration 0025).

use sqlx::QueryBuilder;

use crate::backend::Backend;
use roster_domain::model::{MemberFilter, MemberScope};
use roster_domain::{MemberId, OrgId};

use super::Db;
use super::members::{indexed_search, push_conditions};
use super::rows::MEMBER_COLUMNS;

const JOINS: &str = " join organization o on o.id = m.organization_id \
                      join app_user u on u.id = m.user_id";

/// One member list request: the organization, who looks, and the filter.
pub(super) struct MemberQuery<'a> {
    org: OrgId,
    scope: MemberScope,
    filter: &'a MemberFilter,
}

impl<'a> MemberQuery<'a> {
    pub(super) fn new(org: OrgId, scope: MemberScope, filter: &'a MemberFilter) -> Self {
        Self { org, scope, filter }
    }

    /// The page after `after` (in id order), `limit` rows, each with
    /// `MEMBER_COLUMNS`, the user's columns and the total (0 unless
    /// `counted`).
    pub(super) fn page(
        &self,
        after: Option<MemberId>,
        limit: i64,
        counted: bool,
    ) -> QueryBuilder<Db> {
        let mut q = QueryBuilder::<Db>::new("");
        self.push_with(&mut q);
        q.push(format!(
            "select {MEMBER_COLUMNS}, u.email, u.display_name, u.must_change_password, \
             (u.email_verified_at is not null) as email_verified, \
             u.created_at as user_created_at, "
        ));
        if counted {
            self.push_total(&mut q);
        } else {
            q.push("cast(0 as bigint)");
        }
        q.push(" as total_count");
        self.push_from_where(&mut q);
        if let Some(after) = after {
            q.push(" and m.id > ").push_bind(after.0);
        }
        q.push(" order by m.id limit ").push_bind(limit);
        q
    }

    /// The total alone (for a page past the last member, which has no row
    /// to carry it).
    pub(super) fn total(&self) -> QueryBuilder<Db> {
        let mut q = QueryBuilder::<Db>::new("");
        self.push_with(&mut q);
        q.push("select ");
        self.push_total(&mut q);
        q
    }

    /// What the search's condition needs before the `select`.
    fn push_with(&self, q: &mut QueryBuilder<Db>) {
        if let Some(needle) = indexed_search(self.filter) {
            Db::push_member_search_with(q, self.org, needle);
        }
    }

    /// The rows and conditions of the list, before the cursor.
    fn push_from_where(&self, q: &mut QueryBuilder<Db>) {
        q.push(match indexed_search(self.filter) {
            Some(_) => Db::SEARCHED_MEMBERS,
            None => " from membership m",
        })
        .push(JOINS);
        push_conditions(q, self.org, self.scope, self.filter);
    }

    /// The total under the filter: the organization's counters when the
    /// filter is only role and status and the viewer sees everyone, a
    /// count of the filtered rows otherwise (bounded by the search's
    /// matches, or by what the viewer sees).
    fn push_total(&self, q: &mut QueryBuilder<Db>) {
        let searched = self.filter.search.as_deref().is_some_and(|s| !s.is_empty());
        if matches!(self.scope, MemberScope::All) && !searched {
            q.push("(select coalesce(sum(c.n), 0) from member_count c where c.organization_id = ")
                .push_bind(self.org.0);
            if let Some(role) = self.filter.role {
                q.push(" and c.role = ").push_bind(role.as_str());
            }
            if let Some(status) = self.filter.status {
                q.push(" and c.status = ").push_bind(status.as_str());
            }
            q.push(")");
        } else {
            q.push("(select count(*)");
            self.push_from_where(q);
            q.push(")");
        }
    }
}
