//! Roster's emails (the password reset's own module adds its templates to
//! this environment), rendered from minijinja templates that are
//! compiled into the binary (so a deployment cannot lose or edit them).
//!
//! Each email has a `.txt` and an `.html` template; minijinja escapes values
//! for HTML in the `.html` ones only, chosen by the file extension, so an
//! organization named `<script>` stays text in both. Subjects are built in
//! Rust because the spec fixes them word for word.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior, context};

use super::OutgoingMail;

/// The invitation's way in: a link to accept it, or an account made for the
/// invitee with a temporary password. `Debug` hides both (`mail/debug.rs`).
#[derive(Clone)]
pub enum InvitationSecret {
    Link { accept_url: String },
    TemporaryPassword { password: String, login_url: String },
}

/// What an invitation email says.
#[derive(Clone, Debug)]
pub struct InvitationMailContent<'a> {
    pub to: &'a str,
    pub organization: &'a str,
    pub inviter_name: Option<&'a str>,
    /// The role as the API spells it, e.g. `MEMBER`.
    pub role: &'a str,
    pub expires_at: DateTime<Utc>,
    pub secret: InvitationSecret,
    pub message_id: String,
}

/// What the email to a removed member says.
#[derive(Clone, Debug)]
pub struct RemovalMailContent<'a> {
    pub to: &'a str,
    pub organization: &'a str,
    pub message_id: String,
}

/// What the email asking an admin to become owner says. It holds no
/// secret: the target accepts signed in as itself (the
/// `acceptOwnershipTransfer` mutation, or an app that calls it).
#[derive(Clone, Debug)]
pub struct OwnershipTransferMailContent<'a> {
    pub to: &'a str,
    pub from_name: &'a str,
    pub organization: &'a str,
    /// The id `acceptOwnershipTransfer` takes.
    pub organization_id: &'a str,
    /// Where Roster is (its GraphQL endpoint and playground).
    pub app_url: String,
    pub message_id: String,
}

/// Parsed once, on first use; every template is checked by the tests below,
/// so a broken one fails `cargo test`, not a send.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let own = [
        ("layout.html", include_str!("../../templates/layout.html")),
        (
            "invitation.txt",
            include_str!("../../templates/invitation.txt"),
        ),
        (
            "invitation.html",
            include_str!("../../templates/invitation.html"),
        ),
        ("removal.txt", include_str!("../../templates/removal.txt")),
        ("removal.html", include_str!("../../templates/removal.html")),
        (
            "ownership_transfer.txt",
            include_str!("../../templates/ownership_transfer.txt"),
        ),
        (
            "ownership_transfer.html",
            include_str!("../../templates/ownership_transfer.html"),
        ),
    ];
    environment(&[own.as_slice(), &super::password_reset::TEMPLATES].concat())
});

/// An environment of `sources` (name, text), as every mail's.
pub(super) fn environment(sources: &[(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt variable must fail the tests rather than render as empty.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on lines of their own leave no blank lines in the text.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    for &(name, source) in sources {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("mail template {name} does not parse: {e:#}"));
    }
    env
}

/// Renders `{name}.txt` and `{name}.html` with the same values.
pub(super) fn render(
    name: &str,
    subject: String,
    to: &str,
    message_id: &str,
    values: minijinja::Value,
) -> OutgoingMail {
    render_from(&TEMPLATES, name, subject, to, message_id, values)
}

/// [`render`] from the templates of `env`.
pub(super) fn render_from(
    env: &Environment<'static>,
    name: &str,
    subject: String,
    to: &str,
    message_id: &str,
    values: minijinja::Value,
) -> OutgoingMail {
    let values = context! { subject => &subject, ..values };
    let part = |extension: &str| {
        let template = format!("{name}.{extension}");
        env.get_template(&template)
            .and_then(|t| t.render(&values))
            .unwrap_or_else(|e| panic!("mail template {template} fails to render: {e:#}"))
    };
    OutgoingMail {
        to: to.to_owned(),
        text: part("txt"),
        html: part("html"),
        subject,
        message_id: message_id.to_owned(),
    }
}

/// `MEMBER` reads as "member", `ASSISTANT_MANAGER` as "assistant manager".
fn readable_role(role: &str) -> String {
    role.to_lowercase().replace('_', " ")
}

/// Longest name a subject carries; the body has it whole.
const SUBJECT_NAME_CHARS: usize = 40;

/// `name` as a subject shows it: at most [`SUBJECT_NAME_CHARS`], else cut
/// with an ellipsis, so that no name can fill a subject with its own words.
fn subject_name(name: &str) -> String {
    if name.chars().count() <= SUBJECT_NAME_CHARS {
        return name.to_owned();
    }
    let cut: String = name.chars().take(SUBJECT_NAME_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// A UTC date a person reads at a glance, e.g. `2026-11-20 14:30 UTC`.
pub(super) fn readable_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn render_invitation(content: &InvitationMailContent<'_>) -> OutgoingMail {
    let (accept_url, password, login_url) = match &content.secret {
        InvitationSecret::Link { accept_url } => (Some(accept_url), None, None),
        InvitationSecret::TemporaryPassword {
            password,
            login_url,
        } => (None, Some(password), Some(login_url)),
    };
    render(
        "invitation",
        format!(
            "You're invited to join {}",
            subject_name(content.organization)
        ),
        content.to,
        &content.message_id,
        context! {
            organization => content.organization,
            inviter_name => content.inviter_name,
            role => readable_role(content.role),
            expires_at => readable_time(content.expires_at),
            accept_url, password, login_url,
        },
    )
}

pub fn render_removal(content: &RemovalMailContent<'_>) -> OutgoingMail {
    render(
        "removal",
        format!(
            "You were removed from {}",
            subject_name(content.organization)
        ),
        content.to,
        &content.message_id,
        context! { organization => content.organization },
    )
}

pub fn render_ownership_transfer(content: &OwnershipTransferMailContent<'_>) -> OutgoingMail {
    render(
        "ownership_transfer",
        format!(
            "{} wants to make you owner of {}",
            subject_name(content.from_name),
            subject_name(content.organization)
        ),
        content.to,
        &content.message_id,
        context! {
            from_name => content.from_name,
            organization => content.organization,
            organization_id => content.organization_id,
            app_url => &content.app_url,
        },
    )
}

#[cfg(test)]
mod tests;
