//! The member page's statement, whose cost does not grow with the
//! organization (docs/operations/performance.md, "Large organizations"):
//! the organization's members walked in id order from the cursor, on an
//! index that starts with the organization (and its role or status, when
//! filtered: migration 0018); the total read from the organization's
//! counters (migration 0019) when the filter is only role and status, and
//! only when asked; a search through the accounts' trigram index
//! (migration 0020) when the organization is large.

use sqlx::QueryBuilder;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::model::{MemberFilter, MemberScope};
use roster_domain::{MemberId, OrgId};

use super::Db;
use super::members::{push_account_contains, push_conditions};
use super::rows::MEMBER_COLUMNS;

type DbConnection = <Db as sqlx::Database>::Connection;

/// Organizations of at least this many members (any status) search
/// through the accounts' index; a smaller one is read whole, which costs
/// less than the index when many accounts share the fragment.
const INDEXED_SEARCH_FROM: i64 = 1_000;
/// The shortest fragment the index serves: one trigram. A shorter one is
/// looked for among the organization's members, whatever its size.
const INDEXED_SEARCH_CHARS: usize = 3;

const FROM: &str = " from membership m join organization o on o.id = m.organization_id \
                     join app_user u on u.id = m.user_id";
/// The same, driven by the accounts the search found (`hit`): SQLite
/// keeps a `cross join`'s order; PostgreSQL's planner takes it as a join.
const FROM_HITS: &str = " from hit h cross join membership m \
                          join organization o on o.id = m.organization_id \
                          join app_user u on u.id = m.user_id";

/// One member list request: the organization, who looks, and the filter.
pub(super) struct MemberQuery<'a> {
    org: OrgId,
    scope: MemberScope,
    filter: &'a MemberFilter,
    /// The search, when the accounts' index serves it.
    indexed: Option<&'a str>,
}

impl<'a> MemberQuery<'a> {
    /// Decides how the search, if any, is served: that takes the
    /// organization's size, from its counters, in one statement more.
    pub(super) async fn new(
        conn: &mut DbConnection,
        org: OrgId,
        scope: MemberScope,
        filter: &'a MemberFilter,
    ) -> Result<Self> {
        let search = filter.search.as_deref().filter(|s| !s.is_empty());
        let indexed = match search {
            Some(s) if s.chars().count() >= INDEXED_SEARCH_CHARS => {
                let (members,): (i64,) = sqlx::query_as(
                    "select coalesce(sum(n), 0) from member_count where organization_id = $1",
                )
                .bind(org.0)
                .fetch_one(&mut *conn)
                .await?;
                (members >= INDEXED_SEARCH_FROM).then_some(s)
            }
            _ => None,
        };
        Ok(Self {
            org,
            scope,
            filter,
            indexed,
        })
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
        self.push_hits(&mut q);
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
        self.push_hits(&mut q);
        q.push("select ");
        self.push_total(&mut q);
        q
    }

    /// `with hit(id)`: the accounts the indexed search finds, found once
    /// for the page and its total.
    fn push_hits(&self, q: &mut QueryBuilder<Db>) {
        if let Some(needle) = self.indexed {
            q.push("with hit(id) as materialized (select u.id from app_user u where ");
            Db::push_account_prefilter(q, needle);
            push_account_contains(q, needle);
            q.push(") ");
        }
    }

    /// The rows and conditions of the list, before the cursor.
    fn push_from_where(&self, q: &mut QueryBuilder<Db>) {
        if self.indexed.is_some() {
            q.push(FROM_HITS);
            let unsearched = MemberFilter {
                search: None,
                ..self.filter.clone()
            };
            push_conditions(q, self.org, self.scope, &unsearched);
            q.push(" and m.user_id = h.id");
        } else {
            q.push(FROM);
            push_conditions(q, self.org, self.scope, self.filter);
        }
    }

    /// The total under the filter: the organization's counters when the
    /// filter is only role and status and the viewer sees everyone, a
    /// count of the filtered rows otherwise (bounded by the search's hits,
    /// or by what the viewer sees).
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
