//! Billing (rules.md §8), one file per use case under `billing/`: changing
//! the plan, the subscription (cancel, billing email), the period
//! roll-over, and the invoice ledger. Each write is one transaction under
//! the organization's lock, the lock every seat-taking operation holds,
//! so a downgrade and an invitation for the last seat are serialized. This
//! file holds what they share and the port.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use crate::error::{PortResult, Result};
use roster_domain::audit::{AuditChange, BillingChange, BillingState};
use roster_domain::billing::{BillingStore, Invoice, Prices};
use roster_domain::model::{Membership, Organization};
use roster_domain::permission::{self, Action};
use roster_domain::{Email, OrgId, Plan, UserId};

use super::members::acting_member;
use super::organizations::{AuditRecord, record_audit};
use super::{BackendStore, Db};

mod change_plan;
mod ledger;
mod rollover;
mod subscription;

pub(super) use ledger::issue_invoice;

type Tx = Transaction<'static, Db>;

/// The caller, read again under the lock: still an ACTIVE member whose
/// role the table grants `action` (`FORBIDDEN` if a racing change took
/// that away; `NOT_FOUND`, as for a stranger, if it is no member any more
/// or the organization was deleted meanwhile).
pub(super) async fn require_actor(tx: &mut Tx, actor: &Membership, action: Action) -> Result<()> {
    let now = acting_member(tx, actor.org_id, actor.user_id).await?;
    permission::require(now.role, action)?;
    Ok(())
}

/// Writes the plan and the subscription as `org` holds them.
async fn save(tx: &mut Tx, org: &Organization, now: DateTime<Utc>) -> Result<()> {
    let s = &org.subscription;
    sqlx::query(
        "update organization set plan = $2, subscription_status = $3, current_period_start = $4, \
         current_period_end = $5, billing_email = $6, updated_at = $7 where id = $1",
    )
    .bind(org.id.0)
    .bind(org.plan.as_str())
    .bind(s.status.as_str())
    .bind(s.current_period_start)
    .bind(s.current_period_end)
    .bind(s.billing_email.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn billing_state(org: &Organization) -> BillingState {
    BillingState {
        plan: org.plan,
        status: org.subscription.status,
        billing_email: org.subscription.billing_email.clone(),
    }
}

/// The audit event of a billing change, with the before and after.
async fn audit(
    tx: &mut Tx,
    change: BillingChange,
    actor: Option<UserId>,
    before: &Organization,
    after: &Organization,
    now: DateTime<Utc>,
) -> Result<()> {
    record_audit(
        tx,
        AuditRecord {
            org: after.id,
            actor,
            change: AuditChange::Billing {
                change,
                before: billing_state(before),
                after: billing_state(after),
            },
            target_user: None,
            target_email: None,
            at: now,
        },
    )
    .await
}

#[async_trait::async_trait]
impl BillingStore for BackendStore {
    async fn change_plan(
        &self,
        org: OrgId,
        plan: Plan,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.switch_plan(org, plan, actor, prices, now).await?)
    }
    async fn cancel_subscription(
        &self,
        org: OrgId,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.cancel(org, actor, prices, now).await?)
    }
    async fn update_billing_email(
        &self,
        org: OrgId,
        email: Email,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        Ok(self.set_billing_email(org, email, actor, now).await?)
    }
    async fn invoices_of(&self, orgs: &[OrgId]) -> PortResult<Vec<Invoice>> {
        Ok(self.select_invoices(orgs).await?)
    }
    async fn roll_billing_periods(&self, now: DateTime<Utc>, prices: &Prices) -> PortResult<u64> {
        Ok(self.roll_over(now, prices).await?)
    }
}
