//! The billing period roll-over: every minute, organizations whose period
//! ended start the next one, with its invoice; a canceled subscription
//! falls back to BASIC then. Several workers may tick at once: the store
//! makes that safe.

use std::sync::Arc;

use crate::Deps;
use crate::workers::{JobResult, Sweep};

pub struct BillingPeriods(pub Arc<Deps>);

impl Sweep for BillingPeriods {
    const NAME: &'static str = "billing-periods";
    /// Every minute, at second 30 (the expiry sweep runs at second 0).
    const SCHEDULE: &'static str = "30 * * * * *";

    async fn run(&self) -> JobResult {
        let deps = &self.0;
        let issued = deps
            .store
            .roll_billing_periods(deps.clock.now(), &deps.prices)
            .await?;
        if issued > 0 {
            tracing::info!(issued, "billing periods started");
        }
        Ok(())
    }
}
