//! The comparison keys of stored addresses, recomputed by `migrate`
//! (docs/operations/upgrades.md): keys stored before emails were compared
//! after NFKC and case folding (rules.md §1) were plain lowercase, and SQL
//! cannot compute NFKC, so this step does, in Rust, after the SQL
//! migrations. Idempotent: a second run finds every key right and writes
//! nothing.
//!
//! The version of the key they were computed with is kept in
//! `store_fact` (`email_key_version`, [`Email::key_version`]); while it is
//! current, this step reads that one row and nothing else, so a start does
//! not read every account.
//!
//! Two accounts whose addresses now fold to one key (`\u{212A}ate@` and
//! `kate@`): the verified one keeps the key, else the older one; the other
//! is retired as a squatter's account is (its key becomes
//! `email-conflict:{id}`, its sessions end), so it can neither log in nor
//! block the address.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::Email;

use super::Db;

/// Keys that are not addresses: retired accounts.
const RETIRED: [&str; 3] = [
    "placeholder-claimed:",
    "unverified-retired:",
    "email-conflict:",
];

const VERSION_FACT: &str = "email_key_version";

/// Recomputes every stored key unless they were computed with the current
/// version; the number of accounts changed.
pub(crate) async fn refold_email_keys(pool: &sqlx::Pool<Db>, now: DateTime<Utc>) -> Result<u64> {
    let version = Email::key_version();
    let stored: Option<String> = sqlx::query_scalar("select value from store_fact where name = $1")
        .bind(VERSION_FACT)
        .fetch_optional(pool)
        .await?;
    if stored.as_deref() == Some(version.as_str()) {
        return Ok(0);
    }
    let mut tx = Db::begin_write(pool).await?;
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select id, email, email_normalized from app_user \
         order by (email_verified_at is null), created_at, id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, _, key)| !RETIRED.iter().any(|p| key.starts_with(p)))
        .collect();
    // Decided first, in priority order, then written in two passes through
    // keys no address has, so that no write meets a key about to move.
    let mut claimed = HashSet::new();
    let mut changes = Vec::new();
    for (id, email, current) in &rows {
        let wanted = Email::key(email);
        let key = if claimed.insert(wanted.clone()) {
            wanted
        } else {
            format!("email-conflict:{id}")
        };
        if &key != current {
            changes.push((*id, key));
        }
    }
    for (id, _) in &changes {
        sqlx::query("update app_user set email_normalized = $2 where id = $1")
            .bind(id)
            .bind(format!("refold:{id}"))
            .execute(&mut *tx)
            .await?;
    }
    for (id, key) in &changes {
        sqlx::query("update app_user set email_normalized = $2 where id = $1")
            .bind(id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        if key.starts_with("email-conflict:") {
            tracing::warn!(user = %id, "an account's address now folds to another's; it is retired");
            sqlx::query("update session set ended_at = $2 where user_id = $1 and ended_at is null")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query(
        "insert into store_fact (name, value) values ($1, $2) \
         on conflict (name) do update set value = excluded.value",
    )
    .bind(VERSION_FACT)
    .bind(&version)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(changes.len() as u64)
}
