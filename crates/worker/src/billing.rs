//! The billing period roll-over: every minute, organizations whose period
//! ended start the next one, with its invoice; a canceled subscription
//! falls back to BASIC then. Several workers may tick at once: the store
//! makes that safe.

use std::sync::Arc;

use apalis_cron::Tick;

use crate::Deps;

/// Every minute, at second 30 (the expiry sweep runs at second 0).
pub const SCHEDULE: &str = "30 * * * * *";

pub async fn handle(
    _tick: Tick,
    deps: apalis::prelude::Data<Arc<Deps>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    let issued = deps
        .store
        .roll_billing_periods(deps.clock.now(), &deps.prices)
        .await?;
    if issued > 0 {
        tracing::info!(issued, "billing periods started");
    }
    Ok(())
}
