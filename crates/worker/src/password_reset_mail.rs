//! The password-reset email job (docs/api/sessions.md "Forgetting a
//! password"): derive the link's token from the link, store its hash on
//! the link, mail the link.
//!
//! A request for an address without an account enqueued this job too: it
//! finds no link and mails nothing, so the request's answer and its time
//! are the same either way. A link used or expired by the time the job
//! runs is not mailed.
//!
//! Exactly once in effect, like an invitation send: the token is derived
//! from the link's id with the workers' key and the Message-ID from the
//! same id, so every attempt mails the same message with the same link,
//! which keeps working (a mail client folds a duplicate by its
//! Message-ID). Nothing is written after the mail has gone, so nothing
//! after a successful send can fail and make it go again.

use std::sync::Arc;

use apalis::prelude::Attempt;
use roster_domain::password_reset::PasswordResetJob;

use crate::Deps;
use crate::invitation_mail::{JobError, Outcome};
use crate::mail::{PasswordResetMailContent, render_password_reset};
use crate::workers::{JobResult, QueueJob, detached};

/// Runs `job` once.
#[tracing::instrument(skip_all, fields(link = %job.link_id))]
pub async fn deliver(deps: &Deps, job: PasswordResetJob) -> Result<Outcome, JobError> {
    let token = deps.send_secrets.token(&job.secret_input());
    let Some(pending) = deps
        .store
        .prepare_password_reset(job, token.hash(), deps.clock.now())
        .await?
    else {
        tracing::info!("no account, or the link was used or has expired; nothing to mail");
        return Ok(Outcome::Skipped);
    };
    let mail = render_password_reset(&PasswordResetMailContent {
        to: &pending.to_email,
        display_name: &pending.display_name,
        reset_url: format!("{}/reset/{}", deps.public_url, token.as_str()),
        expires_at: pending.expires_at,
        message_id: job.message_id(),
    });
    match deps.mailer.send(&mail).await {
        Ok(()) => {
            tracing::info!("password-reset email sent");
            Ok(Outcome::Delivered)
        }
        Err(e) if e.is_permanent() => {
            tracing::error!(error = %e, "password-reset email undeliverable; giving up");
            Ok(Outcome::Undeliverable)
        }
        Err(e) => Err(e.into()),
    }
}

/// The queue's job: transient failures are errors, so the job retries.
/// Detached like an invitation send (`workers::detached`): a worker that
/// fails mid-send does not cut the delivery short.
impl QueueJob for PasswordResetJob {
    const QUEUE: &'static str = PasswordResetJob::QUEUE;
    type Data = Deps;

    async fn run(self, deps: Arc<Deps>, _: Attempt) -> JobResult {
        detached("password-reset", async move { deliver(&deps, self).await }).await
    }
}
