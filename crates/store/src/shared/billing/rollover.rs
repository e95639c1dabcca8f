//! The period roll-over: every organization whose period ended starts the
//! next one with its invoice, a CANCELED subscription falling back to
//! BASIC first. Nobody is removed by a fall-back: while more seats are in
//! use than BASIC allows, the seat checks of inviting, accepting,
//! resending and unblocking refuse until seats are freed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::audit::BillingChange;
use roster_domain::billing::{InvoiceKind, Prices, next_period_end};
use roster_domain::model::Organization;
use roster_domain::{OrgId, Plan, SubscriptionStatus};

use super::super::lifecycle::organization_is_live;
use super::super::organizations::select_org;
use super::super::{BackendStore, Db};
use super::{Tx, audit, issue_invoice, save};

/// Starts, in memory and in the ledger, every period of `org` that ended
/// by `now`: the caller holds the organization's lock and saves `org`.
/// How many periods it started.
pub(super) async fn roll_periods(
    tx: &mut Tx,
    org: &mut Organization,
    now: DateTime<Utc>,
    prices: &Prices,
) -> Result<u64> {
    let mut started = 0;
    while org.subscription.current_period_end <= now {
        if org.subscription.status == SubscriptionStatus::Canceled {
            let before = org.clone();
            org.plan = Plan::Basic;
            org.subscription.status = SubscriptionStatus::Active;
            let at = org.subscription.current_period_end;
            audit(tx, BillingChange::Ended, None, &before, org, at).await?;
        }
        let start = org.subscription.current_period_end;
        org.subscription.current_period_start = start;
        org.subscription.current_period_end = next_period_end(org.created_at, start);
        issue_invoice(tx, org, InvoiceKind::Period, prices.of(org.plan), start).await?;
        started += 1;
    }
    Ok(started)
}

/// Organizations looked up per round.
const ORGS_PER_ROUND: i64 = 100;

impl BackendStore {
    /// Every worker process runs this each minute, so several may run at
    /// once. Like the expiry sweep, each first takes the organizations no
    /// one else holds (`for update skip locked` on PostgreSQL; SQLite has
    /// one writer), then waits for the ones it skipped; an organization
    /// is read again under its lock, so a second look finds its period
    /// already started and issues nothing.
    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn roll_over(
        &self,
        now: DateTime<Utc>,
        prices: &Prices,
    ) -> Result<u64> {
        let mut total = 0;
        loop {
            let due: Vec<(Uuid,)> = sqlx::query_as(
                "select id from organization where deleted_at is null \
                 and (current_period_end <= $1 or current_period_end is null) limit $2",
            )
            .bind(now)
            .bind(ORGS_PER_ROUND)
            .fetch_all(&self.pool)
            .await?;
            if due.is_empty() {
                return Ok(total);
            }
            let mut skipped = Vec::new();
            for (org,) in due {
                let mut tx = Db::begin_write(&self.pool).await?;
                if !Db::try_lock_organization(&mut tx, OrgId(org)).await? {
                    skipped.push(OrgId(org));
                    continue;
                }
                total += roll_one(&mut tx, OrgId(org), now, prices).await?;
                tx.commit().await?;
            }
            for org in skipped {
                let mut tx = Db::begin_write(&self.pool).await?;
                Db::lock_organization(&mut tx, org).await?;
                total += roll_one(&mut tx, org, now, prices).await?;
                tx.commit().await?;
            }
        }
    }
}

async fn roll_one(tx: &mut Tx, org: OrgId, now: DateTime<Utc>, prices: &Prices) -> Result<u64> {
    // Deleted since it was listed: its periods wait for a restore.
    if !organization_is_live(tx, org).await? {
        return Ok(0);
    }
    let mut o = select_org(tx, org).await?;
    let started = roll_periods(tx, &mut o, now, prices).await?;
    // Also writes periods read from NULL columns (see migration 0008).
    save(tx, &o, now).await?;
    Ok(started)
}
