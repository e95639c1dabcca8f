//! What the SMTP sink received, and the secrets read out of invitation
//! and password-reset emails.

use crate::{TestApp, smtp_sink};

impl TestApp {
    /// The `nth` (from 1) email to `to`, once the jobs queued so far have
    /// run (`run_pending_jobs`).
    pub async fn mail_to(&self, to: &str, nth: usize) -> smtp_sink::ReceivedMail {
        self.run_pending_jobs().await;
        let mails = self.mails_to(to);
        assert!(
            mails.len() >= nth,
            "no email #{nth} to {to} once the queued jobs ran (got {})",
            mails.len()
        );
        mails[nth - 1].clone()
    }

    /// Every email `to` received so far but the verification emails
    /// every sign-up sends (read those with `verification_mails_to`).
    pub fn mails_to(&self, to: &str) -> Vec<smtp_sink::ReceivedMail> {
        self.all_mails_to(to)
            .into_iter()
            .filter(|m| m.subject().as_deref() != Some(VERIFICATION_SUBJECT))
            .collect()
    }

    /// The verification emails `to` received, once the jobs queued so far
    /// have run.
    pub async fn verification_mails_to(&self, to: &str) -> Vec<smtp_sink::ReceivedMail> {
        self.run_pending_jobs().await;
        self.all_mails_to(to)
            .into_iter()
            .filter(|m| m.subject().as_deref() == Some(VERIFICATION_SUBJECT))
            .collect()
    }

    /// Every email sent so far but the sign-ups' verification emails.
    pub fn sent_mails(&self) -> Vec<smtp_sink::ReceivedMail> {
        self.mail
            .messages()
            .into_iter()
            .filter(|m| m.subject().as_deref() != Some(VERIFICATION_SUBJECT))
            .collect()
    }

    fn all_mails_to(&self, to: &str) -> Vec<smtp_sink::ReceivedMail> {
        self.mail
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }
}

/// The subject of the email-verification email (docs/api/sessions.md).
pub const VERIFICATION_SUBJECT: &str = "Confirm your email address";

/// The token of a verification email's link: the line of its text body
/// that is exactly `{base}/verify/{token}`.
pub fn verification_token(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    let prefix = format!("{base}/verify/");
    mail.text_body()
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no verification URL line in:\n{}", mail.text_body()))
        .to_owned()
}

/// The accept link of an invitation email: the line of its text body that
/// is exactly `{base}/invite/{token}`.
pub fn accept_url(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    let prefix = format!("{base}/invite/");
    mail.text_body()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no accept URL line in:\n{}", mail.text_body()))
        .to_owned()
}

/// The link of a password-reset email: the line of its text body that is
/// exactly `{base}/reset/{token}`.
pub fn reset_url(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    let prefix = format!("{base}/reset/");
    mail.text_body()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no reset URL line in:\n{}", mail.text_body()))
        .to_owned()
}

/// The token of an invitation email's accept link.
pub fn invitation_token(mail: &smtp_sink::ReceivedMail, base: &str) -> String {
    accept_url(mail, base)
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned()
}

/// The one-time password of a TEMPORARY_PASSWORD invitation email.
pub fn temporary_password(mail: &smtp_sink::ReceivedMail) -> String {
    mail.text_body()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Temporary password: ")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no temporary password line in:\n{}", mail.text_body()))
}
