//! What an audit event records: one variant per kind of change, with its
//! details typed (rules.md §7). Its action ([`AuditChange::action`]) and
//! the details' JSON ([`AuditChange::detail`], the text the log and the
//! webhooks show) both come from it, so neither can drift from the other.

use chrono::{DateTime, Utc};

use super::AuditAction;
use crate::{
    AssistantId, InvitationDelivery, InvitationId, InvitationStatus, JobId, MemberStatus, OrgRole,
    Plan, SubscriptionStatus, UserId, WebhookEndpointId, WorkspaceId,
};

/// An organization's settings as the log shows them before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgSettings {
    pub name: String,
    pub invitation_delivery: InvitationDelivery,
    pub invitation_ttl_hours: i64,
}

/// A subscription as the log shows it before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct BillingState {
    pub plan: Plan,
    pub status: SubscriptionStatus,
    pub billing_email: Option<String>,
}

/// Which billing change: each is its own action with the same details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingChange {
    EmailChanged,
    PlanChanged,
    Canceled,
    Ended,
    Reactivated,
}

/// A webhook endpoint as the log shows it (its host, never its path).
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointSummary {
    pub id: WebhookEndpointId,
    pub host: String,
    pub events: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AuditChange {
    AssistantCreated {
        assistant: AssistantId,
        name: String,
    },
    AssistantManager {
        assistant: AssistantId,
        was: bool,
        manager: bool,
    },
    /// An assistant's users, set by an admin or by an accepted invitation.
    AssistantUsers {
        assistant: AssistantId,
        invitation: Option<InvitationId>,
        users: Vec<uuid::Uuid>,
    },
    Billing {
        change: BillingChange,
        before: BillingState,
        after: BillingState,
    },
    InvitationCreated {
        invitation: InvitationId,
        role: OrgRole,
        delivery: InvitationDelivery,
    },
    InvitationResent {
        invitation: InvitationId,
        role: OrgRole,
        before: InvitationStatus,
        sent_count: i64,
        delivery: InvitationDelivery,
    },
    /// A PENDING invitation ended: accepted, declined, expired or revoked
    /// (`reason` when the system revoked it).
    InvitationEnded {
        invitation: InvitationId,
        role: OrgRole,
        to: InvitationStatus,
        reason: Option<&'static str>,
    },
    MemberStatus {
        from: MemberStatus,
        to: MemberStatus,
    },
    MemberRemoved {
        role: OrgRole,
        status: MemberStatus,
        reassign_leads_to: Option<UserId>,
        job: JobId,
    },
    MemberRole {
        from: OrgRole,
        to: OrgRole,
    },
    MemberWorkspaces {
        before: Vec<uuid::Uuid>,
        after: Vec<uuid::Uuid>,
    },
    OrganizationCreated {
        after: OrgSettings,
    },
    OrganizationUpdated {
        before: OrgSettings,
        after: OrgSettings,
    },
    OrganizationDeleted {
        at: DateTime<Utc>,
        purge_after: DateTime<Utc>,
        revoked_invitations: u64,
    },
    OrganizationRestored {
        deleted_at: Option<DateTime<Utc>>,
        deleted_by: Option<UserId>,
        resumed_jobs: usize,
    },
    OwnershipTransferRequested {
        to: UserId,
        replaced: Option<UserId>,
    },
    OwnershipTransferCanceled {
        to: UserId,
    },
    OwnershipTransferred {
        from: UserId,
        to: UserId,
    },
    WebhookCreated {
        endpoint: EndpointSummary,
    },
    WebhookDeleted {
        endpoint: EndpointSummary,
    },
    WebhookDisabled {
        endpoint: WebhookEndpointId,
        host: String,
        reason: &'static str,
        status: Option<u16>,
    },
    WorkspaceCreated {
        workspace: WorkspaceId,
        name: String,
    },
    WorkspaceRenamed {
        workspace: WorkspaceId,
        before: String,
        after: String,
    },
    WorkspaceDeleted {
        workspace: WorkspaceId,
        name: String,
    },
}

impl AuditChange {
    pub fn action(&self) -> AuditAction {
        use AuditAction as A;
        match self {
            Self::AssistantCreated { .. } => A::AssistantCreated,
            Self::AssistantManager { manager: true, .. } => A::AssistantManagerSet,
            Self::AssistantManager { manager: false, .. } => A::AssistantManagerUnset,
            Self::AssistantUsers { .. } => A::AssistantUsersChanged,
            Self::Billing { change, .. } => match change {
                BillingChange::EmailChanged => A::BillingEmailChanged,
                BillingChange::PlanChanged => A::PlanChanged,
                BillingChange::Canceled => A::SubscriptionCanceled,
                BillingChange::Ended => A::SubscriptionEnded,
                BillingChange::Reactivated => A::SubscriptionReactivated,
            },
            Self::InvitationCreated { .. } => A::InvitationCreated,
            Self::InvitationResent { .. } => A::InvitationResent,
            Self::InvitationEnded { to, .. } => match to {
                InvitationStatus::Accepted => A::InvitationAccepted,
                InvitationStatus::Declined => A::InvitationDeclined,
                InvitationStatus::Expired => A::InvitationExpired,
                InvitationStatus::Revoked | InvitationStatus::Pending => A::InvitationRevoked,
            },
            Self::MemberStatus { to, .. } => match to {
                MemberStatus::Blocked => A::MemberBlocked,
                MemberStatus::Active | MemberStatus::Invited => A::MemberUnblocked,
            },
            Self::MemberRemoved { .. } => A::MemberRemoved,
            Self::MemberRole { .. } => A::MemberRoleChanged,
            Self::MemberWorkspaces { .. } => A::MemberWorkspacesChanged,
            Self::OrganizationCreated { .. } => A::OrganizationCreated,
            Self::OrganizationUpdated { .. } => A::OrganizationUpdated,
            Self::OrganizationDeleted { .. } => A::OrganizationDeleted,
            Self::OrganizationRestored { .. } => A::OrganizationRestored,
            Self::OwnershipTransferRequested { .. } => A::OwnershipTransferRequested,
            Self::OwnershipTransferCanceled { .. } => A::OwnershipTransferCanceled,
            Self::OwnershipTransferred { .. } => A::OwnershipTransferred,
            Self::WebhookCreated { .. } => A::WebhookCreated,
            Self::WebhookDeleted { .. } => A::WebhookDeleted,
            Self::WebhookDisabled { .. } => A::WebhookDisabled,
            Self::WorkspaceCreated { .. } => A::WorkspaceCreated,
            Self::WorkspaceRenamed { .. } => A::WorkspaceRenamed,
            Self::WorkspaceDeleted { .. } => A::WorkspaceDeleted,
        }
    }
}

#[cfg(test)]
mod tests;
