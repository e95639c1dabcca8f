//! The subcommands, wired from configuration.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use clap::Parser;
use tokio::sync::watch;

use roster_domain::billing::Prices;
use roster_domain::{Clock, Store, SystemClock};
use roster_gateway::{AppState, GatewayConfig};
use roster_store::{ConnectError, Database};
use roster_worker::Deps;
use roster_worker::invite_url::InviteUrl;
use roster_worker::mail::{MailConfigError, Mailer};

use crate::config::{Cli, Command, ConfigError, Settings};
use crate::secrets::{redact, scrub};
use crate::shutdown::DrainingListener;

/// Exit code for bad configuration (and an unreachable database).
const CONFIG_EXIT: u8 = 2;

/// How long, once the listener has closed, the connections it took last
/// get to start their request before the server asks every connection to
/// finish.
const ACCEPTED_GRACE: Duration = Duration::from_secs(1);

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli
        .command
        .clone()
        .unwrap_or(Command::Serve { no_worker: false });
    if let Command::Schema = command {
        print!("{}", roster_gateway::sdl());
        return ExitCode::SUCCESS;
    }
    crate::logs::init(cli.settings.log_format);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(run(command, cli.settings));
    // Whatever is still running (after a shutdown timeout) is abandoned.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => {
            eprintln!("roster: {e}");
            ExitCode::from(CONFIG_EXIT)
        }
        Err(Failure::ShutdownTimeout(timeout)) => {
            eprintln!(
                "roster: did not stop within ROSTER_SHUTDOWN_TIMEOUT ({}); exited anyway",
                humantime::format_duration(timeout)
            );
            ExitCode::FAILURE
        }
        Err(Failure::Other(e)) => {
            eprintln!("roster: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Config(ConfigError),
    /// Requests or jobs were still running when the shutdown timeout ended.
    ShutdownTimeout(Duration),
    Other(anyhow::Error),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Other(e)
    }
}

/// `e`, with the URL's password masked wherever sqlx quoted it.
fn database_error(e: ConnectError, url: &str) -> Failure {
    let variable = if std::env::var_os("ROSTER_DATABASE_URL").is_none()
        && std::env::var_os("DATABASE_URL").is_some()
    {
        "DATABASE_URL"
    } else {
        "ROSTER_DATABASE_URL"
    };
    match e {
        ConnectError::Migration(_) => Failure::Other(anyhow::anyhow!(scrub(&e.to_string(), url))),
        other => Failure::Config(ConfigError {
            variable,
            message: scrub(&other.to_string(), url),
        }),
    }
}

/// Connects, migrates the store and prepares the job queue.
async fn open_database(settings: &Settings) -> Result<Database, Failure> {
    let url = settings.database_url();
    let max = settings.tuning.database_max_connections()?;
    let db = Database::connect_sized(&url, max)
        .await
        .map_err(|e| database_error(e, &url))?;
    db.migrate().await.map_err(|e| database_error(e, &url))?;
    roster_worker::setup(&db).await?;
    Ok(db)
}

