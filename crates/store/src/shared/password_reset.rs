//! Password reset (rules.md §1; docs/api/sessions.md "Forgetting a
//! password"): the request writes the link (when the address has an
//! account) and enqueues its mail job, the job gives the link its derived
//! token, and `resetPassword` spends it and proves the address with it.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::DomainError;
use roster_domain::identity_link::NO_ROSTER_PASSWORD;
use roster_domain::model::User;
use roster_domain::password_reset::{
    PasswordReset, PasswordResetJob, PasswordResetStore, PendingReset, ResetLink, ResetRequest,
};
use roster_domain::token::TokenHash;
use roster_domain::{EmailLinkId, UserId};

use super::accounts::insert_session;
use super::invitations::mark_address_proved;
use super::outbox::enqueue;
use super::rows::{USER_COLUMNS, UserRow, composed};
use super::verification::{NewOwner, take_over_address};
use super::{BackendStore, Db};

type Tx = sqlx::Transaction<'static, Db>;

#[async_trait::async_trait]
impl PasswordResetStore for BackendStore {
    /// Two statements whether or not the address has an account (the
    /// insert finds no account and writes nothing for an unknown one), so
    /// neither the answer nor its time tells them apart.
    #[tracing::instrument(skip_all)]
    async fn request_password_reset(&self, request: ResetRequest) -> PortResult<()> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            sqlx::query(
                "insert into email_link (id, user_id, purpose, token_hash, created_at, expires_at) \
                 select $1, u.id, 'RESET', $3, $4, $5 from app_user u where u.email_normalized = $2 \
                 and u.password_hash is distinct from $6",
            )
            .bind(request.link_id.0)
            .bind(&request.email)
            .bind(request.unmailed_hash.as_bytes())
            .bind(request.now)
            .bind(request.expires_at)
            .bind(NO_ROSTER_PASSWORD)
            .execute(&mut *tx)
            .await?;
            let job = PasswordResetJob {
                link_id: request.link_id,
            };
            enqueue(&mut tx, PasswordResetJob::QUEUE, &job).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(link = %job.link_id))]
    async fn prepare_password_reset(
        &self,
        job: PasswordResetJob,
        token: TokenHash,
        now: DateTime<Utc>,
    ) -> PortResult<Option<PendingReset>> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let Some(link) = link_by_id(&mut tx, job.link_id).await? else {
                // No account had the address: nothing to mail.
                return Ok(None);
            };
            if link.usable(now).is_err() {
                return Ok(None);
            }
            // The same hash on every attempt: the token is derived.
            sqlx::query("update email_link set token_hash = $2 where id = $1")
                .bind(job.link_id.0)
                .bind(token.as_bytes())
                .execute(&mut *tx)
                .await?;
            let (to_email, display_name): (String, String) =
                sqlx::query_as("select email, display_name from app_user where id = $1")
                    .bind(link.user_id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            Ok(Some(PendingReset {
                to_email,
                display_name,
                expires_at: link.expires_at,
            }))
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn reset_password(&self, reset: PasswordReset) -> PortResult<User> {
        port(async {
            let now = reset.session.now;
            let mut tx = Db::begin_write(&self.pool).await?;
            let found: Option<(uuid::Uuid, uuid::Uuid, Option<DateTime<Utc>>, DateTime<Utc>)> =
                sqlx::query_as(
                    "select id, user_id, used_at, expires_at from email_link \
                     where token_hash = $1 and purpose = 'RESET'",
                )
                .bind(reset.token.as_bytes())
                .fetch_optional(&mut *tx)
                .await?;
            let Some((link_id, user_id, used_at, expires_at)) = found else {
                return Err(DomainError::LinkInvalid.into());
            };
            let link = ResetLink {
                user_id: UserId(user_id),
                used_at,
                expires_at,
            };
            link.usable(now)?;
            // Spent here, once: of two concurrent uses the second finds it
            // spent and changes nothing (its transaction rolls back).
            let spent =
                sqlx::query("update email_link set used_at = $2 where id = $1 and used_at is null")
                    .bind(link_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if spent == 0 {
                return Err(DomainError::LinkInvalid.into());
            }
            let user =
                prove_address_by_reset(&mut tx, link.user_id, &reset.password_hash, now).await?;
            insert_session(&mut tx, &reset.session.for_user(user.id)).await?;
            tx.commit().await?;
            Ok(user)
        })
        .await
    }
}

/// The link `id` (of purpose RESET), if the request found an account.
async fn link_by_id(tx: &mut Tx, id: EmailLinkId) -> Result<Option<ResetLink>> {
    let row: Option<(uuid::Uuid, Option<DateTime<Utc>>, DateTime<Utc>)> = sqlx::query_as(
        "select user_id, used_at, expires_at from email_link where id = $1 and purpose = 'RESET'",
    )
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(user_id, used_at, expires_at)| ResetLink {
        user_id: UserId(user_id),
        used_at,
        expires_at,
    }))
}

/// What using a reset link mailed to `user`'s address does to the account
/// (docs/api/sessions.md "Forgetting a password"): whoever reads that
/// mailbox owns the address. An account that chose its own password but
/// never proved the address is taken over (`take_over_address`: retired,
/// and the owner gets a fresh verified account). Otherwise its password
/// becomes the one chosen (for a placeholder made for an invitee, its
/// first own password), the
/// one-time passwords of its invitations stop logging in,
/// `mustChangePassword` is cleared, every session ends (all refresh
/// families), every other reset link of it is spent, and the address
/// counts as proved.
pub(super) async fn prove_address_by_reset(
    tx: &mut Tx,
    user: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<User> {
    let (email, key): (String, String) =
        sqlx::query_as("select email, email_normalized from app_user where id = $1")
            .bind(user.0)
            .fetch_one(&mut **tx)
            .await?;
    let owner = NewOwner {
        id: UserId::new(),
        email: &email,
        display_name: email.split('@').next().unwrap_or(&email),
        password_hash,
    };
    if let Some(owner) = take_over_address(tx, &key, owner, now).await? {
        return Ok(owner);
    }
    sqlx::query(
        "update app_user set password_hash = $2, must_change_password = false, updated_at = $3 \
         where id = $1",
    )
    .bind(user.0)
    .bind(password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    mark_address_proved(tx, user, now).await?;
    sqlx::query(
        "update invitation set temporary_password_hash = null \
         where user_id = $1 and temporary_password_hash is not null",
    )
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    for sql in [
        "update session set ended_at = $2 where user_id = $1 and ended_at is null",
        "update email_link set used_at = $2 \
         where user_id = $1 and purpose = 'RESET' and used_at is null",
    ] {
        sqlx::query(sql)
            .bind(user.0)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    let row: UserRow = sqlx::query_as(composed(format!(
        "select {USER_COLUMNS} from app_user u where u.id = $1"
    )))
    .bind(user.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}
