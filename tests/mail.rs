//! The mailer against a real SMTP conversation: what `roster_worker::mail`
//! renders arrives intact at the test sink, and a server that is down is a
//! transient error that goes away when the server comes back.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use roster_tests::smtp_sink::SmtpSink;
use roster_worker::mail::{
    InvitationMailContent, InvitationSecret, Mailer, OutgoingMail, OwnershipTransferMailContent,
    RemovalMailContent, render_invitation, render_ownership_transfer, render_removal,
};

const FROM: &str = "Roster <no-reply@roster.test>";
const WAIT: Duration = Duration::from_secs(5);

fn invitation(organization: &str, secret: InvitationSecret, message_id: &str) -> OutgoingMail {
    render_invitation(&InvitationMailContent {
        to: "ada@example.com",
        organization,
        inviter_name: Some("Grace Hopper"),
        role: "MEMBER",
        expires_at: Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(),
        secret,
        message_id: message_id.to_owned(),
    })
}

fn link(accept_url: &str) -> InvitationSecret {
    InvitationSecret::Link {
        accept_url: accept_url.to_owned(),
    }
}

fn has_line(text: &str, wanted: &str) -> bool {
    text.lines().any(|line| line == wanted)
}

#[tokio::test]
async fn an_invitation_arrives_as_rendered() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), FROM).unwrap();
    let url = "http://roster.test/invite/tok_abc123";

    let mail = invitation("Acme", link(url), "<invitation-0190-1@roster>");
    mailer.send(&mail).await.unwrap();

    let received = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(received.from, "no-reply@roster.test");
    assert_eq!(received.to, ["ada@example.com"]);
    assert_eq!(
        received.subject().as_deref(),
        Some("You're invited to join Acme")
    );
    assert_eq!(
        received.message_id().as_deref(),
        Some("<invitation-0190-1@roster>")
    );
    let content_type = received.header("content-type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    assert!(
        has_line(&received.text_body(), url),
        "{}",
        received.text_body()
    );
}

/// Long lines and non-ASCII text make lettre encode the body and the
/// subject; what the reader decodes is still what was rendered.
#[tokio::test]
async fn encoded_bodies_and_subjects_decode_to_what_was_rendered() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), FROM).unwrap();
    let login_url = format!("http://roster.test/login?next=/orgs/{}", "x".repeat(90));
    let secret = InvitationSecret::TemporaryPassword {
        password: "Zx8=q.ü".into(),
        login_url: login_url.clone(),
    };

    let mail = invitation("Café Übersee", secret, "<invitation-0190-2@roster>");
    mailer.send(&mail).await.unwrap();

    let received = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(
        received.subject().as_deref(),
        Some("You're invited to join Café Übersee")
    );
    let text = received.text_body();
    assert!(has_line(&text, "Temporary password: Zx8=q.ü"), "{text}");
    assert!(has_line(&text, &login_url), "{text}");
    assert_eq!(text, mail.text.trim_end());
}

/// Mostly non-ASCII text is shorter in base64 than in quoted-printable.
#[tokio::test]
async fn a_base64_body_decodes_too() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), FROM).unwrap();
    let organization = "東京ロスター株式会社".repeat(6);

    let mail = invitation(
        &organization,
        link("http://roster.test/invite/t"),
        "<invitation-0190-5@roster>",
    );
    mailer.send(&mail).await.unwrap();

    let received = &sink.wait_for(1, WAIT).await[0];
    assert!(
        received.data.contains("Content-Transfer-Encoding: base64"),
        "{}",
        received.data
    );
    // A subject carries at most 40 characters of a name (the body has it
    // whole): docs/operations/limits.md.
    let cut: String = organization.chars().take(39).collect();
    assert_eq!(
        received.subject(),
        Some(format!("You're invited to join {cut}…"))
    );
    assert!(received.text_body().contains(&organization));
    assert_eq!(received.text_body(), mail.text.trim_end());
}

#[tokio::test]
async fn removal_and_ownership_transfer_subjects() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), FROM).unwrap();

    let removal = render_removal(&RemovalMailContent {
        to: "ada@example.com",
        organization: "Acme",
        message_id: "<removal-0190-1@roster>".into(),
    });
    let transfer = render_ownership_transfer(&OwnershipTransferMailContent {
        to: "ada@example.com",
        from_name: "Grace Hopper",
        organization: "Acme",
        organization_id: "0190",
        app_url: "http://roster.test/graphql".into(),
        message_id: "<ownership-transfer-0190-1@roster>".into(),
    });
    mailer.send(&removal).await.unwrap();
    mailer.send(&transfer).await.unwrap();

    let received = sink.wait_for(2, WAIT).await;
    let subjects: Vec<_> = received.iter().filter_map(|m| m.subject()).collect();
    assert_eq!(
        subjects,
        [
            "You were removed from Acme",
            "Grace Hopper wants to make you owner of Acme"
        ]
    );
    assert!(has_line(
        &received[1].text_body(),
        "http://roster.test/graphql"
    ));
}

#[tokio::test]
async fn a_server_that_is_down_is_a_transient_error_until_it_is_back() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::smtp(&sink.url(), FROM).unwrap();
    let mail = invitation(
        "Acme",
        link("http://roster.test/invite/t"),
        "<invitation-0190-3@roster>",
    );
    mailer.send(&mail).await.unwrap();

    sink.set_down(true);
    // The pooled connection is refused at MAIL (451) ...
    let err = mailer.send(&mail).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    // ... and a new one at the greeting (421).
    let fresh = Mailer::smtp(&sink.url(), FROM).unwrap();
    let err = fresh.send(&mail).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert_eq!(sink.messages().len(), 1);

    sink.set_down(false);
    mailer.send(&mail).await.unwrap();
    fresh.send(&mail).await.unwrap();
    let received = sink.wait_for(3, WAIT).await;
    assert!(
        received
            .iter()
            .all(|m| m.message_id().as_deref() == Some("<invitation-0190-3@roster>")),
        "a retried send keeps its Message-ID"
    );
}

#[tokio::test]
async fn a_server_that_is_not_there_fails_fast() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    drop(sink);
    let mailer = Mailer::smtp(&url, FROM).unwrap();
    let mail = invitation(
        "Acme",
        link("http://roster.test/invite/t"),
        "<invitation-0190-4@roster>",
    );
    let started = std::time::Instant::now();
    let err = mailer.send(&mail).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
