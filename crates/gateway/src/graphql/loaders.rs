//! What the per-request batching loader (`batch::BatchLoader`) loads, by
//! key type: users, organizations, seat counts and the rest each load in
//! one query per batch; the viewer's own memberships are kept beside them.

use std::collections::HashMap;
use std::sync::Arc;

use roster_domain::invitation::Invitation;
use roster_domain::lead::Lead;
use roster_domain::model::{Assistant, AssistantSeat, Membership, Organization, User, Workspace};
use roster_domain::{
    AssistantId, Clock, DomainError, InvitationId, LeadId, MemberId, OrgId, Store, UserId,
    WorkspaceId,
};

pub struct StoreLoader {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The user the token names; read only once its session is checked.
    pub viewer: Option<UserId>,
    /// The viewer's memberships read so far (`viewer_in`).
    pub viewer_in: tokio::sync::Mutex<HashMap<OrgId, Option<(Membership, Organization)>>>,
}

/// Seats in use in an organization.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeatsOf(pub OrgId);

/// Loader errors are shared between waiters, hence the `Arc`.
pub type LoadError = Arc<DomainError>;

/// A failed load, as the error of the field that waited on it.
pub fn load_failed(e: LoadError) -> DomainError {
    #[derive(Debug)]
    struct Shared(LoadError);
    impl std::fmt::Display for Shared {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "load failed: {}", self.0)
        }
    }
    impl std::error::Error for Shared {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            std::error::Error::source(&*self.0)
        }
    }
    DomainError::internal(Shared(e))
}

