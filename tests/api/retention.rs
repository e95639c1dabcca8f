//! Retention (docs/operations/retention.md): the worker's purge deletes, in batches,
//! what is older than the period (ended and expired sessions, spent
//! refresh tokens, finished queue tasks and lead jobs, gone queue workers,
//! invitation sends, webhook attempts, SQLite's live events), keeps what
//! is newer, and the API answers as before. The tests run the purge the
//! hourly tick runs, with a period of two days and batches of two.

use chrono::{DateTime, Duration, Utc};
use roster_domain::retention::Retention;
use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{Session, TestApp, both_backends};

use super::removal::REMOVE;
use super::webhooks::{create_endpoint, endpoints};

const REFRESH: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(id: $id) { sentCount } }";
const SENT: &str = "query($o: ID!) { organization(id: $o) { invitations { edges { node { email sentCount } } } } }";

fn retention() -> Retention {
    Retention {
        period: std::time::Duration::from_secs(2 * 24 * 3600),
        batch: 2,
    }
}

async fn purge(app: &TestApp) {
    roster_worker::retention::purge(app.db.store().as_ref(), &retention(), app.now())
        .await
        .expect("purge");
}

async fn sessions_of(app: &TestApp, email: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from session s join app_user u on u.id = s.user_id \
         where u.email_normalized = '{email}'"
    ))
    .await
}

async fn refresh_tokens_of(app: &TestApp, email: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from refresh_token t join session s on s.id = t.session_id \
         join app_user u on u.id = s.user_id where u.email_normalized = '{email}'"
    ))
    .await
}

async fn log_out(app: &TestApp, s: &Session) {
    app.ok(Some(&s.access), "mutation { logOut }", json!({}))
        .await;
}

async fn sends_of(app: &TestApp, email: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from invitation_send s join invitation i on i.id = s.invitation_id \
         where i.email = '{email}'"
    ))
    .await
}

/// Attempts to endpoint `id` made at `at`.
async fn seed_attempts(app: &TestApp, id: &str, n: usize, at: DateTime<Utc>) {
    let sql = "insert into webhook_delivery (id, endpoint_id, event_id, attempt, status, duration_ms, at) \
               values ($1, $2, $3, 1, 500, 3, $4)";
    let endpoint = uuid::Uuid::parse_str(id).expect("id");
    for _ in 0..n {
        let (row, event) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        match &app.db {
            Database::Sqlite(pool) => {
                let q = sqlx::query(sql)
                    .bind(row)
                    .bind(endpoint)
                    .bind(event)
                    .bind(at);
                q.execute(pool).await.map(|_| ())
            }
            Database::Postgres(pool) => {
                let q = sqlx::query(sql)
                    .bind(row)
                    .bind(endpoint)
                    .bind(event)
                    .bind(at);
                q.execute(pool).await.map(|_| ())
            }
        }
        .expect(sql);
    }
}

/// Live-event rows of audit events with `action` (SQLite keeps them).
async fn live_rows(app: &TestApp, action: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from live_event l join audit_event a on a.id = l.audit_event_id \
         where a.action = '{action}'"
    ))
    .await
}

/// Runs the queued jobs, then `sql` counts `want`.
async fn once_jobs_ran(app: &TestApp, sql: &str, want: i64) {
    app.run_pending_jobs().await;
    assert_eq!(app.count_sql(sql).await, want, "{sql}");
}

