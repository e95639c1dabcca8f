//! The reads behind the member page (`organization(id) { members { … } }`),
//! each one statement whatever the page size: the viewer's memberships with
//! their organizations (what the guard reads), a page of members with its
//! total count and its users, and the page's workspaces and assistants.

use crate::MemberId;
use crate::error::Result;
use crate::model::{
    Assistant, AssistantSeat, MemberFilter, MemberScope, Membership, Organization, Page,
    PageRequest, User, Workspace,
};
use crate::{OrgId, UserId};

/// The workspaces and the assistant places of some members, read together.
#[derive(Clone, Debug, Default)]
pub struct MemberPlaces {
    pub workspaces: Vec<(MemberId, Workspace)>,
    pub assistants: Vec<(AssistantSeat, Assistant)>,
}

/// A supertrait of [`crate::Store`].
#[async_trait::async_trait]
pub trait MemberPageStore: Send + Sync {
    /// `user`'s memberships (any status) in the given organizations, each
    /// with its organization; deleted organizations are left out.
    async fn memberships_with_orgs(
        &self,
        user: UserId,
        orgs: &[OrgId],
    ) -> Result<Vec<(Membership, Organization)>>;
    /// A page of `org`'s members, oldest first, each with its user, and
    /// the total count under the filter.
    async fn list_members(
        &self,
        org: OrgId,
        scope: MemberScope,
        filter: &MemberFilter,
        page: PageRequest<MemberId>,
    ) -> Result<Page<(Membership, User)>>;
    /// The workspaces (by name) and assistant places (by name) of `members`,
    /// members of `org`.
    async fn member_places(&self, org: OrgId, members: &[MemberId]) -> Result<MemberPlaces>;
}
