//! Private row types, converted into domain records with `TryFrom` so that
//! an unexpected value in the database is an error, not a panic.

use chrono::{DateTime, Utc};
use roster_domain::billing::Subscription;
use uuid::Uuid;

use roster_domain::invitation::Invitation;
use roster_domain::model::{
    Assistant, Credentials, Membership, OneTimePassword, Organization, User, Workspace,
};
use roster_domain::{AssistantId, DomainError, InvitationId, MemberId, OrgId, UserId, WorkspaceId};

/// A row's columns read one after the other, by position. `FromRow`'s
/// derive looks each column up by its name, a hash per column: a member
/// page pays that thousands of times, so its rows are read in order.
pub(super) struct InOrder<'r> {
    row: &'r <super::Db as sqlx::Database>::Row,
    next: usize,
}

impl<'r> InOrder<'r> {
    pub(super) fn new(row: &'r <super::Db as sqlx::Database>::Row) -> Self {
        Self { row, next: 0 }
    }

    /// The next column's value.
    pub(super) fn next<T>(&mut self) -> sqlx::Result<T>
    where
        T: sqlx::Decode<'r, super::Db> + sqlx::Type<super::Db>,
    {
        let value = sqlx::Row::try_get(self.row, self.next);
        self.next += 1;
        value
    }
}

pub(super) const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.must_change_password, \
     (u.email_verified_at is not null) as email_verified, u.created_at";
/// [`USER_COLUMNS`] of a row just written (`returning`, no alias).
pub(super) const RETURNED_USER: &str = "id, email, display_name, must_change_password, \
     (email_verified_at is not null) as email_verified, created_at";
/// An organization's columns but its id (which a membership row names as
/// `organization_id`).
macro_rules! org_fields {
    () => {
        "o.name, o.owner_id, o.plan, o.invitation_delivery, o.link_ttl_hours, \
         o.temporary_password_ttl_hours, o.created_at, o.subscription_status, \
         o.current_period_start, o.current_period_end, o.billing_email"
    };
}
pub(super) const ORG_COLUMNS: &str = concat!("o.id, ", org_fields!());
/// A membership's columns and its organization's, for [`MemberOrgRow`].
pub(super) const MEMBER_ORG_COLUMNS: &str = concat!(
    "m.id, m.organization_id, m.user_id, m.role, m.status, (o.owner_id = m.user_id) as is_owner, \
     m.joined_at, m.last_active_at, ",
    org_fields!()
);
pub(super) const MEMBER_COLUMNS: &str = "m.id, m.organization_id, m.user_id, m.role, m.status, \
     (o.owner_id = m.user_id) as is_owner, m.joined_at, m.last_active_at";

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    must_change_password: bool,
    email_verified: bool,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            email: r.email,
            display_name: r.display_name,
            must_change_password: r.must_change_password,
            email_verified: r.email_verified,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

impl CredentialsRow {
    /// The account's credentials, with the one-time passwords its
    /// placeholder may be logged in with.
    pub(super) fn into_credentials(self, one_time: Vec<OneTimePassword>) -> Credentials {
        Credentials {
            user: self.user.into(),
            password_hash: self.password_hash,
            one_time,
        }
    }

