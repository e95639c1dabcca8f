//! The password-reset email (docs/api/sessions.md "Forgetting a
//! password"): subject `Reset your Roster password`, the link on a line of
//! its own. Its templates join the others' environment (`templates.rs`).

use std::fmt;

use chrono::{DateTime, Utc};
use minijinja::context;

use super::OutgoingMail;
use super::templates::{readable_time, render};

/// This email's templates, compiled into the binary.
pub(super) const TEMPLATES: [(&str, &str); 2] = [
    (
        "password_reset.txt",
        include_str!("../../templates/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../../templates/password_reset.html"),
    ),
];

/// What a password-reset email says. `Debug` hides the link (it holds the
/// token).
#[derive(Clone)]
pub struct PasswordResetMailContent<'a> {
    pub to: &'a str,
    pub display_name: &'a str,
    /// `{ROSTER_PUBLIC_URL}/reset/{token}`.
    pub reset_url: String,
    pub expires_at: DateTime<Utc>,
    pub message_id: String,
}

impl fmt::Debug for PasswordResetMailContent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordResetMailContent")
            .field("to", &self.to)
            .field("reset_url", &"<redacted>")
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

pub fn render_password_reset(content: &PasswordResetMailContent<'_>) -> OutgoingMail {
    render(
        "password_reset",
        "Reset your Roster password".to_owned(),
        content.to,
        &content.message_id,
        context! {
            display_name => content.display_name,
            reset_url => &content.reset_url,
            expires_at => readable_time(content.expires_at),
        },
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const URL: &str = "https://roster.test/reset/TOKEN-abc123";

    fn mail(name: &str) -> (PasswordResetMailContent<'_>, OutgoingMail) {
        let content = PasswordResetMailContent {
            to: "ada@example.com",
            display_name: name,
            reset_url: URL.into(),
            expires_at: Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(),
            message_id: "<password-reset-1@roster>".into(),
        };
        let mail = render_password_reset(&content);
        (content, mail)
    }

    #[test]
    fn subject_link_on_its_own_line_and_expiry() {
        let (_, mail) = mail("Ada");
        assert_eq!(mail.subject, "Reset your Roster password");
        assert!(mail.text.lines().any(|l| l == URL), "{}", mail.text);
        assert!(
            mail.html
                .contains("href=\"https:&#x2f;&#x2f;roster.test&#x2f;reset&#x2f;TOKEN-abc123\""),
            "{}",
            mail.html
        );
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("2026-11-20 14:30 UTC"), "{body}");
        }
        assert_eq!(mail.to, "ada@example.com");
        assert_eq!(mail.message_id, "<password-reset-1@roster>");
    }

    #[test]
    fn names_are_escaped_in_html_and_the_link_stays_out_of_debug() {
        let (content, mail) = mail("<b>Eve</b>");
        assert!(!mail.html.contains("<b>Eve</b>"), "{}", mail.html);
        assert!(mail.text.contains("Hello <b>Eve</b>,"));
        for shown in [format!("{content:?}"), format!("{mail:?}")] {
            assert!(!shown.contains("TOKEN-abc123"), "{shown}");
        }
    }
}
