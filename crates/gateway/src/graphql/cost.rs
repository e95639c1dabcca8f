//! What a field costs in the complexity estimate (`Limits::max_complexity`),
//! checked before anything runs.
//!
//! A field costs 1 plus what is selected under it, except lists, which cost
//! what one item costs times how many items they hold. A page holds `first`
//! items (0 to [`MAX_PAGE`]; anything else is refused here, in validation,
//! with variables resolved). A list without `first` is counted at the size
//! it has in a large organization, below: not always its worst case (a
//! user may be in a hundred organizations), but enough that nesting lists multiplies
//! the estimate, so `me { memberships { organization { assistants {
//! managers { workspaces { members ...` is refused instead of fanning out
//! into millions of objects. The response cap catches what an estimate
//! misses.

use async_graphql::{ServerError, ServerResult};
use roster_domain::model::PageRequest;

/// The most items one page may ask for (the store's own bound).
pub const MAX_PAGE: i32 = PageRequest::<()>::MAX_FIRST;
/// Items in a page when `first` is not given (as the schema declares).
pub const DEFAULT_PAGE: i32 = 50;

/// `User.memberships`: the organizations one person belongs to, as for a
/// typical person; the list holds at most `memberships::LIST_CAP`, and a
/// person in many pages through `membershipsConnection`, counted as a page.
pub const MEMBERSHIPS: usize = 20;
/// `User.invitations`: the invitations waiting for one person.
pub const RECEIVED_INVITATIONS: usize = 20;
/// `Organization.workspaces`.
pub const ORGANIZATION_WORKSPACES: usize = 50;
/// `Organization.assistants`.
pub const ORGANIZATION_ASSISTANTS: usize = 50;
/// `Member.workspaces` and `Invitation.workspaces` (an invitation names at
/// most 10).
pub const ASSIGNED_WORKSPACES: usize = 10;
/// `Member.assistants`, `Member.managedAssistants`, `Invitation.assistants`.
pub const ASSIGNED_ASSISTANTS: usize = 10;
/// `Workspace.members` and `Assistant.users`.
pub const TEAM_MEMBERS: usize = 50;
/// `Billing.invoices`: two years of periods and plan changes.
pub const INVOICES: usize = 24;
/// `Organization.webhookEndpoints` (an organization has at most 10).
pub const WEBHOOK_ENDPOINTS: usize = roster_domain::webhook::MAX_ENDPOINTS as usize;
/// `Assistant.managers`.
pub const MANAGERS: usize = 10;
// `inviteMembers` counts its own bound of 100 rows.

/// No single field is counted above this, so that sums of deeply nested
/// estimates cannot overflow (anything near it is refused anyway).
const CEILING: usize = 1 << 32;

/// A list of about `items` items, each costing `child`.
pub fn list(items: usize, child: usize) -> usize {
    items.saturating_mul(child).saturating_add(1).min(CEILING)
}

/// A page of `first` items, each costing `child`; a `first` outside
/// 0..=[`MAX_PAGE`] is refused before execution.
pub fn page(first: Option<i32>, child: usize) -> ServerResult<usize> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    let items = usize::try_from(first)
        .ok()
        .filter(|n| *n <= MAX_PAGE as usize)
        .ok_or_else(|| ServerError::new(format!("first must be between 0 and {MAX_PAGE}"), None))?;
    Ok(list(items, child).saturating_add(1).min(CEILING))
}
