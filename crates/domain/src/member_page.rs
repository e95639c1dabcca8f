//! The reads behind the member page (`organization(id) { members { … } }`),
//! one statement each whatever the page size: the viewer's memberships with
//! their organizations (what the guard reads), a page of members with its
//! total count and its users, and the page's workspaces and assistants (the
//! last two over one connection).

use crate::MemberId;
use crate::error::Result;
use crate::model::{
    Assistant, AssistantSeat, MemberFilter, MemberScope, Membership, Organization, Page,
    PageRequest, User, Workspace,
};
use crate::{OrgId, SessionId, UserId};
use chrono::{DateTime, Utc};

/// The workspaces and the assistant places of some members, read together.
#[derive(Clone, Debug, Default)]
pub struct MemberPlaces {
    pub workspaces: Vec<(MemberId, Workspace)>,
    pub assistants: Vec<(AssistantSeat, Assistant)>,
}

/// What a member page reads besides its members, as the query selects it:
/// nothing is counted or read that the query did not ask for.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemberPageParts {
    /// The members' workspaces and assistant places.
    pub places: bool,
    /// The total count under the filter (`Page::total_count`, 0 without).
    pub total_count: bool,
}

/// A supertrait of [`crate::Store`].
#[async_trait::async_trait]
pub trait MemberPageStore: Send + Sync {
    /// The user of `session`, if it is open at `now` and `user`'s, with
    /// their membership (any status) in `org` and its organization (none
    /// if deleted): in one statement, the first an org-scoped request
    /// needs.
    async fn session_membership(
        &self,
        session: SessionId,
        user: UserId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<(Membership, Organization)>)>>;
    /// `user`'s memberships (any status) in the given organizations, each
    /// with its organization; deleted organizations are left out.
    async fn memberships_with_orgs(
        &self,
        user: UserId,
        orgs: &[OrgId],
    ) -> Result<Vec<(Membership, Organization)>>;
    /// A page of `org`'s members, oldest first, each with its user; with
    /// `parts.total_count`, the total count under the filter; with
    /// `parts.places`, the workspaces (by name) and assistant places (by
    /// name) of the page's members too, read over the same connection.
    async fn list_members(
        &self,
        org: OrgId,
        scope: MemberScope,
        filter: &MemberFilter,
        page: PageRequest<MemberId>,
        parts: MemberPageParts,
    ) -> Result<(Page<(Membership, User)>, Option<MemberPlaces>)>;
}
