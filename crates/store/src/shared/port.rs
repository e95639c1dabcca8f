//! The `Store` port, delegating to this backend's operations.

use chrono::{DateTime, Utc};

use crate::error::{PortResult, port};
use roster_domain::RateKey;
use roster_domain::invitation::{
    Acceptance, Invitation, InvitationFilter, InvitationMailJob, InvitationPreview, InviteOutcome,
    NewInvitation, PendingSend, ReceivedInvitation, SendSecret,
};
use roster_domain::lead::{Lead, LeadFilter, LeadPatch, LeadScope, NewLead};
use roster_domain::model::{
    AssignmentScope, Assistant, AssistantSeat, AuditEvent, AuditFilter, Credentials, Membership,
    NewOrganization, NewSession, NewUser, Organization, OrganizationPatch, Page, PageRequest,
    PasswordProof, Rotation, User, Workspace,
};
use roster_domain::notice::{MemberNotice, NoticeMail};
use roster_domain::ownership::OwnershipTransfer;
use roster_domain::token::TokenHash;
use roster_domain::{
    AssistantId, Email, InvitationId, LeadId, MemberId, OrgId, ResourceName, SessionId, Store,
    UserId, WorkspaceId,
};

use super::BackendStore;

#[async_trait::async_trait]
impl Store for BackendStore {
    async fn ping(&self) -> PortResult<()> {
        port(async {
            sqlx::query("select 1").execute(&self.pool).await?;
            Ok(())
        })
        .await
    }
    fn pool_usage(&self) -> Option<roster_domain::PoolUsage> {
        Some(roster_domain::PoolUsage {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        })
    }
    async fn hit_rate_limit(&self, key: &RateKey, window_start: i64) -> PortResult<i64> {
        Ok(self.count_hit(key, window_start).await?)
    }
    async fn refund_rate_limit(&self, key: &RateKey, window_start: i64) -> PortResult<()> {
        Ok(self.uncount_hit(key, window_start).await?)
    }
    async fn purge_rate_limits(&self, before: i64) -> PortResult<u64> {
        Ok(self.delete_stale_hits(before).await?)
    }
    async fn create_user(&self, user: NewUser) -> PortResult<User> {
        Ok(self.insert_user(user).await?)
    }
    async fn credentials_by_email(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> PortResult<Option<Credentials>> {
        Ok(self.select_credentials_by_email(email, now).await?)
    }
    async fn credentials_by_id(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<Credentials>> {
        Ok(self.select_credentials_by_id(id, now).await?)
    }
    async fn users_by_ids(&self, ids: &[UserId]) -> PortResult<Vec<User>> {
        Ok(self.select_users(ids).await?)
    }
    async fn create_session(&self, session: NewSession) -> PortResult<()> {
        Ok(self.open_session(session).await?)
    }
    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        next: &TokenHash,
        now: DateTime<Utc>,
        within: Option<OrgId>,
    ) -> PortResult<Rotation> {
        Ok(self.rotate(presented, next, now, within).await?)
    }
    async fn session_user(
        &self,
        session: SessionId,
        now: DateTime<Utc>,
    ) -> PortResult<Option<User>> {
        Ok(self.select_session_user(session, now).await?)
    }
    async fn end_session(&self, session: SessionId, now: DateTime<Utc>) -> PortResult<()> {
        Ok(self.close_session(session, now).await?)
    }
    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        session: NewSession,
        proof: PasswordProof,
    ) -> PortResult<User> {
        Ok(self
            .set_password(user, password_hash, session, proof)
            .await?)
    }
    async fn create_organization(&self, org: NewOrganization) -> PortResult<Organization> {
        Ok(self.insert_organization(org).await?)
    }
    async fn organizations_by_ids(&self, ids: &[OrgId]) -> PortResult<Vec<Organization>> {
        Ok(self.select_organizations(ids).await?)
    }
    async fn update_organization(
        &self,
        org: OrgId,
        actor: UserId,
        patch: OrganizationPatch,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.patch_organization(org, actor, patch, now).await?)
    }
    async fn memberships_in(&self, user: UserId, orgs: &[OrgId]) -> PortResult<Vec<Membership>> {
        Ok(self.select_memberships_in(user, orgs).await?)
    }
    async fn memberships_of(&self, user: UserId) -> PortResult<Vec<Membership>> {
        Ok(self.select_memberships_of(user).await?)
    }
    async fn seats_used(&self, orgs: &[OrgId]) -> PortResult<Vec<(OrgId, i64)>> {
        Ok(self.count_seats(orgs).await?)
    }
    async fn list_audit_events(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        page: PageRequest<uuid::Uuid>,
    ) -> PortResult<Page<AuditEvent>> {
        Ok(self.select_audit_events(org, filter, page).await?)
    }
    async fn touch_membership(&self, member: MemberId, now: DateTime<Utc>) -> PortResult<()> {
        Ok(self.update_activity(member, now).await?)
    }
    async fn change_member_role(
        &self,
        org: OrgId,
        user: UserId,
        role: roster_domain::OrgRole,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        Ok(self.update_member_role(org, user, role, actor, now).await?)
    }
    async fn set_member_blocked(
        &self,
        org: OrgId,
        user: UserId,
        blocked: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        Ok(self
            .update_member_blocked(org, user, blocked, actor, now)
            .await?)
    }
    async fn request_ownership_transfer(
        &self,
        org: OrgId,
        to: UserId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<OwnershipTransfer> {
        Ok(self.insert_ownership_transfer(org, to, actor, now).await?)
    }
    async fn accept_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.complete_ownership_transfer(org, actor, now).await?)
    }
    async fn cancel_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<bool> {
        Ok(self.withdraw_ownership_transfer(org, actor, now).await?)
    }
    async fn pending_ownership_transfers(
        &self,
        orgs: &[OrgId],
    ) -> PortResult<Vec<OwnershipTransfer>> {
        Ok(self.select_pending_transfers(orgs).await?)
    }
    async fn notice_mail(&self, notice: &MemberNotice) -> PortResult<Option<NoticeMail>> {
        Ok(self.select_notice_mail(notice).await?)
    }
    async fn create_workspace(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Workspace> {
        Ok(self.insert_workspace(org, name, actor, now).await?)
    }
    async fn rename_workspace(
        &self,
        id: WorkspaceId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Workspace> {
        Ok(self.update_workspace_name(id, name, actor, now).await?)
    }
    async fn delete_workspace(
        &self,
        id: WorkspaceId,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.remove_workspace(id, actor, now).await?)
    }
    async fn workspaces_by_ids(&self, ids: &[WorkspaceId]) -> PortResult<Vec<Workspace>> {
        Ok(self.select_workspaces(ids).await?)
    }
    async fn organization_workspaces(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> PortResult<Vec<Workspace>> {
        Ok(self.select_org_workspaces(org, scope).await?)
    }
    async fn member_workspaces(
        &self,
        members: &[MemberId],
    ) -> PortResult<Vec<(MemberId, Workspace)>> {
        Ok(self.select_member_workspaces(members).await?)
    }
    async fn workspace_members(
        &self,
        workspaces: &[WorkspaceId],
    ) -> PortResult<Vec<(WorkspaceId, Membership)>> {
        Ok(self.select_workspace_members(workspaces).await?)
    }
    async fn set_member_workspaces(
        &self,
        org: OrgId,
        user: UserId,
        workspaces: &[WorkspaceId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        Ok(self
            .replace_member_workspaces(org, user, workspaces, actor, now)
            .await?)
    }
    async fn create_assistant(
        &self,
        org: OrgId,
        name: ResourceName,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        Ok(self.insert_assistant(org, name, actor, now).await?)
    }
    async fn assistants_by_ids(&self, ids: &[AssistantId]) -> PortResult<Vec<Assistant>> {
        Ok(self.select_assistants(ids).await?)
    }
    async fn organization_assistants(
        &self,
        org: OrgId,
        scope: AssignmentScope,
    ) -> PortResult<Vec<Assistant>> {
        Ok(self.select_org_assistants(org, scope).await?)
    }
    async fn set_assistant_users(
        &self,
        id: AssistantId,
        users: &[UserId],
        actor: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        Ok(self.replace_assistant_users(id, users, actor, now).await?)
    }
    async fn member_assistants(
        &self,
        members: &[MemberId],
    ) -> PortResult<Vec<(AssistantSeat, Assistant)>> {
        Ok(self.select_member_assistants(members).await?)
    }
    async fn assistant_members(
        &self,
        assistants: &[AssistantId],
    ) -> PortResult<Vec<(AssistantSeat, Membership)>> {
        Ok(self.select_assistant_members(assistants).await?)
    }
    async fn set_assistant_manager(
        &self,
        id: AssistantId,
        user: UserId,
        manager: bool,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Assistant> {
        Ok(self
            .update_assistant_manager(id, user, manager, actor, now)
            .await?)
    }
    async fn create_lead(
        &self,
        lead: NewLead,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Lead> {
        Ok(self.insert_lead(lead, actor, now).await?)
    }
    async fn update_lead(
        &self,
        id: LeadId,
        patch: LeadPatch,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Lead> {
        Ok(self.change_lead(id, patch, actor, now).await?)
    }
    async fn leads_by_ids(&self, ids: &[LeadId]) -> PortResult<Vec<Lead>> {
        Ok(self.select_leads(ids).await?)
    }
    async fn list_leads(
        &self,
        org: OrgId,
        scope: LeadScope,
        filter: &LeadFilter,
        page: PageRequest<LeadId>,
    ) -> PortResult<Page<Lead>> {
        Ok(self.select_lead_page(org, scope, filter, page).await?)
    }
    async fn dashboard(
        &self,
        org: OrgId,
        scope: roster_domain::dashboard::DashboardScope,
        now: DateTime<Utc>,
    ) -> PortResult<roster_domain::dashboard::Dashboard> {
        Ok(self.select_dashboard(org, scope, now).await?)
    }
    async fn members_by_users(&self, org: OrgId, users: &[UserId]) -> PortResult<Vec<Membership>> {
        Ok(self.select_members_by_users(org, users).await?)
    }
    async fn invite_member(&self, invite: NewInvitation) -> PortResult<InviteOutcome> {
        Ok(self.create_invitation(invite).await?)
    }
    async fn resend_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        limits: roster_domain::InviteLimits,
        now: DateTime<Utc>,
    ) -> PortResult<Invitation> {
        Ok(self.send_again(id, actor, limits, now).await?)
    }
    async fn revoke_invitation(
        &self,
        id: InvitationId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Invitation> {
        Ok(self.cancel_invitation(id, actor, now).await?)
    }
    async fn invitations_by_ids(&self, ids: &[InvitationId]) -> PortResult<Vec<Invitation>> {
        Ok(self.select_invitations(ids).await?)
    }
    async fn list_invitations(
        &self,
        org: OrgId,
        filter: InvitationFilter,
        page: PageRequest<InvitationId>,
    ) -> PortResult<Page<Invitation>> {
        Ok(self.select_invitation_page(org, filter, page).await?)
    }
    async fn invitation_workspaces(
        &self,
        ids: &[InvitationId],
    ) -> PortResult<Vec<(InvitationId, Workspace)>> {
        Ok(self.select_invitation_workspaces(ids).await?)
    }
    async fn invitation_assistants(
        &self,
        ids: &[InvitationId],
    ) -> PortResult<Vec<(InvitationId, Assistant)>> {
        Ok(self.select_invitation_assistants(ids).await?)
    }
    async fn invitation_preview(&self, token: &TokenHash) -> PortResult<Option<InvitationPreview>> {
        Ok(self.preview(token).await?)
    }
    async fn accept_invitation(&self, acceptance: Acceptance) -> PortResult<User> {
        Ok(self.accept(acceptance).await?)
    }
    async fn decline_invitation(&self, token: &TokenHash, now: DateTime<Utc>) -> PortResult<()> {
        Ok(self.decline(token, now).await?)
    }
    async fn invitations_to(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Vec<ReceivedInvitation>> {
        Ok(self.select_invitations_to(user, now).await?)
    }
    async fn accept_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<Membership> {
        Ok(self.accept_by_id(id, user, now).await?)
    }
    async fn decline_invitation_by_id(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.decline_by_id(id, user, now).await?)
    }
    async fn prepare_invitation_send(
        &self,
        job: InvitationMailJob,
        secret: SendSecret,
        now: DateTime<Utc>,
    ) -> PortResult<Option<PendingSend>> {
        Ok(self.prepare_send(job, secret, now).await?)
    }
    async fn mark_invitation_sent(
        &self,
        job: InvitationMailJob,
        now: DateTime<Utc>,
    ) -> PortResult<()> {
        Ok(self.mark_sent(job, now).await?)
    }
    async fn expire_invitations(&self, now: DateTime<Utc>) -> PortResult<u64> {
        Ok(self.sweep_expired(now).await?)
    }
    async fn remove_member(
        &self,
        removal: roster_domain::job::Removal,
        actor: &Membership,
    ) -> PortResult<roster_domain::job::Removed> {
        Ok(self.delete_member(removal, actor).await?)
    }
    async fn jobs_by_ids(
        &self,
        ids: &[roster_domain::JobId],
    ) -> PortResult<Vec<roster_domain::job::Job>> {
        Ok(self.select_jobs(ids).await?)
    }
    async fn run_reassignment_batch(
        &self,
        job: roster_domain::JobId,
        batch_size: u32,
        now: DateTime<Utc>,
    ) -> PortResult<roster_domain::job::BatchOutcome> {
        Ok(self.reassignment_batch(job, batch_size, now).await?)
    }
    async fn fail_job(&self, job: roster_domain::JobId, now: DateTime<Utc>) -> PortResult<()> {
        Ok(self.mark_job_failed(job, now).await?)
    }
}
