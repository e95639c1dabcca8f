//! A gateway whose PostgreSQL listener lost its connection tells its
//! subscribers to reload (`resync`): what was notified while it reconnected
//! is lost to it. The stream goes on after.

use std::time::Duration;

use roster_tests::live::{LiveClient, actions};
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_reconnects_sends_resync_and_the_stream_goes_on() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let mut admin = LiveClient::connect(&app.base, &ada.access).await;
    admin.subscribe("a", &org).await;
    // The gateway's listener: the session whose last statement was its LISTEN
    // (the worker's queues listen on channels of their own).
    let killed = app
        .count_sql(
            "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity \
             where datname = current_database() and query ilike 'listen%roster_events%') t",
        )
        .await;
    assert_eq!(killed, 1, "one listener per gateway");
    let heard = admin.events("a", 1, WAIT).await;
    assert_eq!(heard[0]["action"], json!("resync"), "{heard:?}");
    assert_eq!(heard[0]["organizationId"], json!(org));
    assert_eq!(heard[0]["userId"], json!(null));
    // Listening again: the next change is heard.
    app.invite(&ada, &org, "bob@example.com", "MEMBER").await;
    let heard = admin.events("a", 1, WAIT).await;
    assert_eq!(actions(&heard)[0].0, "invitation.created", "{heard:?}");
}
