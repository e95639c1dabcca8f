//! Billing (rules.md §8): plans, the subscription and its monthly periods,
//! and the invoice ledger. Roster takes no payments; it keeps the ledger a
//! billing provider would be fed from, at the prices of the configuration.
//!
//! A period is one calendar month counted from the organization's
//! creation (`created_at + n months`, so a period started on the 31st ends
//! on the last day of a shorter month and the next one is back on the
//! 31st). One invoice is issued at the start of each period at the plan's
//! price, and one per plan change, prorated by days.

use chrono::{DateTime, Datelike, Months, Utc};

use crate::error::Result;
use crate::model::{Membership, Organization};
use crate::{Email, InvoiceId, OrgId, Plan, SubscriptionStatus};

pub use crate::role::InvoiceKind;

/// Monthly prices in cents, from the configuration (docs/api/billing.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    pub basic_cents: i64,
    pub pro_cents: i64,
    pub enterprise_cents: i64,
}

impl Default for Prices {
    /// BASIC free, PRO 49.00, ENTERPRISE 199.00 a month.
    fn default() -> Self {
        Self {
            basic_cents: 0,
            pro_cents: 4_900,
            enterprise_cents: 19_900,
        }
    }
}

impl Prices {
    pub fn of(&self, plan: Plan) -> i64 {
        match plan {
            Plan::Basic => self.basic_cents,
            Plan::Pro => self.pro_cents,
            Plan::Enterprise => self.enterprise_cents,
        }
    }
}

/// An organization's subscription: whether it renews, its current period
/// and where invoices go.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub status: SubscriptionStatus,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub billing_email: Option<String>,
}

impl Subscription {
    /// The subscription of an organization created at `created_at`: ACTIVE,
    /// in its first period.
    pub fn first(created_at: DateTime<Utc>) -> Self {
        Self {
            status: SubscriptionStatus::Active,
            current_period_start: created_at,
            current_period_end: period_boundary(created_at, 1),
            billing_email: None,
        }
    }
}

/// A line of the ledger. `amount_cents` is negative for a credit (a
/// downgrade within a period).
#[derive(Clone, Debug, PartialEq)]
pub struct Invoice {
    pub id: InvoiceId,
    pub org_id: OrgId,
    pub kind: InvoiceKind,
    /// The plan billed: the period's, or the one changed to.
    pub plan: Plan,
    pub amount_cents: i64,
    /// The period the line belongs to.
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
}

/// `anchor + n` calendar months (the last instant chrono can represent if
/// that is out of range).
pub fn period_boundary(anchor: DateTime<Utc>, n: u32) -> DateTime<Utc> {
    anchor
        .checked_add_months(Months::new(n))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The end of the period that follows the one ending at `end`, periods
/// being calendar months from `anchor` (the organization's creation).
pub fn next_period_end(anchor: DateTime<Utc>, end: DateTime<Utc>) -> DateTime<Utc> {
    let months = (i64::from(end.year()) - i64::from(anchor.year())) * 12 + i64::from(end.month0())
        - i64::from(anchor.month0());
    let mut n = u32::try_from(months.saturating_sub(1).max(1)).unwrap_or(u32::MAX);
    loop {
        let boundary = period_boundary(anchor, n);
        if boundary > end || boundary == DateTime::<Utc>::MAX_UTC {
            return boundary;
        }
        n += 1;
    }
}

/// Whole days in `from..to`, a started day counted whole; 0 when empty.
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let seconds = (to - from).num_seconds();
    if seconds <= 0 {
        0
    } else {
        (seconds + 86_399) / 86_400
    }
}

/// `n / d` rounded to the nearest integer, halves away from zero (`d > 0`).
fn round_div(n: i128, d: i128) -> i64 {
    let twice = 2 * n + n.signum() * d;
    i64::try_from(twice / (2 * d)).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

/// What a change from `old_cents` to `new_cents` a month costs for the
/// rest of the period at `now`: the difference times the days left (a
/// started day counted whole) over the days of the period, rounded to the
/// cent. Negative for a downgrade: a credit.
pub fn prorated_cents(
    old_cents: i64,
    new_cents: i64,
    now: DateTime<Utc>,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> i64 {
    let in_period = days(period_start, period_end).max(1);
    let left = days(now, period_end).clamp(0, in_period);
    round_div(
        i128::from(new_cents - old_cents) * i128::from(left),
        i128::from(in_period),
    )
}

/// The billing operations of the store, each one transaction under the
/// organization's lock (the same lock seat-taking operations hold), with
/// its audit event and invoice written inside. `actor` is the caller's
/// membership as the guard saw it; the adapter reads it again inside.
#[async_trait::async_trait]
pub trait BillingStore: Send + Sync {
    /// Moves to `plan` (`ChangePlan`): a plan with fewer seats than are in
    /// use (ACTIVE members and PENDING invitations) is `PlanTooSmall`. A
    /// change writes `plan.changed` and a prorated invoice; the plan held
    /// already is a no-op when ACTIVE, and reactivates (status ACTIVE,
    /// `subscription.reactivated`) when CANCELED, as any change does.
    async fn change_plan(
        &self,
        org: OrgId,
        plan: Plan,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// CANCELED (`CancelSubscription`): the plan stays until the period
    /// ends, then falls back to BASIC. Canceling again is a no-op. Like
    /// `change_plan`, it first starts the periods that ended by `now` if
    /// the worker has not yet (hence the prices).
    async fn cancel_subscription(
        &self,
        org: OrgId,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// Sets where invoices go (`ChangePlan`: "billing details"); the same
    /// address is a no-op.
    async fn update_billing_email(
        &self,
        org: OrgId,
        email: Email,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Organization>;
    /// The invoices of the given organizations, each one's newest first.
    async fn invoices_of(&self, orgs: &[OrgId]) -> Result<Vec<Invoice>>;
    /// For the worker: every organization whose period ended by `now`
    /// starts the next one (catching up several if needed), one invoice
    /// each; a CANCELED subscription falls back to BASIC first. Safe to
    /// run from several workers at once. How many invoices it issued.
    async fn roll_billing_periods(&self, now: DateTime<Utc>, prices: &Prices) -> Result<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn periods_are_months_from_the_anchor() {
        let anchor = at(2026, 1, 31);
        assert_eq!(period_boundary(anchor, 1), at(2026, 2, 28));
        assert_eq!(next_period_end(anchor, at(2026, 2, 28)), at(2026, 3, 31));
        assert_eq!(next_period_end(anchor, at(2026, 3, 31)), at(2026, 4, 30));
        assert_eq!(next_period_end(anchor, at(2027, 1, 31)), at(2027, 2, 28));
    }

    #[test]
    fn proration_counts_days_left() {
        let (start, end) = (at(2026, 4, 1), at(2026, 5, 1));
        // 30 days in April; 10 days left (the 21st, noon, to May 1st, noon).
        assert_eq!(prorated_cents(0, 4_900, at(2026, 4, 21), start, end), 1_633);
        assert_eq!(
            prorated_cents(4_900, 0, at(2026, 4, 21), start, end),
            -1_633
        );
        assert_eq!(prorated_cents(0, 3_000, start, start, end), 3_000);
        assert_eq!(prorated_cents(0, 3_000, end, start, end), 0);
        // Half a cent rounds away from zero.
        assert_eq!(prorated_cents(0, 1, at(2026, 4, 16), start, end), 1);
    }
}
