//! Webhooks (rules.md §9): an organization's endpoints, and the signed
//! deliveries of its membership events to them (the Standard Webhooks
//! specification: `webhook-id`, `webhook-timestamp`, `webhook-signature`).
//!
//! Every audit event is a membership event; its delivery tasks are
//! enqueued in the event's own transaction, one per enabled endpoint
//! subscribed to its action. The worker sends each, and retries a failure
//! with exponential backoff for a day.

use std::net::IpAddr;
use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::Result;
use crate::model::Membership;
use crate::{DomainError, OrgId, UserId, WebhookEndpointId};

/// The actions an endpoint may subscribe to: every audit action.
pub const EVENTS: &[&str] = &[
    "assistant.created",
    "assistant.manager_set",
    "assistant.manager_unset",
    "assistant.users_changed",
    "billing.email_changed",
    "invitation.accepted",
    "invitation.created",
    "invitation.declined",
    "invitation.expired",
    "invitation.resent",
    "invitation.revoked",
    "member.blocked",
    "member.removed",
    "member.role_changed",
    "member.unblocked",
    "member.workspaces_changed",
    "organization.created",
    "organization.deleted",
    "organization.restored",
    "organization.updated",
    "ownership.transfer_canceled",
    "ownership.transfer_requested",
    "ownership.transferred",
    "plan.changed",
    "subscription.canceled",
    "subscription.ended",
    "subscription.reactivated",
    "webhook.created",
    "webhook.deleted",
    "webhook.disabled",
    "workspace.created",
    "workspace.deleted",
    "workspace.renamed",
];

/// Endpoints one organization may have.
pub const MAX_ENDPOINTS: i64 = 10;
/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;
/// Delivery attempts kept per endpoint (older ones are pruned when one is
/// recorded); also the most `deliveries(first:)` returns.
pub const KEPT_DELIVERIES: i64 = 100;

/// An endpoint as the API shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub org_id: OrgId,
    pub url: String,
    /// Subscribed actions; empty means all.
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// One attempt to deliver an event to an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: uuid::Uuid,
    pub attempt: i32,
    /// The HTTP status; `None` when no answer came (refused, timed out).
    pub status: Option<i32>,
    pub duration_ms: Option<i64>,
    pub at: DateTime<Utc>,
}

/// An endpoint's URL, checked for its form: `https` (or `http` where
/// private addresses are allowed: development and tests), a host, no
/// credentials. Where the host points is checked separately
/// ([`check_addresses`]), when it is created and again at every send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(s: &str, allow_private: bool) -> Result<Self> {
        let invalid = |why: &str| DomainError::validation(format!("url: {why}"));
        if s.chars().count() > MAX_URL_CHARS {
            return Err(invalid("too long"));
        }
        let url = url::Url::parse(s.trim()).map_err(|_| invalid("not a valid URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err(invalid("must be https")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not hold credentials"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(invalid("has no host")),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| invalid("has no port"))?;
        Ok(Self {
            url: url.to_string(),
            host,
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
    /// The host to resolve (a name, or an address without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Whether `ip` is an address on the public internet: not loopback,
/// private, link-local, shared (CGNAT), unspecified, broadcast, multicast
/// or documentation, in IPv4 or IPv6 (an IPv4-mapped IPv6 address is
/// judged as its IPv4 address).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The addresses a URL's host resolved to must all be public, unless
/// private ones are allowed; a host that resolves to nothing is refused.
pub fn check_addresses(addrs: &[IpAddr], allow_private: bool) -> Result<()> {
    if addrs.is_empty() {
        return Err(DomainError::validation("url: the host does not resolve"));
    }
    if !allow_private && addrs.iter().any(|ip| !is_public(*ip)) {
        return Err(DomainError::validation(
            "url: the host is a private, loopback or link-local address",
        ));
    }
    Ok(())
}

/// The subscribed actions: each must be one of [`EVENTS`]; duplicates are
/// dropped, order kept; none means all.
pub fn parse_events(given: &[String]) -> Result<Vec<String>> {
    let mut events: Vec<String> = Vec::new();
    for e in given {
        if !EVENTS.contains(&e.as_str()) {
            return Err(DomainError::validation(format!(
                "events: unknown event {e:?}"
            )));
        }
        if !events.contains(e) {
            events.push(e.clone());
        }
    }
    Ok(events)
}

/// An endpoint's signing key: 32 random bytes. The store keeps it (the
/// worker signs with it); the client sees it once, as `whsec_` + base64.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key as the store keeps it (base64).
    pub fn to_stored(&self) -> String {
        STANDARD.encode(&self.0)
    }

    pub fn from_stored(stored: &str) -> Result<Self> {
        STANDARD
            .decode(stored)
            .map(Self)
            .map_err(DomainError::internal)
    }

    /// The key as the client sees it, once.
    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", self.to_stored())
    }

    /// The `webhook-signature` header: `v1,` + base64 of the HMAC-SHA256
    /// of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// An endpoint to create.
#[derive(Clone, Debug)]
pub struct NewWebhookEndpoint {
    pub id: WebhookEndpointId,
    pub org: OrgId,
    pub url: WebhookUrl,
    pub events: Vec<String>,
    pub secret: SigningSecret,
    pub now: DateTime<Utc>,
}

/// The apalis task of one delivery: ids, the attempt, and when the first
/// attempt was due (the day of retries counts from it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTask {
    pub endpoint_id: WebhookEndpointId,
    pub event_id: uuid::Uuid,
    pub attempt: i32,
    pub first_at: DateTime<Utc>,
}

impl WebhookTask {
    pub const QUEUE: &'static str = "webhook-delivery";
}

/// What the worker needs to send a task: where, with which key, and the
/// event. `None` from the store when the endpoint is gone or disabled, or
/// the event was purged.
#[derive(Clone, Debug)]
pub struct WebhookSend {
    pub url: String,
    pub secret: SigningSecret,
    pub event: crate::model::AuditEvent,
}

impl WebhookSend {
    /// The request body: `{"type", "timestamp", "data": {...}}`.
    pub fn body(&self) -> serde_json::Value {
        let e = &self.event;
        let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        serde_json::json!({
            "type": e.action,
            "timestamp": at,
            "data": {
                "id": e.id.to_string(),
                "organizationId": e.org_id.to_string(),
                "action": e.action,
                "userId": e.target_user_id.map(|u: UserId| u.to_string()),
                "actorId": e.actor_id.map(|u: UserId| u.to_string()),
                "at": at,
            },
        })
    }
}

/// How deliveries are retried: after failed attempt `n` (from 1) the next
/// waits `base × 2^(n-1)`, at most `max_delay`, while the first attempt
/// is less than `window` ago; an endpoint failing for `window` (or
/// answering 410 Gone) is disabled.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_delay: Duration,
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            max_delay: Duration::from_secs(2 * 3600),
            window: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait before the attempt after failed attempt `attempt`.
    pub fn delay(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.base
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// Whether a run that began at `since` has lasted the whole window.
    pub fn expired(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        chrono::Duration::from_std(self.window).is_ok_and(|w| now - since >= w)
    }
}

/// What an answer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx.
    Delivered,
    /// 410: the receiver asks to be forgotten; disabled at once.
    Gone,
    /// Anything else, or no answer: retried.
    Failed,
}

