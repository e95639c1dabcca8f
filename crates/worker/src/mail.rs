//! Outgoing email: rendering (see [`templates`]) and delivery over SMTP or
//! into a directory of `.eml` files.
//!
//! Every email is multipart/alternative (plain text and HTML) and carries the
//! `Message-ID` its caller chose. The caller derives that id from the job, so
//! a send that is retried after a timeout reuses it and the recipient's mail
//! client can fold the duplicate away.

mod debug;
mod password_reset;
mod templates;
mod verification;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use password_reset::{PasswordResetMailContent, render_password_reset};
pub use templates::{
    InvitationMailContent, InvitationSecret, OwnershipTransferMailContent, RemovalMailContent,
    render_invitation, render_ownership_transfer, render_removal,
};
pub use verification::{VerificationMailContent, render_verification};

/// How long one SMTP step (connect, a command, the data) may take: a server
/// that is down should fail the job quickly so that it is retried later,
/// not hold a worker.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// SMTP connections one mailer keeps at most (lettre's default).
pub const DEFAULT_SMTP_POOL_SIZE: u32 = 10;

/// A rendered email, ready to send. `Debug` leaves the bodies out: they
/// may hold a link token or a password (`mail/debug.rs`).
#[derive(Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// With its angle brackets, e.g. `<invitation-UUID-1@roster>`.
    pub message_id: String,
}

/// Where mail goes: SMTP (`ROSTER_SMTP_URL`, e.g. smtp://127.0.0.1:1025,
/// smtps://user:pass@host) or `.eml` files in a directory.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `{uuid}.eml` files, 0600 in a 0700 directory: they hold live
    /// links and one-time passwords.
    Files {
        dir: PathBuf,
    },
}

/// A mail setting that cannot work. Messages are whole sentences because
/// the binary prints them after the variable's name.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// The message never repeats the URL: it may hold a password.
    #[error("not a usable SMTP URL (smtp://host:port or smtps://user:password@host): {reason}")]
    SmtpUrl { reason: String },
    #[error("not an email address: {address:?} ({reason})")]
    FromAddress { address: String, reason: String },
    #[error("cannot create the mail directory {}: {reason}", dir.display())]
    MailDir { dir: PathBuf, reason: String },
}

/// A send that failed. See [`MailError::is_permanent`] for whether trying
/// again can help.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("not a recipient address: {address:?} ({reason})")]
    Recipient { address: String, reason: String },
    #[error("cannot build the message: {0}")]
    Build(lettre::error::Error),
    #[error("SMTP delivery failed: {0}")]
    Smtp(lettre::transport::smtp::Error),
    #[error("cannot write the .eml file: {0}")]
    File(std::io::Error),
}

impl MailError {
    /// True when the same send would fail again: a malformed message or a
    /// 5xx answer. Anything else (server down, timeout, 4xx, a full disk)
    /// is transient and worth a retry.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Recipient { .. } | Self::Build(_) => true,
            Self::Smtp(e) => e.is_permanent(),
            Self::File(_) => false,
        }
    }
}

impl Mailer {
    /// Checks the URL and the sender; connects only when sending.
    ///
    /// Call it inside a Tokio runtime and drop the mailer inside one:
    /// lettre's connection pool spawns its clean-up task on both.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailConfigError> {
        Self::smtp_pooled(url, from, DEFAULT_SMTP_POOL_SIZE)
    }

    /// [`Mailer::smtp`] holding at most `pool_size` SMTP connections open
    /// (`ROSTER_SMTP_POOL_SIZE`); at least 1.
    pub fn smtp_pooled(url: &str, from: &str, pool_size: u32) -> Result<Self, MailConfigError> {
        let from = parse_from(from)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            // lettre's reasons name the part that is wrong, never the
            // credentials.
            .map_err(|e| MailConfigError::SmtpUrl {
                reason: e.to_string(),
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(pool_size.max(1)))
            .build();
        Ok(Self {
            from,
            transport: Transport::Smtp(transport),
        })
    }

    /// Writes each email as `{uuid}.eml` (0600) in `dir`, made (0700) if
    /// missing.
    pub fn files(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailConfigError> {
        let from = parse_from(from)?;
        let dir = dir.into();
        roster_store::private_files::create_private_dir(&dir).map_err(|e| {
            MailConfigError::MailDir {
                dir: dir.clone(),
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            from,
            transport: Transport::Files { dir },
        })
    }

    /// The message as it goes on the wire, from this mailer's sender.
    pub fn to_message(&self, mail: &OutgoingMail) -> Result<Message, MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Recipient {
                address: mail.to.clone(),
                reason: e.to_string(),
            })?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .message_id(Some(mail.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(MailError::Build)
    }

    /// Sends one message; transient failure (server down, 4xx) is an error
    /// the caller retries.
    #[tracing::instrument(skip_all, fields(message_id = %mail.message_id))]
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let result = self.deliver(mail).await;
        crate::metrics::mail(match &result {
            Ok(()) => "sent",
            Err(e) if e.is_permanent() => "failed",
            Err(_) => "retried",
        });
        result
    }

    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = self.to_message(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(MailError::Smtp),
            Transport::Files { dir } => {
                let path = dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || {
                    roster_store::private_files::write_private_file(&path, &bytes)
                })
                .await
                .map_err(std::io::Error::other)
                .and_then(|written| written)
                .map_err(MailError::File)
            }
        }
    }
}

