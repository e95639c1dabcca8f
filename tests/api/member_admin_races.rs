//! Races of member administration, with real concurrency: the requests are
//! in flight together, each through a gateway of its own over the same
//! database (two processes behind a load balancer), parked on the
//! organization's lock (held by the test until both have passed their
//! guards), then let go at once. Exactly one wins, and an organization
//! never loses its last ACTIVE ADMIN or goes over its seats.

use std::time::Duration;

use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends, error_code};

use super::member_admin::{BLOCK, ROLE, UNBLOCK, acme};

/// The lock every member-administration and invitation write takes first:
/// SQLite's single write lock, PostgreSQL's organization row.
pub enum Held {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

pub async fn hold_lock(app: &TestApp, org: &str) -> Held {
    let org = uuid::Uuid::parse_str(org).expect("org id");
    match &app.db {
        Database::Sqlite(pool) => {
            Held::Sqlite(pool.begin_with("begin immediate").await.expect("lock"))
        }
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("select 1 from organization where id = $1 for update")
                .bind(org)
                .execute(&mut *tx)
                .await
                .expect("lock");
            Held::Postgres(tx)
        }
    }
}

/// Lets go of the lock once the racing requests are surely waiting on it.
pub async fn release_later(held: Held) {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    match held {
        Held::Sqlite(tx) => tx.rollback().await.expect("release"),
        Held::Postgres(tx) => tx.rollback().await.expect("release"),
    }
}

/// One success and the other's code.
pub fn one_wins(a: &Value, b: &Value) -> String {
    let codes: Vec<String> = [a, b].into_iter().filter_map(error_code).collect();
    assert_eq!(codes.len(), 1, "exactly one must fail: {a} {b}");
    codes[0].clone()
}

/// ACTIVE ADMINs of "Acme" (ids are blobs on SQLite, so by name).
async fn active_admins(app: &TestApp) -> i64 {
    let sql = "select count(*) from membership m join organization o on o.id = m.organization_id \
               where o.name = 'Acme' and m.role = 'ADMIN' and m.status = 'ACTIVE'";
    app.count_sql(sql).await
}

both_backends! {
    async fn two_admins_demoting_each_other_leave_exactly_one_admin(app) {
        let a = acme(&app).await;
        // The owner out of the picture (only the database reaches this
        // state): Bob and Carol are the last two ACTIVE ADMINs.
        app.set_membership_status(&a.org, &a.ada.user_id, "BLOCKED").await;
        let carol = app.join(&a.org, "carol@example.com", "ADMIN").await;
        let other = app.spawn_gateway(|_| {}).await;
        let held = hold_lock(&app, &a.org).await;
        let (x, y, ()) = tokio::join!(
            app.gql(Some(&a.bob.access), ROLE, json!({ "o": a.org, "u": carol.user_id, "r": "MEMBER" })),
            app.gql_via(&other, Some(&carol.access), ROLE, json!({ "o": a.org, "u": a.bob.user_id, "r": "MEMBER" })),
            release_later(held),
        );
        assert_eq!(one_wins(&x, &y), "LAST_ADMIN");
        assert_eq!(active_admins(&app).await, 1);
        let changed = app.count_sql("select count(*) from audit_event where action = 'member.role_changed'").await;
        assert_eq!(changed, 1);
        app.assert_member_counts_exact().await;
    }

    async fn blocking_the_last_two_admins_at_once_blocks_one(app) {
        let a = acme(&app).await;
        app.set_membership_status(&a.org, &a.ada.user_id, "BLOCKED").await;
        let carol = app.join(&a.org, "carol@example.com", "ADMIN").await;
        let other = app.spawn_gateway(|_| {}).await;
        let held = hold_lock(&app, &a.org).await;
        let (x, y, ()) = tokio::join!(
            app.gql(Some(&a.bob.access), BLOCK, json!({ "o": a.org, "u": carol.user_id })),
            app.gql_via(&other, Some(&carol.access), BLOCK, json!({ "o": a.org, "u": a.bob.user_id })),
            release_later(held),
        );
        assert_eq!(one_wins(&x, &y), "LAST_ADMIN");
        assert_eq!(active_admins(&app).await, 1);
        let blocked = app.count_sql("select count(*) from audit_event where action = 'member.blocked'").await;
        assert_eq!(blocked, 1);
        app.assert_member_counts_exact().await;
    }

    async fn unblock_racing_an_invite_for_the_last_seat_lets_one_in(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), BLOCK, json!({ "o": a.org, "u": a.carl.user_id })).await;
        // 4 ACTIVE + 5 seeded: one seat of the BASIC plan's 10 is free.
        for i in 0..5 {
            let user = app.seed_user(&format!("m{i}@example.com"), "M").await;
            app.seed_membership(&a.org, &user, "MEMBER", "ACTIVE").await;
        }
        let invite = "mutation($o: ID!) { inviteMember(organizationId: $o, input: { email: \"late@example.com\" }) { id } }";
        let other = app.spawn_gateway(|_| {}).await;
        let held = hold_lock(&app, &a.org).await;
        let (x, y, ()) = tokio::join!(
            app.gql(Some(&a.ada.access), UNBLOCK, json!({ "o": a.org, "u": a.carl.user_id })),
            app.gql_via(&other, Some(&a.bob.access), invite, json!({ "o": a.org })),
            release_later(held),
        );
        assert_eq!(one_wins(&x, &y), "SEAT_LIMIT_REACHED");
        let seats = "query($o: ID!) { organization(id: $o) { seatsUsed } }";
        let data = app.ok(Some(&a.ada.access), seats, json!({ "o": a.org })).await;
        assert_eq!(data["organization"]["seatsUsed"], 10);
        app.assert_member_counts_exact().await;
    }
}
