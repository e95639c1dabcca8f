//! The member-notice job (rules.md §7): the email to a removed member and
//! the one asking an ADMIN to become owner. The change that owes the email
//! enqueued it in its own transaction; this reads names and addresses when
//! it sends, renders and mails.
//!
//! One notice, one message: the Message-ID comes from the notice's event,
//! so a send retried after a timeout is the same message, and nothing runs
//! after a successful send that could fail and make the job run again. An
//! obsolete notice (a transfer request cancelled, accepted, replaced or
//! lapsed before it went out) mails nothing.

use std::sync::Arc;

use roster_domain::notice::{MemberNotice, NoticeMail};

use apalis::prelude::Attempt;

use crate::Deps;
use crate::invitation_mail::{JobError, Outcome};
use crate::mail::{
    OutgoingMail, OwnershipTransferMailContent, RemovalMailContent, render_ownership_transfer,
    render_removal,
};
use crate::workers::{JobResult, QueueJob};

/// The email `notice` makes, to `found`'s recipient; `public_url` is where
/// Roster is.
pub fn render_notice(notice: &MemberNotice, found: &NoticeMail, public_url: &str) -> OutgoingMail {
    match notice {
        MemberNotice::Removed { .. } => render_removal(&RemovalMailContent {
            to: &found.to_email,
            organization: &found.organization_name,
            message_id: notice.message_id(),
        }),
        MemberNotice::OwnershipTransferRequested { .. } => {
            render_ownership_transfer(&OwnershipTransferMailContent {
                to: &found.to_email,
                from_name: found.requester_name.as_deref().unwrap_or("The owner"),
                organization: &found.organization_name,
                organization_id: &found.organization_id.to_string(),
                app_url: format!("{public_url}/graphql"),
                message_id: notice.message_id(),
            })
        }
    }
}

/// Runs `notice` once.
#[tracing::instrument(skip_all, fields(event = %notice.event_id()))]
pub async fn deliver(deps: &Deps, notice: &MemberNotice) -> Result<Outcome, JobError> {
    let Some(found) = deps.store.notice_mail(notice).await? else {
        tracing::info!("notice obsolete or its recipient gone; nothing to mail");
        return Ok(Outcome::Skipped);
    };
    let mail = render_notice(notice, &found, &deps.public_url);
    match deps.mailer.send(&mail).await {
        Ok(()) => {
            tracing::info!("member notice sent");
            Ok(Outcome::Delivered)
        }
        Err(e) if e.is_permanent() => {
            tracing::error!(error = %e, "member notice undeliverable; giving up");
            Ok(Outcome::Undeliverable)
        }
        Err(e) => Err(e.into()),
    }
}

/// The queue's job: transient failures are errors, so the job retries.
impl QueueJob for MemberNotice {
    const QUEUE: &'static str = MemberNotice::QUEUE;
    type Data = Deps;

    async fn run(self, deps: Arc<Deps>, _: Attempt) -> JobResult {
        deliver(&deps, &self).await.map(|_| ()).map_err(|e| {
            tracing::warn!(error = %e, "member notice failed; will retry");
            e.into()
        })
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::{OrgId, UserId};

    use super::*;

    fn found(requester: Option<&str>) -> NoticeMail {
        NoticeMail {
            to_email: "bob@example.com".into(),
            to_name: "Bob".into(),
            organization_id: OrgId::new(),
            organization_name: "Acme".into(),
            requester_name: requester.map(str::to_owned),
        }
    }

    #[test]
    fn a_removal_notice_renders_the_removal_email() {
        let event_id = uuid::Uuid::now_v7();
        let notice = MemberNotice::Removed {
            organization_id: OrgId::new(),
            user_id: UserId::new(),
            event_id,
        };
        let mail = render_notice(&notice, &found(None), "https://roster.test");
        assert_eq!(mail.subject, "You were removed from Acme");
        assert_eq!(mail.to, "bob@example.com");
        assert_eq!(mail.message_id, format!("<removal-{event_id}@roster>"));
        assert!(mail.text.contains("Your access to it has ended."));
        assert!(mail.html.contains("Your access to it has ended."));
    }

    #[test]
    fn a_transfer_notice_names_the_requester_and_how_to_accept() {
        let event_id = uuid::Uuid::now_v7();
        let found = found(Some("Ada"));
        let notice = MemberNotice::OwnershipTransferRequested {
            organization_id: found.organization_id,
            from_user_id: UserId::new(),
            to_user_id: UserId::new(),
            event_id,
        };
        let mail = render_notice(&notice, &found, "https://roster.test");
        assert_eq!(mail.subject, "Ada wants to make you owner of Acme");
        assert_eq!(mail.to, "bob@example.com");
        assert_eq!(
            mail.message_id,
            format!("<ownership-transfer-{event_id}@roster>")
        );
        assert!(
            mail.text
                .lines()
                .any(|l| l == "https://roster.test/graphql")
        );
        assert!(mail.text.contains(&format!(
            "acceptOwnershipTransfer(organizationId: \"{}\")",
            found.organization_id
        )));
    }
}
