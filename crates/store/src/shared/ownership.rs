//! Ownership transfer (rules.md §2): request, accept, cancel, and the
//! pending requests of organizations. Each write is one transaction under
//! the organization's lock, so that two accepts, or an accept and a cancel,
//! are serialized and the second sees what the first did.
//!
//! A stored request is read with both parties' memberships and the owner,
//! and the domain decides whether it is still pending
//! (`OwnershipTransfer::is_pending`). Migration 0007's triggers also delete
//! it in the transaction of the membership change that makes it lapse, so
//! that a later promotion or unblock never brings it back; the check on
//! read is what no code path can skip.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::{PortResult, Result, port};
use roster_domain::AuditChange;
use roster_domain::model::{Membership, Organization};
use roster_domain::notice::MemberNotice;
use roster_domain::notice::NoticeMail;
use roster_domain::ownership::{self, OwnershipTransfer, Parties, Standing};
use roster_domain::permission;
use roster_domain::store::OwnershipStore;
use roster_domain::{DomainError, OrgId, UserId};

use super::members::membership_in;
use super::organizations::{AuditRecord, record_audit, record_audit_as, select_org};
use super::outbox::enqueue;
use super::{BackendStore, Db};

type Tx = Transaction<'static, Db>;

/// A stored request with the parties as they stand now.
const TRANSFER_SELECT: &str = "select t.organization_id, t.from_user_id, t.to_user_id, \
     t.requested_at, o.owner_id, fm.role as from_role, fm.status as from_status, \
     tm.role as to_role, tm.status as to_status \
     from ownership_transfer t join organization o on o.id = t.organization_id \
     left join membership fm on fm.organization_id = t.organization_id and fm.user_id = t.from_user_id \
     left join membership tm on tm.organization_id = t.organization_id and tm.user_id = t.to_user_id";

#[derive(sqlx::FromRow)]
struct TransferRow {
    organization_id: Uuid,
    from_user_id: Uuid,
    to_user_id: Uuid,
    requested_at: DateTime<Utc>,
    owner_id: Uuid,
    from_role: Option<String>,
    from_status: Option<String>,
    to_role: Option<String>,
    to_status: Option<String>,
}

fn standing(role: Option<String>, status: Option<String>) -> Result<Option<Standing>> {
    match (role, status) {
        (Some(role), Some(status)) => Ok(Some(Standing {
            role: role.parse()?,
            status: status.parse()?,
        })),
        _ => Ok(None),
    }
}

/// A request and its parties now, for the domain to judge.
pub(super) struct StoredTransfer {
    pub transfer: OwnershipTransfer,
    pub parties: Parties,
}

impl StoredTransfer {
    pub fn is_pending(&self) -> bool {
        self.transfer.is_pending(&self.parties)
    }
}

impl TryFrom<TransferRow> for StoredTransfer {
    type Error = DomainError;
    fn try_from(r: TransferRow) -> Result<Self, DomainError> {
        Ok(StoredTransfer {
            transfer: OwnershipTransfer {
                org_id: OrgId(r.organization_id),
                from: UserId(r.from_user_id),
                to: UserId(r.to_user_id),
                requested_at: r.requested_at,
            },
            parties: Parties {
                owner: UserId(r.owner_id),
                from: standing(r.from_role, r.from_status)?,
                to: standing(r.to_role, r.to_status)?,
            },
        })
    }
}

/// `org`'s stored request (pending or lapsed), if any.
pub(super) async fn transfer_of<'c, E>(executor: E, org: OrgId) -> Result<Option<StoredTransfer>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row: Option<TransferRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TRANSFER_SELECT} where t.organization_id = $1"
    )))
    .bind(org.0)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(StoredTransfer::try_from).transpose()?)
}

/// The caller, read again under the lock: still the ACTIVE owner.
async fn still_owner(tx: &mut Tx, actor: &Membership) -> Result<Membership> {
    let now = membership_in(tx, actor.org_id, actor.user_id)
        .await?
        .ok_or(DomainError::Forbidden)?;
    permission::require_owner(&now)?;
    Ok(now)
}