/// Says where mail goes without the SMTP URL, which may hold a password.
impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Mailer");
        debug.field("from", &self.from.to_string());
        match &self.transport {
            Transport::Smtp(_) => debug.field("transport", &"smtp"),
            Transport::Files { dir } => debug.field("directory", dir),
        };
        debug.finish()
    }
}

fn parse_from(from: &str) -> Result<Mailbox, MailConfigError> {
    from.parse().map_err(
        |e: lettre::address::AddressError| MailConfigError::FromAddress {
            address: from.to_owned(),
            reason: e.to_string(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Roster <no-reply@roster.test>";

    fn sample() -> OutgoingMail {
        OutgoingMail {
            to: "ada@example.com".into(),
            subject: "You're invited to join Acme".into(),
            text: "Open this link:\n\nhttps://roster.test/invite/tok\n".into(),
            html: "<p><a href=\"https://roster.test/invite/tok\">Accept</a></p>".into(),
            message_id: "<invitation-0190-1@roster>".into(),
        }
    }

    fn files_mailer() -> (tempfile::TempDir, Mailer) {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::files(dir.path().join("outbox"), FROM).unwrap();
        (dir, mailer)
    }

    #[test]
    fn message_is_multipart_alternative_with_the_given_message_id() {
        let (_dir, mailer) = files_mailer();
        let raw = String::from_utf8(mailer.to_message(&sample()).unwrap().formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <invitation-0190-1@roster>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: multipart/alternative;"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/html; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Subject: You're invited to join Acme\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("From: Roster <no-reply@roster.test>\r\n"),
            "{raw}"
        );
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_add_a_header() {
        let (_dir, mailer) = files_mailer();
        let mail = OutgoingMail {
            subject: "You were removed from Acme\r\nBcc: eve@example.com".into(),
            ..sample()
        };
        let raw = String::from_utf8(mailer.to_message(&mail).unwrap().formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }

    #[test]
    fn bad_recipient_is_a_permanent_error() {
        let (_dir, mailer) = files_mailer();
        let mail = OutgoingMail {
            to: "not an address".into(),
            ..sample()
        };
        let err = mailer.to_message(&mail).unwrap_err();
        assert!(matches!(err, MailError::Recipient { .. }), "{err}");
        assert!(err.is_permanent());
    }

    // Building an SMTP transport spawns lettre's pool task: needs a runtime.
    #[tokio::test]
    async fn smtp_urls_and_sender_are_checked_up_front() {
        assert!(Mailer::smtp("smtp://127.0.0.1:1025", FROM).is_ok());
        assert!(Mailer::smtp("smtps://ada:secret@mail.test", FROM).is_ok());
        let err = Mailer::smtp("smtp://127.0.0.1:1025", "nobody").unwrap_err();
        assert!(matches!(err, MailConfigError::FromAddress { .. }), "{err}");
        assert!(matches!(
            Mailer::smtp("not a url", FROM),
            Err(MailConfigError::SmtpUrl { .. })
        ));
    }

    #[tokio::test]
    async fn smtp_url_errors_never_show_the_password() {
        for url in [
            "http://ada:hunter2@mail.test",
            "smtps://ada:hunter2@",
            "smtp://ada:hunter2@:99999",
        ] {
            let err = Mailer::smtp(url, FROM).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        let mailer = Mailer::smtp("smtps://ada:hunter2@mail.test", FROM).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn files_writes_an_eml_with_both_parts() {
        let (dir, mailer) = files_mailer();
        mailer.send(&sample()).await.unwrap();
        let written: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].extension().unwrap(), "eml");
        let raw = std::fs::read_to_string(&written[0]).unwrap();
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .expect("headers, blank line, body");
        assert!(
            head.contains("Message-ID: <invitation-0190-1@roster>"),
            "{head}"
        );
        let boundary = head
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a multipart boundary");
        let parts: Vec<&str> = body.split(&format!("--{boundary}")).collect();
        // preamble, text, html, and the closing `--`
        assert_eq!(parts.len(), 4, "{body}");
        assert!(
            parts[1].contains("text/plain") && parts[1].contains("https://roster.test/invite/tok")
        );
        assert!(parts[2].contains("text/html") && parts[2].contains("<a href="));
        assert!(parts[3].starts_with("--"));
    }
}
