//! The details' JSON of each [`AuditChange`]: the text the audit log and
//! the webhooks show, its shape fixed by docs/api/webhooks.md.

use serde_json::{Value, json};

use super::{AuditChange, BillingState, EndpointSummary, OrgSettings};

fn settings(s: &OrgSettings) -> Value {
    json!({
        "name": s.name,
        "invitationDelivery": s.invitation_delivery.as_str(),
        "invitationTtlHours": s.invitation_ttl_hours,
    })
}

fn billing(b: &BillingState) -> Value {
    json!({
        "plan": b.plan.as_str(),
        "subscriptionStatus": b.status.as_str(),
        "billingEmail": b.billing_email,
    })
}

fn endpoint(e: &EndpointSummary) -> Value {
    json!({ "id": e.id.to_string(), "host": e.host, "events": e.events })
}

fn ids<T: ToString>(ids: &[T]) -> Vec<String> {
    ids.iter().map(T::to_string).collect()
}

impl AuditChange {
    /// The details, as stored and shown (`AuditEvent.detail`, webhook
    /// payloads): a `before` and an `after` where something changed state.
    pub fn detail(&self) -> Value {
        match self {
            Self::AssistantCreated { assistant, name } => {
                json!({ "assistantId": assistant.to_string(), "after": { "name": name } })
            }
            Self::AssistantManager {
                assistant,
                was,
                manager,
            } => json!({
                "assistantId": assistant.to_string(),
                "before": { "manager": was },
                "after": { "manager": manager },
            }),
            Self::AssistantUsers {
                assistant,
                invitation: None,
                users,
            } => {
                json!({ "assistantId": assistant.to_string(), "after": ids(users) })
            }
            Self::AssistantUsers {
                assistant,
                invitation: Some(inv),
                users,
            } => json!({
                "assistantId": assistant.to_string(),
                "invitationId": inv.to_string(),
                "after": ids(users),
            }),
            Self::Billing { before, after, .. } => {
                json!({ "before": billing(before), "after": billing(after) })
            }
            Self::InvitationCreated {
                invitation,
                role,
                delivery,
            } => json!({
                "after": "PENDING",
                "delivery": delivery.as_str(),
                "invitationId": invitation.to_string(),
                "role": role.as_str(),
            }),
            Self::InvitationResent {
                invitation,
                role,
                before,
                sent_count,
                delivery,
            } => json!({
                "before": before.as_str(),
                "after": "PENDING",
                "sentCount": sent_count,
                "delivery": delivery.as_str(),
                "invitationId": invitation.to_string(),
                "role": role.as_str(),
            }),
            Self::InvitationEnded {
                invitation,
                role,
                to,
                reason,
            } => {
                let mut detail = json!({ "before": "PENDING", "after": to.as_str() });
                if let Some(reason) = reason {
                    detail["reason"] = json!(reason);
                }
                detail["invitationId"] = json!(invitation.to_string());
                detail["role"] = json!(role.as_str());
                detail
            }
            Self::MemberStatus { from, to } => {
                json!({ "before": { "status": from.as_str() }, "after": { "status": to.as_str() } })
            }
            Self::MemberRemoved {
                role,
                status,
                reassign_leads_to,
                job,
            } => json!({
                "before": { "role": role.as_str(), "status": status.as_str() },
                "after": null,
                "reassignLeadsTo": reassign_leads_to.map(|u| u.to_string()),
                "job": job.to_string(),
            }),
            Self::MemberRole { from, to } => {
                json!({ "before": { "role": from.as_str() }, "after": { "role": to.as_str() } })
            }
            Self::MemberWorkspaces { before, after } => {
                json!({ "before": ids(before), "after": ids(after) })
            }
            Self::OrganizationCreated { after } => {
                json!({ "after": settings(after), "ownerRole": "ADMIN" })
            }
            Self::OrganizationUpdated { before, after } => {
                json!({ "before": settings(before), "after": settings(after) })
            }
            Self::OrganizationDeleted {
                at,
                purge_after,
                revoked_invitations,
            } => json!({
                "before": { "deletedAt": null },
                "after": { "deletedAt": at, "purgeAfter": purge_after },
                "revokedInvitations": revoked_invitations,
            }),
            Self::OrganizationRestored {
                deleted_at,
                deleted_by,
                resumed_jobs,
            } => json!({
                "before": { "deletedAt": deleted_at, "deletedBy": deleted_by.map(|u| u.to_string()) },
                "after": { "deletedAt": null },
                "resumedJobs": resumed_jobs,
            }),
            Self::OwnershipTransferRequested { to, replaced } => {
                let mut detail = json!({ "after": { "toUserId": to.to_string() } });
                if let Some(previous) = replaced {
                    detail["before"] = json!({ "toUserId": previous.to_string() });
                }
                detail
            }
            Self::OwnershipTransferCanceled { to } => {
                json!({ "before": { "toUserId": to.to_string() } })
            }
            Self::OwnershipTransferred { from, to } => json!({
                "before": { "ownerId": from.to_string() },
                "after": { "ownerId": to.to_string() },
            }),
            Self::WebhookCreated { endpoint: e } => json!({ "before": null, "after": endpoint(e) }),
            Self::WebhookDeleted { endpoint: e } => json!({ "before": endpoint(e), "after": null }),
            Self::WebhookDisabled {
                endpoint,
                host,
                reason,
                status,
            } => json!({
                "before": { "enabled": true },
                "after": { "enabled": false },
                "endpoint": endpoint.to_string(),
                "host": host,
                "reason": reason,
                "status": status,
            }),
            Self::WorkspaceCreated { workspace, name } => {
                json!({ "workspaceId": workspace.to_string(), "after": { "name": name } })
            }
            Self::WorkspaceRenamed {
                workspace,
                before,
                after,
            } => json!({
                "workspaceId": workspace.to_string(),
                "before": { "name": before },
                "after": { "name": after },
            }),
            Self::WorkspaceDeleted { workspace, name } => {
                json!({ "workspaceId": workspace.to_string(), "before": { "name": name } })
            }
        }
    }
}
