//! The send-invitation-email job: derive the send's secret (a link token or
//! a one-time password), store its hash on the invitation (SHA-256: both
//! are 144 bits or more of randomness), mail it, mark the send delivered.
//!
//! Idempotent per send: an obsolete send (gone, revoked, accepted, resent
//! since, expired, or its placeholder account claimed) or a delivered one
//! does nothing. Any other failure (the database away included) is an
//! error, so the job retries.
//!
//! Exactly once in effect: the secret is derived from the send (invitation
//! and send number) with the workers' key, and the Message-ID from the same
//! send, so every attempt of a send mails the same message. A duplicate (the
//! SMTP server took the mail but the worker died, or the database was away,
//! before the send was marked delivered) is that same message: the same
//! link or password, still valid, and a mail client folds it by its
//! Message-ID. The window for it is the one statement that marks the send,
//! run right after the server's "250" and retried for a while if the
//! database is away, rather than mailing again.

use std::sync::Arc;
use std::time::Duration;

use roster_domain::invitation::{InvitationMailJob, SendSecret};
use roster_domain::{DomainError, InvitationDelivery};

use apalis::prelude::Attempt;

use crate::Deps;
use crate::mail::{InvitationMailContent, InvitationSecret, MailError, render_invitation};
use crate::workers::{JobResult, QueueJob, detached};

/// What one run of the job did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Nothing to mail: the send is obsolete or already delivered.
    Skipped,
    /// The mail can never go (a 5xx answer, a bad address): given up.
    Undeliverable,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] DomainError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// Runs send `job` once.
#[tracing::instrument(skip_all, fields(invitation = %job.invitation_id, send = job.send_no))]
pub async fn deliver(deps: &Deps, job: InvitationMailJob) -> Result<Outcome, JobError> {
    tracing::debug!("delivering");
    let input = job.secret_input();
    let (secret, shown) = match job.delivery {
        InvitationDelivery::Link => {
            let token = deps.send_secrets.token(&input);
            let url = deps.invite_url.link(token.as_str());
            (
                SendSecret::LinkToken(token.hash()),
                InvitationSecret::Link { accept_url: url },
            )
        }
        InvitationDelivery::TemporaryPassword => {
            let one_time = deps.send_secrets.temporary_password(&input);
            let login_url = format!("{}/login", deps.public_url);
            (
                SendSecret::TemporaryPassword(one_time.hash()),
                InvitationSecret::TemporaryPassword {
                    password: one_time.as_str().to_owned(),
                    login_url,
                },
            )
        }
    };
    let Some(send) = deps
        .store
        .prepare_invitation_send(job, secret, deps.clock.now())
        .await?
    else {
        tracing::info!("send obsolete or already delivered; nothing to mail");
        return Ok(Outcome::Skipped);
    };
    let role = send.invitation.role.as_str();
    let mail = render_invitation(&InvitationMailContent {
        to: &send.invitation.email,
        organization: &send.organization_name,
        inviter_name: send.invited_by_name.as_deref(),
        role,
        expires_at: send.invitation.expires_at,
        secret: shown,
        message_id: job.message_id(),
    });
    match deps.mailer.send(&mail).await {
        Ok(()) => {}
        Err(e) if e.is_permanent() => {
            tracing::error!(error = %e, "invitation email undeliverable; giving up");
            return Ok(Outcome::Undeliverable);
        }
        Err(e) => return Err(e.into()),
    }
    mark_sent(deps, job).await?;
    tracing::info!("invitation email sent");
    Ok(Outcome::Delivered)
}

/// How long marking a mailed send keeps trying while the database is away
/// (a restart, a failover) before the job fails and mails again.
const MARK_PATIENCE: Duration = Duration::from_secs(30);

/// Marks the send delivered, trying again with backoff while the database
/// is away: the mail has gone, so waiting is better than mailing twice.
async fn mark_sent(deps: &Deps, job: InvitationMailJob) -> Result<(), DomainError> {
    let give_up = tokio::time::Instant::now() + MARK_PATIENCE;
    let mut pause = Duration::from_millis(100);
    loop {
        match deps.store.mark_invitation_sent(job, deps.clock.now()).await {
            Ok(()) => return Ok(()),
            Err(e) if tokio::time::Instant::now() + pause < give_up => {
                tracing::warn!(error = %e, "mailed, but marking the send failed; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The queue's job: transient failures are errors, so the job retries.
/// The delivery is `detached` from the job's future.
impl QueueJob for InvitationMailJob {
    const QUEUE: &'static str = InvitationMailJob::QUEUE;
    type Data = Deps;

    async fn run(self, deps: Arc<Deps>, _: Attempt) -> JobResult {
        detached("invitation", async move { deliver(&deps, self).await }).await
    }
}
