//! `Lead`, `Organization.leads` and the lead mutations (rules.md §2, §6).
//! Who sees and edits which lead is the domain's `LeadScope`; the guards
//! ask the permission table whether the caller may try at all.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::lead::{Lead, LeadFilter, LeadPatch, LeadScope, NewLead};
use roster_domain::model::{Membership, PageRequest, Slice};
use roster_domain::permission::Action;
use roster_domain::{
    AssistantId, DomainError, Email, LeadCompany, LeadId, LeadName, LeadStatus, UserId, WorkspaceId,
};

use super::connection::{PageInfo, decode_cursor, encode_cursor};
use super::context::{loader, membership, services};
use super::guards::{OrgGuard, OrgOf};
use super::loaders::{MemberOfUser, load_failed};
use super::member::MemberNode;
use super::workspace::{AssistantNode, WorkspaceNode};
use crate::error::ApiError;

/// The cursor kind of lead pages.
const CURSOR_KIND: &str = "lead";

pub struct LeadNode {
    pub lead: Lead,
    pub viewer: Membership,
}

#[Object(name = "Lead")]
impl LeadNode {
    async fn id(&self) -> ID {
        ID(self.lead.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.lead.name
    }
    async fn email(&self) -> Option<&str> {
        self.lead.email.as_deref()
    }
    async fn company(&self) -> Option<&str> {
        self.lead.company.as_deref()
    }
    async fn status(&self) -> &str {
        &self.lead.status
    }
    /// Null when unassigned, or when the owner is no longer a member.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<MemberNode>, ApiError> {
        let Some(owner) = self.lead.owner_id else {
            return Ok(None);
        };
        let member = loader(ctx)
            .load_one(MemberOfUser(self.lead.org_id, owner))
            .await
            .map_err(load_failed)?;
        Ok(member.map(|member| MemberNode::new(member, self.viewer.clone())))
    }
    async fn assistant(&self, ctx: &Context<'_>) -> Result<Option<AssistantNode>, ApiError> {
        let Some(id) = self.lead.assistant_id else {
            return Ok(None);
        };
        let found = loader(ctx).load_one(id).await.map_err(load_failed)?;
        Ok(found.map(|assistant| AssistantNode {
            assistant,
            viewer: self.viewer.clone(),
        }))
    }
    async fn workspace(&self, ctx: &Context<'_>) -> Result<Option<WorkspaceNode>, ApiError> {
        let Some(id) = self.lead.workspace_id else {
            return Ok(None);
        };
        let found = loader(ctx).load_one(id).await.map_err(load_failed)?;
        Ok(found.map(|workspace| WorkspaceNode {
            workspace,
            viewer: self.viewer.clone(),
        }))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.lead.created_at
    }
}

#[derive(SimpleObject)]
#[graphql(name = "LeadEdge")]
pub struct LeadEdge {
    pub cursor: String,
    pub node: LeadNode,
}

pub struct LeadConnection {
    edges: Vec<LeadEdge>,
    page_info: PageInfo,
    /// What `totalCount` counts, read only when it is selected.
    counted: (LeadScope, LeadFilter),
    viewer: Membership,
}

#[Object(name = "LeadConnection")]
impl LeadConnection {
    async fn edges(&self) -> &[LeadEdge] {
        &self.edges
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// The leads the filter matches within the caller's scope; a kept
    /// count for the whole organization, one owner or one assistant
    /// (docs/api/leads.md).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, ApiError> {
        let (scope, filter) = &self.counted;
        Ok(services(ctx)
            .store
            .count_leads(self.viewer.org_id, *scope, filter)
            .await?)
    }
}

/// The arguments of `Organization.leads`.
pub struct LeadPageArgs {
    pub first: i32,
    pub after: Option<String>,
    pub owner_id: Option<ID>,
    pub assistant_id: Option<ID>,
    pub unassigned: Option<bool>,
}

/// The page of leads the arguments ask for, within the viewer's scope.
pub async fn lead_page(
    ctx: &Context<'_>,
    viewer: &Membership,
    args: LeadPageArgs,
) -> Result<LeadConnection, ApiError> {
    let scope = LeadScope::for_viewer(viewer, Action::ViewLeads)?;
    let after = args
        .after
        .map(|c| decode_cursor(CURSOR_KIND, &c).map(LeadId))
        .transpose()?;
    let page = PageRequest::new(args.first, after)?;
    // A malformed id is `NOT_FOUND` (no such object), as elsewhere.
    let filter = LeadFilter::new(
        args.owner_id.map(|id| id.parse::<UserId>()).transpose()?,
        args.assistant_id
            .map(|id| id.parse::<AssistantId>())
            .transpose()?,
        args.unassigned,
    )?;
    let page = services(ctx)
        .store
        .list_leads(viewer.org_id, scope, &filter, page)
        .await?;
    prime_lead_page(ctx, &page.items).await?;
    Ok(connection(page, viewer, (scope, filter)))
}

