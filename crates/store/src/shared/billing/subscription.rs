//! The subscription's other writes: canceling it (the plan stays until
//! the period ends) and the billing email.

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::audit::BillingChange;
use roster_domain::billing::Prices;
use roster_domain::model::{Membership, Organization};
use roster_domain::permission::Action;
use roster_domain::{Email, OrgId, SubscriptionStatus};

use super::super::organizations::select_org;
use super::super::{BackendStore, Db};
use super::rollover::roll_periods;
use super::{audit, require_actor, save};

impl BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(in super::super) async fn cancel(
        &self,
        org: OrgId,
        actor: &Membership,
        prices: &Prices,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, org).await?;
        let mut before = select_org(&mut tx, org).await?;
        require_actor(&mut tx, actor, Action::CancelSubscription).await?;
        // Cancels the period in effect now, not one that already ended.
        let rolled = roll_periods(&mut tx, &mut before, now, prices).await? > 0;
        let mut after = before.clone();
        after.subscription.status = SubscriptionStatus::Canceled;
        if after != before || rolled {
            save(&mut tx, &after, now).await?;
        }
        if after != before {
            let actor = Some(actor.user_id);
            audit(
                &mut tx,
                BillingChange::Canceled,
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

    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(in super::super) async fn set_billing_email(
        &self,
        org: OrgId,
        email: Email,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = Db::begin_write(&self.pool).await?;
        Db::lock_organization(&mut tx, org).await?;
        let before = select_org(&mut tx, org).await?;
        require_actor(&mut tx, actor, Action::ChangePlan).await?;
        let mut after = before.clone();
        after.subscription.billing_email = Some(email.as_str().to_owned());
        if after != before {
            save(&mut tx, &after, now).await?;
            let actor = Some(actor.user_id);
            audit(
                &mut tx,
                BillingChange::EmailChanged,
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
