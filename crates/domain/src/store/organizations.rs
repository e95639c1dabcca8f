//! The store port's organization-side capabilities: organizations, members and what they hold.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::lead::{Lead, LeadFilter, LeadPatch, LeadScope, NewLead};
use crate::model::{
    AssignmentScope, Assistant, AssistantSeat, AuditEvent, AuditFilter, Membership,
    NewOrganization, Organization, OrganizationPatch, PageRequest, Slice, Workspace,
};
use crate::notice::{MemberNotice, NoticeMail};
use crate::ownership::OwnershipTransfer;
use crate::{AssistantId, LeadId, MemberId, OrgId, ResourceName, UserId, WorkspaceId};

/// Organizations and their audit log.
#[async_trait::async_trait]
pub trait OrganizationStore: Send + Sync {
    /// Creates the organization with its creator as owner and ADMIN.
    async fn create_organization(&self, org: NewOrganization) -> Result<Organization>;
    async fn organizations_by_ids(&self, ids: &[OrgId]) -> Result<Vec<Organization>>;
    async fn update_organization(
        &self,
        org: OrgId,
        actor: UserId,
        patch: OrganizationPatch,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// A page of `org`'s audit log, newest first (`after` is the id of the
    /// last event of the previous page).
    async fn list_audit_events(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        page: PageRequest<uuid::Uuid>,
    ) -> Result<Slice<AuditEvent>>;
    /// A page of `user`'s memberships (any status) in organizations not
    /// deleted, oldest first (`after` is the last membership's id).
    async fn memberships_page(
        &self,
        user: UserId,
        page: PageRequest<MemberId>,
    ) -> Result<Slice<Membership>>;
    /// How many memberships `memberships_page` pages through.
    async fn count_memberships(&self, user: UserId) -> Result<i64>;
    /// How many of `org`'s audit events the filter matches: a kept count
    /// when unfiltered, else an index range.
    async fn count_audit_events(&self, org: OrgId, filter: &AuditFilter) -> Result<i64>;
}

/// Memberships as they are read, and the seats they take.
#[async_trait::async_trait]
pub trait MemberStore: Send + Sync {
    /// `user`'s memberships in the given organizations (any status).
    async fn memberships_in(&self, user: UserId, orgs: &[OrgId]) -> Result<Vec<Membership>>;
    /// All of `user`'s memberships, oldest first.
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>>;
    /// Seats in use per organization: ACTIVE members plus PENDING invitations.
    async fn seats_used(&self, orgs: &[OrgId]) -> Result<Vec<(OrgId, i64)>>;
    /// Records that the member acted now, unless it did within the minute.
    async fn touch_membership(&self, member: MemberId, now: DateTime<Utc>) -> Result<()>;
    /// The memberships in `org` of the given users (any status).
    async fn members_by_users(&self, org: OrgId, users: &[UserId]) -> Result<Vec<Membership>>;
}

/// Member administration (rules.md §2, §4, §5), each under the
/// organization's lock. `actor` is the caller's membership as the guard
/// saw it; the adapter reads it again inside the transaction.
#[async_trait::async_trait]
pub trait MemberAdminStore: Send + Sync {
    /// Sets the role of an ACTIVE or BLOCKED member (else `NOT_FOUND`):
    /// never the owner's, never leaving no ACTIVE ADMIN (`LAST_ADMIN`); the
    /// role it has already is a no-op.
    async fn change_member_role(
        &self,
        org: OrgId,
        user: UserId,
        role: crate::OrgRole,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Membership>;
    /// Blocks (`blocked`) or unblocks a member: not the owner, not oneself,
    /// not the last ACTIVE ADMIN; unblocking needs a free seat. What already
    /// holds is a no-op.
    async fn set_member_blocked(
        &self,
        org: OrgId,
        user: UserId,
        blocked: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Membership>;
    /// Ends a membership in one transaction under the organization's lock:
    /// the membership row goes (its workspace and assistant places with
    /// it), an audit event is written, the removal email and the
    /// reassignment job are enqueued. `actor` is the caller as the guard
    /// saw it; it is read again inside.
    async fn remove_member(
        &self,
        removal: crate::job::Removal,
        actor: &Membership,
    ) -> Result<crate::job::Removed>;
}

/// Ownership transfer (rules.md §2), each write under the organization's
/// lock, and the notices mailed to members. `actor` is the caller's
/// membership as the guard saw it; the adapter reads it again inside the
/// transaction. Pending means not lapsed
/// (`ownership::OwnershipTransfer::is_pending`).
#[async_trait::async_trait]
pub trait OwnershipStore: Send + Sync {
    /// The owner asks `to` (an ACTIVE ADMIN, else `VALIDATION`) to become
    /// owner, replacing any pending request, and enqueues the email.
    async fn request_ownership_transfer(
        &self,
        org: OrgId,
        to: UserId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<OwnershipTransfer>;
    /// The target of the pending request (else `NOT_FOUND`; anyone else
    /// `FORBIDDEN`) becomes owner; the previous owner stays ADMIN.
    async fn accept_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// The owner withdraws its request: whether one was pending.
    async fn cancel_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// The pending requests of the given organizations (lapsed ones left out).
    async fn pending_ownership_transfers(&self, orgs: &[OrgId]) -> Result<Vec<OwnershipTransfer>>;
    /// For the worker: who gets `notice` and what it names, or `None` when
    /// it is obsolete (a transfer request no longer pending as it was made)
    /// or its recipient is gone. A removed member gets its notice although
    /// it has no membership any more.
    async fn notice_mail(&self, notice: &MemberNotice) -> Result<Option<NoticeMail>>;
}

/// Workspaces and who is placed in them.
#[async_trait::async_trait]
pub trait WorkspaceStore: Send + Sync {
    async fn create_workspace(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn rename_workspace(
        &self,
        id: WorkspaceId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn delete_workspace(
        &self,
        id: WorkspaceId,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn workspaces_by_ids(&self, ids: &[WorkspaceId]) -> Result<Vec<Workspace>>;
    async fn organization_workspaces(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> Result<Vec<Workspace>>;
    /// Workspace assignments of the given members.
    async fn member_workspaces(&self, members: &[MemberId]) -> Result<Vec<(MemberId, Workspace)>>;
    /// Members assigned to the given workspaces.
    async fn workspace_members(
        &self,
        workspaces: &[WorkspaceId],
    ) -> Result<Vec<(WorkspaceId, Membership)>>;
    /// Replaces a member's workspaces (all of `org`; else `NOT_FOUND`).
    async fn set_member_workspaces(
        &self,
        org: OrgId,
        user: UserId,
        workspaces: &[WorkspaceId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Membership>;
}

/// Assistants, who is placed on them, and their managers
/// (rules.md §6).
#[async_trait::async_trait]
pub trait AssistantStore: Send + Sync {
    async fn create_assistant(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Assistant>;
    async fn assistants_by_ids(&self, ids: &[AssistantId]) -> Result<Vec<Assistant>>;
    async fn organization_assistants(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> Result<Vec<Assistant>>;
    /// Replaces an assistant's users (members of its organization, else
    /// `NOT_FOUND`); managers who stay keep the flag.
    async fn set_assistant_users(
        &self,
        id: AssistantId,
        users: &[UserId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Assistant>;
    /// Assistant places of the given members.
    async fn member_assistants(
        &self,
        members: &[MemberId],
    ) -> Result<Vec<(AssistantSeat, Assistant)>>;
    /// Members placed on the given assistants.
    async fn assistant_members(
        &self,
        assistants: &[AssistantId],
    ) -> Result<Vec<(AssistantSeat, Membership)>>;
    /// Makes (`manager`) or unmakes a user assigned to the assistant its
    /// manager (`VALIDATION` when not assigned), with its audit event;
    /// what already holds is a no-op.
    async fn set_assistant_manager(
        &self,
        id: AssistantId,
        user: UserId,
        manager: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Assistant>;
}

/// Leads (rules.md §2, §6) and the dashboard. Lead writes never take the
/// organization's lock; they lock the new owner's membership.
#[async_trait::async_trait]
pub trait LeadStore: Send + Sync {
    /// Creates a lead the actor may edit afterwards (else `FORBIDDEN`);
    /// its owner an ACTIVE member, its assistant and workspace of its
    /// organization (else `VALIDATION`).
    async fn create_lead(
        &self,
        lead: NewLead,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Lead>;
    /// Changes a lead the actor may edit (else `NOT_FOUND`), under the
    /// rules of `create_lead` for what it becomes.
    async fn update_lead(
        &self,
        id: LeadId,
        patch: LeadPatch,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Lead>;
    async fn leads_by_ids(&self, ids: &[LeadId]) -> Result<Vec<Lead>>;
    /// A page of `org`'s leads within `scope`, newest first (`after` is the
    /// last id of the previous page).
    async fn list_leads(
        &self,
        org: OrgId,
        scope: LeadScope,
        filter: &LeadFilter,
        page: PageRequest<LeadId>,
    ) -> Result<Slice<Lead>>;
    /// How many of `org`'s leads within `scope` the filter matches: a kept
    /// count for the whole organization, one owner or one assistant.
    async fn count_leads(&self, org: OrgId, scope: LeadScope, filter: &LeadFilter) -> Result<i64>;
    /// One member or invitation figure of the dashboard for `scope`
    /// (invitations pending at `now`).
    async fn dashboard_count(
        &self,
        org: OrgId,
        scope: crate::dashboard::DashboardScope,
        figure: crate::dashboard::DashboardCount,
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// A page of lead counts per owner or per assistant within `scope`,
    /// largest first, by keyset on (count desc, key).
    async fn lead_counts(
        &self,
        org: OrgId,
        scope: crate::dashboard::DashboardScope,
        by: crate::dashboard::LeadGrouping,
        page: PageRequest<crate::dashboard::LeadCountCursor>,
    ) -> Result<Slice<crate::dashboard::LeadCount>>;
}