async fn run(command: Command, settings: Settings) -> Result<(), Failure> {
    match command {
        Command::Schema => Ok(()),
        Command::Migrate => {
            open_database(&settings).await?;
            crate::logs::migrated(&settings);
            Ok(())
        }
        Command::Worker => {
            let public_url = settings.public_url()?;
            let mut worker_config = settings.worker_config();
            settings.tuning.apply_worker(&mut worker_config)?;
            let timeout = settings.tuning.shutdown_timeout()?;
            // Invitation sends derive their secrets from it: every worker
            // process must share it (docs/operations/configuration.md).
            let send_secrets = roster_worker::send_secrets(&settings.jwt_secret()?);
            let mailer = mailer(&settings)?;
            let db = open_database(&settings).await?;
            let stop = stop_on_signal();
            tracing::info!(database = %redact(&settings.database_url()), "workers running");
            serve_metrics(&settings, &db).await?;
            let invite_url = settings.identity.invite_url(&public_url)?;
            let deps = worker_deps(
                &db,
                mailer,
                Arc::new(SystemClock),
                (public_url, invite_url),
                settings.prices.prices(),
                send_secrets,
            );
            let work = async {
                let (up, _) = watch::channel(true);
                roster_worker::supervise::supervise(&db, deps, worker_config, stop.clone(), up)
                    .await?;
                db.close().await;
                Ok(())
            };
            bounded(work, stop.clone(), timeout).await
        }
        Command::Keys { action } => {
            let db = open_database(&settings).await?;
            let keys = crate::keys::key_ring(&settings, &db)?;
            crate::keys::run(action, &keys)
                .await
                .map_err(|e| ConfigError {
                    variable: "ROSTER_JWT_SECRET",
                    message: format!("cannot use the token-signing keys: {e}"),
                })?;
            db.close().await;
            Ok(())
        }
        Command::Serve { no_worker } => serve(settings, no_worker).await,
    }
}

async fn serve(settings: Settings, no_worker: bool) -> Result<(), Failure> {
    let listen = settings.listen_addr()?;
    let public_url = settings.public_url()?;
    let secret = settings.jwt_secret()?;
    let send_secrets = roster_worker::send_secrets(&secret);
    let mut config = GatewayConfig::new(secret, public_url.clone());
    config.introspection = settings.introspection;
    let prices = settings.prices.prices();
    config.prices = prices;
    config.webhooks_allow_private = settings.webhooks_allow_private;
    config.metrics_token = settings.metrics_token.clone();
    config.require_verified_email = settings.require_verified_email;
    settings.abuse.apply(&mut config)?;
    settings.identity.apply(&mut config)?;
    let invite_url = settings.identity.invite_url(&public_url)?;
    settings.tuning.apply_gateway(&mut config)?;
    let mut worker_config = settings.worker_config();
    settings.tuning.apply_worker(&mut worker_config)?;
    let timeout = settings.tuning.shutdown_timeout()?;
    let mailer = mailer(&settings)?;
    let db = open_database(&settings).await?;
    let stop = stop_on_signal();

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let live = db.live_events(config.live.buffer);
    let (workers_up, workers_up_rx) = watch::channel(true);
    let mut state = AppState::new(db.store(), clock.clone(), config, live);
    state.load_signing_keys().await.map_err(|e| ConfigError {
        variable: "ROSTER_JWT_SECRET",
        message: format!("cannot use the token-signing keys: {e}"),
    })?;
    if !no_worker {
        state = state.with_workers(workers_up_rx);
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ConfigError {
            variable: "ROSTER_LISTEN",
            message: format!("cannot listen on {listen}: {e}"),
        })?;
    let (listener, closed) =
        DrainingListener::new(listener, stop.clone()).map_err(anyhow::Error::from)?;
    let addr = axum::serve::Listener::local_addr(&listener).map_err(anyhow::Error::from)?;

    crate::logs::banner(&settings, addr, no_worker);
    serve_metrics(&settings, &db).await?;
    if !roster_gateway::playground_embedded() {
        tracing::warn!(
            "this build has no embedded GraphiQL (npm was missing when it was built): \
             the playground needs https://unpkg.com"
        );
    }

    let worker = (!no_worker).then(|| {
        let db = db.clone();
        let deps = worker_deps(
            &db,
            mailer,
            clock,
            (public_url, invite_url),
            prices,
            send_secrets,
        );
        let stop = stop.clone();
        tokio::spawn(async move {
            roster_worker::supervise::supervise(&db, deps, worker_config, stop, workers_up).await
        })
    });
    // The peer address is what per-address rate limits count against.
    let stopping = state.clone();
    let app = roster_gateway::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener.tap_io(|_| {}), app).with_graceful_shutdown(async move {
        // Once the listener has taken its backlog and closed, the server
        // waits for the requests in flight; axum does not wait for
        // upgraded sockets: close them (1001).
        let mut closed = closed;
        let _ = closed.wait_for(|c| *c).await;
        // The connections taken last may not have had their request read
        // yet: told to finish now, such a connection is idle and closed
        // with its request unread, which resets it (a failure a balancer
        // cannot retry). A moment first lets their requests start.
        tokio::time::sleep(ACCEPTED_GRACE).await;
        stopping.close_live_connections();
    });
    let work = async {
        server.await.map_err(anyhow::Error::from)?;
        if let Some(worker) = worker {
            worker.await.map_err(anyhow::Error::from)??;
        }
        db.close().await;
        Ok(())
    };
    bounded(work, stop.clone(), timeout).await
}

