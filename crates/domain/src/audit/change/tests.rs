//! The changes against the actions they name and the details' shapes.
use super::*;
use serde_json::json;

#[test]
fn each_change_names_its_action() {
    let a = AssistantId::new();
    let i = InvitationId::new();
    let cases = [
        (
            AuditChange::AssistantManager {
                assistant: a,
                was: false,
                manager: true,
            },
            "assistant.manager_set",
        ),
        (
            AuditChange::AssistantManager {
                assistant: a,
                was: true,
                manager: false,
            },
            "assistant.manager_unset",
        ),
        (
            AuditChange::InvitationEnded {
                invitation: i,
                role: OrgRole::Member,
                to: InvitationStatus::Accepted,
                reason: None,
            },
            "invitation.accepted",
        ),
        (
            AuditChange::InvitationEnded {
                invitation: i,
                role: OrgRole::Member,
                to: InvitationStatus::Expired,
                reason: None,
            },
            "invitation.expired",
        ),
        (
            AuditChange::MemberStatus {
                from: MemberStatus::Active,
                to: MemberStatus::Blocked,
            },
            "member.blocked",
        ),
        (
            AuditChange::MemberStatus {
                from: MemberStatus::Blocked,
                to: MemberStatus::Active,
            },
            "member.unblocked",
        ),
    ];
    for (change, action) in cases {
        assert_eq!(change.action().as_str(), action);
    }
}

/// One change of each kind, each way it can name its action.
fn samples() -> Vec<AuditChange> {
    let (u, i) = (UserId::new(), InvitationId::new());
    let settings = OrgSettings {
        name: "Acme".into(),
        invitation_delivery: InvitationDelivery::Link,
        invitation_ttl_hours: 72,
    };
    let state = BillingState {
        plan: Plan::Basic,
        status: SubscriptionStatus::Active,
        billing_email: None,
    };
    let summary = EndpointSummary {
        id: WebhookEndpointId::new(),
        host: "example.com".into(),
        events: vec![],
    };
    let (a, w, r) = (AssistantId::new(), WorkspaceId::new(), OrgRole::Member);
    let mut all = vec![
        AuditChange::AssistantCreated {
            assistant: a,
            name: "A".into(),
        },
        AuditChange::AssistantUsers {
            assistant: a,
            invitation: None,
            users: vec![],
        },
        AuditChange::InvitationCreated {
            invitation: i,
            role: r,
            delivery: InvitationDelivery::Link,
        },
        AuditChange::InvitationResent {
            invitation: i,
            role: r,
            before: InvitationStatus::Expired,
            sent_count: 2,
            delivery: InvitationDelivery::Link,
        },
        AuditChange::MemberRemoved {
            role: r,
            status: MemberStatus::Active,
            reassign_leads_to: None,
            job: JobId::new(),
        },
        AuditChange::MemberRole {
            from: r,
            to: OrgRole::Admin,
        },
        AuditChange::MemberWorkspaces {
            before: vec![],
            after: vec![],
        },
        AuditChange::OrganizationCreated {
            after: settings.clone(),
        },
        AuditChange::OrganizationUpdated {
            before: settings.clone(),
            after: settings,
        },
        AuditChange::OrganizationDeleted {
            at: Utc::now(),
            purge_after: Utc::now(),
            revoked_invitations: 0,
        },
        AuditChange::OrganizationRestored {
            deleted_at: None,
            deleted_by: None,
            resumed_jobs: 0,
        },
        AuditChange::OwnershipTransferRequested {
            to: u,
            replaced: None,
        },
        AuditChange::OwnershipTransferCanceled { to: u },
        AuditChange::OwnershipTransferred { from: u, to: u },
        AuditChange::WebhookCreated {
            endpoint: summary.clone(),
        },
        AuditChange::WebhookDeleted {
            endpoint: summary.clone(),
        },
        AuditChange::WebhookDisabled {
            endpoint: summary.id,
            host: summary.host,
            reason: "gone",
            status: None,
        },
        AuditChange::WorkspaceCreated {
            workspace: w,
            name: "W".into(),
        },
        AuditChange::WorkspaceRenamed {
            workspace: w,
            before: "W".into(),
            after: "V".into(),
        },
        AuditChange::WorkspaceDeleted {
            workspace: w,
            name: "W".into(),
        },
    ];
    for manager in [true, false] {
        all.push(AuditChange::AssistantManager {
            assistant: a,
            was: !manager,
            manager,
        });
    }
    for change in [
        BillingChange::EmailChanged,
        BillingChange::PlanChanged,
        BillingChange::Canceled,
        BillingChange::Ended,
        BillingChange::Reactivated,
    ] {
        all.push(AuditChange::Billing {
            change,
            before: state.clone(),
            after: state.clone(),
        });
    }
    for to in [
        InvitationStatus::Accepted,
        InvitationStatus::Declined,
        InvitationStatus::Expired,
        InvitationStatus::Revoked,
    ] {
        all.push(AuditChange::InvitationEnded {
            invitation: i,
            role: r,
            to,
            reason: None,
        });
    }
    for (from, to) in [
        (MemberStatus::Active, MemberStatus::Blocked),
        (MemberStatus::Blocked, MemberStatus::Active),
    ] {
        all.push(AuditChange::MemberStatus { from, to });
    }
    all
}

#[test]
fn the_changes_name_every_action_and_only_actions() {
    let mut named: Vec<&str> = samples().iter().map(|c| c.action().as_str()).collect();
    named.sort();
    named.dedup();
    let mut all: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
    all.sort();
    assert_eq!(named, all);
    for change in samples() {
        assert!(change.detail().is_object(), "{change:?}");
    }
}

#[test]
fn details_keep_their_shape() {
    let w = WorkspaceId::new();
    let renamed = AuditChange::WorkspaceRenamed {
        workspace: w,
        before: "A".into(),
        after: "B".into(),
    };
    assert_eq!(
        renamed.detail(),
        json!({ "workspaceId": w.to_string(), "before": { "name": "A" }, "after": { "name": "B" } })
    );
    let i = InvitationId::new();
    let revoked = AuditChange::InvitationEnded {
        invitation: i,
        role: OrgRole::Admin,
        to: InvitationStatus::Revoked,
        reason: Some("organization.deleted"),
    };
    assert_eq!(
        revoked.detail(),
        json!({ "before": "PENDING", "after": "REVOKED", "reason": "organization.deleted",
                "invitationId": i.to_string(), "role": "ADMIN" })
    );
    let to = UserId::new();
    let requested = AuditChange::OwnershipTransferRequested { to, replaced: None };
    assert_eq!(
        requested.detail(),
        json!({ "after": { "toUserId": to.to_string() } })
    );
}
