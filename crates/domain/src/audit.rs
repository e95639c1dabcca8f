//! What the audit log records (rules.md §7): every change writes one
//! event in its own transaction, named by one [`AuditAction`]. The store
//! writes the action's text form; the webhook events an endpoint may
//! subscribe to are exactly these actions (`webhook::EVENTS`, rules.md §9).

use std::str::FromStr;

mod change;
mod detail;

pub use change::{AuditChange, BillingChange, BillingState, EndpointSummary, OrgSettings};

use crate::DomainError;

macro_rules! audit_actions {
    ($($variant:ident => $text:literal,)+) => {
        /// An audit event's action, with its stable text form (stored,
        /// shown in the audit log, and the webhook event's name).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction { $($variant),+ }

        impl AuditAction {
            /// Every action, in the order of their text forms.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $text),+ }
            }
        }
    };
}

audit_actions! {
    AssistantCreated => "assistant.created",
    AssistantManagerSet => "assistant.manager_set",
    AssistantManagerUnset => "assistant.manager_unset",
    AssistantUsersChanged => "assistant.users_changed",
    BillingEmailChanged => "billing.email_changed",
    InvitationAccepted => "invitation.accepted",
    InvitationCreated => "invitation.created",
    InvitationDeclined => "invitation.declined",
    InvitationExpired => "invitation.expired",
    InvitationResent => "invitation.resent",
    InvitationRevoked => "invitation.revoked",
    MemberBlocked => "member.blocked",
    MemberRemoved => "member.removed",
    MemberRoleChanged => "member.role_changed",
    MemberUnblocked => "member.unblocked",
    MemberWorkspacesChanged => "member.workspaces_changed",
    OrganizationCreated => "organization.created",
    OrganizationDeleted => "organization.deleted",
    OrganizationRestored => "organization.restored",
    OrganizationUpdated => "organization.updated",
    OwnershipTransferCanceled => "ownership.transfer_canceled",
    OwnershipTransferRequested => "ownership.transfer_requested",
    OwnershipTransferred => "ownership.transferred",
    PlanChanged => "plan.changed",
    SubscriptionCanceled => "subscription.canceled",
    SubscriptionEnded => "subscription.ended",
    SubscriptionReactivated => "subscription.reactivated",
    WebhookCreated => "webhook.created",
    WebhookDeleted => "webhook.deleted",
    WebhookDisabled => "webhook.disabled",
    WorkspaceCreated => "workspace.created",
    WorkspaceDeleted => "workspace.deleted",
    WorkspaceRenamed => "workspace.renamed",
}

impl FromStr for AuditAction {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| DomainError::validation(format!("unknown audit action {s:?}")))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text forms of [`AuditAction::ALL`], in the same order.
pub const ACTION_NAMES: [&str; AuditAction::ALL.len()] = {
    let mut names = [""; AuditAction::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = AuditAction::ALL[i].as_str();
        i += 1;
    }
    names
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_are_sorted_unique_and_round_trip() {
        assert!(
            ACTION_NAMES.windows(2).all(|w| w[0] < w[1]),
            "{ACTION_NAMES:?}"
        );
        for a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>().unwrap(), *a);
            let (area, verb) = a.as_str().split_once('.').expect("area.verb");
            assert!(!area.is_empty() && !verb.is_empty());
        }
        assert!("member.nope".parse::<AuditAction>().is_err());
    }
}
