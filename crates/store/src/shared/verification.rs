//! Email verification (rules.md §1, docs/api/sessions.md): the links mailed
//! to an account's own address (`email_link`, purpose VERIFY), and the
//! take-over of an address an unverified account holds.

use chrono::{DateTime, Utc};
use sqlx::Transaction;
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::model::User;
use roster_domain::token::TokenHash;
use roster_domain::verification::{
    Holder, NewVerificationLink, StoredLink, VerificationMail, VerificationMailJob,
    VerificationStore, may_verify, takes_over,
};
use roster_domain::{DomainError, UserId};

use super::outbox::enqueue;
use super::rows::{RETURNED_USER, USER_COLUMNS, UserRow, composed};
use super::{BackendStore, Db};

type Tx = Transaction<'static, Db>;

/// Records `link` for `user` and enqueues its mail, in the caller's
/// transaction; the account's unused verification links are deleted
/// first, so only the newest one works (and the mail jobs of the others
/// find nothing to send).
pub(super) async fn insert_verification_link(
    tx: &mut Tx,
    user: UserId,
    link: &NewVerificationLink,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "delete from email_link where user_id = $1 and purpose = 'VERIFY' and used_at is null",
    )
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into email_link (id, user_id, purpose, token_hash, created_at, expires_at) \
         values ($1, $2, 'VERIFY', $3, $4, $5)",
    )
    .bind(link.id)
    .bind(user.0)
    .bind(link.placeholder.as_bytes())
    .bind(now)
    .bind(link.expires_at)
    .execute(&mut **tx)
    .await?;
    enqueue(
        tx,
        VerificationMailJob::QUEUE,
        &VerificationMailJob { link_id: link.id },
    )
    .await
}

/// The fresh account of an address's owner, made by [`take_over_address`].
pub struct NewOwner<'a> {
    pub id: UserId,
    /// The address as the owner typed it now.
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

/// The address `email` (normalized) was just proved by a mailed secret
/// that needs no password of the account holding it (a LINK invitation
/// accepted as a new person, a password reset). When an unverified account
/// with its own password holds it (`roster_domain::verification::takes_over`),
/// that account is retired as a claimed placeholder is: its sessions end,
/// its links die, its address is released (its key becomes
/// `unverified-retired:{new id}`) and its own memberships stay with it;
/// the owner gets a fresh, verified account that takes over the address's
/// PENDING invitations. `None` (nothing changed) when no such account
/// holds the address.
pub(super) async fn take_over_address(
    tx: &mut Tx,
    email: &str,
    owner: NewOwner<'_>,
    now: DateTime<Utc>,
) -> Result<Option<User>> {
    let holder: Option<(Uuid, bool, bool)> = sqlx::query_as(
        "select id, (password_hash is not null and must_change_password = false), \
         (email_verified_at is not null) from app_user where email_normalized = $1",
    )
    .bind(email)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((squatter, has_own_password, verified)) = holder else {
        return Ok(None);
    };
    if !takes_over(Holder {
        has_own_password,
        verified,
    }) {
        return Ok(None);
    }
    Db::lock_user(tx, UserId(squatter)).await?;
    let retired = sqlx::query(
        "update app_user set email_normalized = $2, updated_at = $3 \
         where id = $1 and email_verified_at is null",
    )
    .bind(squatter)
    .bind(format!("unverified-retired:{}", owner.id))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if retired == 0 {
        return Ok(None);
    }
    sqlx::query("delete from email_link where user_id = $1 and used_at is null")
        .bind(squatter)
        .execute(&mut **tx)
        .await?;
    let user: UserRow = sqlx::query_as(composed(format!(
        "insert into app_user (id, email, email_normalized, display_name, password_hash, \
         must_change_password, email_verified_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, false, $6, $6, $6) returning {RETURNED_USER}"
    )))
    .bind(owner.id.0)
    .bind(owner.email)
    .bind(email)
    .bind(owner.display_name)
    .bind(owner.password_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    // Its sessions end there too.
    super::accounts::move_pending_invitations(tx, squatter, owner.id, now).await?;
    Ok(Some(user.into()))
}

#[async_trait::async_trait]
impl VerificationStore for BackendStore {
    #[tracing::instrument(skip_all, fields(user = %user))]
    async fn renew_verification_link(
        &self,
        user: UserId,
        link: NewVerificationLink,
        now: DateTime<Utc>,
    ) -> PortResult<bool> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_user(&mut tx, user).await?;
            let (verified,): (bool,) =
                sqlx::query_as("select email_verified_at is not null from app_user where id = $1")
                    .bind(user.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(DomainError::NotFound)?;
            if verified {
                return Ok(false);
            }
            insert_verification_link(&mut tx, user, &link, now).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(link = %job.link_id))]
    async fn prepare_verification_mail(
        &self,
        job: VerificationMailJob,
        token: TokenHash,
        now: DateTime<Utc>,
    ) -> PortResult<Option<VerificationMail>> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let recorded = sqlx::query(
                "update email_link set token_hash = $2 where id = $1 and purpose = 'VERIFY' \
                 and used_at is null and expires_at > $3 and exists (select 1 from app_user u \
                 where u.id = email_link.user_id and u.email_verified_at is null)",
            )
            .bind(job.link_id)
            .bind(token.as_bytes())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if recorded == 0 {
                return Ok(None);
            }
            let (to, display_name, expires_at): (String, String, DateTime<Utc>) = sqlx::query_as(
                "select u.email, u.display_name, l.expires_at from email_link l \
                 join app_user u on u.id = l.user_id where l.id = $1",
            )
            .bind(job.link_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(VerificationMail {
                to,
                display_name,
                expires_at,
            }))
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(caller = %caller))]
    async fn verify_email(
        &self,
        token: &TokenHash,
        caller: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<User> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let found: Option<(Uuid, Uuid, DateTime<Utc>, bool)> = sqlx::query_as(
                "select id, user_id, expires_at, (used_at is not null) from email_link \
                 where token_hash = $1 and purpose = 'VERIFY'",
            )
            .bind(token.as_bytes())
            .fetch_optional(&mut *tx)
            .await?;
            let (link, user, expires_at, used) = found.ok_or(DomainError::NotFound)?;
            let stored = StoredLink {
                user_id: UserId(user),
                expires_at,
                used,
            };
            may_verify(&stored, caller, now)?;
            let spent =
                sqlx::query("update email_link set used_at = $2 where id = $1 and used_at is null")
                    .bind(link)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if spent == 0 {
                return Err(DomainError::NotFound.into());
            }
            sqlx::query(
                "update app_user set email_verified_at = $2, updated_at = $2 \
                 where id = $1 and email_verified_at is null",
            )
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let row: UserRow = sqlx::query_as(composed(format!(
                "select {USER_COLUMNS} from app_user u where u.id = $1"
            )))
            .bind(user)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(row.into())
        })
        .await
    }
}
