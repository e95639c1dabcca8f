//! The store port's invitation and job capabilities.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::invitation::{
    Acceptance, Invitation, InvitationFilter, InvitationMailJob, InviteOutcome, NewInvitation,
    PendingSend, ReceivedInvitation, SendSecret,
};
use crate::model::{Assistant, Membership, Page, PageRequest, User, Workspace};
use crate::token::TokenHash;
use crate::{InvitationId, OrgId, UserId};

/// Invitations (rules.md §3–§4): sending, answering and expiring them.
#[async_trait::async_trait]
pub trait InvitationStore: Send + Sync {
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
}

/// The lead reassignment a removal starts (rules.md §5), run by the
/// worker in batches.
#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
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
