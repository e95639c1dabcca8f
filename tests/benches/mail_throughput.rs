//! Mails per second: invitation emails through the whole worker (queue in
//! the database, token, send bookkeeping, SMTP) against lettre sending the
//! same rendered mails straight to the same SMTP sink.
//!
//! ```text
//! cargo bench -p roster-tests --bench mail_throughput            # SQLite
//! ROSTER_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p roster-tests --bench mail_throughput        # and PostgreSQL
//! ROSTER_BENCH_MAILS=2000 cargo bench ...                        # more mails (default 500)
//! ```

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp};
use roster_worker::mail::{InvitationMailContent, InvitationSecret, Mailer, render_invitation};

fn main() {
    let mails: usize = std::env::var("ROSTER_BENCH_MAILS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("{mails} invitation emails to a loopback SMTP sink");
        report("lettre, one at a time", mails, direct(mails, 1).await);
        report("lettre, 10 at a time", mails, direct(mails, 10).await);
        for backend in [Backend::Sqlite, Backend::Postgres] {
            match through_worker(backend, mails).await {
                Some(took) => report(&format!("worker on {backend:?}"), mails, took),
                None => println!("{backend:?}: skipped (ROSTER_TEST_POSTGRES_URL is not set)"),
            }
        }
    });
}

fn report(what: &str, mails: usize, took: Duration) {
    let rate = mails as f64 / took.as_secs_f64();
    println!("{what:<24} {took:>10.2?}  {rate:>8.0} mails/s");
}

/// Renders the mails first, then times only the sending through one pooled
/// lettre transport, `in_flight` at a time (lettre's pool holds at most 10
/// connections).
async fn direct(mails: usize, in_flight: usize) -> Duration {
    let sink = roster_tests::smtp_sink::SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), "Roster <roster@bench.example>").expect("mailer");
    let rendered: Vec<_> = (0..mails)
        .map(|i| {
            let to = format!("person{i}@example.com");
            render_invitation(&InvitationMailContent {
                to: &to,
                organization: "Acme",
                inviter_name: Some("Ada"),
                role: "MEMBER",
                expires_at: Utc::now(),
                secret: InvitationSecret::Link {
                    accept_url: format!("http://127.0.0.1/invite/{}", "t".repeat(43)),
                },
                message_id: format!("<bench-{i}@roster>"),
            })
        })
        .collect();
    let start = Instant::now();
    futures::stream::iter(&rendered)
        .map(|mail| mailer.send(mail))
        .buffer_unordered(in_flight)
        .for_each(|sent| async move { sent.expect("send") })
        .await;
    let took = start.elapsed();
    assert_eq!(sink.messages().len(), mails);
    took
}

/// Queues `mails` invitations with no worker running, then starts one and
/// times until the sink holds every mail.
async fn through_worker(backend: Backend, mails: usize) -> Option<Duration> {
    // One inviter sends them all: no invitation limits.
    let app = TestApp::spawn_with(backend, false, roster_tests::unthrottled).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.execute_sql("update organization set plan = 'ENTERPRISE'")
        .await;
    let q = "mutation($o: ID!, $i: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $i) { errorCode } }";
    for chunk in (0..mails).collect::<Vec<_>>().chunks(100) {
        let inputs: Vec<Value> = chunk
            .iter()
            .map(|i| json!({ "email": format!("person{i}@example.com") }))
            .collect();
        let data = app
            .ok(Some(&ada.access), q, json!({ "o": org, "i": inputs }))
            .await;
        let failed = data["inviteMembers"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| !r["errorCode"].is_null())
            .count();
        assert_eq!(failed, 0, "every invitation is created");
    }
    let start = Instant::now();
    app.start_worker();
    let deadline = start + Duration::from_secs(600);
    while app.mail.messages().len() < mails {
        assert!(Instant::now() < deadline, "the worker stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Some(start.elapsed())
}
