//! Rate-limit counters: one row per key, its window and the hits in it,
//! counted with one upsert so that concurrent hits from any gateway each
//! see their own count.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use crate::error::{PortResult, Result, port};
use roster_domain::store::RateLimitStore;
use roster_domain::{InviteLimits, RateKey, UserId};

use super::{BackendStore, Db};

/// The upsert that counts one hit and returns the window's count.
const COUNT_HIT: &str = "insert into rate_limit (key, window_start, hits) values ($1, $2, 1) \
     on conflict (key) do update set \
       hits = case when rate_limit.window_start = excluded.window_start \
                   then rate_limit.hits + 1 else 1 end, \
       window_start = excluded.window_start \
     returning cast(hits as bigint)";

/// Counts one invitation send by `inviter` to `recipient` (normalized)
/// against `limits`, inside the send's transaction: `RATE_LIMITED` past
/// either limit, and the caller's rollback takes the count back with
/// everything else. The upsert locks each counter's row until commit, so
/// concurrent sends on any gateway queue up behind it and each sees the
/// count before it; every send takes the counters in the same order
/// (inviter, then recipient), so two sends never wait on each other.
pub(super) async fn charge_send(
    tx: &mut Transaction<'static, Db>,
    limits: &InviteLimits,
    inviter: UserId,
    recipient: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for (key, window_start, policy) in limits.counters(inviter, recipient, now) {
        let hits: i64 = sqlx::query_scalar(COUNT_HIT)
            .bind(key.as_str())
            .bind(window_start)
            .fetch_one(&mut **tx)
            .await?;
        policy.check(hits, now)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl RateLimitStore for BackendStore {
    #[tracing::instrument(skip_all)]
    async fn hit_rate_limit(&self, key: &RateKey, window_start: i64) -> PortResult<i64> {
        port(async {
            // The `case` reads the row as it was: the same window counts on, an
            // older one starts again at 1.
            Ok(sqlx::query_scalar::<_, i64>(COUNT_HIT)
                .bind(key.as_str())
                .bind(window_start)
                .fetch_one(&self.pool)
                .await?)
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn refund_rate_limit(&self, key: &RateKey, window_start: i64) -> PortResult<()> {
        port(async {
            sqlx::query(
                "update rate_limit set hits = hits - 1 \
                 where key = $1 and window_start = $2 and hits > 0",
            )
            .bind(key.as_str())
            .bind(window_start)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn purge_rate_limits(&self, before: i64) -> PortResult<u64> {
        port(async {
            Ok(
                sqlx::query("delete from rate_limit where window_start < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected(),
            )
        })
        .await
    }
}
