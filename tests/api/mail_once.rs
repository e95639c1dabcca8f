//! Mail exactly once in effect (docs/api/invitations.md): a send that is mailed
//! again (the SMTP server kept it but its "250" never reached the worker)
//! is the same message, with the same Message-ID and the same link or
//! one-time password, which still works; and a send the server took is
//! marked delivered even if the database is away for a moment right after,
//! rather than mailed again.

use std::time::Duration;

use roster_tests::serde_json::json;
use roster_tests::{accept_url, both_backends, invitation_token, temporary_password};

const PREVIEW: &str = "query($t: String!) { invitationPreview(token: $t) { email } }";

both_backends! {
    async fn a_link_mailed_again_is_the_same_message_and_still_works(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        // Ada's verification email first, so the one held is the invitation's.
        app.verification_mails_to("ada@example.com").await;
        app.mail.keep_without_answering(1);
        app.invite(&ada, &org, "new@example.com", "MEMBER").await;
        let first = app.mail_to("new@example.com", 1).await;
        let again = app.mail_to("new@example.com", 2).await;
        let id = first.message_id().expect("a Message-ID");
        assert_eq!(again.message_id().as_deref(), Some(id.as_str()));
        assert_eq!(accept_url(&first, &app.base), accept_url(&again, &app.base));
        // The first mail's link is the live one: nothing replaced it.
        let token = invitation_token(&first, &app.base);
        let preview = app.ok(None, PREVIEW, json!({ "t": token })).await;
        assert_eq!(preview["invitationPreview"]["email"], "new@example.com");
        // Answered the second time: marked delivered, never mailed a third
        // (`mail_to` ran every job due).
        assert_eq!(app.mails_to("new@example.com").len(), 2);
    }

    async fn a_one_time_password_mailed_again_is_the_same_and_logs_in(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.set_delivery(&ada, &org, "TEMPORARY_PASSWORD", None).await;
        // Ada's verification email first, so the one held is the invitation's.
        app.verification_mails_to("ada@example.com").await;
        app.mail.keep_without_answering(1);
        app.invite(&ada, &org, "temp@example.com", "MEMBER").await;
        let first = app.mail_to("temp@example.com", 1).await;
        let again = app.mail_to("temp@example.com", 2).await;
        assert_eq!(first.message_id(), again.message_id());
        let password = temporary_password(&first);
        assert_eq!(temporary_password(&again), password);
        let q = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { user { mustChangePassword } } }";
        let data = app.ok(None, q, json!({ "e": "temp@example.com", "p": password })).await;
        assert_eq!(data["logIn"]["user"]["mustChangePassword"], true);
    }

    async fn a_database_away_right_after_the_250_does_not_mail_twice(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        // The server keeps the message at once and answers 800 ms later;
        // meanwhile the bookkeeping table goes away for 1.5 s.
        app.mail.answer_after(Duration::from_millis(800));
        app.invite(&ada, &org, "new@example.com", "MEMBER").await;
        app.mail_to("new@example.com", 1).await;
        app.execute_sql("alter table invitation_send rename to invitation_send_away").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        app.execute_sql("alter table invitation_send_away rename to invitation_send").await;
        app.mail.answer_after(Duration::ZERO);
        app.run_pending_jobs().await;
        let delivered = "select count(*) from invitation_send where delivered_at is not null";
        assert_eq!(app.count_sql(delivered).await, 1, "the send was marked delivered");
        // Later work goes out; the first send stayed at one mail.
        app.invite(&ada, &org, "later@example.com", "MEMBER").await;
        app.mail_to("later@example.com", 1).await;
        assert_eq!(app.mails_to("new@example.com").len(), 1);
    }
}
