//! The member page's reads, one statement each whatever the page size
//! (`roster_domain::member_page`).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, QueryBuilder, Row};
use uuid::Uuid;

use crate::error::{PortResult, Result, port};
use roster_domain::member_page::{MemberPageParts, MemberPageStore, MemberPlaces};
use roster_domain::model::{
    Assistant, AssistantSeat, MemberFilter, MemberScope, Membership, Organization, Page,
    PageRequest, User, Workspace,
};
use roster_domain::{MemberId, OrgId, SessionId, UserId};

use super::member_list::MemberQuery;
use super::rows::{
    InOrder, MEMBER_ORG_COLUMNS, MemberOrgRow, MemberRow, composed, convert_all, push_id_list,
};
use super::{BackendStore, Db};

/// A member of a page with its user and the page's total count (the same
/// on every row, 0 when not asked: `member_list.rs`), read in the order
/// `list_members` selects them.
struct PageRow {
    member: MemberRow,
    email: String,
    display_name: String,
    must_change_password: bool,
    email_verified: bool,
    user_created_at: DateTime<Utc>,
    total_count: i64,
}

impl<'r> FromRow<'r, DbRow> for PageRow {
    fn from_row(row: &'r DbRow) -> sqlx::Result<Self> {
        let mut c = InOrder::new(row);
        Ok(Self {
            member: MemberRow::in_order(&mut c)?,
            email: c.next()?,
            display_name: c.next()?,
            must_change_password: c.next()?,
            email_verified: c.next()?,
            user_created_at: c.next()?,
            total_count: c.next()?,
        })
    }
}

/// A workspace (`kind` 0) or an assistant place (`kind` 1) of a member,
/// read in the order `member_places` selects them.
struct PlaceRow {
    kind: i32,
    membership_id: Uuid,
    is_manager: bool,
    id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
}

impl<'r> FromRow<'r, DbRow> for PlaceRow {
    fn from_row(row: &'r DbRow) -> sqlx::Result<Self> {
        let mut c = InOrder::new(row);
        Ok(Self {
            kind: c.next()?,
            membership_id: c.next()?,
            is_manager: c.next()?,
            id: c.next()?,
            name: c.next()?,
            created_at: c.next()?,
        })
    }
}

type DbRow = <Db as sqlx::Database>::Row;
type DbConnection = <Db as sqlx::Database>::Connection;

