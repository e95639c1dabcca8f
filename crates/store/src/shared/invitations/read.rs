//! Reads: invitations by id, by page, and what they name.

use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;
use roster_domain::invitation::{Invitation, InvitationFilter};
use roster_domain::model::{Assistant, Page, PageRequest, Workspace};
use roster_domain::{InvitationId, OrgId};

use super::super::rows::{
    ASSISTANT_COLUMNS, AssistantRow, INVITATION_COLUMNS, InvitationRow, WORKSPACE_COLUMNS,
    WorkspaceRow, convert_all, counted_page, push_id_list,
};
use super::super::workspaces::fetch_keyed;
use super::super::{BackendStore, Db};

impl BackendStore {
    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(in super::super) async fn select_invitation_workspaces(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Workspace)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select iw.invitation_id, {WORKSPACE_COLUMNS} from invitation_workspace iw \
             join workspace w on w.id = iw.workspace_id where iw.invitation_id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        q.push(" order by w.name, w.id");
        let rows: Vec<(Uuid, WorkspaceRow)> = fetch_keyed(&self.pool, q).await?;
        Ok(rows
            .into_iter()
            .map(|(i, w)| (InvitationId(i), w.into()))
            .collect())
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(in super::super) async fn select_invitation_assistants(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<(InvitationId, Assistant)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select ia.invitation_id, {ASSISTANT_COLUMNS} from invitation_assistant ia \
             join assistant a on a.id = ia.assistant_id where ia.invitation_id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        q.push(" order by a.name, a.id");
        let rows: Vec<(Uuid, AssistantRow)> = fetch_keyed(&self.pool, q).await?;
        Ok(rows
            .into_iter()
            .map(|(i, a)| (InvitationId(i), a.into()))
            .collect())
    }

    #[tracing::instrument(skip_all, fields(n = ids.len()))]
    pub(in super::super) async fn select_invitations(
        &self,
        ids: &[InvitationId],
    ) -> Result<Vec<Invitation>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "select {INVITATION_COLUMNS} from invitation i where i.id in "
        ));
        push_id_list(&mut q, ids.iter().map(|i| i.0));
        let rows: Vec<InvitationRow> = q.build_query_as().fetch_all(&self.pool).await?;
        convert_all(rows)
    }

    #[tracing::instrument(skip_all, fields(org = %org))]
    pub(in super::super) async fn select_invitation_page(
        &self,
        org: OrgId,
        filter: InvitationFilter,
        page: PageRequest<InvitationId>,
    ) -> Result<Page<Invitation>> {
        let conditions = |q: &mut QueryBuilder<Db>| {
            q.push(" where i.organization_id = ").push_bind(org.0);
            if let Some(status) = filter.status {
                q.push(" and i.status = ").push_bind(status.as_str());
            }
        };
        let mut q =
            QueryBuilder::<Db>::new(format!("select {INVITATION_COLUMNS} from invitation i"));
        conditions(&mut q);
        if let Some(after) = page.after {
            q.push(" and i.id > ").push_bind(after.0);
        }
        q.push(" order by i.id limit ")
            .push_bind(i64::from(page.first) + 1);
        let rows: Vec<InvitationRow> = q.build_query_as().fetch_all(&self.pool).await?;
        let items: Vec<Invitation> = convert_all(rows)?;
        let mut count = QueryBuilder::<Db>::new("select count(*) from invitation i");
        conditions(&mut count);
        counted_page(&self.pool, items, page.first, count).await
    }
}
