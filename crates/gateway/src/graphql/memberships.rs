//! `User.memberships` and `User.membershipsConnection`: the caller's own
//! memberships (only on `me`), each answered with what the selection asks
//! of its organization loaded in one batch per kind (docs/api/sessions.md,
//! "Your memberships").

use async_graphql::{Context, Lookahead, Object};

use roster_domain::model::{Membership, PageRequest};
use roster_domain::{MemberId, UserId, standing};

use super::connection::{MemberEdge, PageInfo, decode_cursor};
use super::context::{loader, services};
use super::loaders::{InvoicesOf, SeatsOf, load_failed};
use super::member::MemberNode;
use crate::error::ApiError;

/// How many memberships the deprecated list holds at most: the oldest.
pub const LIST_CAP: i32 = 100;

/// A page of the caller's memberships, oldest first.
pub struct MembershipConnection {
    edges: Vec<MemberEdge>,
    page_info: PageInfo,
    user: UserId,
}

#[Object(name = "MembershipConnection")]
impl MembershipConnection {
    async fn edges(&self) -> &[MemberEdge] {
        &self.edges
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// All of the caller's memberships (organizations not deleted), read
    /// only when selected.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        Ok(services(ctx).store.count_memberships(self.user).await?)
    }
}

/// The page of `user`'s memberships `first`/`after` ask for, as nodes
/// whose organizations' selected fields are loaded already; `node` is the
/// selection of one membership.
pub async fn memberships_page(
    ctx: &Context<'_>,
    user: UserId,
    first: i32,
    after: Option<String>,
    node: Lookahead<'_>,
) -> Result<(Vec<MemberNode>, bool), ApiError> {
    let after = after
        .map(|c| decode_cursor("member", &c).map(MemberId))
        .transpose()?;
    let page = PageRequest::new(first, after)?;
    let page = services(ctx).store.memberships_page(user, page).await?;
    prime(ctx, &page.items, node).await?;
    let nodes = page
        .items
        .into_iter()
        .map(|m| MemberNode::new(m.clone(), m))
        .collect();
    Ok((nodes, page.has_next_page))
}

/// The connection of [`memberships_page`].
pub async fn membership_connection(
    ctx: &Context<'_>,
    user: UserId,
    first: i32,
    after: Option<String>,
) -> Result<MembershipConnection, ApiError> {
    let node = ctx.look_ahead().field("edges").field("node");
    let (nodes, has_next_page) = memberships_page(ctx, user, first, after, node).await?;
    let edges: Vec<MemberEdge> = nodes.into_iter().map(|node| MemberEdge { node }).collect();
    Ok(MembershipConnection {
        page_info: PageInfo {
            has_next_page,
            end_cursor: edges.last().map(MemberEdge::cursor_text),
        },
        edges,
        user,
    })
}

/// Loads the organizations and billing figures the selection will ask
/// of these memberships in one batch each, rather than trusting the
/// loader's timing window to gather them; none for an organization the
/// caller does not see inside.
async fn prime(
    ctx: &Context<'_>,
    memberships: &[Membership],
    node: Lookahead<'_>,
) -> Result<(), ApiError> {
    let loader = loader(ctx);
    if node.field("organization").exists() {
        loader
            .load_many(memberships.iter().map(|m| m.org_id))
            .await
            .map_err(load_failed)?;
    }
    let billing = node.field("organization").field("billing");
    let inside = || {
        memberships
            .iter()
            .filter(|m| standing::sees_inside(m))
            .map(|m| m.org_id)
    };
    if billing.field("seatsUsed").exists() {
        loader
            .load_many(inside().map(SeatsOf))
            .await
            .map_err(load_failed)?;
    }
    if billing.field("invoices").exists() {
        loader
            .load_many(inside().map(InvoicesOf))
            .await
            .map_err(load_failed)?;
    }
    Ok(())
}
