//! The invitation email's way out: the job is in the database with the
//! invitation, survives a dead worker and a dead SMTP server, and mails
//! once.

use std::time::{Duration, Instant};

use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp, both_backends};

/// Waits until `done` holds, failing after 20 s with `what`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "not within 20 s: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

both_backends! {
    async fn smtp_down_the_job_retries_and_mails_once_when_it_returns(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.mail.set_down(true);
        let invitation = app.invite(&ada, &org, "new@example.com", "MEMBER").await;
        assert_eq!(invitation["status"], "PENDING");
        eventually("three refused attempts", || app.mail.refusals() >= 3).await;
        assert!(app.mails_to("new@example.com").is_empty());
        app.mail.set_down(false);
        let mail = app.mail_to("new@example.com", 1).await;
        assert!(mail.data.contains("You're invited to join Acme"));
        // Later work goes out, and the first send never goes twice.
        app.invite(&ada, &org, "later@example.com", "MEMBER").await;
        app.mail_to("later@example.com", 1).await;
        assert_eq!(app.mails_to("new@example.com").len(), 1);
        let q = "query($o: ID!) { organization(id: $o) { invitations { edges { node { email sentCount } } } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        let edges = data["organization"]["invitations"]["edges"].as_array().expect("edges").clone();
        let first = edges.iter().find(|e| e["node"]["email"] == "new@example.com").expect("the invitation");
        assert_eq!(first["node"]["sentCount"], 1);
    }
}

/// The gateway commits an invitation and dies before any worker sends it;
/// a worker started later finds the job and mails it. A rolled-back
/// invite leaves no job behind.
async fn a_crash_between_commit_and_send_loses_no_mail(backend: Backend) {
    let Some(app) = TestApp::spawn_without_worker(backend).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.invite(&ada, &org, "kept@example.com", "MEMBER").await;
    assert_eq!(app.queued_jobs().await, 1);
    // An invite that fails after its job was enqueued rolls the job back.
    app.execute_sql("drop table audit_event").await;
    let q = "mutation($o: ID!) { inviteMember(organizationId: $o, input: { email: \"lost@example.com\" }) { id } }";
    assert_eq!(
        app.fails(Some(&ada.access), q, json!({ "o": org })).await,
        "INTERNAL"
    );
    assert_eq!(app.queued_jobs().await, 1);
    assert!(app.sent_mails().is_empty());
    app.start_worker();
    app.mail_to("kept@example.com", 1).await;
    assert!(app.mails_to("lost@example.com").is_empty());
}

roster_tests::each_backend!(a_crash_between_commit_and_send_loses_no_mail,);
