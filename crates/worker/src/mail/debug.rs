//! `Debug` of what carries an invitation's secret (a link holding its
//! token, a temporary password) shows where it goes, never the secret.

use std::fmt;

use super::{InvitationSecret, OutgoingMail};

impl fmt::Debug for InvitationSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Link { .. } => f
                .debug_struct("Link")
                .field("accept_url", &"<redacted>")
                .finish(),
            Self::TemporaryPassword { login_url, .. } => f
                .debug_struct("TemporaryPassword")
                .field("password", &"<redacted>")
                .field("login_url", login_url)
                .finish(),
        }
    }
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::super::{InvitationMailContent, render_invitation};
    use super::InvitationSecret;

    #[test]
    fn debug_never_shows_the_token_or_the_password() {
        for secret in [
            InvitationSecret::Link {
                accept_url: "https://roster.example/invite/TOKEN-abc123".into(),
            },
            InvitationSecret::TemporaryPassword {
                password: "TOKEN-abc123".into(),
                login_url: "https://roster.example/login".into(),
            },
        ] {
            let content = InvitationMailContent {
                to: "ada@example.com",
                organization: "Acme",
                inviter_name: None,
                role: "MEMBER",
                expires_at: Utc::now(),
                secret,
                message_id: "<m@roster>".into(),
            };
            let mail = render_invitation(&content);
            assert!(mail.text.contains("TOKEN-abc123"), "the mail carries it");
            for shown in [format!("{content:?}"), format!("{mail:?}")] {
                assert!(!shown.contains("TOKEN-abc123"), "{shown}");
            }
        }
    }
}
