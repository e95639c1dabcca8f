//! `ROSTER_DATABASE_MAX_CONNECTIONS` (docs/operations/configuration.md):
//! a pool opens at most the connections it was given, on each backend.

use std::time::Duration;

use roster_store::Database;

async fn holds_at_most_two(url: &str) {
    let db = Database::connect_sized(url, Some(2))
        .await
        .expect("connect");
    crate::on_pool!(&db, |pool| {
        let (_a, _b) = (pool.acquire().await, pool.acquire().await);
        let third = tokio::time::timeout(Duration::from_millis(200), pool.acquire()).await;
        assert!(third.is_err(), "a third connection was opened");
        assert_eq!(pool.size(), 2);
    });
}

#[tokio::test]
async fn a_sqlite_pool_holds_at_most_the_connections_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    holds_at_most_two(&format!(
        "sqlite://{}",
        dir.path().join("pool.db").display()
    ))
    .await;
}

#[tokio::test]
async fn a_postgres_pool_holds_at_most_the_connections_asked() {
    let Ok(url) = std::env::var("ROSTER_TEST_POSTGRES_URL") else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    holds_at_most_two(&url).await;
}
