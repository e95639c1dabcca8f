//! Emails to members about changes made to them (rules.md §7): removal and
//! the ownership transfer request. The change enqueues its notice in its
//! own transaction; the worker renders and mails it.

use serde::{Deserialize, Serialize};

use crate::{OrgId, UserId};

/// One email the worker owes a member. Payloads carry ids only: the worker
/// reads names and addresses when it sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MemberNotice {
    /// `user` was removed from `organization` (subject
    /// `You were removed from {organization}`).
    Removed {
        organization_id: OrgId,
        user_id: UserId,
        /// Identifies this removal (the audit event's id), for the
        /// Message-ID that keeps retries from mailing twice.
        event_id: uuid::Uuid,
    },
    /// The owner `from_user_id` asked `to_user_id` to become owner (subject
    /// `{name} wants to make you owner of {organization}`).
    OwnershipTransferRequested {
        organization_id: OrgId,
        from_user_id: UserId,
        to_user_id: UserId,
        event_id: uuid::Uuid,
    },
}

impl MemberNotice {
    pub const QUEUE: &'static str = "member-notice";

    /// The change the notice is about (its audit event's id).
    pub fn event_id(&self) -> uuid::Uuid {
        match self {
            Self::Removed { event_id, .. } | Self::OwnershipTransferRequested { event_id, .. } => {
                *event_id
            }
        }
    }

    /// Stable across retries of the same notice, so that a send retried
    /// after a timeout is the same message, never a second one.
    pub fn message_id(&self) -> String {
        let kind = match self {
            Self::Removed { .. } => "removal",
            Self::OwnershipTransferRequested { .. } => "ownership-transfer",
        };
        format!("<{kind}-{}@roster>", self.event_id())
    }
}

/// What the worker needs to mail a notice, read when it sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeMail {
    /// The recipient's address and display name.
    pub to_email: String,
    pub to_name: String,
    pub organization_id: OrgId,
    pub organization_name: String,
    /// Who asked (the ownership transfer's requester), by display name.
    pub requester_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_is_stable_per_notice_and_names_its_kind() {
        let event_id = uuid::Uuid::now_v7();
        let removed = MemberNotice::Removed {
            organization_id: OrgId::new(),
            user_id: UserId::new(),
            event_id,
        };
        assert_eq!(removed.message_id(), format!("<removal-{event_id}@roster>"));
        assert_eq!(removed.message_id(), removed.clone().message_id());
        let transfer = MemberNotice::OwnershipTransferRequested {
            organization_id: OrgId::new(),
            from_user_id: UserId::new(),
            to_user_id: UserId::new(),
            event_id,
        };
        assert_eq!(
            transfer.message_id(),
            format!("<ownership-transfer-{event_id}@roster>")
        );
    }
}
