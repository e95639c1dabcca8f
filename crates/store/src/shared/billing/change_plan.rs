//! Changing the plan (rules.md §4, §8): a downgrade never leaves more
//! seats in use than the new plan allows, counted under the lock every
//! seat-taking operation holds; each change writes its audit event and a
//! prorated invoice; any change reactivates a CANCELED subscription.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::audit::BillingChange;
use roster_domain::billing::{InvoiceKind, Prices, prorated_cents};
use roster_domain::model::{Membership, Organization};
use roster_domain::permission::Action;
use roster_domain::{OrgId, Plan, SubscriptionStatus};

use super::super::invitations::{expire_overdue, seats_in_use};
use super::super::organizations::select_org;
use super::super::{BackendStore, Db};
use super::rollover::roll_periods;
use super::{audit, issue_invoice, require_actor, save};

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org, plan = plan.as_str()))]
    pub(in super::super) async fn switch_plan(
        &self,
        org: OrgId,
        plan: Plan,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, org).await?;
        let mut before = select_org(&mut tx, org).await?;
        require_actor(&mut tx, actor, Action::ChangePlan).await?;
        // A period that ended (a cancellation that took effect) counts
        // even if the worker has not started the next one yet.
        let rolled = roll_periods(&mut tx, &mut before, now, prices).await? > 0;
        let reactivates = before.subscription.status == SubscriptionStatus::Canceled;
        if before.plan == plan && !reactivates {
            if rolled {
                save(&mut tx, &before, now).await?;
            }
            tx.commit().await?;
            return Ok(before);
        }
        if plan != before.plan && plan.seat_limit().is_some() {
            // Overdue invitations hold no seat, swept or not.
            expire_overdue(&mut tx, org, now).await?;
            plan.check_holds(seats_in_use(&mut tx, org).await?)?;
        }
        let mut after = before.clone();
        after.plan = plan;
        after.subscription.status = SubscriptionStatus::Active;
        save(&mut tx, &after, now).await?;
        let actor = Some(actor.user_id);
        if plan == before.plan {
            audit(
                &mut tx,
                BillingChange::Reactivated,
                actor,
                &before,
                &after,
                now,
            )
            .await?;
        } else {
            let period = &before.subscription;
            let amount = prorated_cents(
                prices.of(before.plan),
                prices.of(plan),
                now,
                period.current_period_start,
                period.current_period_end,
            );
            issue_invoice(&mut tx, &after, InvoiceKind::PlanChange, amount, now).await?;
            audit(
                &mut tx,
                BillingChange::PlanChanged,
                actor,
                &before,
                &after,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }
}
