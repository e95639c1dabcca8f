//! The webhook-delivery job (rules.md §9): one attempt to deliver one
//! membership event to one endpoint, signed as the Standard Webhooks
//! specification says. The event's transaction enqueued the first attempt;
//! each attempt is recorded (status, or none when no answer came, and how
//! long it took) in a transaction that also enqueues the next attempt with
//! exponential backoff, or disables the endpoint (410 Gone, or failing for
//! the whole retry window).
//!
//! `webhook-id` is the event's id, the same on every attempt, so a
//! receiver that saw it already can drop a repeat. Redirects are not
//! followed (a 3xx is a failure), and the address connected to is checked
//! by the client's resolver itself, so a name that resolves to a public
//! address when the endpoint is created and to a private one later (DNS
//! rebinding) is refused at send time. Proxies from the environment are
//! ignored (docs/api/webhooks.md: only `ROSTER_WEBHOOK_PROXY` is used).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_domain::webhook::{
    AttemptResult, RetryPolicy, WebhookAttempt, WebhookSend, WebhookTask, WebhookUrl,
    check_addresses,
};
use roster_domain::{Clock, DomainError, Store};

use apalis::prelude::Attempt;

use crate::workers::{JobResult, QueueJob};

/// How deliveries are sent and retried.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Whether private, loopback and link-local addresses (and plain
    /// http) may be delivered to: development and tests only.
    pub allow_private: bool,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// An egress proxy every delivery goes through
    /// (`ROSTER_WEBHOOK_PROXY`): it then decides which addresses may be
    /// reached. Proxies named in the environment (`HTTPS_PROXY`…) are
    /// never used: they would connect around the address check.
    pub proxy: Option<String>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            proxy: None,
        }
    }
}

/// What the webhook worker holds: the store, the clock, and one HTTP
/// client whose resolver refuses private addresses.
pub struct WebhookSender {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: WebhookSettings,
    client: reqwest::Client,
}

/// Resolves names as the system does, then refuses the answer unless every
/// address is allowed: the check is on the addresses actually connected to.
struct CheckedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
            check_addresses(&ips, allow_private)?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

impl WebhookSender {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: WebhookSettings,
    ) -> anyhow::Result<Self> {
        let builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Roster-Webhooks/", env!("CARGO_PKG_VERSION")));
        let client = match &settings.proxy {
            // The proxy resolves and connects; ours only finds the proxy.
            Some(proxy) => builder.proxy(reqwest::Proxy::all(proxy)?),
            None => builder.no_proxy().dns_resolver(Arc::new(CheckedResolver {
                allow_private: settings.allow_private,
            })),
        }
        .build()?;
        Ok(Self {
            store,
            clock,
            settings,
            client,
        })
    }

    /// One POST of `send`; the status, or `None` when no answer came (or
    /// the address was refused).
    async fn post(&self, task: &WebhookTask, send: &WebhookSend) -> Option<u16> {
        // The URL again, as it is now allowed: an address given literally
        // never reaches the resolver.
        let url = WebhookUrl::parse(&send.url, self.settings.allow_private).ok()?;
        if let Ok(ip) = url.host().parse::<IpAddr>()
            && check_addresses(&[ip], self.settings.allow_private).is_err()
        {
            tracing::warn!("webhook address refused");
            return None;
        }
        let body = serde_json::to_vec(&send.body()).ok()?;
        let msg_id = task.event_id.to_string();
        let timestamp = self.clock.now().timestamp();
        let signature = send.secret.sign(&msg_id, timestamp, &body);
        let answer = self
            .client
            .post(url.as_str())
            .header("content-type", "application/json")
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match answer {
            Ok(response) => Some(response.status().as_u16()),
            Err(e) => {
                tracing::info!(error = %e, "webhook not answered");
                None
            }
        }
    }

    /// Runs `task` once: nothing when its endpoint is gone or disabled (or
    /// the event purged), else one attempt, recorded.
    #[tracing::instrument(skip_all, fields(endpoint = %task.endpoint_id, event = %task.event_id, attempt = task.attempt))]
    pub async fn deliver(&self, task: &WebhookTask) -> Result<Option<AttemptResult>, DomainError> {
        let Some(send) = self.store.webhook_send(task).await? else {
            tracing::info!("endpoint gone or disabled, or event purged; nothing to send");
            return Ok(None);
        };
        let started = Instant::now();
        let status = self.post(task, &send).await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).ok();
        let attempt = WebhookAttempt {
            task: task.clone(),
            status,
            duration_ms,
            at: self.clock.now(),
        };
        let result = self
            .store
            .record_webhook_attempt(attempt, &self.settings.retry)
            .await?;
        tracing::info!(?status, ?result, "webhook attempt");
        Ok(Some(result))
    }
}

/// The queue's job: an answer of any kind is recorded and decided by
/// the store (the retry is a new task); only a store failure is an error,
/// retried by the queue (so an attempt may repeat: receivers deduplicate
/// by `webhook-id`).
impl QueueJob for WebhookTask {
    const QUEUE: &'static str = WebhookTask::QUEUE;
    type Data = WebhookSender;

    async fn run(self, sender: Arc<WebhookSender>, _: Attempt) -> JobResult {
        sender.deliver(&self).await.map(|_| ()).map_err(|e| {
            tracing::warn!(error = %e, "webhook delivery failed; will retry");
            e.into()
        })
    }
}
