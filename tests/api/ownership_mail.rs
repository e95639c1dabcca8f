//! The member-notice emails (rules.md §7, docs/api/ownership.md), through the
//! worker into the SMTP sink: the ownership transfer request mails the one
//! asked, once, even when the mail server fails first; a request cancelled
//! before its email went out mails nobody; and the removal email goes to a
//! member whose membership is already gone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_domain::notice::{MemberNotice, NoticeMail};
use roster_domain::{OrgId, UserId};
use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};
use roster_worker::invitation_mail::Outcome;

use super::member_admin::acme;
use super::ownership::{CANCEL, REQUEST, org_vars, request_vars};

/// The id of the one audit event `action` of `org` (as Ada reads it).
async fn event_id(app: &TestApp, by: &roster_tests::Session, org: &str, action: &str) -> String {
    let q = "query($o: ID!, $a: String) { organization(id: $o) { auditLog(action: $a) { edges { node { id } } } } }";
    let data = app
        .ok(Some(&by.access), q, json!({ "o": org, "a": action }))
        .await;
    let edges = data["organization"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 1, "{data}");
    edges[0]["node"]["id"].as_str().expect("id").to_owned()
}

/// Runs the queued jobs to their end: at least `n` are done.
pub async fn jobs_done(app: &TestApp, n: i64) {
    let done = match app.db {
        Database::Sqlite(_) => "select count(*) from Jobs where status = 'Done'",
        Database::Postgres(_) => "select count(*) from apalis.jobs where status = 'Done'",
    };
    app.run_pending_jobs().await;
    let finished = app.count_sql(done).await;
    assert!(finished >= n, "{finished} jobs done, not {n}");
}

both_backends! {
    async fn the_one_asked_gets_one_multipart_email(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let mail = app.mail_to("bob@example.com", 1).await;
        assert_eq!(mail.to, ["bob@example.com"]);
        assert_eq!(mail.subject().as_deref(), Some("Ada wants to make you owner of Acme"));
        let event = event_id(&app, &a.ada, &a.org, "ownership.transfer_requested").await;
        assert_eq!(mail.message_id(), Some(format!("<ownership-transfer-{event}@roster>")));
        let content_type = mail.header("content-type").expect("content type");
        assert!(content_type.starts_with("multipart/alternative"), "{content_type}");
        assert!(mail.data.contains("Content-Type: text/html"), "{}", mail.data);
        let text = mail.text_body();
        let how = format!("mutation {{ acceptOwnershipTransfer(organizationId: \"{}\") {{ id }} }}", a.org);
        assert!(text.lines().any(|l| l == how), "{text}");
        assert!(text.lines().any(|l| l == format!("{}/graphql", app.base)), "{text}");
        assert!(text.contains("Ada wants to make you the owner of Acme on Roster."), "{text}");
        // Once: the job is done and nothing else went out.
        jobs_done(&app, 1).await;
        assert_eq!(app.sent_mails().len(), 1);
    }

    async fn one_request_mails_once_even_when_the_mail_server_fails_first(app) {
        let a = acme(&app).await;
        app.mail.set_down(true);
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while app.mail.refusals() < 2 {
            assert!(Instant::now() < deadline, "the worker never tried to send");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(app.mails_to("bob@example.com").is_empty());
        app.mail.set_down(false);
        let mail = app.mail_to("bob@example.com", 1).await;
        assert_eq!(mail.subject().as_deref(), Some("Ada wants to make you owner of Acme"));
        jobs_done(&app, 1).await;
        assert_eq!(app.sent_mails().len(), 1);
    }

    async fn a_request_cancelled_before_its_email_went_out_mails_nobody(app) {
        let Some(app) = TestApp::spawn_without_worker(app_backend(&app)).await else { return };
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        app.start_worker();
        jobs_done(&app, 1).await;
        assert!(app.sent_mails().is_empty());
    }

    async fn a_removed_member_is_mailed_without_its_membership(app) {
        let a = acme(&app).await;
        // What removal leaves: the account and the organization, no
        // membership (removeMember, built elsewhere, enqueues the notice).
        delete_membership(&app, &a.org, &a.carl.user_id).await;
        let store = app.db.store();
        let (org, carl) = (a.org.parse::<OrgId>().unwrap(), a.carl.user_id.parse::<UserId>().unwrap());
        let event_id = uuid::Uuid::now_v7();
        let notice = MemberNotice::Removed { organization_id: org, user_id: carl, event_id };
        assert_eq!(
            store.notice_mail(&notice).await.unwrap(),
            Some(NoticeMail {
                to_email: "carl@example.com".into(),
                to_name: "carl".into(),
                organization_id: org,
                organization_name: "Acme".into(),
                requester_name: None,
            })
        );
        let deps = roster_worker::Deps {
            store: store.clone(),
            mailer: roster_worker::mail::Mailer::smtp(&app.mail.url(), "Roster <roster@test.example>").unwrap(),
            clock: Arc::new(app.clock.clone()),
            public_url: app.base.clone(),
            invite_url: roster_worker::invite_url::InviteUrl::accept_page(&app.base),
            prices: Default::default(),
            send_secrets: roster_worker::send_secrets(roster_tests::JWT_SECRET.as_bytes()),
        };
        let outcome = roster_worker::member_notice::deliver(&deps, &notice).await.unwrap();
        assert_eq!(outcome, Outcome::Delivered);
        let mail = app.mail_to("carl@example.com", 1).await;
        assert_eq!(mail.subject().as_deref(), Some("You were removed from Acme"));
        assert_eq!(mail.message_id(), Some(format!("<removal-{event_id}@roster>")));
        let text = mail.text_body();
        assert!(text.contains("Your access to it has ended."), "{text}");
        assert!(text.contains("What you created there, such as your leads, stays with Acme."), "{text}");
        assert!(mail.data.contains("Content-Type: text/html"));
        // Nobody to mail: an unknown account or organization.
        let stranger = MemberNotice::Removed { organization_id: org, user_id: UserId::new(), event_id };
        assert_eq!(store.notice_mail(&stranger).await.unwrap(), None);
        let nowhere = MemberNotice::Removed { organization_id: OrgId::new(), user_id: carl, event_id };
        assert_eq!(roster_worker::member_notice::deliver(&deps, &nowhere).await.unwrap(), Outcome::Skipped);
        assert_eq!(app.sent_mails().len(), 1);
    }
}

fn app_backend(app: &TestApp) -> roster_tests::Backend {
    match app.db {
        Database::Sqlite(_) => roster_tests::Backend::Sqlite,
        Database::Postgres(_) => roster_tests::Backend::Postgres,
    }
}

async fn delete_membership(app: &TestApp, org: &str, user: &str) {
    let sql = "delete from membership where organization_id = $1 and user_id = $2";
    let (org, user) = (
        uuid::Uuid::parse_str(org).unwrap(),
        uuid::Uuid::parse_str(user).unwrap(),
    );
    match &app.db {
        Database::Sqlite(pool) => sqlx::query(sql)
            .bind(org)
            .bind(user)
            .execute(pool)
            .await
            .map(drop),
        Database::Postgres(pool) => sqlx::query(sql)
            .bind(org)
            .bind(user)
            .execute(pool)
            .await
            .map(drop),
    }
    .expect("delete membership");
}