/// Loads what the selection will ask of a page's leads in one batch per
/// kind, instead of trusting the loader's timing window to gather them.
async fn prime_lead_page(ctx: &Context<'_>, leads: &[Lead]) -> Result<(), ApiError> {
    let node = ctx.look_ahead().field("edges").field("node");
    let loader = loader(ctx);
    let owners = async {
        if node.field("owner").exists() {
            let keys = leads
                .iter()
                .filter_map(|l| l.owner_id.map(|o| MemberOfUser(l.org_id, o)));
            loader.load_many(keys).await?;
        }
        if node.field("owner").field("user").exists() {
            loader
                .load_many(leads.iter().filter_map(|l| l.owner_id))
                .await?;
        }
        Ok(())
    };
    let assistants = async {
        if node.field("assistant").exists() {
            loader
                .load_many(leads.iter().filter_map(|l| l.assistant_id))
                .await?;
        }
        Ok(())
    };
    let workspaces = async {
        if node.field("workspace").exists() {
            loader
                .load_many(leads.iter().filter_map(|l| l.workspace_id))
                .await?;
        }
        Ok(())
    };
    futures::try_join!(owners, assistants, workspaces).map_err(load_failed)?;
    Ok(())
}

fn connection(
    page: Slice<Lead>,
    viewer: &Membership,
    counted: (LeadScope, LeadFilter),
) -> LeadConnection {
    let edges: Vec<LeadEdge> = page
        .items
        .into_iter()
        .map(|lead| LeadEdge {
            cursor: encode_cursor(CURSOR_KIND, lead.id.0),
            node: LeadNode {
                lead,
                viewer: viewer.clone(),
            },
        })
        .collect();
    LeadConnection {
        page_info: PageInfo {
            has_next_page: page.has_next_page,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
        counted,
        viewer: viewer.clone(),
    }
}

/// A lead's fields. On `updateLead`, `name` replaces; any other field left
/// out keeps its value and `null` clears it (a cleared status is `NEW`).
/// On `createLead`, a left-out `ownerId` is the caller and `null` leaves
/// the lead unassigned.
#[derive(InputObject)]
pub struct LeadInput {
    name: String,
    email: MaybeUndefined<String>,
    company: MaybeUndefined<String>,
    status: MaybeUndefined<String>,
    owner_id: MaybeUndefined<ID>,
    assistant_id: MaybeUndefined<ID>,
    workspace_id: MaybeUndefined<ID>,
}

/// An id inside a lead's input: a malformed one names nothing of the
/// organization (`VALIDATION`, like an id of another organization).
fn input_id<T: std::str::FromStr>(id: ID, field: &str) -> Result<T, DomainError> {
    id.parse()
        .map_err(|_| DomainError::validation(format!("{field} is not an id")))
}

/// Absent: `None`; null: `Some(None)`; a value: `Some(Some(parsed))`.
fn field<T, U>(
    value: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> Result<U, DomainError>,
) -> Result<Option<Option<U>>, DomainError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => parse(v).map(|u| Some(Some(u))),
    }
}

impl LeadInput {
    /// Every field parsed; bad input changes nothing.
    fn parse(self) -> Result<LeadPatch, DomainError> {
        Ok(LeadPatch {
            name: LeadName::parse(&self.name)?,
            email: field(self.email, |e| Email::parse(&e))?,
            company: field(self.company, |c| LeadCompany::parse(&c))?,
            status: field(self.status, |s| LeadStatus::parse(&s))?,
            owner: field(self.owner_id, |id| input_id::<UserId>(id, "ownerId"))?,
            assistant: field(self.assistant_id, |id| {
                input_id::<AssistantId>(id, "assistantId")
            })?,
            workspace: field(self.workspace_id, |id| {
                input_id::<WorkspaceId>(id, "workspaceId")
            })?,
        })
    }
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Creates a lead. ADMIN: any; MEMBER: one it may edit afterwards (its
    /// own, or of an assistant it manages or that assistant's users), else
    /// `FORBIDDEN`. The owner must be an ACTIVE member (`VALIDATION`).
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::EditLeads)")]
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        input: LeadInput,
    ) -> Result<LeadNode, ApiError> {
        let patch = input.parse()?;
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let lead = NewLead {
            id: LeadId::new(),
            org: viewer.org_id,
            name: patch.name,
            email: patch.email.flatten(),
            company: patch.company.flatten(),
            status: patch.status.flatten(),
            owner: patch.owner.unwrap_or(Some(viewer.user_id)),
            assistant: patch.assistant.flatten(),
            workspace: patch.workspace.flatten(),
        };
        let s = services(ctx);
        let lead = s.store.create_lead(lead, &viewer, s.clock.now()).await?;
        Ok(LeadNode { lead, viewer })
    }

    /// Changes a lead the caller may edit (else `NOT_FOUND`), into one it
    /// may still edit (else `FORBIDDEN`).
    #[graphql(guard = "OrgGuard::on(OrgOf::lead(&id), Action::EditLeads)")]
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: LeadInput,
    ) -> Result<LeadNode, ApiError> {
        let patch = input.parse()?;
        let viewer = membership(ctx, OrgOf::lead(&id).resolve(ctx).await?).await?;
        let s = services(ctx);
        let lead = s
            .store
            .update_lead(id.parse()?, patch, &viewer, s.clock.now())
            .await?;
        Ok(LeadNode { lead, viewer })
    }
}
