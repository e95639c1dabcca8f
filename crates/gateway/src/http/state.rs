//! What the router serves from: the services, the engine, and the
//! process's shutdown and worker signals.

use std::sync::Arc;

use axum::extract::FromRef;
use roster_domain::live::LiveItem;
use roster_domain::{Clock, Store};
use tokio::sync::{broadcast, watch};

use crate::auth::passwords::Passwords;
use crate::auth::tokens::AccessTokens;
use crate::client_addr::TrustedProxies;
use crate::config::GatewayConfig;
use crate::engine::Engine;
use crate::graphql::Services;

/// What the router serves from.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// The schema, and what runs around it: the only way an operation runs.
    pub(super) engine: Arc<Engine>,
    /// Set when the server shuts down: live sockets close with 1001 (axum's
    /// graceful shutdown does not wait for upgraded connections).
    pub(super) shutdown: Arc<watch::Sender<bool>>,
    /// Whether this process's workers run (`roster serve` with embedded
    /// workers); `None` when it has none.
    pub(super) workers: Option<watch::Receiver<bool>>,
}

impl AppState {
    /// `live`: this process's feed of committed events
    /// (`roster_store::Database::live_events`).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: GatewayConfig,
        live: broadcast::Sender<LiveItem>,
    ) -> Self {
        let tokens = AccessTokens::new(
            store.clone(),
            &config.jwt_secret,
            &config.issuer,
            config.access_token_ttl,
        );
        let services = Arc::new(Services {
            store,
            clock,
            tokens,
            passwords: Passwords::with_limits(config.hashing),
            config,
            live,
        });
        let engine = Arc::new(Engine::new(services.clone()));
        crate::metrics::handle();
        Self {
            services,
            engine,
            shutdown: Arc::new(watch::channel(false).0),
            workers: None,
        }
    }

    /// Reads the token-signing keys, making the first one if there is none
    /// (docs/operations/upgrades.md: HS256 tokens are accepted one token
    /// lifetime from then); fails when `ROSTER_JWT_SECRET` does not open
    /// them.
    pub async fn load_signing_keys(&self) -> Result<(), roster_domain::DomainError> {
        let now = self.services.clock.now();
        self.services.tokens.keys().current(now).await.map(|_| ())
    }

    /// `/readyz` answers 503 while `up` says this process's workers are
    /// down (`roster_worker::supervise::supervise`).
    pub fn with_workers(mut self, up: watch::Receiver<bool>) -> Self {
        self.workers = Some(up);
        self
    }

    /// Closes every live socket with 1001 (going away); call it when the
    /// server starts its graceful shutdown.
    pub fn close_live_connections(&self) {
        self.shutdown.send_replace(true);
    }
}

/// What `ClientAddr` reads (`crate::client_addr`).
impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.services.config.trusted_proxies.clone()
    }
}
