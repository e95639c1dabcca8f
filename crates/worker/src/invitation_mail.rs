//! The send-invitation-email job: make the send's secret (a link token or
//! a one-time password), store its hash, mail it, mark the send delivered.
//!
//! Idempotent per send: an obsolete send (gone, revoked, accepted, resent
//! since, expired, or its placeholder account claimed) or a delivered one
//! does nothing. Any other failure (the database away included) is an
//! error, so the job retries. A send whose mail failed is
//! retried with a fresh secret; the failed one never reached anyone.

use std::sync::Arc;

use roster_domain::invitation::{InvitationMailJob, SendSecret};
use roster_domain::token::SecretToken;
use roster_domain::{DomainError, InvitationDelivery, password};

use crate::Deps;
use crate::mail::{InvitationMailContent, InvitationSecret, MailError, render_invitation};

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
    let (secret, shown) = match job.delivery {
        InvitationDelivery::Link => {
            let token = SecretToken::generate();
            let url = format!("{}/invite/{}", deps.public_url, token.as_str());
            (
                SendSecret::LinkToken(token.hash()),
                InvitationSecret::Link { accept_url: url },
            )
        }
        InvitationDelivery::TemporaryPassword => {
            let one_time = SecretToken::temporary_password();
            let plain = one_time.as_str().to_owned();
            let hash = tokio::task::spawn_blocking(move || password::hash(&plain))
                .await
                .map_err(DomainError::internal)??;
            let login_url = format!("{}/login", deps.public_url);
            (
                SendSecret::TemporaryPassword(hash),
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
    deps.store
        .mark_invitation_sent(job, deps.clock.now())
        .await?;
    tracing::info!("invitation email sent");
    Ok(Outcome::Delivered)
}

/// The apalis handler: transient failures are errors, so the job retries.
pub async fn handle(
    job: InvitationMailJob,
    deps: apalis::prelude::Data<Arc<Deps>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    deliver(&deps, job).await.map(|_| ()).map_err(|e| {
        tracing::warn!(error = %e, "invitation email failed; will retry");
        e.into()
    })
}