/// Turns `true` on SIGTERM or Ctrl-C (the handlers are in place on return).
fn stop_on_signal() -> watch::Receiver<bool> {
    let (stop, stopped) = watch::channel(false);
    let signal = crate::shutdown::signal();
    tokio::spawn(async move {
        signal.await;
        tracing::info!("shutting down");
        stop.send_replace(true);
        // Held until the process ends: a dropped sender reads as stop too.
        std::future::pending::<()>().await;
    });
    stopped
}

/// Runs `work` to its end; once `stop` turns `true`, for at most `timeout`
/// more.
async fn bounded(
    work: impl Future<Output = Result<(), Failure>>,
    mut stop: watch::Receiver<bool>,
    timeout: Duration,
) -> Result<(), Failure> {
    tokio::pin!(work);
    tokio::select! {
        result = &mut work => return result,
        _ = stop.wait_for(|s| *s) => {}
    }
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => {
            tracing::error!(
                timeout = %humantime::format_duration(timeout),
                "shutdown timed out with requests or jobs still running; exiting anyway"
            );
            Err(Failure::ShutdownTimeout(timeout))
        }
    }
}

/// SMTP when `ROSTER_SMTP_URL` is set, else `.eml` files in the outbox.
fn mailer(settings: &Settings) -> Result<Mailer, ConfigError> {
    let mailer = match &settings.smtp_url {
        Some(url) => {
            Mailer::smtp_pooled(url, &settings.mail_from, settings.tuning.smtp_pool_size()?)
        }
        None => Mailer::files(&settings.mail_dir, &settings.mail_from),
    };
    mailer.map_err(|e| {
        let variable = match &e {
            MailConfigError::SmtpUrl { .. } => "ROSTER_SMTP_URL",
            MailConfigError::FromAddress { .. } => "ROSTER_MAIL_FROM",
            MailConfigError::MailDir { .. } => "ROSTER_MAIL_DIR",
        };
        ConfigError {
            variable,
            message: e.to_string(),
        }
    })
}

fn worker_deps(
    db: &Database,
    mailer: Mailer,
    clock: Arc<dyn Clock>,
    (public_url, invite_url): (String, InviteUrl),
    prices: Prices,
    send_secrets: roster_domain::token::DerivationKey,
) -> Arc<Deps> {
    let store: Arc<dyn Store> = db.store();
    Arc::new(Deps {
        store,
        mailer,
        clock,
        public_url,
        invite_url,
        prices,
        send_secrets,
    })
}

/// `GET /metrics` on `ROSTER_METRICS_LISTEN`, when set (`roster serve` and
/// `roster worker`).
async fn serve_metrics(settings: &Settings, db: &Database) -> Result<(), Failure> {
    let Some(listen) = &settings.metrics_listen else {
        return Ok(());
    };
    let bad = |message: String| ConfigError {
        variable: "ROSTER_METRICS_LISTEN",
        message,
    };
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| bad(format!("{listen:?} is not an address like 0.0.0.0:9090")))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| bad(format!("cannot listen on {addr}: {e}")))?;
    let addr = listener.local_addr().map_err(anyhow::Error::from)?;
    // Installed before the workers start, so their first jobs count.
    roster_gateway::metrics::handle();
    let app = roster_gateway::metrics::router(db.store());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    tracing::info!(address = %addr, "metrics on /metrics");
    Ok(())
}