    pub(super) fn user_id(&self) -> UserId {
        UserId(self.user.id)
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct OrgRow {
    id: Uuid,
    name: String,
    owner_id: Uuid,
    plan: String,
    invitation_delivery: String,
    link_ttl_hours: i32,
    temporary_password_ttl_hours: i32,
    created_at: DateTime<Utc>,
    subscription_status: String,
    current_period_start: Option<DateTime<Utc>>,
    current_period_end: Option<DateTime<Utc>>,
    billing_email: Option<String>,
}

impl TryFrom<OrgRow> for Organization {
    type Error = DomainError;
    fn try_from(r: OrgRow) -> Result<Self, DomainError> {
        Ok(Organization {
            id: OrgId(r.id),
            name: r.name,
            owner_id: UserId(r.owner_id),
            plan: r.plan.parse()?,
            invitation_delivery: r.invitation_delivery.parse()?,
            link_ttl_hours: r.link_ttl_hours,
            temporary_password_ttl_hours: r.temporary_password_ttl_hours,
            created_at: r.created_at,
            subscription: {
                // NULL periods (a row written by hand, without the store):
                // the first period from creation (migration 0008).
                let first = Subscription::first(r.created_at);
                Subscription {
                    status: r.subscription_status.parse()?,
                    current_period_start: r
                        .current_period_start
                        .unwrap_or(first.current_period_start),
                    current_period_end: r.current_period_end.unwrap_or(first.current_period_end),
                    billing_email: r.billing_email,
                }
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MemberRow {
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    role: String,
    status: String,
    is_owner: bool,
    joined_at: Option<DateTime<Utc>>,
    last_active_at: Option<DateTime<Utc>>,
}

impl MemberRow {
    /// The `MEMBER_COLUMNS`, read in their order.
    pub(super) fn in_order(c: &mut InOrder<'_>) -> sqlx::Result<Self> {
        Ok(Self {
            id: c.next()?,
            organization_id: c.next()?,
            user_id: c.next()?,
            role: c.next()?,
            status: c.next()?,
            is_owner: c.next()?,
            joined_at: c.next()?,
            last_active_at: c.next()?,
        })
    }
}

impl TryFrom<MemberRow> for Membership {
    type Error = DomainError;
    fn try_from(r: MemberRow) -> Result<Self, DomainError> {
        Ok(Membership {
            id: MemberId(r.id),
            org_id: OrgId(r.organization_id),
            user_id: UserId(r.user_id),
            role: r.role.parse()?,
            status: r.status.parse()?,
            is_owner: r.is_owner,
            joined_at: r.joined_at,
            last_active_at: r.last_active_at,
        })
    }
}

/// A membership with its organization (`MEMBER_ORG_COLUMNS`).
#[derive(sqlx::FromRow)]
pub(super) struct MemberOrgRow {
    #[sqlx(flatten)]
    member: MemberRow,
    name: String,
    owner_id: Uuid,
    plan: String,
    invitation_delivery: String,
    link_ttl_hours: i32,
    temporary_password_ttl_hours: i32,
    created_at: DateTime<Utc>,
    subscription_status: String,
    current_period_start: Option<DateTime<Utc>>,
    current_period_end: Option<DateTime<Utc>>,
    billing_email: Option<String>,
}

impl TryFrom<MemberOrgRow> for (Membership, Organization) {
    type Error = DomainError;
    fn try_from(r: MemberOrgRow) -> Result<Self, DomainError> {
        let org = Organization::try_from(OrgRow {
            id: r.member.organization_id,
            name: r.name,
            owner_id: r.owner_id,
            plan: r.plan,
            invitation_delivery: r.invitation_delivery,
            link_ttl_hours: r.link_ttl_hours,
            temporary_password_ttl_hours: r.temporary_password_ttl_hours,
            created_at: r.created_at,
            subscription_status: r.subscription_status,
            current_period_start: r.current_period_start,
            current_period_end: r.current_period_end,
            billing_email: r.billing_email,
        })?;
        Ok((Membership::try_from(r.member)?, org))
    }
}

pub(super) fn convert_all<R, T>(rows: Vec<R>) -> crate::error::Result<Vec<T>>
where
    T: TryFrom<R, Error = DomainError>,
{
    Ok(rows
        .into_iter()
        .map(T::try_from)
        .collect::<Result<_, _>>()?)
}

/// SQL composed from this module's constant column lists (never from input;
/// input is always bound).
pub(super) fn composed(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

pub(super) const WORKSPACE_COLUMNS: &str = "w.id, w.organization_id, w.name, w.created_at";
pub(super) const ASSISTANT_COLUMNS: &str = "a.id, a.organization_id, a.name, a.created_at";
pub(super) const INVITATION_COLUMNS: &str = "i.id, i.organization_id, i.user_id, i.email, i.role, i.status, \
     i.delivery, i.invited_by, i.sent_count, i.last_sent_at, i.expires_at, i.created_at";

#[derive(sqlx::FromRow)]
pub(super) struct WorkspaceRow {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<WorkspaceRow> for Workspace {
    fn from(r: WorkspaceRow) -> Self {
        Workspace {
            id: WorkspaceId(r.id),
            org_id: OrgId(r.organization_id),
            name: r.name,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AssistantRow {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<AssistantRow> for Assistant {
    fn from(r: AssistantRow) -> Self {
        Assistant {
            id: AssistantId(r.id),
            org_id: OrgId(r.organization_id),
            name: r.name,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InvitationRow {
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    email: String,
    role: String,
    status: String,
    delivery: String,
    invited_by: Option<Uuid>,
    sent_count: i32,
    last_sent_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = DomainError;
    fn try_from(r: InvitationRow) -> Result<Self, DomainError> {
        Ok(Invitation {
            id: InvitationId(r.id),
            org_id: OrgId(r.organization_id),
            user_id: UserId(r.user_id),
            email: r.email,
            role: r.role.parse()?,
            status: r.status.parse()?,
            delivery: r.delivery.parse()?,
            invited_by: r.invited_by.map(UserId),
            sent_count: r.sent_count,
            last_sent_at: r.last_sent_at,
            expires_at: r.expires_at,
            created_at: r.created_at,
        })
    }
}

/// `(key, value)` rows whose value needs converting.
pub(super) fn pairs<K, R, T>(rows: Vec<(K, R)>) -> crate::error::Result<Vec<(K, T)>>
where
    T: TryFrom<R, Error = DomainError>,
{
    rows.into_iter()
        .map(|(k, r)| Ok((k, T::try_from(r)?)))
        .collect()
}

/// Appends `(id, id, …)` with every id bound.
pub(super) fn push_id_list(
    q: &mut sqlx::QueryBuilder<super::Db>,
    ids: impl IntoIterator<Item = Uuid>,
) {
    q.push("(");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    list.push_unseparated(")");
}

/// A page from the rows fetched with `limit first + 1` (the extra row only
/// tells that a next page exists), with the total that `count` (`select
/// count(*)` under the page's conditions) finds.
pub(super) async fn counted_page<T>(
    pool: &sqlx::Pool<super::Db>,
    mut items: Vec<T>,
    first: u32,
    mut count: sqlx::QueryBuilder<super::Db>,
) -> crate::error::Result<roster_domain::model::Page<T>> {
    let has_next_page = items.len() > first as usize;
    items.truncate(first as usize);
    let (total_count,): (i64,) = count.build_query_as().fetch_one(pool).await?;
    Ok(roster_domain::model::Page {
        items,
        has_next_page,
        total_count,
    })
}
