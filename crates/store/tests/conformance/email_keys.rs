//! `migrate` recomputes the stored email keys only when the version of
//! the key changed (docs/operations/upgrades.md, "Email keys after an
//! upgrade"): with the current version recorded it reads no account, and
//! without it every key is recomputed and the version recorded.

use roster_domain::Email;
use uuid::Uuid;

use crate::support::Fixture;
use crate::{on_both_backends, on_pool};

/// `email`'s stored key.
async fn key_of(f: &Fixture, email: &str) -> String {
    let sql = "select email_normalized from app_user where email = $1";
    on_pool!(&f.db, |pool| sqlx::query_scalar(sql)
        .bind(email)
        .fetch_one(pool)
        .await)
    .expect("key")
}

async fn recorded_version(f: &Fixture) -> Option<String> {
    let sql = "select value from store_fact where name = 'email_key_version'";
    on_pool!(&f.db, |pool| sqlx::query_scalar(sql)
        .fetch_optional(pool)
        .await)
    .expect("version")
}

/// An account stored by an older version: `email` with a plain lowercase
/// key, made a second after the fixture's accounts.
async fn stored_before_the_rule(f: &Fixture, email: &str) {
    let sql = "insert into app_user (id, email, email_normalized, display_name, created_at, updated_at) \
               values ($1, $2, $3, 'Old', $4, $4)";
    let at = f.now + chrono::Duration::seconds(1);
    let id = Uuid::now_v7();
    on_pool!(&f.db, |pool| sqlx::query(sql)
        .bind(id)
        .bind(email)
        .bind(email.to_ascii_lowercase())
        .bind(at)
        .execute(pool)
        .await
        .map(drop))
    .expect("insert an old account");
}

async fn keys_are_recomputed_only_when_their_version_changes(f: &Fixture) {
    assert_eq!(
        recorded_version(f).await.as_deref(),
        Some(Email::key_version().as_str()),
        "the first migrate records the version"
    );
    f.user("kate@example.com").await;
    stored_before_the_rule(f, "\u{212A}ATE@example.com").await;
    f.execute(
        "update app_user set email_normalized = 'stale' where email = 'kate@example.com'".into(),
    )
    .await;

    // The version is current: nothing is read, the stale keys stay.
    f.db.migrate().await.expect("migrate");
    assert_eq!(key_of(f, "kate@example.com").await, "stale");
    assert_eq!(
        key_of(f, "\u{212A}ATE@example.com").await,
        "\u{212A}ate@example.com"
    );

    // An older version: every key is recomputed. Both fold to one key; the
    // older account keeps it and the other is retired.
    f.execute("update store_fact set value = 'v0' where name = 'email_key_version'".into())
        .await;
    f.db.migrate().await.expect("migrate");
    assert_eq!(key_of(f, "kate@example.com").await, "kate@example.com");
    assert!(
        key_of(f, "\u{212A}ATE@example.com")
            .await
            .starts_with("email-conflict:")
    );
    assert_eq!(
        recorded_version(f).await.as_deref(),
        Some(Email::key_version().as_str())
    );
}

on_both_backends!(keys_are_recomputed_only_when_their_version_changes);