async fn delete_transfer(tx: &mut Tx, org: OrgId) -> Result<()> {
    sqlx::query("delete from ownership_transfer where organization_id = $1")
        .bind(org.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl OwnershipStore for BackendStore {
    #[tracing::instrument(skip_all, fields(org = %org, to = %to))]
    async fn request_ownership_transfer(
        &self,
        org: OrgId,
        to: UserId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<OwnershipTransfer> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_organization(&mut tx, org).await?;
            let owner = still_owner(&mut tx, actor).await?;
            let target = membership_in(&mut tx, org, to).await?.map(|m| Standing {
                role: m.role,
                status: m.status,
            });
            ownership::check_target(owner.user_id, to, target)?;
            let replaced = transfer_of(&mut *tx, org)
                .await?
                .filter(StoredTransfer::is_pending)
                .map(|t| t.transfer.to);
            sqlx::query(
                "insert into ownership_transfer (organization_id, from_user_id, to_user_id, requested_at) \
                 values ($1, $2, $3, $4) on conflict (organization_id) do update \
                 set from_user_id = excluded.from_user_id, to_user_id = excluded.to_user_id, \
                 requested_at = excluded.requested_at",
            )
            .bind(org.0)
            .bind(owner.user_id.0)
            .bind(to.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event_id = Uuid::now_v7();
            record_audit_as(
                &mut tx,
                event_id,
                AuditRecord {
                    org,
                    actor: Some(owner.user_id),
                    change: AuditChange::OwnershipTransferRequested { to, replaced },
                    target_user: Some(to),
                    target_email: None,
                    at: now,
                },
            )
            .await?;
            let notice = MemberNotice::OwnershipTransferRequested {
                organization_id: org,
                from_user_id: owner.user_id,
                to_user_id: to,
                event_id,
            };
            enqueue(&mut tx, MemberNotice::QUEUE, &notice).await?;
            tx.commit().await?;
            Ok(OwnershipTransfer {
                org_id: org,
                from: owner.user_id,
                to,
                requested_at: now,
            })
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn accept_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<Organization> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_organization(&mut tx, org).await?;
            let transfer = transfer_of(&mut *tx, org)
                .await?
                .filter(StoredTransfer::is_pending)
                .ok_or(DomainError::NotFound)?
                .transfer;
            ownership::check_acceptor(&transfer, actor.user_id)?;
            // The previous owner's membership is left as it is: it stays ADMIN.
            sqlx::query("update organization set owner_id = $2, updated_at = $3 where id = $1")
                .bind(org.0)
                .bind(transfer.to.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            delete_transfer(&mut tx, org).await?;
            record_audit(
                &mut tx,
                AuditRecord {
                    org,
                    actor: Some(transfer.to),
                    change: AuditChange::OwnershipTransferred {
                        from: transfer.from,
                        to: transfer.to,
                    },
                    target_user: Some(transfer.to),
                    target_email: None,
                    at: now,
                },
            )
            .await?;
            let after = select_org(&mut tx, org).await?;
            tx.commit().await?;
            Ok(after)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    async fn cancel_ownership_transfer(
        &self,
        org: OrgId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> PortResult<bool> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            Db::lock_organization(&mut tx, org).await?;
            let owner = still_owner(&mut tx, actor).await?;
            let Some(stored) = transfer_of(&mut *tx, org).await? else {
                tx.commit().await?;
                return Ok(false);
            };
            // A lapsed request goes too, silently: it was not pending.
            delete_transfer(&mut tx, org).await?;
            let was_pending = stored.is_pending();
            if was_pending {
                record_audit(
                    &mut tx,
                    AuditRecord {
                        org,
                        actor: Some(owner.user_id),
                        change: AuditChange::OwnershipTransferCanceled {
                            to: stored.transfer.to,
                        },
                        target_user: Some(stored.transfer.to),
                        target_email: None,
                        at: now,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok(was_pending)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(n = orgs.len()))]
    async fn pending_ownership_transfers(
        &self,
        orgs: &[OrgId],
    ) -> PortResult<Vec<OwnershipTransfer>> {
        port(async {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            let mut q =
                QueryBuilder::<Db>::new(format!("{TRANSFER_SELECT} where t.organization_id in ("));
            let mut list = q.separated(", ");
            for org in orgs {
                list.push_bind(org.0);
            }
            list.push_unseparated(")");
            let rows: Vec<TransferRow> = q.build_query_as().fetch_all(&self.pool).await?;
            let mut pending = Vec::new();
            for row in rows {
                let stored = StoredTransfer::try_from(row)?;
                if stored.is_pending() {
                    pending.push(stored.transfer);
                }
            }
            Ok(pending)
        })
        .await
    }

    async fn notice_mail(&self, notice: &MemberNotice) -> PortResult<Option<NoticeMail>> {
        Ok(self.select_notice_mail(notice).await?)
    }
}
