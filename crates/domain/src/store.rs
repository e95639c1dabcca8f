//! The store port: whole operations, each one transaction in the adapter,
//! each re-checking its invariants inside that transaction.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::invitation::{
    Acceptance, Invitation, InvitationFilter, InvitationMailJob, InviteOutcome, NewInvitation,
    PendingSend, ReceivedInvitation, SendSecret,
};
use crate::lead::{Lead, LeadFilter, LeadPatch, LeadScope, NewLead};
use crate::model::{
    AssignmentScope, Assistant, AssistantSeat, AuditEvent, AuditFilter, Credentials, Membership,
    NewOrganization, NewSession, NewUser, Organization, OrganizationPatch, Page, PageRequest,
    PasswordProof, Rotation, User, Workspace,
};
use crate::notice::{MemberNotice, NoticeMail};
use crate::ownership::OwnershipTransfer;
use crate::rate_limit::RateKey;
use crate::token::TokenHash;
use crate::{
    AssistantId, Email, InvitationId, LeadId, MemberId, OrgId, ResourceName, SessionId, UserId,
    WorkspaceId,
};

/// A connection pool's size and its idle connections (the rest are in use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUsage {
    pub size: u32,
    pub idle: u32,
}

/// Billing, the organization's life and webhooks have traits of their own
/// (`billing::BillingStore`, `lifecycle::LifecycleStore`,
/// `webhook::WebhookStore`) that every store implements.
#[async_trait::async_trait]
pub trait Store:
    crate::billing::BillingStore
    + crate::lifecycle::LifecycleStore
    + crate::webhook::WebhookStore
    + crate::live::LiveStore
    + crate::retention::RetentionStore
    + crate::member_page::MemberPageStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;

    /// This process's connections to the database, for the metrics;
    /// `None` for a store without a pool.
    fn pool_usage(&self) -> Option<PoolUsage> {
        None
    }

    // Rate limits (a fixed window per key, shared by every gateway).
    /// Counts one hit on `key` in the window starting at `window_start`
    /// (seconds since the epoch; an older window's count is replaced) and
    /// returns the hits in that window so far, this one included.
    async fn hit_rate_limit(&self, key: &RateKey, window_start: i64) -> Result<i64>;
    /// Takes back one hit on `key` in that window (an attempt that turned
    /// out not to count, such as a log-in with the right password).
    async fn refund_rate_limit(&self, key: &RateKey, window_start: i64) -> Result<()>;
    /// Deletes counters whose window started before `before`; how many.
    async fn purge_rate_limits(&self, before: i64) -> Result<u64>;

    // Accounts and sessions.
    /// `CONFLICT` when the email (compared case-insensitively) is taken.
    async fn create_user(&self, user: NewUser) -> Result<User>;
    /// What logging in as `email` at `now` checks the password against.
    async fn credentials_by_email(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<Option<Credentials>>;
    async fn credentials_by_id(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Credentials>>;
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>>;
    async fn create_session(&self, session: NewSession) -> Result<()>;
    /// Spends `presented` and stores `next` in its place, or reports reuse
    /// (and revokes the session) or an unknown token. With `within`, the
    /// user's membership there is read in the same transaction and
    /// `OrgClaims::for_membership` decides the token's organization claims;
    /// when it refuses, nothing is spent.
    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        next: &TokenHash,
        now: DateTime<Utc>,
        within: Option<OrgId>,
    ) -> Result<Rotation>;
    /// The user of a session that is neither ended nor expired.
    async fn session_user(&self, session: SessionId, now: DateTime<Utc>) -> Result<Option<User>>;
    async fn end_session(&self, session: SessionId, now: DateTime<Utc>) -> Result<()>;
    /// Sets the password, clears `mustChangePassword`, ends every session of
    /// the user and opens `session` in their place. When the password
    /// replaced was a one-time password (`proof`), its invitation, and no
    /// other, is accepted, and the address counts as proved.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        session: NewSession,
        proof: PasswordProof,
    ) -> Result<User>;

    // Organizations and members.
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
    /// `user`'s memberships in the given organizations (any status).
    async fn memberships_in(&self, user: UserId, orgs: &[OrgId]) -> Result<Vec<Membership>>;
    /// All of `user`'s memberships, oldest first.
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>>;
    /// Seats in use per organization: ACTIVE members plus PENDING invitations.
    async fn seats_used(&self, orgs: &[OrgId]) -> Result<Vec<(OrgId, i64)>>;
    /// Records that the member acted now, unless it did within the minute.
    async fn touch_membership(&self, member: MemberId, now: DateTime<Utc>) -> Result<()>;
    /// A page of `org`'s audit log, newest first (`after` is the id of the
    /// last event of the previous page), with the filter's total count.
    async fn list_audit_events(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        page: PageRequest<uuid::Uuid>,
    ) -> Result<Page<AuditEvent>>;

    // Member administration (rules.md §2, §4), each under the
    // organization's lock. `actor` is the caller's membership as the guard
    // saw it; the adapter reads it again inside the transaction.
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

    // Ownership transfer (rules.md §2), each write under the organization's
    // lock. `actor` is the caller's membership as the guard saw it; the
    // adapter reads it again inside the transaction. Pending means not
    // lapsed (`ownership::OwnershipTransfer::is_pending`).
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

    // Workspaces and assistants.
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

    // Leads and assistant managers (rules.md §2, §6). Lead writes never
    // take the organization's lock; they lock the new owner's membership.
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
    /// last id of the previous page), with the total count of the filter.
    async fn list_leads(
        &self,
        org: OrgId,
        scope: LeadScope,
        filter: &LeadFilter,
        page: PageRequest<LeadId>,
    ) -> Result<Page<Lead>>;
    /// The memberships in `org` of the given users (any status).
    /// The dashboard's figures for `scope`, one statement per figure
    /// whatever the organization's size; invitations pending at `now`.
    async fn dashboard(
        &self,
        org: OrgId,
        scope: crate::dashboard::DashboardScope,
        now: DateTime<Utc>,
    ) -> Result<crate::dashboard::Dashboard>;
    async fn members_by_users(&self, org: OrgId, users: &[UserId]) -> Result<Vec<Membership>>;

    // Invitations.
    /// Invites an email (rules.md §3–§4) and enqueues its first email, in
    /// one transaction: role ceiling, seats, `CONFLICT` for members, the
    /// pending invitation itself when there is one. A new invitation
    /// counts against `invite.limits` in that transaction
    /// (`RATE_LIMITED` past them, and nothing written).
    async fn invite_member(&self, invite: NewInvitation) -> Result<InviteOutcome>;
    /// A new send: the old secret dies, the lifetime restarts, at most
    /// five sends a day (`RATE_LIMITED`); it counts against `limits` in
    /// its transaction.
    async fn resend_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        limits: crate::InviteLimits,
        now: DateTime<Utc>,
    ) -> Result<Invitation>;
    async fn revoke_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Invitation>;
    async fn invitations_by_ids(&self, ids: &[InvitationId]) -> Result<Vec<Invitation>>;
    async fn list_invitations(
        &self,
        org: OrgId,
        filter: InvitationFilter,
        page: PageRequest<InvitationId>,
    ) -> Result<Page<Invitation>>;
    async fn invitation_workspaces(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Workspace)>>;
    async fn invitation_assistants(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Assistant)>>;
    async fn invitation_preview(
        &self,
        token: &TokenHash,
    ) -> Result<Option<crate::invitation::InvitationPreview>>;
    /// Joins the organization: the membership turns ACTIVE with the
    /// invitation's workspaces and assistants. Returns the invitee.
    async fn accept_invitation(&self, acceptance: Acceptance) -> Result<User>;
    async fn decline_invitation(&self, token: &TokenHash, now: DateTime<Utc>) -> Result<()>;
    /// The usable PENDING invitations of `user`, once its owner has proved
    /// the address (else none), oldest first.
    async fn invitations_to(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReceivedInvitation>>;
    /// Accepts invitation `id` as its invitee `user` (who proved the
    /// address): the ACTIVE membership.
    async fn accept_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Membership>;
    async fn decline_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// For the worker: records the secret of send `job` and returns what to
    /// mail, or `None` when the send is obsolete or already delivered.
    async fn prepare_invitation_send(
        &self,
        job: InvitationMailJob,
        secret: SendSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSend>>;
    async fn mark_invitation_sent(&self, job: InvitationMailJob, now: DateTime<Utc>) -> Result<()>;
    /// Marks PENDING invitations past their lifetime EXPIRED, freeing their
    /// seats; how many.
    async fn expire_invitations(&self, now: DateTime<Utc>) -> Result<u64>;
    // Removal (rules.md §5) and the lead reassignment it starts.
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
    async fn jobs_by_ids(&self, ids: &[crate::JobId]) -> Result<Vec<crate::job::Job>>;
    /// One batch of a reassignment, in one transaction: moves up to
    /// `batch_size` leads after the job's checkpoint, adds them to `done`,
    /// stores the new checkpoint, and marks the job DONE when none is left.
    async fn run_reassignment_batch(
        &self,
        job: crate::JobId,
        batch_size: u32,
        now: DateTime<Utc>,
    ) -> Result<crate::job::BatchOutcome>;
    /// Marks an unfinished job FAILED (its last attempt failed).
    async fn fail_job(&self, job: crate::JobId, now: DateTime<Utc>) -> Result<()>;
}
