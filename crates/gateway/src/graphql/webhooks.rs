//! Webhooks (rules.md §9): `createWebhookEndpoint`, `deleteWebhookEndpoint`
//! and `Organization.webhookEndpoints` with each endpoint's recent
//! `deliveries`. The table has no row of its own for them: they are
//! settings of the organization, so the guards read "edit organization
//! info and settings" (ADMIN). The URL is checked here (https, and a host
//! that resolves to public addresses only, unless the configuration
//! allows private ones); the worker checks the address again at each send.

use std::net::IpAddr;
use std::time::Duration;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use roster_domain::permission::Action;
use roster_domain::webhook::{
    KEPT_DELIVERIES, NewWebhookEndpoint, SigningSecret, WebhookDelivery, WebhookEndpoint,
    WebhookUrl, check_addresses, parse_events,
};
use roster_domain::{DomainError, OrgId, WebhookEndpointId};

use super::context::{loader, membership, services};
use super::cost;
use super::guards::{OrgGuard, OrgOf};
use super::loaders::{DeliveriesOf, WebhookEndpointsOf, load_failed};
use crate::error::ApiError;

/// How long resolving an endpoint's host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// One attempt to deliver an event.
#[derive(SimpleObject)]
#[graphql(name = "WebhookDelivery")]
pub struct WebhookDeliveryNode {
    id: ID,
    event_id: ID,
    attempt: i32,
    /// HTTP status, null when no answer.
    status: Option<i32>,
    duration_ms: Option<i64>,
    at: DateTime<Utc>,
}

impl From<WebhookDelivery> for WebhookDeliveryNode {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: ID(d.id.to_string()),
            event_id: ID(d.event_id.to_string()),
            attempt: d.attempt,
            status: d.status,
            duration_ms: d.duration_ms,
            at: d.at,
        }
    }
}

/// An endpoint, for those who may see it (the field that leads here is
/// guarded).
pub struct WebhookEndpointNode(WebhookEndpoint);

#[Object(name = "WebhookEndpoint")]
impl WebhookEndpointNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// Event actions delivered; empty means all.
    async fn events(&self) -> &[String] {
        &self.0.events
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The most recent attempts, newest first (at most 100 are kept).
    #[graphql(complexity = "cost::page(first, child_complexity)?")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
    ) -> Result<Vec<WebhookDeliveryNode>, ApiError> {
        let first = first.unwrap_or(20);
        let first = usize::try_from(first)
            .ok()
            .filter(|n| *n as i64 <= KEPT_DELIVERIES)
            .ok_or_else(|| {
                DomainError::validation(format!("first must be between 0 and {KEPT_DELIVERIES}"))
            })?;
        let found = loader(ctx)
            .load_one(DeliveriesOf(self.0.id))
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(found.into_iter().take(first).map(Into::into).collect())
    }
}

/// An endpoint just made, with its signing secret: shown this once.
#[derive(SimpleObject)]
#[graphql(name = "WebhookEndpointCreated")]
pub struct WebhookEndpointCreatedNode {
    endpoint: WebhookEndpointNode,
    /// `whsec_` + base64 of the key (the Standard Webhooks form).
    secret: String,
}

/// The endpoints of `org`, oldest first.
pub async fn webhook_endpoints(
    ctx: &Context<'_>,
    org: OrgId,
) -> Result<Vec<WebhookEndpointNode>, ApiError> {
    let found = loader(ctx)
        .load_one(WebhookEndpointsOf(org))
        .await
        .map_err(load_failed)?
        .unwrap_or_default();
    Ok(found.into_iter().map(WebhookEndpointNode).collect())
}

/// The addresses `url`'s host resolves to now (none if it does not).
async fn resolve(url: &WebhookUrl) -> Vec<IpAddr> {
    let lookup = tokio::net::lookup_host((url.host(), url.port()));
    match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Adds an endpoint that receives the organization's events (`events`:
    /// audit actions, none for all), signed with the returned secret.
    /// `VALIDATION` for a URL that is not https or points at a private,
    /// loopback or link-local address, an unknown event, or more than 10
    /// endpoints.
    #[graphql(guard = "OrgGuard::new(&organization_id, Action::EditOrgInfo)")]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        url: String,
        events: Option<Vec<String>>,
    ) -> Result<WebhookEndpointCreatedNode, ApiError> {
        let viewer = membership(ctx, organization_id.parse()?).await?;
        let s = services(ctx);
        let allow_private = s.config.webhooks_allow_private;
        let url = WebhookUrl::parse(&url, allow_private)?;
        let events = parse_events(&events.unwrap_or_default())?;
        check_addresses(&resolve(&url).await, allow_private)?;
        let secret = SigningSecret::generate();
        let new = NewWebhookEndpoint {
            id: WebhookEndpointId::new(),
            org: viewer.org_id,
            url,
            events,
            secret: secret.clone(),
            now: s.clock.now(),
        };
        let endpoint = s.store.create_webhook_endpoint(new, &viewer).await?;
        Ok(WebhookEndpointCreatedNode {
            endpoint: WebhookEndpointNode(endpoint),
            secret: secret.to_whsec(),
        })
    }

    /// Removes an endpoint; its pending deliveries are dropped.
    #[graphql(guard = "OrgGuard::on(OrgOf::webhook_endpoint(&id), Action::EditOrgInfo)")]
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<bool, ApiError> {
        let id: WebhookEndpointId = id.parse()?;
        let org = OrgOf::WebhookEndpoint(id).resolve(ctx).await?;
        let viewer = membership(ctx, org).await?;
        let s = services(ctx);
        s.store
            .delete_webhook_endpoint(id, &viewer, s.clock.now())
            .await?;
        Ok(true)
    }
}
