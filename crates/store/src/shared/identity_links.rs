//! Trusted issuers' subjects linked to accounts
//! (`roster_domain::identity_link`, docs/api/own-log-in.md): the link is
//! read on every request of such a token, and made on its first use in
//! one transaction with the account it links.

use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{OnViolation, PortResult, Result, port};
use roster_domain::identity_link::{
    AddressHolder, ExternalIdentity, FirstUse, IdentityLinkStore, NO_ROSTER_PASSWORD, first_use,
};
use roster_domain::model::User;
use roster_domain::{DomainError, Email, UserId};

use super::accounts::{PLACEHOLDER, move_pending_invitations};
use super::rows::{USER_COLUMNS, UserRow, composed};
use super::verification::{NewOwner, take_over_address};
use super::{BackendStore, Db};

/// First uses that lose a race (a unique key taken by a concurrent one)
/// try again this many times; the next try finds the winner's link.
const TRIES: usize = 3;

type Tx = sqlx::Transaction<'static, Db>;

#[async_trait::async_trait]
impl IdentityLinkStore for BackendStore {
    #[tracing::instrument(skip_all, fields(issuer = %identity.issuer))]
    async fn sign_in_with_issuer(
        &self,
        identity: &ExternalIdentity,
        new_user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<User>> {
        port(async {
            if let Some(user) = linked(&self.pool, identity).await? {
                return Ok(Some(user));
            }
            // Two first uses of one subject at once: on PostgreSQL the
            // second's insert waits for the first's commit and then
            // violates its key (CONFLICT here); tried again, it reads the
            // link the first made. (SQLite's write lock runs them one
            // after the other: the second finds the link at once.)
            for _ in 1..TRIES {
                match self.first_use(identity, new_user, now).await {
                    Err(e) if matches!(e.domain(), DomainError::Conflict(_)) => continue,
                    other => return other,
                }
            }
            self.first_use(identity, new_user, now).await
        })
        .await
    }
}

impl BackendStore {
    /// The first use of (issuer, `sub`), as `first_use` decides it.
    async fn first_use(
        &self,
        identity: &ExternalIdentity,
        new_user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        let mut tx = Db::begin_write(&self.pool).await?;
        if let Some(user) = linked(&mut *tx, identity).await? {
            return Ok(Some(user));
        }
        let holder = match &identity.verified_email {
            Some(email) => address_holder(&mut tx, email).await?,
            None => AddressHolder::Nobody,
        };
        let user = match first_use(identity.verified_email.is_some(), holder) {
            FirstUse::Refuse(refusal) => {
                tracing::info!(?refusal, "first use of a trusted issuer's subject refused");
                return Ok(None);
            }
            FirstUse::Link(user) => user,
            FirstUse::Create { retire } => {
                let email = identity
                    .verified_email
                    .as_ref()
                    .ok_or(DomainError::Unauthenticated)?;
                create_account(&mut tx, identity, email, new_user, retire, now).await?;
                new_user
            }
            FirstUse::TakeOver => {
                let email = identity
                    .verified_email
                    .as_ref()
                    .ok_or(DomainError::Unauthenticated)?;
                let owner = NewOwner {
                    id: new_user,
                    email: email.as_str(),
                    display_name: identity.display_name.as_str(),
                    password_hash: NO_ROSTER_PASSWORD,
                };
                take_over_address(&mut tx, &email.normalized(), owner, now)
                    .await?
                    .ok_or_else(|| DomainError::Conflict("the address changed meanwhile".into()))?;
                new_user
            }
        };
        sqlx::query(
            "insert into identity_link (issuer, subject, user_id, created_at) values ($1, $2, $3, $4)",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(user.0)
        .bind(now)
        .execute(&mut *tx)
        .await
        .on_violation(ErrorKind::UniqueViolation, || {
            DomainError::Conflict("linked concurrently".into())
        })?;
        let row: UserRow = sqlx::query_as(composed(format!(
            "select {USER_COLUMNS} from app_user u where u.id = $1"
        )))
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(row.into()))
    }
}

/// The account linked to the identity's (issuer, `sub`).
async fn linked<'e, E>(executor: E, identity: &ExternalIdentity) -> Result<Option<User>>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let row: Option<UserRow> = sqlx::query_as(composed(format!(
        "select {USER_COLUMNS} from identity_link l join app_user u on u.id = l.user_id \
         where l.issuer = $1 and l.subject = $2"
    )))
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(User::from))
}

/// Who holds `email` in Roster (rules.md §1: only a proved address is
/// linked).
async fn address_holder(tx: &mut Tx, email: &Email) -> Result<AddressHolder> {
    let row: Option<(Uuid, bool, bool)> = sqlx::query_as(composed(format!(
        "select id, email_verified_at is not null, {PLACEHOLDER} from app_user \
         where email_normalized = $1"
    )))
    .bind(email.normalized())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None => AddressHolder::Nobody,
        Some((id, true, _)) => AddressHolder::Verified(UserId(id)),
        Some((id, false, true)) => AddressHolder::Placeholder(UserId(id)),
        Some((id, false, false)) => AddressHolder::Unverified(UserId(id)),
    })
}

/// A new account for the identity, its address proved by the issuer and
/// with no Roster password; an invitee's placeholder holding the address
/// is retired first, as `signUp` retires one (its pending invitations go
/// on for the new account).
async fn create_account(
    tx: &mut Tx,
    identity: &ExternalIdentity,
    email: &Email,
    id: UserId,
    retire: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(placeholder) = retire {
        // Ended invitations stay with the placeholder (organizations'
        // locks first, as signUp takes them).
        super::invitations::expire_overdue_of_email(tx, &email.normalized(), now).await?;
        let retired = sqlx::query(composed(format!(
            "update app_user set email_normalized = $2, password_hash = null, updated_at = $3 \
             where id = $1 and {PLACEHOLDER}"
        )))
        .bind(placeholder.0)
        .bind(format!("placeholder-claimed:{id}"))
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if retired == 0 {
            return Err(DomainError::Conflict("the placeholder changed meanwhile".into()).into());
        }
    }
    sqlx::query(
        "insert into app_user (id, email, email_normalized, display_name, password_hash, \
         must_change_password, created_at, updated_at, email_verified_at) \
         values ($1, $2, $3, $4, $5, false, $6, $6, $6)",
    )
    .bind(id.0)
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(identity.display_name.as_str())
    .bind(NO_ROSTER_PASSWORD)
    .bind(now)
    .execute(&mut **tx)
    .await
    .on_violation(ErrorKind::UniqueViolation, || {
        DomainError::Conflict("the address was taken concurrently".into())
    })?;
    if let Some(placeholder) = retire {
        move_pending_invitations(tx, placeholder.0, id, now).await?;
    }
    Ok(())
}
