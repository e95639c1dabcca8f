//! The live feed on SQLite (one process): `announce` appends the audit
//! event's id to `live_event` in the writing transaction. Its `seq` is
//! assigned under the database's single write lock, so `seq` order is commit
//! order, a rolled-back change leaves no row, and AUTOINCREMENT never reuses
//! a number. One task per gateway polls `seq > cursor` every 50 ms (one
//! statement, then one for the events) and broadcasts what committed. Polling
//! rather than a commit hook: a hook runs before the commit is durable and
//! visible to other connections, and needs per-connection state.

use std::time::Duration;

use sqlx::{SqlitePool, Transaction};
use tokio::sync::broadcast;
use uuid::Uuid;

use roster_domain::live::LiveItem;

use super::Db;
use super::shared::events::events_by_ids;

const POLL: Duration = Duration::from_millis(50);
const BATCH: i64 = 500;
/// Rows kept behind the cursor; older ones are pruned.
const KEEP: i64 = 10_000;

pub(super) async fn announce(tx: &mut Transaction<'static, Db>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("insert into live_event (audit_event_id) values ($1)")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Polls until the pool is closed, broadcasting to `feed`.
pub(crate) async fn run_feed(pool: SqlitePool, feed: broadcast::Sender<LiveItem>) {
    // Only what commits from now on.
    let mut cursor = loop {
        if pool.is_closed() {
            return;
        }
        match sqlx::query_as::<_, (i64,)>("select coalesce(max(seq), 0) from live_event")
            .fetch_one(&pool)
            .await
        {
            Ok((seq,)) => break seq,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot read the cursor, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut polls: u64 = 0;
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        match poll(&pool, cursor).await {
            Ok(rows) if rows.is_empty() => {}
            Ok(rows) => {
                let ids: Vec<Uuid> = rows.iter().map(|(_, id)| *id).collect();
                match events_by_ids(&pool, &ids).await {
                    Ok(events) => {
                        cursor = rows.last().map_or(cursor, |(seq, _)| *seq);
                        for event in events {
                            let _ = feed.send(LiveItem::Event(event.into()));
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "live events: load failed, retrying"),
                }
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => tracing::warn!(error = %e, "live events: poll failed, retrying"),
        }
        polls += 1;
        if polls.is_multiple_of(1200) {
            let _ = sqlx::query("delete from live_event where seq <= $1")
                .bind(cursor - KEEP)
                .execute(&pool)
                .await;
        }
    }
}

async fn poll(pool: &SqlitePool, cursor: i64) -> sqlx::Result<Vec<(i64, Uuid)>> {
    sqlx::query_as(
        // Begins with `LIVE_FEED_TAG`, like the feed's loads.
        "/* live feed */ select seq, audit_event_id from live_event where seq > $1 \
         order by seq limit $2",
    )
    .bind(cursor)
    .bind(BATCH)
    .fetch_all(pool)
    .await
}
