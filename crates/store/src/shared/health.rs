//! The database itself: whether it answers, and this process's pool.

use roster_domain::PoolUsage;
use roster_domain::store::HealthStore;

use super::BackendStore;
use crate::error::{PortResult, port};

#[async_trait::async_trait]
impl HealthStore for BackendStore {
    async fn ping(&self) -> PortResult<()> {
        port(async {
            sqlx::query("select 1").execute(&self.pool).await?;
            Ok(())
        })
        .await
    }

    fn pool_usage(&self) -> Option<PoolUsage> {
        Some(PoolUsage {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        })
    }
}
