//! The worker's reads for member notices (rules.md §7): who gets the email
//! and what it names, read when it is sent.

use crate::error::Result;
use roster_domain::notice::{MemberNotice, NoticeMail};
use roster_domain::{OrgId, UserId};
use uuid::Uuid;

use super::ownership::{StoredTransfer, transfer_of};
use super::{BackendStore, Db};

#[derive(sqlx::FromRow)]
struct RecipientRow {
    email: String,
    display_name: String,
    organization_id: Uuid,
    organization_name: String,
    requester_name: Option<String>,
}

impl From<RecipientRow> for NoticeMail {
    fn from(r: RecipientRow) -> Self {
        NoticeMail {
            to_email: r.email,
            to_name: r.display_name,
            organization_id: OrgId(r.organization_id),
            organization_name: r.organization_name,
            requester_name: r.requester_name,
        }
    }
}

/// The account `user` and the organization `org`, with `requester`'s
/// display name: no membership needed (a removed member has none left).
/// A deleted organization mails nobody (`None`).
async fn recipient<'c, E>(
    executor: E,
    org: OrgId,
    user: UserId,
    requester: Option<UserId>,
) -> Result<Option<NoticeMail>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row: Option<RecipientRow> = sqlx::query_as(
        "select u.email, u.display_name, o.id as organization_id, o.name as organization_name, \
         (select r.display_name from app_user r where r.id = $3) as requester_name \
         from app_user u, organization o where u.id = $1 and o.id = $2 and o.deleted_at is null",
    )
    .bind(user.0)
    .bind(org.0)
    .bind(requester.map(|r| r.0))
    .fetch_optional(executor)
    .await?;
    Ok(row.map(NoticeMail::from))
}

impl BackendStore {
    #[tracing::instrument(skip_all, fields(event = %notice.event_id()))]
    pub(super) async fn select_notice_mail(
        &self,
        notice: &MemberNotice,
    ) -> Result<Option<NoticeMail>> {
        match *notice {
            MemberNotice::Removed {
                organization_id,
                user_id,
                ..
            } => recipient(&self.pool, organization_id, user_id, None).await,
            MemberNotice::OwnershipTransferRequested {
                organization_id,
                from_user_id,
                to_user_id,
                ..
            } => {
                // Cancelled, accepted, replaced by a request to someone
                // else, or lapsed since: nothing to ask any more.
                let still_asked = transfer_of(&self.pool, organization_id)
                    .await?
                    .filter(StoredTransfer::is_pending)
                    .is_some_and(|t| {
                        t.transfer.from == from_user_id && t.transfer.to == to_user_id
                    });
                if !still_asked {
                    return Ok(None);
                }
                recipient(&self.pool, organization_id, to_user_id, Some(from_user_id)).await
            }
        }
    }
}
