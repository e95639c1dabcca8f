//! One-time passwords (TEMPORARY_PASSWORD delivery): each invitation send
//! has its own, kept as SHA-256 on the invitation as a link token is
//! (rules.md §3: a second organization's invitation neither voids the
//! first's nor joins the person to both).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::model::OneTimePassword;
use roster_domain::token::TokenHash;
use roster_domain::{DomainError, InvitationDelivery, InvitationId, UserId};

use super::super::Db;
use super::accept::activate;
use super::{Tx, invitation_by_id};

/// At most this many candidates per log-in, the most recently sent first
/// (invitation sends per address are rate limited far below it).
const MAX_CANDIDATES: i64 = 100;

/// The one-time passwords `user` may log in with: those of its PENDING,
/// unexpired TEMPORARY_PASSWORD invitations, while it is a placeholder
/// (once its owner chose a password, the rest are accepted by id).
pub(in super::super) async fn one_time_passwords<'c, E>(
    executor: E,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<OneTimePassword>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let rows: Vec<(Uuid, Vec<u8>)> = sqlx::query_as(
        "select i.id, i.temporary_password_hash from invitation i join app_user u on u.id = i.user_id \
         where i.user_id = $1 and i.status = 'PENDING' and i.delivery = 'TEMPORARY_PASSWORD' \
         and i.expires_at > $2 and i.temporary_password_hash is not null and u.must_change_password = true \
         order by i.last_sent_at desc limit $3",
    )
    .bind(user.0)
    .bind(now)
    .bind(MAX_CANDIDATES)
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|(id, hash)| {
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| DomainError::internal("a one-time password hash is not 32 bytes"))?;
            Ok(OneTimePassword {
                invitation: InvitationId(id),
                hash: TokenHash(hash),
            })
        })
        .collect()
}

/// Accepts the invitation whose one-time password `user` replaces, read
/// again under its organization's lock: a resend, revoke or expiry since
/// the password was checked makes it `FORBIDDEN`, as a wrong current
/// password is.
pub(in super::super) async fn accept_by_one_time_password(
    tx: &mut Tx,
    user: UserId,
    one_time: &OneTimePassword,
    now: DateTime<Utc>,
) -> Result<()> {
    let found = invitation_by_id(tx, one_time.invitation).await?;
    Db::lock_organization(tx, found.org_id).await?;
    let inv = invitation_by_id(tx, one_time.invitation).await?;
    let (stored,): (Option<Vec<u8>>,) =
        sqlx::query_as("select temporary_password_hash from invitation where id = $1")
            .bind(inv.id.0)
            .fetch_one(&mut **tx)
            .await?;
    let current = stored
        .and_then(|h| <[u8; 32]>::try_from(h).ok())
        .is_some_and(|h| TokenHash(h) == one_time.hash);
    if !current
        || inv.user_id != user
        || inv.delivery != InvitationDelivery::TemporaryPassword
        || inv.usable(now).is_err()
    {
        return Err(DomainError::Forbidden.into());
    }
    activate(tx, &inv, now).await
}
