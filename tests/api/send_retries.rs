//! The invitation email survives a database that is away for a while
//! (docs/api/invitations.md): only a real supersession ends a send unmailed; any
//! other error is retried, and the mail goes once the database is back.

use std::time::{Duration, Instant};

use roster_store::Database;
use roster_tests::{Backend, TestApp};

async fn a_database_error_is_retried_not_taken_for_obsolete(backend: Backend) {
    let Some(app) = TestApp::spawn_without_worker(backend).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.invite(&ada, &org, "new@example.com", "MEMBER").await;
    // The invitation table goes away under the worker...
    app.execute_sql("alter table invitation rename to invitation_away")
        .await;
    app.start_worker();
    // The worker has taken the job (and failed it at once): the table comes
    // back while the job still has retries left (the test worker retries
    // for about 0.75 s).
    let taken = match app.db {
        Database::Sqlite(_) => "select count(*) from Jobs where status <> 'Pending'",
        Database::Postgres(_) => "select count(*) from apalis.jobs where status <> 'Pending'",
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count_sql(taken).await == 0 {
        assert!(Instant::now() < deadline, "the worker never took the job");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(app.mails_to("new@example.com").is_empty());
    // ...and comes back: the job, retried, still mails, once.
    app.execute_sql("alter table invitation_away rename to invitation")
        .await;
    let mail = app.mail_to("new@example.com", 1).await;
    assert!(mail.data.contains("You're invited to join Acme"));
    assert_eq!(app.mails_to("new@example.com").len(), 1);
}

roster_tests::each_backend!(a_database_error_is_retried_not_taken_for_obsolete,);
