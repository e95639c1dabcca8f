//! The live feed on PostgreSQL: `announce` runs
//! `pg_notify('roster_events', <audit event id>)` in the writing
//! transaction. PostgreSQL delivers notifications on commit, in commit
//! order, to every listening session, and never for a rolled-back
//! transaction; the payload is the id only (the limit is ~8 kB). Each
//! gateway holds one `PgListener`, loads each batch of notified events (those
//! that arrived together) with one statement and broadcasts them. Notifications sent while the listener
//! was reconnecting are lost: the feed then broadcasts `Resync`.

use std::time::Duration;

use futures::FutureExt;
use sqlx::postgres::PgListener;
use sqlx::{PgPool, Transaction};
use tokio::sync::broadcast;
use uuid::Uuid;

use roster_domain::live::LiveItem;

use super::Db;
use super::shared::events::events_by_ids;

const CHANNEL: &str = "roster_events";
/// Notifications loaded with one statement at most.
const BATCH: usize = 500;
const RETRY: Duration = Duration::from_secs(1);

pub(super) async fn announce(tx: &mut Transaction<'static, Db>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Listens until the pool is closed, broadcasting to `feed`.
pub(crate) async fn run_feed(pool: PgPool, feed: broadcast::Sender<LiveItem>) {
    let mut first = true;
    loop {
        if pool.is_closed() {
            return;
        }
        let mut listener = match listen(&pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot listen, retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        // Whatever committed while nobody listened is lost to this gateway.
        if !first {
            let _ = feed.send(LiveItem::Resync);
        }
        first = false;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    // The notifications already arrived, without waiting
                    // (`try_recv` is cancel-safe): one statement loads them.
                    let mut ids: Vec<Uuid> = Vec::new();
                    ids.extend(Uuid::parse_str(notification.payload()).ok());
                    let mut next = None;
                    while ids.len() < BATCH {
                        match listener.try_recv().now_or_never() {
                            Some(Ok(Some(n))) => ids.extend(Uuid::parse_str(n.payload()).ok()),
                            None => break,
                            Some(other) => {
                                next = Some(other);
                                break;
                            }
                        }
                    }
                    deliver(&pool, &feed, &ids).await;
                    match next {
                        None => {}
                        Some(Ok(_)) => lost(&feed),
                        Some(Err(sqlx::Error::PoolClosed)) => return,
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "live events: listener failed, reconnecting");
                            break;
                        }
                    }
                }
                // The connection dropped and was re-established (listening
                // again): notifications in between are lost.
                Ok(None) => lost(&feed),
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "live events: listener failed, reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

fn lost(feed: &broadcast::Sender<LiveItem>) {
    tracing::warn!("live events: listener reconnected, subscribers resync");
    let _ = feed.send(LiveItem::Resync);
}

async fn listen(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

async fn deliver(pool: &PgPool, feed: &broadcast::Sender<LiveItem>, ids: &[Uuid]) {
    match events_by_ids(pool, ids).await {
        Ok(events) => {
            for event in events {
                let _ = feed.send(LiveItem::Event(event.into()));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "live events: cannot load notified events, subscribers resync");
            let _ = feed.send(LiveItem::Resync);
        }
    }
}
