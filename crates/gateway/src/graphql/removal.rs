//! `removeMember` and `job(id)` (rules.md §5). The guard asks the
//! permission table whether the caller's role may remove members at all;
//! the store applies the rest (the target's role, the owner, oneself, the
//! last ACTIVE ADMIN, the lead target) under the organization's lock.

use async_graphql::{Context, ID, Object};

use roster_domain::job::{Job, Removal};
use roster_domain::permission::Action;
use roster_domain::{DomainError, JobId, UserId};

use super::context::{loader, membership, services};
use super::enums::JobState;
use super::guards::OrgGuard;
use super::loaders::load_failed;
use crate::error::ApiError;

/// A background job the caller may poll.
pub struct JobNode(pub Job);

#[Object(name = "Job")]
impl JobNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `lead_reassignment`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn state(&self) -> JobState {
        self.0.state.into()
    }
    /// Items done so far.
    async fn done(&self) -> i64 {
        self.0.done
    }
    /// Items to do: the removed member's leads when it was removed, then,
    /// once DONE, the number the job really moved.
    async fn total(&self) -> Option<i64> {
        Some(self.0.total)
    }
}

pub struct RemoveMemberResult {
    removed_user: UserId,
    job: Job,
}

#[Object]
impl RemoveMemberResult {
    async fn removed_user_id(&self) -> ID {
        ID(self.removed_user.to_string())
    }
    /// Moves the removed member's leads; poll it with `job(id)`.
    async fn reassignment(&self) -> Option<JobNode> {
        Some(JobNode(self.job.clone()))
    }
}

#[derive(Default)]
pub struct RemovalMutation;

#[Object]
impl RemovalMutation {
    /// Removes an ACTIVE or BLOCKED member (ADMIN: any but the owner;
    /// USER_ADMIN: MEMBER role only; nobody itself, `FORBIDDEN`; never the
    /// last ACTIVE ADMIN, `LAST_ADMIN`). Its access ends at once; its
    /// account and data stay. Its leads move to `reassignLeadsTo` (another
    /// ACTIVE member, else `VALIDATION`) or become unassigned, in a job.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::InviteOrRemoveMembers)")]
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
        reassign_leads_to: Option<ID>,
    ) -> Result<RemoveMemberResult, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let user: UserId = user_id.parse()?;
        let reassign_leads_to = reassign_leads_to
            .map(|id| id.parse::<UserId>())
            .transpose()
            .map_err(|_| DomainError::validation("reassignLeadsTo is not a user id"))?;
        let s = services(ctx);
        let removal = Removal {
            org: viewer.org_id,
            user,
            reassign_leads_to,
            now: s.clock.now(),
        };
        let removed = s.store.remove_member(removal, &viewer).await?;
        Ok(RemoveMemberResult {
            removed_user: removed.user,
            job: removed.job,
        })
    }
}

/// `Query.job`: a job of an organization where the caller may remove
/// members; any other id is `NOT_FOUND` (`FORBIDDEN` for a member whose
/// role may not).
pub async fn job(ctx: &Context<'_>, id: &ID) -> Result<JobNode, ApiError> {
    let id: JobId = id.parse()?;
    let job = loader(ctx)
        .load_one(id)
        .await
        .map_err(load_failed)?
        .ok_or(DomainError::NotFound)?;
    Ok(JobNode(job))
}
