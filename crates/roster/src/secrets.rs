//! Keeping secrets out of what the process prints: the database URL's
//! password, the JWT secret and the SMTP URL never reach `Debug`, log
//! lines or error messages.

use std::fmt;

use crate::config::Settings;

/// The URL without its password, for printing.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `message` with the password of `url` (and the URL itself) masked: for
/// errors that may quote what they were given.
pub fn scrub(message: &str, url: &str) -> String {
    let mut message = message.replace(url, &redact(url));
    if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@'))
        && at > scheme_end
        && let Some((_, password)) = url[scheme_end + 3..at].split_once(':')
        && !password.is_empty()
    {
        message = message.replace(password, "***");
    }
    message
}

fn masked(secret: &Option<String>) -> &'static str {
    match secret {
        Some(_) => "<redacted>",
        None => "<unset>",
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &self.database_url.as_deref().map(redact))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("jwt_secret", &masked(&self.jwt_secret))
            .field("data_dir", &self.data_dir)
            .field("smtp_url", &masked(&self.smtp_url))
            .field("mail_dir", &self.mail_dir)
            .field("mail_from", &self.mail_from)
            .field("log_format", &self.log_format)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{redact, scrub};
    use crate::config::Cli;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://roster:s3cret@db:5432/roster"),
            "postgres://roster:***@db:5432/roster"
        );
        assert_eq!(redact("sqlite://data/roster.db"), "sqlite://data/roster.db");
    }

    #[test]
    fn errors_lose_the_password() {
        let url = "postgres://roster:s3cret@db:5432/roster";
        let scrubbed = scrub(&format!("cannot reach {url}: password s3cret refused"), url);
        assert!(!scrubbed.contains("s3cret"), "{scrubbed}");
        assert!(scrubbed.contains("roster:***@db"), "{scrubbed}");
    }

    #[test]
    fn debug_of_the_settings_shows_no_secret() {
        let cli = Cli::parse_from([
            "roster",
            "--database-url",
            "postgres://roster:db-password-1@db/roster",
            "--jwt-secret",
            "jwt-secret-jwt-secret-jwt-secret-0123456789",
            "--smtp-url",
            "smtps://mailer:smtp-password-2@mail.example.com",
        ]);
        let shown = format!("{cli:?}");
        for secret in ["db-password-1", "jwt-secret-jwt-secret", "smtp-password-2"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("postgres://roster:***@db/roster"), "{shown}");
    }
}
