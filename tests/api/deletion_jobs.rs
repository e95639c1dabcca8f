//! A deleted organization's jobs do no work for it (rules.md §8,
//! docs/api/lifecycle.md): a lead reassignment running when it is deleted moves nothing
//! more while it is deleted and finishes after the restore; its invitation
//! emails and member notices queued before the deletion are not sent.

use std::time::Duration;

use roster_domain::JobId;
use roster_domain::job::BatchOutcome;
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp};

use super::deletion::{DELETE, org_vars};
use super::deletion_restore::RESTORE;
use super::member_admin::acme;
use super::ownership_mail::jobs_done;
use super::removal::REMOVE;

/// Runs on an app whose worker starts only when the test says so.
async fn a_reassignment_waits_while_deleted_and_finishes_after_restore(app: TestApp) {
    let a = acme(&app).await;
    app.seed_leads(&a.org, Some(&a.carl.user_id), 3_000).await;
    // Queued with no worker running: the removal's notice and job, and
    // an invitation email.
    app.invite(&a.ada, &a.org, "dan@example.com", "MEMBER")
        .await;
    let removed = app
        .ok(
            Some(&a.ada.access),
            REMOVE,
            json!({ "o": a.org, "u": a.carl.user_id, "to": a.bob.user_id }),
        )
        .await;
    let id = removed["removeMember"]["reassignment"]["id"]
        .as_str()
        .expect("job id")
        .to_owned();
    let job: JobId = id.parse().expect("job id");
    // One batch runs, then the organization is deleted.
    let store = app.db.store();
    assert_eq!(
        store
            .run_reassignment_batch(job, 1_000, app.now())
            .await
            .expect("batch"),
        BatchOutcome::Moved(1_000)
    );
    app.ok(Some(&a.ada.access), DELETE, org_vars(&a.org)).await;

    // Nothing moves while it is deleted: not a batch run by hand, not the worker.
    assert_eq!(
        store
            .run_reassignment_batch(job, 1_000, app.now())
            .await
            .expect("batch"),
        BatchOutcome::Suspended
    );
    jobs_done(&app, 3).await;
    assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 1_000);
    assert_eq!(app.leads_of(&a.org, Some(&a.carl.user_id)).await, 2_000);
    // The job waits at its checkpoint (the only job of this database).
    assert_eq!(
        app.count_sql("select count(*) from job where state = 'RUNNING' and done = 1000")
            .await,
        1
    );
    // Nobody was mailed on its behalf.
    assert!(app.mails_to("dan@example.com").is_empty());
    assert!(app.mails_to("carl@example.com").is_empty());
    assert_eq!(app.sent_mails().len(), 0);
    // Its job is as gone as the rest of it.
    assert_eq!(
        app.fails(
            Some(&a.ada.access),
            roster_tests::leads::JOB,
            json!({ "id": id })
        )
        .await,
        "NOT_FOUND"
    );

    // Restored: the job resumes from its checkpoint and finishes.
    app.ok(Some(&a.ada.access), RESTORE, org_vars(&a.org)).await;
    let done = app.finished_job(&a.ada, &id).await;
    assert_eq!(
        (
            done["state"].clone(),
            done["done"].clone(),
            done["total"].clone()
        ),
        (json!("DONE"), json!(3_000), json!(3_000))
    );
    assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 3_000);
    assert_eq!(app.leads_of(&a.org, Some(&a.carl.user_id)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_waits_while_deleted_on_sqlite() {
    let app = TestApp::spawn_without_worker(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    a_reassignment_waits_while_deleted_and_finishes_after_restore(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_waits_while_deleted_on_postgres() {
    let Some(app) = TestApp::spawn_without_worker(Backend::Postgres).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    a_reassignment_waits_while_deleted_and_finishes_after_restore(app).await;
}

/// Batches running while the deletion commits: the deletion waits for the
/// batch in flight, and none commits after it, so what moved when the
/// deletion answered is what stays moved.
async fn no_batch_commits_after_the_deletion(app: TestApp) {
    let a = acme(&app).await;
    app.seed_leads(&a.org, Some(&a.carl.user_id), 20_000).await;
    let removed = app
        .ok(
            Some(&a.ada.access),
            REMOVE,
            json!({ "o": a.org, "u": a.carl.user_id, "to": a.bob.user_id }),
        )
        .await;
    let job: JobId = removed["removeMember"]["reassignment"]["id"]
        .as_str()
        .expect("job id")
        .parse()
        .expect("job id");
    // Two runners of the job, small batches, as fast as they go.
    let runner = |store: std::sync::Arc<dyn roster_domain::Store>, now| async move {
        loop {
            match store
                .run_reassignment_batch(job, 50, now)
                .await
                .expect("batch")
            {
                BatchOutcome::Moved(_) => {}
                BatchOutcome::Busy => tokio::time::sleep(Duration::from_millis(1)).await,
                outcome => return outcome,
            }
        }
    };
    let runners = [
        tokio::spawn(runner(app.db.store(), app.now())),
        tokio::spawn(runner(app.db.store(), app.now())),
    ];
    // Let them get going, then delete.
    while app.leads_of(&a.org, Some(&a.bob.user_id)).await < 500 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.ok(Some(&a.ada.access), DELETE, org_vars(&a.org)).await;
    let moved = app.leads_of(&a.org, Some(&a.bob.user_id)).await;
    for r in runners {
        assert_eq!(r.await.expect("runner"), BatchOutcome::Suspended);
    }
    assert!(
        moved < 20_000,
        "the job finished before the deletion: the test proves nothing"
    );
    assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, moved);
    assert_eq!(
        app.leads_of(&a.org, Some(&a.carl.user_id)).await,
        20_000 - moved
    );
    let done = format!("select count(*) from job where done = {moved}");
    assert_eq!(
        app.count_sql(&done).await,
        1,
        "the job's progress is what moved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_batch_commits_after_the_deletion_on_sqlite() {
    let app = TestApp::spawn_without_worker(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    no_batch_commits_after_the_deletion(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_batch_commits_after_the_deletion_on_postgres() {
    let Some(app) = TestApp::spawn_without_worker(Backend::Postgres).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    no_batch_commits_after_the_deletion(app).await;
}
