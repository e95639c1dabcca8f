//! The expiry sweep: every minute, PENDING invitations past their lifetime
//! become EXPIRED and free their seats. (Expiry is also enforced at use,
//! so a late sweep never lets an expired invitation through.)

use std::sync::Arc;

use apalis_cron::Tick;

use crate::Deps;

/// Every minute, at second 0.
pub const SCHEDULE: &str = "0 * * * * *";

pub async fn handle(
    _tick: Tick,
    deps: apalis::prelude::Data<Arc<Deps>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    let expired = deps.store.expire_invitations(deps.clock.now()).await?;
    if expired > 0 {
        tracing::info!(expired, "invitations expired");
    }
    Ok(())
}
