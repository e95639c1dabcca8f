//! `me.membershipsConnection`: a person's memberships a page at a time,
//! oldest first, by keyset on `membership_user_page_idx` (user, id;
//! migration 0023), so a person in 1,000 organizations reads 50 rows
//! for a page, not 1,000 (docs/api/sessions.md, "Your memberships").

use sqlx::QueryBuilder;

use crate::error::Result;
use roster_domain::model::{Membership, PageRequest, Slice};
use roster_domain::{MemberId, UserId};

use super::rows::{MEMBER_COLUMNS, MemberRow, convert_all};
use super::{BackendStore, Db};

/// Memberships of organizations not deleted (as `memberships_of`).
const FROM: &str = " from membership m join organization o on o.id = m.organization_id \
                     where o.deleted_at is null and m.user_id = ";

impl BackendStore {
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub(super) async fn select_memberships_page(
        &self,
        user: UserId,
        page: PageRequest<MemberId>,
    ) -> Result<Slice<Membership>> {
        let mut q = QueryBuilder::<Db>::new(format!("select {MEMBER_COLUMNS}{FROM}"));
        q.push_bind(user.0);
        if let Some(after) = page.after {
            q.push(" and m.id > ").push_bind(after.0);
        }
        q.push(" order by m.id limit ")
            .push_bind(i64::from(page.first) + 1);
        let rows: Vec<MemberRow> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(Slice::of(convert_all(rows)?, page.first))
    }

    #[tracing::instrument(skip_all, fields(user = %user))]
    pub(super) async fn select_membership_count(&self, user: UserId) -> Result<i64> {
        let mut q = QueryBuilder::<Db>::new(format!("select count(*){FROM}"));
        q.push_bind(user.0);
        let (n,): (i64,) = q.build_query_as().fetch_one(&self.pool).await?;
        Ok(n)
    }
}
