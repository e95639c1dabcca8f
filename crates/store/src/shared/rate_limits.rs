//! Rate-limit counters: one row per key, its window and the hits in it,
//! counted with one upsert so that concurrent hits from any gateway each
//! see their own count.

use roster_domain::RateKey;
use roster_domain::error::Result;

use super::BackendStore;
use crate::unexpected;

impl BackendStore {
    #[tracing::instrument(skip_all)]
    pub(super) async fn count_hit(&self, key: &RateKey, window_start: i64) -> Result<i64> {
        // The `case` reads the row as it was: the same window counts on, an
        // older one starts again at 1.
        sqlx::query_scalar::<_, i64>(
            "insert into rate_limit (key, window_start, hits) values ($1, $2, 1) \
             on conflict (key) do update set \
               hits = case when rate_limit.window_start = excluded.window_start \
                           then rate_limit.hits + 1 else 1 end, \
               window_start = excluded.window_start \
             returning cast(hits as bigint)",
        )
        .bind(key.as_str())
        .bind(window_start)
        .fetch_one(&self.pool)
        .await
        .map_err(unexpected)
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn uncount_hit(&self, key: &RateKey, window_start: i64) -> Result<()> {
        sqlx::query(
            "update rate_limit set hits = hits - 1 \
             where key = $1 and window_start = $2 and hits > 0",
        )
        .bind(key.as_str())
        .bind(window_start)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(unexpected)
    }

    #[tracing::instrument(skip_all)]
    pub(super) async fn delete_stale_hits(&self, before: i64) -> Result<u64> {
        sqlx::query("delete from rate_limit where window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(unexpected)
    }
}
