//! Expiry: PENDING invitations past their lifetime become EXPIRED, by the
//! minutely sweep of every worker process and lazily wherever a use case
//! needs the truth now (inviting, resending, signing up).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::Result;
use roster_domain::invitation::Invitation;
use roster_domain::{InvitationStatus, OrgId};

use super::super::organizations::record_audit;
use super::super::rows::{INVITATION_COLUMNS, InvitationRow, composed, convert_all};
use super::super::{BackendStore, Db};
use super::{Tx, audit, end_pending, ended};

/// Marks the organization's PENDING invitations past their lifetime
/// EXPIRED, at most `BATCH` of them; how many this call expired. The
/// caller holds the organization's lock (the order accept and revoke take
/// too: organization, then invitation, then membership and account), and
/// each update is guarded, so only the transaction that really moved an
/// invitation writes its audit event.
pub(in super::super) async fn expire_overdue(
    tx: &mut Tx,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<u64> {
    let rows: Vec<InvitationRow> = sqlx::query_as(composed(format!(
        "select {INVITATION_COLUMNS} from invitation i where i.organization_id = $1 \
         and i.status = 'PENDING' and i.expires_at <= $2 order by i.expires_at limit {BATCH}"
    )))
    .bind(org.0)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let overdue: Vec<Invitation> = convert_all(rows)?;
    let mut expired = 0;
    for inv in &overdue {
        if !end_pending(tx, inv, InvitationStatus::Expired, now).await? {
            continue;
        }
        expired += 1;
        record_audit(
            tx,
            audit(inv, None, ended(inv, InvitationStatus::Expired, None), now),
        )
        .await?;
    }
    Ok(expired)
}

/// Expires, under their organizations' locks, the overdue invitations of
/// the account with this (normalized) email: before its placeholder is
/// claimed, so that the claimer never sees an invitation that has ended
/// but was not swept yet.
pub(in super::super) async fn expire_overdue_of_email(
    tx: &mut Tx,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let orgs: Vec<(Uuid,)> = sqlx::query_as(
        "select distinct i.organization_id from invitation i join app_user u on u.id = i.user_id \
         where u.email_normalized = $1 and i.status = 'PENDING' and i.expires_at <= $2",
    )
    .bind(email_normalized)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for (org,) in orgs {
        Db::lock_organization(tx, OrgId(org)).await?;
        expire_overdue(tx, OrgId(org), now).await?;
    }
    Ok(())
}

/// Invitations expired per transaction: short transactions, short locks.
const BATCH: usize = 500;
/// Organizations looked up per round of the sweep.
const ORGS_PER_ROUND: i64 = 100;

impl BackendStore {
    /// Every worker process runs this each minute, so several may run at
    /// once: each first takes the organizations no one else holds (`for
    /// update skip locked` on PostgreSQL; SQLite has one writer), then waits
    /// for the ones it skipped, a request's or another sweep's, which are
    /// short; the guarded updates make a second look at an organization
    /// find nothing left. It goes round until a round expires nothing, so
    /// nothing overdue when it started is left PENDING when it returns.
    #[tracing::instrument(skip_all)]
    pub(in super::super) async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut total = 0;
        loop {
            let orgs: Vec<(Uuid,)> = sqlx::query_as(
                "select distinct organization_id from invitation \
                 where status = 'PENDING' and expires_at <= $1 limit $2",
            )
            .bind(now)
            .bind(ORGS_PER_ROUND)
            .fetch_all(&self.pool)
            .await?;
            let mut round = 0;
            let mut skipped = Vec::new();
            for (org,) in orgs {
                let mut tx = Db::begin_write(&self.pool).await?;
                if !Db::try_lock_organization(&mut tx, OrgId(org)).await? {
                    skipped.push(OrgId(org));
                    continue;
                }
                round += expire_overdue(&mut tx, OrgId(org), now).await?;
                tx.commit().await?;
            }
            for org in skipped {
                let mut tx = Db::begin_write(&self.pool).await?;
                Db::lock_organization(&mut tx, org).await?;
                round += expire_overdue(&mut tx, org, now).await?;
                tx.commit().await?;
            }
            if round == 0 {
                return Ok(total);
            }
            total += round;
        }
    }
}
