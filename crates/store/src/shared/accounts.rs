//! Accounts and sessions: users, log-in sessions, rotating refresh tokens.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::model::{Credentials, NewSession, NewUser, PasswordProof, Rotation, User};
use roster_domain::org_claims::OrgClaims;
use roster_domain::store::AccountStore;
use roster_domain::token::TokenHash;
use roster_domain::{DomainError, Email, OrgId, SessionId, UserId};

use super::rows::{CredentialsRow, RETURNED_USER, USER_COLUMNS, UserRow, composed};
use super::{BackendStore, Db};
use crate::error::OnViolation;
use sqlx::error::ErrorKind;

/// A placeholder account: made for an invitee, its owner never chose a
/// password (it has none; it logs in only with its invitations' one-time
/// passwords). `signUp` may claim it.
pub(super) const PLACEHOLDER: &str = "(password_hash is null or must_change_password = true)";

#[async_trait::async_trait]
impl AccountStore for BackendStore {
    /// Signs up: a new account, or the claim of a placeholder made for an
    /// invitee (rules.md §3: an invitation leaves nothing that blocks a
    /// later sign-up or tells a stranger the address was invited). A claim
    /// is a fresh account too (new id, new creation time), so its answer is
    /// a first sign-up's; what a claimer may reach is limited elsewhere: a
    /// LINK invitation still needs its token, the placeholder's one-time
    /// passwords die with it, and a claimed account (its address not
    /// proved) cannot accept by id.
    #[tracing::instrument(skip_all)]
    async fn create_user(&self, new: NewUser) -> PortResult<User> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let email = new.email.normalized();
            // Ended invitations first, swept or not: they stay with the
            // placeholder and never reach the claimer.
            super::invitations::expire_overdue_of_email(&mut tx, &email, new.now).await?;
            // The placeholder gives up the address (it keeps the history that
            // names it: ended invitations, audit events). The row lock this
            // takes makes a concurrent claim of the same address wait, then
            // find no placeholder and answer CONFLICT.
            let retired: Option<(uuid::Uuid,)> = sqlx::query_as(composed(format!(
                "update app_user set email_normalized = $2, password_hash = null, updated_at = $3 \
                 where email_normalized = $1 and {PLACEHOLDER} returning id"
            )))
            .bind(&email)
            .bind(format!("placeholder-claimed:{}", new.id))
            .bind(new.now)
            .fetch_optional(&mut *tx)
            .await?;
            let user: User = sqlx::query_as::<_, UserRow>(composed(format!(
                "insert into app_user (id, email, email_normalized, display_name, password_hash, \
                 must_change_password, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, false, $6, $6) \
                 returning {RETURNED_USER}"
            )))
            .bind(new.id.0)
            .bind(new.email.as_str())
            .bind(&email)
            .bind(new.display_name.as_str())
            .bind(&new.password_hash)
            .bind(new.now)
            .fetch_one(&mut *tx)
            .await
            .on_violation(ErrorKind::UniqueViolation, || {
                DomainError::Conflict("an account with this email already exists".into())
            })?
            .into();
            if let Some((placeholder,)) = retired {
                move_pending_invitations(&mut tx, placeholder, new.id, new.now).await?;
            }
            let link = &new.verification;
            super::verification::insert_verification_link(&mut tx, new.id, link, new.now).await?;
            tx.commit().await?;
            Ok(user)
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn credentials_by_email(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> PortResult<Option<Credentials>> {
        port(async {
            let row: Option<CredentialsRow> = sqlx::query_as(composed(format!(
                "select {USER_COLUMNS}, u.password_hash from app_user u where u.email_normalized = $1"
            )))
            .bind(email.normalized())
            .fetch_optional(&self.pool)
            .await?;
            self.with_one_time_passwords(row, now).await
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn credentials_by_id(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<Credentials>> {
        port(async {
            let row: Option<CredentialsRow> = sqlx::query_as(composed(format!(
                "select {USER_COLUMNS}, u.password_hash from app_user u where u.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
            self.with_one_time_passwords(row, now).await
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    async fn users_by_ids(&self, ids: &[UserId]) -> PortResult<Vec<User>> {
        port(async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "select {USER_COLUMNS} from app_user u where u.id in ("
            ));
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(id.0);
            }
            list.push_unseparated(")");
            let rows: Vec<UserRow> = q.build_query_as().fetch_all(&self.pool).await?;
            Ok(rows.into_iter().map(User::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn create_session(&self, session: NewSession) -> PortResult<()> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            insert_session(&mut tx, &session).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        next: &TokenHash,
        now: DateTime<Utc>,
        within: Option<OrgId>,
    ) -> PortResult<Rotation> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let found: Option<(uuid::Uuid, Option<DateTime<Utc>>, uuid::Uuid)> = sqlx::query_as(
                "select t.session_id, t.spent_at, s.user_id from refresh_token t \
                 join session s on s.id = t.session_id \
                 where t.token_hash = $1 and s.ended_at is null and s.expires_at > $2",
            )
            .bind(presented.as_bytes())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((session_id, spent_at, user_id)) = found else {
                return Ok(Rotation::Invalid);
            };
            // The claims are decided before anything is spent: a refusal
            // leaves the refresh token as it was (the transaction rolls back).
            let org = match within {
                Some(org) if spent_at.is_none() => {
                    let m = super::members::membership_in(&mut tx, org, UserId(user_id)).await?;
                    Some(OrgClaims::for_membership(m.as_ref())?)
                }
                _ => None,
            };
            // Spend the token; zero rows means it was spent before (or by a
            // concurrent refresh that won): a replay, so the family dies.
            let spent = sqlx::query(
                "update refresh_token set spent_at = $2 where token_hash = $1 and spent_at is null",
            )
            .bind(presented.as_bytes())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent_at.is_some() || spent == 0 {
                sqlx::query("update session set ended_at = $2 where id = $1 and ended_at is null")
                    .bind(session_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(Rotation::Reused);
            }
            sqlx::query(
                "insert into refresh_token (token_hash, session_id, created_at) values ($1, $2, $3)",
            )
            .bind(next.as_bytes())
            .bind(session_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let user: UserRow = sqlx::query_as(composed(format!(
                "select {USER_COLUMNS} from app_user u join session s on s.user_id = u.id where s.id = $1"
            )))
            .bind(session_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Rotation::Rotated {
                session: SessionId(session_id),
                user: user.into(),
                org,
            })
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn session_user(
        &self,
        session: SessionId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<User>> {
        port(async {
            let row: Option<UserRow> = sqlx::query_as(composed(format!(
                "select {USER_COLUMNS} from session s join app_user u on u.id = s.user_id \
                 where s.id = $1 and s.ended_at is null and s.expires_at > $2"
            )))
            .bind(session.0)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(User::from))
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn end_session(&self, session: SessionId, now: DateTime<Utc>) -> PortResult<()> {
        port(async {
            sqlx::query("update session set ended_at = $2 where id = $1 and ended_at is null")
                .bind(session.0)
                .bind(now)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        session: NewSession,
        proof: PasswordProof,
    ) -> PortResult<User> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            // Only someone who presented a one-time password (proof of the
            // mailbox) joins by changing it, and only the organization whose
            // invitation it belongs to; whoever claimed the placeholder
            // through signUp chose their own password and joins nothing.
            // Done before the account is written, so that locks are taken
            // organization first, as accept, revoke and the sweep do.
            let proved = match &proof {
                PasswordProof::OneTime(one_time) => {
                    super::invitations::accept_by_one_time_password(
                        &mut tx,
                        user,
                        one_time,
                        session.now,
                    )
                    .await?;
                    true
                }
                PasswordProof::Own => false,
            };
            let row: UserRow = sqlx::query_as(composed(format!(
                "update app_user set password_hash = $2, must_change_password = false, updated_at = $3, \
                 email_verified_at = case when $4 then coalesce(email_verified_at, $3) else email_verified_at end \
                 where id = $1 returning {RETURNED_USER}"
            )))
            .bind(user.0)
            .bind(password_hash)
            .bind(session.now)
            .bind(proved)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(DomainError::NotFound)?;
            // The account has a password of its own now: the one-time
            // passwords of its other invitations log in no more (they are
            // accepted by id, docs/api/invitations.md).
            sqlx::query(
                "update invitation set temporary_password_hash = null \
                 where user_id = $1 and temporary_password_hash is not null",
            )
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("update session set ended_at = $2 where user_id = $1 and ended_at is null")
                .bind(user.0)
                .bind(session.now)
                .execute(&mut *tx)
                .await?;
            insert_session(&mut tx, &session).await?;
            tx.commit().await?;
            Ok(row.into())
        })
        .await
    }
}

impl BackendStore {
    /// The account's credentials with the one-time passwords of its usable
    /// TEMPORARY_PASSWORD invitations (rules.md §3: each its own).
    async fn with_one_time_passwords(
        &self,
        row: Option<CredentialsRow>,
        now: DateTime<Utc>,
    ) -> Result<Option<Credentials>> {
        let Some(row) = row else { return Ok(None) };
        let one_time =
            super::invitations::one_time_passwords(&self.pool, row.user_id(), now).await?;
        Ok(Some(row.into_credentials(one_time)))
    }
}

/// The invitations still PENDING for a claimed placeholder go on for the
/// new account (with their seats, the INVITED memberships); whoever held a
/// one-time-password session of the placeholder loses it.
pub(super) async fn move_pending_invitations(
    tx: &mut Transaction<'static, Db>,
    placeholder: uuid::Uuid,
    account: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    for sql in [
        "update membership set user_id = $2 where user_id = $1 and status = 'INVITED'",
        // The one-time passwords mailed for the placeholder die with it.
        "update invitation set user_id = $2, temporary_password_hash = null where user_id = $1 and status = 'PENDING'",
    ] {
        sqlx::query(sql)
            .bind(placeholder)
            .bind(account.0)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("update session set ended_at = $2 where user_id = $1 and ended_at is null")
        .bind(placeholder)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Opens `s`, first ending the account's oldest live sessions past its
/// cap (`NewSession::sessions_to_end`), under the account's lock so that
/// concurrent log-ins cannot pass the cap together.
pub(super) async fn insert_session(
    tx: &mut Transaction<'static, Db>,
    s: &NewSession,
) -> Result<()> {
    Db::lock_user(tx, s.user_id).await?;
    let live: Vec<(uuid::Uuid,)> = sqlx::query_as(
        "select id from session where user_id = $1 and ended_at is null and expires_at > $2 \
         order by created_at, id",
    )
    .bind(s.user_id.0)
    .bind(s.now)
    .fetch_all(&mut **tx)
    .await?;
    let live: Vec<SessionId> = live.into_iter().map(|(id,)| SessionId(id)).collect();
    for ended in s.sessions_to_end(&live) {
        sqlx::query("update session set ended_at = $2 where id = $1")
            .bind(ended.0)
            .bind(s.now)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "insert into session (id, user_id, created_at, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(s.id.0)
    .bind(s.user_id.0)
    .bind(s.now)
    .bind(s.expires_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into refresh_token (token_hash, session_id, created_at) values ($1, $2, $3)",
    )
    .bind(s.refresh_token.as_bytes())
    .bind(s.id.0)
    .bind(s.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