impl AttemptOutcome {
    pub fn of(status: Option<u16>) -> Self {
        match status {
            Some(200..=299) => Self::Delivered,
            Some(410) => Self::Gone,
            _ => Self::Failed,
        }
    }
}

/// One attempt as the worker made it.
#[derive(Clone, Debug)]
pub struct WebhookAttempt {
    pub task: WebhookTask,
    pub status: Option<u16>,
    pub duration_ms: Option<i64>,
    pub at: DateTime<Utc>,
}

/// What recording an attempt decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    /// Another attempt is enqueued after this delay.
    Retrying(Duration),
    /// The endpoint was disabled (410, or failing for the whole window).
    Disabled,
    /// The window is over: this event is given up.
    GaveUp,
}

/// The webhook operations of the store. Managing endpoints is one
/// transaction under the organization's lock that reads the caller again
/// and writes an audit event; recording an attempt is one transaction that
/// also enqueues the retry or disables the endpoint (with its audit event).
#[async_trait::async_trait]
pub trait WebhookStore: Send + Sync {
    /// At most [`MAX_ENDPOINTS`] per organization (`VALIDATION`).
    async fn create_webhook_endpoint(
        &self,
        new: NewWebhookEndpoint,
        actor: &Membership,
    ) -> Result<WebhookEndpoint>;
    /// `NOT_FOUND` when it is not an endpoint of the actor's organization.
    async fn delete_webhook_endpoint(
        &self,
        id: WebhookEndpointId,
        actor: &Membership,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn webhook_endpoints_by_ids(
        &self,
        ids: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookEndpoint>>;
    /// The endpoints of the given organizations, oldest first.
    async fn webhook_endpoints_of(&self, orgs: &[OrgId]) -> Result<Vec<WebhookEndpoint>>;
    /// The kept attempts of the given endpoints, newest first.
    async fn webhook_deliveries_of(
        &self,
        endpoints: &[WebhookEndpointId],
    ) -> Result<Vec<WebhookDelivery>>;
    /// For the worker: what to send for `task`, if it is still due.
    async fn webhook_send(&self, task: &WebhookTask) -> Result<Option<WebhookSend>>;
    /// For the worker: records `attempt` and decides what follows.
    async fn record_webhook_attempt(
        &self,
        attempt: WebhookAttempt,
        policy: &RetryPolicy,
    ) -> Result<AttemptResult>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_unless_private_is_allowed() {
        assert!(WebhookUrl::parse("https://hooks.example.com/x", false).is_ok());
        assert!(WebhookUrl::parse("http://hooks.example.com/x", false).is_err());
        assert!(WebhookUrl::parse("http://127.0.0.1:9/x", true).is_ok());
        assert!(WebhookUrl::parse("ftp://hooks.example.com/x", true).is_err());
        assert!(WebhookUrl::parse("https://u:p@hooks.example.com/x", false).is_err());
        let u = WebhookUrl::parse("https://[::1]:8443/x", false).unwrap();
        assert_eq!((u.host(), u.port()), ("::1", 8443));
    }

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        assert!(check_addresses(&[], true).is_err());
        assert!(check_addresses(&["127.0.0.1".parse().unwrap()], true).is_ok());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1), Duration::from_secs(5));
        assert_eq!(p.delay(3), Duration::from_secs(20));
        assert_eq!(p.delay(40), Duration::from_secs(7200));
    }

    #[test]
    fn answers_mean_what_the_spec_says() {
        assert_eq!(AttemptOutcome::of(Some(204)), AttemptOutcome::Delivered);
        assert_eq!(AttemptOutcome::of(Some(410)), AttemptOutcome::Gone);
        assert_eq!(AttemptOutcome::of(Some(500)), AttemptOutcome::Failed);
        assert_eq!(AttemptOutcome::of(Some(301)), AttemptOutcome::Failed);
        assert_eq!(AttemptOutcome::of(None), AttemptOutcome::Failed);
    }

    #[test]
    fn unknown_events_are_refused() {
        assert!(parse_events(&["member.nope".into()]).is_err());
        let e = parse_events(&["member.removed".into(), "member.removed".into()]).unwrap();
        assert_eq!(e, vec!["member.removed".to_owned()]);
    }
}
