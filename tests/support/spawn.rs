//! Starting a test app: a fresh database (a SQLite file, or a PostgreSQL
//! database of its own), migrated, with the job queue's tables; a gateway
//! serving the real router on port 0, more gateways over the same
//! database on request; the SMTP sink; the workers unless the test runs
//! them itself.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use roster_domain::ManualClock;
use roster_gateway::{AppState, GatewayConfig};
use roster_store::Database;

use crate::postgres::PostgresDatabase;
use crate::{Backend, JWT_SECRET, METRICS_TOKEN, TestApp, smtp_sink};

impl TestApp {
    /// The gateway and the workers. `None` for PostgreSQL when
    /// `ROSTER_TEST_POSTGRES_URL` is unset.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, true, |_| {}).await
    }

    /// The gateway alone: nothing runs that the test did not ask for.
    pub async fn spawn_without_worker(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, false, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        worker: bool,
        configure: impl FnOnce(&mut GatewayConfig),
    ) -> Option<Self> {
        if std::env::var_os("ROSTER_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    std::env::var("ROSTER_TEST_LOG").unwrap_or_default(),
                ))
                .with_test_writer()
                .try_init();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, postgres) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("roster.db").display()),
                None,
            ),
            Backend::Postgres => {
                let pg = PostgresDatabase::create().await?;
                (pg.url.clone(), Some(pg))
            }
        };
        let db = Database::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        roster_worker::setup(&db).await.expect("job queue");
        let clock = ManualClock::new(Utc::now());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = GatewayConfig::new(JWT_SECRET.as_bytes().to_vec(), base.clone());
        // Webhook receivers in tests listen on loopback (a test of the
        // refusal turns this off again).
        config.webhooks_allow_private = true;
        config.metrics_token = Some(METRICS_TOKEN.to_owned());
        configure(&mut config);
        let gateway = serve_gateway(listener, &db, &clock, config);
        let mail = smtp_sink::SmtpSink::start().await;
        let invite_url = roster_worker::invite_url::InviteUrl::accept_page(&base);
        let app = Self {
            base,
            mail,
            clock,
            db,
            url,
            invite_url,
            http: reqwest::Client::new(),
            gateway,
            _dir: dir,
            _postgres: postgres,
        };
        if worker {
            app.start_worker();
        }
        Some(app)
    }

    /// Another gateway over this app's database and clock, as a second
    /// process behind a load balancer would be; its base URL.
    pub async fn spawn_gateway(&self, configure: impl FnOnce(&mut GatewayConfig)) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // One deployment: the same public URL (the tokens' issuer).
        let mut config = GatewayConfig::new(JWT_SECRET.as_bytes().to_vec(), self.base.clone());
        config.webhooks_allow_private = true;
        config.metrics_token = Some(METRICS_TOKEN.to_owned());
        configure(&mut config);
        let _ = serve_gateway(listener, &self.db, &self.clock, config);
        base
    }

    /// What `roster serve` does when it shuts down: live sockets close
    /// with 1001.
    pub fn close_live_connections(&self) {
        self.gateway.close_live_connections();
    }

    pub fn now(&self) -> DateTime<Utc> {
        use roster_domain::Clock;
        self.clock.now()
    }
}

/// Serves the router as `roster serve` does, with the peer's address
/// (what per-address rate limits count).
fn serve_gateway(
    listener: tokio::net::TcpListener,
    db: &Database,
    clock: &ManualClock,
    config: GatewayConfig,
) -> AppState {
    // One feed per gateway, as one per process in production.
    let live = db.live_events(config.live.buffer);
    let state = AppState::new(db.store(), Arc::new(clock.clone()), config, live);
    let app = roster_gateway::router(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    state
}

/// A `spawn_with` configuration without rate limits, for tests and benches
/// of other things that log in many times.
pub fn unthrottled(config: &mut GatewayConfig) {
    config.rate_limits = roster_gateway::RateLimits::unlimited();
}
