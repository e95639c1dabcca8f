//! The retention purge (docs/operations/retention.md): one batch of one kind per call,
//! one statement each, so that a large backlog is deleted in short steps.
//! The queue's tables (apalis's) count time in its own columns: their
//! statements are the backend's (`FINISHED_TASKS`, `GONE_WORKERS`).

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::{PortResult, port};
use roster_domain::retention::{Purgeable, RetentionStore};

use super::{BackendStore, Db};

/// Each statement binds the cutoff as `$1` and the batch as `$2`.
fn statement(what: Purgeable) -> Option<&'static str> {
    Some(match what {
        Purgeable::Sessions => {
            // Refresh tokens go with their session (on delete cascade).
            "delete from session where id in (select id from session \
             where expires_at < $1 or ended_at < $1 limit $2)"
        }
        Purgeable::SpentRefreshTokens => {
            "delete from refresh_token where token_hash in (select token_hash from refresh_token \
             where spent_at < $1 limit $2)"
        }
        Purgeable::FinishedJobs => {
            "delete from job where id in (select id from job \
             where state in ('DONE', 'FAILED') and finished_at < $1 limit $2)"
        }
        Purgeable::InvitationSends => {
            // A pending invitation's current send stays until delivered:
            // its mail job looks for it.
            "delete from invitation_send where (invitation_id, send_no) in \
             (select s.invitation_id, s.send_no from invitation_send s \
              join invitation i on i.id = s.invitation_id \
              where s.requested_at < $1 \
                and not (s.delivered_at is null and i.status = 'PENDING' and i.sent_count = s.send_no) \
              limit $2)"
        }
        Purgeable::WebhookDeliveries => {
            "delete from webhook_delivery where id in (select id from webhook_delivery \
             where at < $1 limit $2)"
        }
        Purgeable::LiveEvents => Db::LIVE_EVENTS?,
        Purgeable::FinishedTasks | Purgeable::GoneWorkers => return None,
    })
}

#[async_trait::async_trait]
impl RetentionStore for BackendStore {
    #[tracing::instrument(skip_all, fields(what = what.as_str()))]
    async fn purge_batch(
        &self,
        what: Purgeable,
        before: DateTime<Utc>,
        batch: u32,
    ) -> PortResult<u64> {
        port(async {
            let batch = i64::from(batch);
            let done = match what {
                // The queue keeps seconds since the epoch (SQLite) or its own
                // timestamps (PostgreSQL, converted in the statement).
                Purgeable::FinishedTasks | Purgeable::GoneWorkers => {
                    let sql = if what == Purgeable::FinishedTasks {
                        Db::FINISHED_TASKS
                    } else {
                        Db::GONE_WORKERS
                    };
                    sqlx::query(sql)
                        .bind(before.timestamp())
                        .bind(batch)
                        .execute(&self.pool)
                        .await
                }
                _ => match statement(what) {
                    Some(sql) => {
                        sqlx::query(sql)
                            .bind(before)
                            .bind(batch)
                            .execute(&self.pool)
                            .await
                    }
                    None => return Ok(0),
                },
            };
            Ok(done.map(|r| r.rows_affected())?)
        })
        .await
    }
}
