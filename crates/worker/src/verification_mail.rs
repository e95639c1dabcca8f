//! The verification-email job (docs/api/sessions.md): derive the link's
//! token from the link's id, record its hash while the link is still the
//! account's newest and unused, and mail it.
//!
//! Exactly once in effect, as an invitation send
//! (`crate::invitation_mail`): every attempt derives the same token and
//! the same Message-ID, so a duplicate after a crash is the same message
//! with the same, still valid link. An obsolete link (superseded by a
//! resend, used, expired, or its account verified or retired) mails
//! nothing.

use std::sync::Arc;

use roster_domain::verification::VerificationMailJob;

use apalis::prelude::Attempt;

use crate::Deps;
use crate::invitation_mail::{JobError, Outcome};
use crate::mail::{VerificationMailContent, render_verification};
use crate::workers::{JobResult, QueueJob};

/// Runs `job` once.
#[tracing::instrument(skip_all, fields(link = %job.link_id))]
pub async fn deliver(deps: &Deps, job: VerificationMailJob) -> Result<Outcome, JobError> {
    let token = deps.send_secrets.token(&job.secret_input());
    let Some(found) = deps
        .store
        .prepare_verification_mail(job, token.hash(), deps.clock.now())
        .await?
    else {
        tracing::info!("verification link obsolete; nothing to mail");
        return Ok(Outcome::Skipped);
    };
    let mail = render_verification(&VerificationMailContent {
        to: &found.to,
        display_name: &found.display_name,
        verify_url: format!("{}/verify/{}", deps.public_url, token.as_str()),
        expires_at: found.expires_at,
        message_id: job.message_id(),
    });
    match deps.mailer.send(&mail).await {
        Ok(()) => {
            tracing::info!("verification email sent");
            Ok(Outcome::Delivered)
        }
        Err(e) if e.is_permanent() => {
            tracing::error!(error = %e, "verification email undeliverable; giving up");
            Ok(Outcome::Undeliverable)
        }
        Err(e) => Err(e.into()),
    }
}

/// The queue's job: transient failures are errors, so the job retries.
impl QueueJob for VerificationMailJob {
    const QUEUE: &'static str = VerificationMailJob::QUEUE;
    type Data = Deps;

    async fn run(self, deps: Arc<Deps>, _: Attempt) -> JobResult {
        deliver(&deps, self).await.map(|_| ()).map_err(|e| {
            tracing::warn!(error = %e, "verification email failed; will retry");
            e.into()
        })
    }
}
