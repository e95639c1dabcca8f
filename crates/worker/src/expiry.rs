//! The expiry sweep: every minute, PENDING invitations past their lifetime
//! become EXPIRED and free their seats. (Expiry is also enforced at use,
//! so a late sweep never lets an expired invitation through.)

use std::sync::Arc;

use crate::Deps;
use crate::workers::{JobResult, Sweep};

pub struct Expiry(pub Arc<Deps>);

impl Sweep for Expiry {
    const NAME: &'static str = "expire-invitations";
    /// Every minute, at second 0.
    const SCHEDULE: &'static str = "0 * * * * *";

    async fn run(&self) -> JobResult {
        let deps = &self.0;
        let expired = deps.store.expire_invitations(deps.clock.now()).await?;
        if expired > 0 {
            tracing::info!(expired, "invitations expired");
        }
        Ok(())
    }
}
