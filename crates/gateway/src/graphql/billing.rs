//! Billing (rules.md §8): `Organization.billing`, `changePlan`,
//! `cancelSubscription` and `updateBillingEmail`. The guards read the
//! permission table (view billing; change plan and billing details;
//! cancel subscription); the store applies the seats and the ledger under
//! the organization's lock.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::Email;
use roster_domain::billing::Invoice;
use roster_domain::model::Organization;
use roster_domain::permission::Action;

use super::context::{loader, membership, services};
use super::cost;
use super::enums::{Plan, SubscriptionStatus};
use super::guards::OrgGuard;
use super::loaders::{InvoicesOf, SeatsOf, load_failed};
use crate::error::ApiError;

/// One line of the ledger Roster keeps for a billing provider.
#[derive(SimpleObject)]
#[graphql(name = "Invoice")]
pub struct InvoiceNode {
    id: ID,
    issued_at: DateTime<Utc>,
    plan: Plan,
    /// Negative for a credit (a downgrade within a period).
    amount_cents: i64,
}

impl From<Invoice> for InvoiceNode {
    fn from(i: Invoice) -> Self {
        Self {
            id: ID(i.id.to_string()),
            issued_at: i.issued_at,
            plan: i.plan.into(),
            amount_cents: i.amount_cents,
        }
    }
}

/// An organization's billing, for those the table lets view it (the
/// field that leads here is guarded).
pub struct BillingNode {
    pub org: Organization,
}

#[Object(name = "Billing")]
impl BillingNode {
    async fn plan(&self) -> Plan {
        self.org.plan.into()
    }
    async fn seat_limit(&self) -> Option<i64> {
        self.org.plan.seat_limit()
    }
    async fn seats_used(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        Ok(loader(ctx)
            .load_one(SeatsOf(self.org.id))
            .await
            .map_err(load_failed)?
            .unwrap_or(0))
    }
    async fn subscription_status(&self) -> SubscriptionStatus {
        self.org.subscription.status.into()
    }
    /// When the current period ends (a canceled plan falls back to BASIC then).
    async fn current_period_end(&self) -> DateTime<Utc> {
        self.org.subscription.current_period_end
    }
    async fn billing_email(&self) -> Option<&str> {
        self.org.subscription.billing_email.as_deref()
    }
    /// Newest first: one per period and one per plan change.
    #[graphql(complexity = "cost::list(cost::INVOICES, child_complexity)")]
    async fn invoices(&self, ctx: &Context<'_>) -> Result<Vec<InvoiceNode>, ApiError> {
        let found = loader(ctx)
            .load_one(InvoicesOf(self.org.id))
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(found.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Moves to `plan`, with a prorated invoice. A plan with fewer seats
    /// than are in use is `SEAT_LIMIT_REACHED` (the message and
    /// `extensions` say how many to free). The plan held already is a
    /// no-op, unless the subscription is CANCELED: any call reactivates it.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ChangePlan)")]
    async fn change_plan(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        plan: Plan,
    ) -> Result<BillingNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let org = s
            .store
            .change_plan(
                viewer.org_id,
                plan.into(),
                &viewer,
                &s.config.prices,
                s.clock.now(),
            )
            .await?;
        Ok(BillingNode { org })
    }

    /// Cancels the subscription: the plan stays until the current period
    /// ends, then the organization moves to BASIC. Canceling again is a
    /// no-op.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::CancelSubscription)")]
    async fn cancel_subscription(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<BillingNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let org = s
            .store
            .cancel_subscription(viewer.org_id, &viewer, &s.config.prices, s.clock.now())
            .await?;
        Ok(BillingNode { org })
    }

    /// Sets where invoices go (`VALIDATION` for an invalid address).
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::ChangePlan)")]
    async fn update_billing_email(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        billing_email: String,
    ) -> Result<BillingNode, ApiError> {
        let email = Email::parse(&billing_email)?;
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let org = s
            .store
            .update_billing_email(viewer.org_id, email, &viewer, s.clock.now())
            .await?;
        Ok(BillingNode { org })
    }
}