#[async_trait::async_trait]
impl MemberPageStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn session_membership(
        &self,
        session: SessionId,
        user: UserId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<(User, Option<(Membership, Organization)>)>> {
        port(async {
            let row = sqlx::query(composed(format!(
                "select u.email as viewer_email, u.display_name as viewer_display_name, \
                 u.must_change_password as viewer_must_change_password, \
                 (u.email_verified_at is not null) as viewer_email_verified, \
                 u.created_at as viewer_created_at, o.id as live_org_id, {MEMBER_ORG_COLUMNS} \
                 from session s join app_user u on u.id = s.user_id \
                 left join membership m on m.user_id = s.user_id and m.organization_id = $3 \
                 left join organization o on o.id = m.organization_id and o.deleted_at is null \
                 where s.id = $1 and s.user_id = $2 and s.ended_at is null and s.expires_at > $4"
            )))
            .bind(session.0)
            .bind(user.0)
            .bind(org.0)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let viewer = User {
                id: user,
                email: row.try_get("viewer_email")?,
                display_name: row.try_get("viewer_display_name")?,
                must_change_password: row.try_get("viewer_must_change_password")?,
                email_verified: row.try_get("viewer_email_verified")?,
                created_at: row.try_get("viewer_created_at")?,
            };
            // A membership of a deleted organization is none.
            let org: Option<Uuid> = row.try_get("live_org_id")?;
            let membership = match org {
                Some(_) => Some(MemberOrgRow::from_row(&row)?.try_into()?),
                None => None,
            };
            Ok(Some((viewer, membership)))
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(user = %user, n = orgs.len()))]
    async fn memberships_with_orgs(
        &self,
        user: UserId,
        orgs: &[OrgId],
    ) -> PortResult<Vec<(Membership, Organization)>> {
        port(async {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {MEMBER_ORG_COLUMNS} from membership m join organization o \
                 on o.id = m.organization_id where o.deleted_at is null and m.user_id = "
            ));
            q.push_bind(user.0).push(" and m.organization_id in ");
            push_id_list(&mut q, orgs.iter().map(|o| o.0));
            let rows: Vec<MemberOrgRow> = q.build_query_as().fetch_all(&self.pool).await?;
            convert_all(rows)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn list_members(
        &self,
        org: OrgId,
        scope: MemberScope,
        filter: &MemberFilter,
        page: PageRequest<MemberId>,
        parts: MemberPageParts,
    ) -> PortResult<(Page<(Membership, User)>, Option<MemberPlaces>)> {
        port(async {
            // One connection for the page and its places: taking one from the
            // pool and giving it back cost a round trip each (sqlx pings it).
            let mut conn = self.pool.acquire().await?;
            let query = MemberQuery::new(org, scope, filter);
            let limit = i64::from(page.first) + 1;
            let mut q = query.page(page.after, limit, parts.total_count);
            let rows: Vec<PageRow> = q.build_query_as().fetch_all(&mut *conn).await?;
            let total_count = match rows.first() {
                _ if !parts.total_count => 0,
                Some(row) => row.total_count,
                None if page.after.is_none() => 0,
                // Past the last member: no row carries the total.
                None => {
                    let mut total = query.total();
                    let (n,): (i64,) = total.build_query_as().fetch_one(&mut *conn).await?;
                    n
                }
            };
            let has_next_page = rows.len() > page.first as usize;
            let items = rows
                .into_iter()
                .take(page.first as usize)
                .map(|row| {
                    let member = Membership::try_from(row.member)?;
                    let user = User {
                        id: member.user_id,
                        email: row.email,
                        display_name: row.display_name,
                        must_change_password: row.must_change_password,
                        email_verified: row.email_verified,
                        created_at: row.user_created_at,
                    };
                    Ok((member, user))
                })
                .collect::<Result<Vec<(Membership, User)>>>()?;
            let places = if parts.places {
                let ids: Vec<MemberId> = items.iter().map(|(m, _)| m.id).collect();
                Some(member_places(&mut conn, org, &ids).await?)
            } else {
                None
            };
            let page = Page {
                items,
                has_next_page,
                total_count,
            };
            Ok((page, places))
        })
        .await
    }
}

/// The workspaces (by name) and assistant places (by name) of `members`,
/// members of `org`.
#[tracing::instrument(skip_all, fields(org = %org, n = members.len()))]
async fn member_places(
    conn: &mut DbConnection,
    org: OrgId,
    members: &[MemberId],
) -> Result<MemberPlaces> {
    if members.is_empty() {
        return Ok(MemberPlaces::default());
    }
    let ids = || members.iter().map(|m| m.0);
    let mut q = QueryBuilder::<Db>::new(
        "select 0 as kind, mw.membership_id, false as is_manager, w.id, w.name, w.created_at \
         from member_workspace mw join workspace w on w.id = mw.workspace_id \
         where mw.membership_id in ",
    );
    push_id_list(&mut q, ids());
    q.push(
        " union all select 1, au.membership_id, au.is_manager, a.id, a.name, a.created_at \
         from assistant_user au join assistant a on a.id = au.assistant_id \
         where au.membership_id in ",
    );
    push_id_list(&mut q, ids());
    q.push(" order by kind, name, id");
    let rows: Vec<PlaceRow> = q.build_query_as().fetch_all(&mut *conn).await?;
    let mut places = MemberPlaces::default();
    for r in rows {
        // A member's workspaces and assistants are its organization's.
        let (org_id, member_id) = (org, MemberId(r.membership_id));
        if r.kind == 0 {
            let workspace = Workspace {
                id: roster_domain::WorkspaceId(r.id),
                org_id,
                name: r.name,
                created_at: r.created_at,
            };
            places.workspaces.push((member_id, workspace));
        } else {
            let assistant = Assistant {
                id: roster_domain::AssistantId(r.id),
                org_id,
                name: r.name,
                created_at: r.created_at,
            };
            let seat = AssistantSeat {
                assistant_id: assistant.id,
                member_id,
                is_manager: r.is_manager,
            };
            places.assistants.push((seat, assistant));
        }
    }
    Ok(places)
}
