//! The email-verification mail (docs/api/sessions.md): subject
//! `Confirm your email address`, the link on a line of its own.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use minijinja::{Environment, context};

use super::OutgoingMail;
use super::templates::{environment, readable_time, render_from};

/// What a verification email says. `Debug` leaves the link out.
#[derive(Clone)]
pub struct VerificationMailContent<'a> {
    pub to: &'a str,
    pub display_name: &'a str,
    /// `{ROSTER_PUBLIC_URL}/verify/{token}`.
    pub verify_url: String,
    pub expires_at: DateTime<Utc>,
    pub message_id: String,
}

impl std::fmt::Debug for VerificationMailContent<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationMailContent")
            .field("to", &self.to)
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    environment(&[
        ("layout.html", include_str!("../../templates/layout.html")),
        (
            "verification.txt",
            include_str!("../../templates/verification.txt"),
        ),
        (
            "verification.html",
            include_str!("../../templates/verification.html"),
        ),
    ])
});

pub fn render_verification(content: &VerificationMailContent<'_>) -> OutgoingMail {
    render_from(
        &TEMPLATES,
        "verification",
        "Confirm your email address".to_owned(),
        content.to,
        &content.message_id,
        context! {
            display_name => content.display_name,
            verify_url => &content.verify_url,
            expires_at => readable_time(content.expires_at),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_on_a_line_of_its_own_in_both_parts() {
        let url = "https://roster.test/verify/tok_abc".to_owned();
        let mail = render_verification(&VerificationMailContent {
            to: "kate@example.com",
            display_name: "<Kate>",
            verify_url: url.clone(),
            expires_at: Utc::now(),
            message_id: "<verify-1@roster>".into(),
        });
        assert_eq!(mail.subject, "Confirm your email address");
        assert!(mail.text.lines().any(|l| l == url), "{}", mail.text);
        assert!(
            mail.html.contains("tok_abc"),
            "the link is in the HTML part too"
        );
        assert!(!mail.html.contains("<Kate>"), "names are escaped");
        assert!(mail.text.contains("<Kate>"));
    }
}
