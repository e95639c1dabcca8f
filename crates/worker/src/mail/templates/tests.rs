use chrono::TimeZone;

use super::*;

const ACCEPT_URL: &str = "https://roster.test/invite/tok_abc123";

fn content_with(secret: InvitationSecret) -> InvitationMailContent<'static> {
    InvitationMailContent {
        to: "ada@example.com",
        organization: "Acme",
        inviter_name: Some("Grace Hopper"),
        role: "MEMBER",
        expires_at: Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(),
        secret,
        message_id: "<invitation-1@roster>".into(),
    }
}

fn invitation(secret: InvitationSecret) -> OutgoingMail {
    render_invitation(&content_with(secret))
}

fn link() -> InvitationSecret {
    InvitationSecret::Link {
        accept_url: ACCEPT_URL.into(),
    }
}

/// minijinja also escapes `/` (harmless: browsers decode it in `href`).
fn html_escaped(url: &str) -> String {
    url.replace('/', "&#x2f;")
}

fn has_line(text: &str, wanted: &str) -> bool {
    text.lines().any(|line| line == wanted)
}

#[test]
fn invitation_link_subject_and_accept_url_on_its_own_line() {
    let mail = invitation(link());
    assert_eq!(mail.subject, "You're invited to join Acme");
    assert!(has_line(&mail.text, ACCEPT_URL), "{}", mail.text);
    assert!(
        mail.html
            .contains(&format!("href=\"{}\"", html_escaped(ACCEPT_URL)))
    );
    assert_eq!(mail.to, "ada@example.com");
    assert_eq!(mail.message_id, "<invitation-1@roster>");
}

#[test]
fn invitation_mentions_inviter_role_and_expiry_in_both_bodies() {
    let mail = invitation(link());
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Grace Hopper"), "{body}");
        assert!(body.contains("member role"), "{body}");
        assert!(body.contains("2026-11-20 14:30 UTC"), "{body}");
    }
}

#[test]
fn invitation_without_a_known_inviter_still_reads() {
    let mail = render_invitation(&InvitationMailContent {
        inviter_name: None,
        role: "ASSISTANT_MANAGER",
        ..content_with(link())
    });
    assert!(
        mail.text.contains(
            "You have been invited to join Acme on Roster with the assistant manager role."
        )
    );
}

#[test]
fn invitation_temporary_password_line_and_login_url() {
    let mail = invitation(InvitationSecret::TemporaryPassword {
        password: "x7-Kq!p<2".into(),
        login_url: "https://roster.test/login".into(),
    });
    assert_eq!(mail.subject, "You're invited to join Acme");
    assert!(
        has_line(&mail.text, "Temporary password: x7-Kq!p<2"),
        "{}",
        mail.text
    );
    assert!(
        has_line(&mail.text, "https://roster.test/login"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("/invite/"));
    assert!(mail.html.contains("x7-Kq!p&lt;2"), "{}", mail.html);
}

#[test]
fn removal_subject_and_what_it_says() {
    let mail = render_removal(&RemovalMailContent {
        to: "ada@example.com",
        organization: "Acme",
        message_id: "<removal-1@roster>".into(),
    });
    assert_eq!(mail.subject, "You were removed from Acme");
    assert_eq!(mail.to, "ada@example.com");
    assert_eq!(mail.message_id, "<removal-1@roster>");
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Your access to it has ended."), "{body}");
        assert!(
            body.contains("What you created there, such as your leads, stays with Acme."),
            "{body}"
        );
    }
}

#[test]
fn ownership_transfer_subject_and_how_to_accept() {
    let url = "https://roster.test/graphql";
    let mail = render_ownership_transfer(&OwnershipTransferMailContent {
        to: "ada@example.com",
        from_name: "Grace Hopper",
        organization: "Acme",
        organization_id: "0190-org",
        app_url: url.into(),
        message_id: "<ownership-transfer-1@roster>".into(),
    });
    assert_eq!(mail.subject, "Grace Hopper wants to make you owner of Acme");
    assert!(has_line(&mail.text, url), "{}", mail.text);
    assert!(mail.html.contains(&html_escaped(url)), "{}", mail.html);
    let mutation = "acceptOwnershipTransfer(organizationId: \"0190-org\")";
    assert!(mail.text.contains(mutation), "{}", mail.text);
    assert!(
        mail.html
            .contains("acceptOwnershipTransfer(organizationId: &quot;0190-org&quot;)")
            || mail
                .html
                .contains("acceptOwnershipTransfer(organizationId: \"0190-org\")"),
        "{}",
        mail.html
    );
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Grace Hopper stays the owner"), "{body}");
    }
}

#[test]
fn ownership_transfer_html_escapes_names() {
    let mail = render_ownership_transfer(&OwnershipTransferMailContent {
        to: "ada@example.com",
        from_name: "<b>Eve</b>",
        organization: "A & B",
        organization_id: "0190-org",
        app_url: "https://roster.test/graphql".into(),
        message_id: "<ownership-transfer-2@roster>".into(),
    });
    assert_eq!(mail.subject, "<b>Eve</b> wants to make you owner of A & B");
    assert!(!mail.html.contains("<b>Eve</b>"), "{}", mail.html);
    assert!(
        mail.html.contains("&lt;b&gt;Eve&lt;&#x2f;b&gt;"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("A &amp; B"), "{}", mail.html);
    assert!(
        mail.text
            .contains("<b>Eve</b> wants to make you the owner of A & B")
    );
}

#[test]
fn html_escapes_what_users_typed_and_text_keeps_it() {
    let mail = render_invitation(&InvitationMailContent {
        organization: "<script>alert(1)</script>",
        inviter_name: Some("Tom & \"Jerry\""),
        ..content_with(link())
    });
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(
        mail.html
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{}",
        mail.html
    );
    assert!(
        mail.html.contains("Tom &amp; &quot;Jerry&quot;"),
        "{}",
        mail.html
    );
    assert!(
        mail.text
            .contains("to join <script>alert(1)</script> on Roster")
    );
    assert_eq!(
        mail.subject,
        "You're invited to join <script>alert(1)</script>"
    );
}

#[test]
fn every_template_parses() {
    // Forces the LazyLock: a template that does not parse panics here.
    for name in ["invitation", "removal", "ownership_transfer"] {
        for extension in ["txt", "html"] {
            assert!(
                TEMPLATES
                    .get_template(&format!("{name}.{extension}"))
                    .is_ok()
            );
        }
    }
}
