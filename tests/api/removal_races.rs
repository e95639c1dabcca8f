//! Races of removal, with real concurrency: both requests, each through a
//! gateway of its own over the same database, pass their guards and wait
//! on the organization's lock (held by the test), then go at once. Exactly one wins; the organization keeps an ACTIVE ADMIN.

use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};

use super::member_admin::acme;
use super::member_admin_races::{hold_lock, one_wins, release_later};
use super::removal::REMOVE;

async fn active_admins(app: &TestApp, org: &str) -> i64 {
    let sql = format!(
        "select count(*) from membership m join organization o on o.id = m.organization_id \
         where o.name = '{org}' and m.role = 'ADMIN' and m.status = 'ACTIVE'"
    );
    app.count_sql(&sql).await
}

both_backends! {
    async fn two_admins_removing_each_other_leave_exactly_one(app) {
        let a = acme(&app).await;
        // The owner out of the picture: Bob and Carol are the last two ACTIVE ADMINs.
        app.set_membership_status(&a.org, &a.ada.user_id, "BLOCKED").await;
        let carol = app.join(&a.org, "carol@example.com", "ADMIN").await;
        let other = app.spawn_gateway(|_| {}).await;
        let held = hold_lock(&app, &a.org).await;
        let (x, y, ()) = tokio::join!(
            app.gql(Some(&a.bob.access), REMOVE, json!({ "o": a.org, "u": carol.user_id })),
            app.gql_via(&other, Some(&carol.access), REMOVE, json!({ "o": a.org, "u": a.bob.user_id })),
            release_later(held),
        );
        assert_eq!(one_wins(&x, &y), "LAST_ADMIN");
        assert_eq!(active_admins(&app, "Acme").await, 1);
        let removed = app.count_sql("select count(*) from audit_event where action = 'member.removed'").await;
        assert_eq!(removed, 1);
        assert_eq!(app.count_sql("select count(*) from job").await, 1);
        assert_eq!(app.tasks_on("member-notice").await, 1);
        assert_eq!(app.tasks_on("lead-reassignment").await, 1);
        app.assert_member_counts_exact().await;
    }
}