both_backends! {
    async fn old_sessions_and_spent_refresh_tokens_go_and_live_ones_still_work(app) {
        let carol = app.sign_up("carol@example.com", "Carol").await;
        drop(carol);
        // A month later Carol's session has expired.
        app.clock.advance(Duration::days(31));
        let ada = app.sign_up("ada@example.com", "Ada").await;
        log_out(&app, &ada).await;
        let bob = app.sign_up("bob@example.com", "Bob").await;
        let pair = app.ok(None, REFRESH, json!({ "t": bob.refresh })).await;
        let live = pair["refreshSession"]["refreshToken"].as_str().expect("token").to_owned();
        app.sign_up("dave@example.com", "Dave").await;
        assert_eq!(refresh_tokens_of(&app, "bob@example.com").await, 2);
        // Three days on: the expired and the ended session and the spent
        // token are past the period; a session ended now is not.
        app.clock.advance(Duration::days(3));
        let erin = app.sign_up("erin@example.com", "Erin").await;
        log_out(&app, &erin).await;
        purge(&app).await;
        for (email, left) in [("carol@example.com", 0), ("ada@example.com", 0), ("bob@example.com", 1), ("dave@example.com", 1), ("erin@example.com", 1)] {
            assert_eq!(sessions_of(&app, email).await, left, "{email}");
        }
        assert_eq!(refresh_tokens_of(&app, "bob@example.com").await, 1, "the live token stays");
        assert_eq!(refresh_tokens_of(&app, "ada@example.com").await, 0);
        // Bob's live refresh token still works, and so does its access token.
        let pair = app.ok(None, REFRESH, json!({ "t": live })).await;
        let access = pair["refreshSession"]["accessToken"].as_str().expect("access");
        let me = app.ok(Some(access), "{ me { email } }", json!({})).await;
        assert_eq!(me["me"]["email"], "bob@example.com");
        // The accounts themselves stay.
        app.log_in("ada@example.com").await;
    }

    async fn old_sends_attempts_and_live_events_go_and_recent_ones_stay(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let x = app.invite(&ada, &org, "x@example.com", "MEMBER").await;
        app.mail_to("x@example.com", 1).await;
        app.ok(Some(&ada.access), RESEND, json!({ "id": x["id"] })).await;
        app.mail_to("x@example.com", 2).await;
        // Z's only send is still undelivered (its mail job retrying).
        app.invite(&ada, &org, "z@example.com", "MEMBER").await;
        once_jobs_ran(&app, "select count(*) from invitation_send s join invitation i on i.id = s.invitation_id \
                        where i.email = 'z@example.com' and s.delivered_at is not null", 1).await;
        app.execute_sql("update invitation_send set delivered_at = null where invitation_id in \
                         (select id from invitation where email = 'z@example.com')").await;
        let endpoint = create_endpoint(&app, &ada, &org, "http://127.0.0.1:9/hook", &["ownership.transfer_canceled"]).await;
        let endpoint = endpoint["endpoint"]["id"].as_str().expect("id").to_owned();
        app.clock.advance(Duration::days(3));
        let ada = app.log_in("ada@example.com").await;
        app.ok(Some(&ada.access), RESEND, json!({ "id": x["id"] })).await;
        app.mail_to("x@example.com", 3).await;
        seed_attempts(&app, &endpoint, 5, app.now() - Duration::days(40)).await;
        seed_attempts(&app, &endpoint, 3, app.now() - Duration::hours(1)).await;
        assert_eq!(sends_of(&app, "x@example.com").await, 3);
        let audit = app.count_sql("select count(*) from audit_event").await;
        purge(&app).await;
        assert_eq!(app.count_sql("select count(*) from audit_event").await, audit, "the audit log is the record");
        assert_eq!(sends_of(&app, "x@example.com").await, 1, "the recent send stays");
        assert_eq!(sends_of(&app, "z@example.com").await, 1, "an undelivered current send stays");
        let deliveries = endpoints(&app, &ada, &org).await[0]["deliveries"].as_array().map(Vec::len);
        assert_eq!(deliveries, Some(3), "recent attempts still listed");
        if matches!(app.db, Database::Sqlite(_)) {
            assert_eq!(live_rows(&app, "invitation.created").await, 0);
            assert_eq!(live_rows(&app, "invitation.resent").await, 1);
        }
        // The invitations answer as before, and resending still counts
        // the day's sends.
        let sent = app.ok(Some(&ada.access), SENT, json!({ "o": org })).await;
        let counts: Vec<_> = sent["organization"]["invitations"]["edges"].as_array().expect("edges")
            .iter().map(|e| (e["node"]["email"].clone(), e["node"]["sentCount"].clone())).collect();
        assert!(counts.contains(&(json!("x@example.com"), json!(3))), "{counts:?}");
        let again = app.ok(Some(&ada.access), RESEND, json!({ "id": x["id"] })).await;
        assert_eq!(again["resendInvitation"]["sentCount"], 4);
        app.mail_to("x@example.com", 4).await;
    }

    async fn finished_tasks_jobs_and_gone_workers_go_and_the_rest_stays(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let carol = app.join(&org, "carol@example.com", "MEMBER").await;
        for user in [&bob.user_id, &carol.user_id] {
            app.ok(Some(&ada.access), REMOVE, json!({ "o": org, "u": user })).await;
        }
        once_jobs_ran(&app, "select count(*) from job where state = 'DONE'", 2).await;
        app.invite(&ada, &org, "x@example.com", "MEMBER").await;
        app.mail_to("x@example.com", 1).await;
        let (tasks, workers) = match app.db {
            Database::Sqlite(_) => ("Jobs", "Workers"),
            Database::Postgres(_) => ("apalis.jobs", "apalis.workers"),
        };
        app.mail_to("bob@example.com", 1).await;
        app.mail_to("carol@example.com", 1).await;
        // Every task (reassignments, notices, the mail) done, none purged.
        once_jobs_ran(&app, &format!("select count(*) from {tasks} where status <> 'Done'"), 0).await;
        let done = format!("select count(*) from {tasks} where status = 'Done'");
        let finished = app.count_sql(&done).await;
        assert!(finished >= 5, "{finished} tasks done");
        let (age_task, dead_worker) = match app.db {
            Database::Sqlite(_) => (
                "update Jobs set done_at = done_at - 40 * 86400 where id in \
                 (select id from Jobs where job_type = 'invitation-email')",
                "insert into Workers (id, worker_type, storage_name, layers, last_seen) \
                 values ('dead-worker', 'invitation-email', 'gone', '', 0)",
            ),
            Database::Postgres(_) => (
                "update apalis.jobs set done_at = done_at - interval '40 days' where job_type = 'invitation-email'",
                "insert into apalis.workers (id, worker_type, storage_name, layers, last_seen) \
                 values ('dead-worker', 'invitation-email', 'gone', '', now() - interval '40 days')",
            ),
        };
        app.execute_sql(age_task).await;
        app.execute_sql(dead_worker).await;
        app.execute_sql("update job set finished_at = '2000-01-01T00:00:00+00:00' where id in \
                         (select id from job where from_user_id in (select id from app_user where email = 'bob@example.com'))").await;
        let live_workers = app.count_sql(&format!("select count(*) from {workers} where id <> 'dead-worker'")).await;
        purge(&app).await;
        assert_eq!(app.count_sql(&done).await, finished - 1, "the aged mail task went, the rest stayed");
        assert_eq!(app.count_sql(&format!("select count(*) from {workers} where id = 'dead-worker'")).await, 0);
        assert_eq!(app.count_sql(&format!("select count(*) from {workers} where id <> 'dead-worker'")).await, live_workers);
        assert_eq!(app.count_sql("select count(*) from job").await, 1, "Carol's recent job stays");
        // The queue still works after the purge.
        app.invite(&ada, &org, "y@example.com", "MEMBER").await;
        app.mail_to("y@example.com", 1).await;
    }
}
