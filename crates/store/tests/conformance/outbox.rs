//! The job outbox (docs/architecture.md, "The job outbox"): a job the store
//! enqueues in a write commits with the write or not at all. An invitation
//! enqueues its mail job, then records its audit event: a failure of
//! either leaves neither the invitation nor the job.

use roster_domain::invitation::InvitationMailJob;
use roster_store::Database;

use crate::on_both_backends;
use crate::support::Fixture;

/// apalis's table of tasks.
fn jobs_table(f: &Fixture) -> &'static str {
    match f.db {
        Database::Sqlite(_) => "Jobs",
        Database::Postgres(_) => "apalis.jobs",
    }
}

/// The payloads of the jobs on `queue`.
async fn jobs_on(f: &Fixture, queue: &str) -> Vec<Vec<u8>> {
    let sql = format!("select job from {} where job_type = $1", jobs_table(f));
    let sql = sqlx::AssertSqlSafe(sql);
    crate::on_pool!(&f.db, |pool| sqlx::query_scalar(sql)
        .bind(queue)
        .fetch_all(pool)
        .await)
    .expect("read the queue")
}

/// From now on every insert into `table` fails, as trigger `name` makes it.
async fn refuse_inserts(f: &Fixture, name: &str, table: &str) {
    match f.db {
        Database::Sqlite(_) => {
            f.execute(format!(
                "create trigger {name} before insert on {table} \
                 begin select raise(abort, 'injected failure'); end"
            ))
            .await
        }
        Database::Postgres(_) => {
            f.execute(format!(
                "create function {name}() returns trigger language plpgsql \
                 as $$ begin raise exception 'injected failure'; end $$"
            ))
            .await;
            f.execute(format!(
                "create trigger {name} before insert on {table} \
                 for each row execute function {name}()"
            ))
            .await
        }
    }
}

async fn an_invitation_commits_with_its_mail_job(f: &Fixture) {
    let (_, owner) = f.organization("ada@example.com").await;
    let invitation = f
        .invite(&owner, "bob@example.com")
        .await
        .expect("invite")
        .invitation();
    let jobs = jobs_on(f, InvitationMailJob::QUEUE).await;
    assert_eq!(jobs.len(), 1);
    let job: InvitationMailJob = serde_json::from_slice(&jobs[0]).expect("a mail job");
    assert_eq!((job.invitation_id, job.send_no), (invitation.id, 1));
}

async fn an_invitation_whose_job_is_refused_is_not_written(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    refuse_inserts(f, "refuse_jobs", jobs_table(f)).await;
    assert!(f.invite(&owner, "bob@example.com").await.is_err());
    assert_eq!(f.seats(org).await, 1, "no invitation holds a seat");
    assert!(jobs_on(f, InvitationMailJob::QUEUE).await.is_empty());
}

async fn a_job_enqueued_before_a_failure_is_not_queued(f: &Fixture) {
    let (org, owner) = f.organization("ada@example.com").await;
    // The audit event is written after the job is enqueued.
    refuse_inserts(f, "refuse_audit", "audit_event").await;
    assert!(f.invite(&owner, "bob@example.com").await.is_err());
    assert!(
        jobs_on(f, InvitationMailJob::QUEUE).await.is_empty(),
        "the job rolled back"
    );
    assert_eq!(f.seats(org).await, 1);
}

on_both_backends!(
    an_invitation_commits_with_its_mail_job,
    an_invitation_whose_job_is_refused_is_not_written,
    a_job_enqueued_before_a_failure_is_not_queued,
);