impl async_graphql::dataloader::Loader<UserId> for StoreLoader {
    type Value = User;
    type Error = LoadError;
    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, User>, LoadError> {
        let users = self.store.users_by_ids(keys).await?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

impl async_graphql::dataloader::Loader<OrgId> for StoreLoader {
    type Value = Organization;
    type Error = LoadError;
    async fn load(&self, keys: &[OrgId]) -> Result<HashMap<OrgId, Organization>, LoadError> {
        let orgs = self.store.organizations_by_ids(keys).await?;
        Ok(orgs.into_iter().map(|o| (o.id, o)).collect())
    }
}

impl async_graphql::dataloader::Loader<SeatsOf> for StoreLoader {
    type Value = i64;
    type Error = LoadError;
    async fn load(&self, keys: &[SeatsOf]) -> Result<HashMap<SeatsOf, i64>, LoadError> {
        let orgs: Vec<OrgId> = keys.iter().map(|k| k.0).collect();
        let seats = self.store.seats_used(&orgs).await?;
        Ok(seats
            .into_iter()
            .map(|(org, n)| (SeatsOf(org), n))
            .collect())
    }
}

impl StoreLoader {
    /// The viewer's membership in `org` (any status) with its
    /// organization, read once per request and kept: straight from the
    /// store, as a guard asks for one key with nothing to batch it with.
    /// Also records the viewer's activity (at most once a minute per
    /// membership).
    pub async fn viewer_in(
        &self,
        org: OrgId,
    ) -> Result<Option<(Membership, Organization)>, DomainError> {
        let mut known = self.viewer_in.lock().await;
        if let Some(found) = known.get(&org) {
            return Ok(found.clone());
        }
        let Some(user) = self.viewer else {
            return Ok(None);
        };
        let found = self
            .store
            .memberships_with_orgs(user, &[org])
            .await?
            .into_iter()
            .next();
        self.remember(&mut known, org, found).await
    }

    /// Forgets the viewer's memberships read so far: the viewer is being
    /// checked again (the next root field of a mutation).
    pub async fn forget_viewer_in(&self) {
        self.viewer_in.lock().await.clear();
    }

    /// Keeps the viewer's membership in `org` (or its absence), read with
    /// the viewer's session (`MemberPageStore::session_membership`).
    pub async fn remember_viewer_in(
        &self,
        org: OrgId,
        found: Option<(Membership, Organization)>,
    ) -> Result<(), DomainError> {
        let mut known = self.viewer_in.lock().await;
        self.remember(&mut known, org, found).await.map(drop)
    }

    async fn remember(
        &self,
        known: &mut HashMap<OrgId, Option<(Membership, Organization)>>,
        org: OrgId,
        found: Option<(Membership, Organization)>,
    ) -> Result<Option<(Membership, Organization)>, DomainError> {
        let now = self.clock.now();
        if let Some((m, _)) = &found
            && m.activity_is_stale(now)
        {
            self.store.touch_membership(m.id, now).await?;
        }
        known.insert(org, found.clone());
        Ok(found)
    }
}

macro_rules! by_id_loader {
    ($key:ty, $value:ty, $method:ident) => {
        impl async_graphql::dataloader::Loader<$key> for StoreLoader {
            type Value = $value;
            type Error = LoadError;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let found = self.store.$method(keys).await?;
                Ok(found.into_iter().map(|v| (v.id, v)).collect())
            }
        }
    };
}

by_id_loader!(WorkspaceId, Workspace, workspaces_by_ids);
by_id_loader!(AssistantId, Assistant, assistants_by_ids);
by_id_loader!(InvitationId, Invitation, invitations_by_ids);
by_id_loader!(roster_domain::JobId, roster_domain::job::Job, jobs_by_ids);
by_id_loader!(
    roster_domain::WebhookEndpointId,
    roster_domain::webhook::WebhookEndpoint,
    webhook_endpoints_by_ids
);

/// Groups `(key, value)` rows under their key; every asked key answers,
/// with an empty list when it has no rows.
pub(super) fn grouped<K: Copy + Eq + std::hash::Hash, V>(
    keys: &[K],
    rows: impl IntoIterator<Item = (K, V)>,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for (k, v) in rows {
        map.entry(k).or_default().push(v);
    }
    map
}

macro_rules! list_loader {
    ($(#[$doc:meta])* $key:ident($id:ty) => $value:ty, |$store:ident, $ids:ident| $fetch:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub $id);

        impl async_graphql::dataloader::Loader<$key> for StoreLoader {
            type Value = Vec<$value>;
            type Error = LoadError;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$value>>, LoadError> {
                let $store = &self.store;
                let $ids: Vec<$id> = keys.iter().map(|k| k.0).collect();
                let rows = $fetch;
                Ok(grouped(keys, rows.into_iter().map(|(k, v)| ($key(k), v))))
            }
        }
    };
}

list_loader!(/// A member's workspaces.
    WorkspacesOf(MemberId) => Workspace, |store, ids| store.member_workspaces(&ids).await?);
list_loader!(/// A member's assistant places.
    AssistantsOf(MemberId) => (AssistantSeat, Assistant),
    |store, ids| store.member_assistants(&ids).await?.into_iter().map(|(s, a)| (s.member_id, (s, a))));
list_loader!(/// The members of a workspace.
    MembersOfWorkspace(WorkspaceId) => Membership, |store, ids| store.workspace_members(&ids).await?);
list_loader!(/// The members placed on an assistant.
    MembersOfAssistant(AssistantId) => (AssistantSeat, Membership),
    |store, ids| store.assistant_members(&ids).await?.into_iter().map(|(s, m)| (s.assistant_id, (s, m))));
list_loader!(/// The workspaces an invitation names.
    WorkspacesOfInvitation(InvitationId) => Workspace, |store, ids| store.invitation_workspaces(&ids).await?);
list_loader!(/// The assistants an invitation names.
    AssistantsOfInvitation(InvitationId) => Assistant, |store, ids| store.invitation_assistants(&ids).await?);
list_loader!(/// An organization's invoices, newest first.
    InvoicesOf(OrgId) => roster_domain::billing::Invoice,
    |store, ids| store.invoices_of(&ids).await?.into_iter().map(|i| (i.org_id, i)));

/// The pending ownership transfer of an organization (lapsed ones are not).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PendingTransferOf(pub OrgId);

impl async_graphql::dataloader::Loader<PendingTransferOf> for StoreLoader {
    type Value = roster_domain::ownership::OwnershipTransfer;
    type Error = LoadError;
    async fn load(
        &self,
        keys: &[PendingTransferOf],
    ) -> Result<HashMap<PendingTransferOf, Self::Value>, LoadError> {
        let orgs: Vec<OrgId> = keys.iter().map(|k| k.0).collect();
        let pending = self.store.pending_ownership_transfers(&orgs).await?;
        Ok(pending
            .into_iter()
            .map(|t| (PendingTransferOf(t.org_id), t))
            .collect())
    }
}

by_id_loader!(LeadId, Lead, leads_by_ids);

/// A user's membership in an organization (a lead's owner).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberOfUser(pub OrgId, pub UserId);

impl async_graphql::dataloader::Loader<MemberOfUser> for StoreLoader {
    type Value = Membership;
    type Error = LoadError;
    /// One statement per organization in the batch (a page of leads has
    /// one).
    async fn load(
        &self,
        keys: &[MemberOfUser],
    ) -> Result<HashMap<MemberOfUser, Membership>, LoadError> {
        let mut orgs: Vec<OrgId> = keys.iter().map(|k| k.0).collect();
        orgs.sort();
        orgs.dedup();
        let mut found = HashMap::new();
        for org in orgs {
            let users: Vec<UserId> = keys.iter().filter(|k| k.0 == org).map(|k| k.1).collect();
            for m in self.store.members_by_users(org, &users).await? {
                found.insert(MemberOfUser(org, m.user_id), m);
            }
        }
        Ok(found)
    }
}
list_loader!(/// An organization's webhook endpoints, oldest first.
    WebhookEndpointsOf(OrgId) => roster_domain::webhook::WebhookEndpoint,
    |store, ids| store.webhook_endpoints_of(&ids).await?.into_iter().map(|e| (e.org_id, e)));
list_loader!(/// An endpoint's kept delivery attempts, newest first.
    DeliveriesOf(roster_domain::WebhookEndpointId) => roster_domain::webhook::WebhookDelivery,
    |store, ids| store.webhook_deliveries_of(&ids).await?.into_iter().map(|d| (d.endpoint_id, d)));
