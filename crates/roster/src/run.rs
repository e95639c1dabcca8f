//! The subcommands, wired from configuration.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use roster_domain::billing::Prices;
use roster_domain::{Clock, Store, SystemClock};
use roster_gateway::{AppState, GatewayConfig};
use roster_store::{ConnectError, Database};
use roster_worker::Deps;
use roster_worker::mail::{MailConfigError, Mailer};

use crate::config::{Cli, Command, ConfigError, Settings};

/// Exit code for bad configuration (and an unreachable database).
const CONFIG_EXIT: u8 = 2;

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
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(command, cli.settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => {
            eprintln!("roster: {e}");
            ExitCode::from(CONFIG_EXIT)
        }
        Err(Failure::Other(e)) => {
            eprintln!("roster: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Config(ConfigError),
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

fn database_error(e: ConnectError) -> Failure {
    let variable = if std::env::var_os("ROSTER_DATABASE_URL").is_none()
        && std::env::var_os("DATABASE_URL").is_some()
    {
        "DATABASE_URL"
    } else {
        "ROSTER_DATABASE_URL"
    };
    match e {
        ConnectError::Migration(_) => Failure::Other(anyhow::Error::new(e)),
        other => Failure::Config(ConfigError {
            variable,
            message: other.to_string(),
        }),
    }
}

/// Connects, migrates the store and prepares the job queue.
async fn open_database(settings: &Settings) -> Result<Database, Failure> {
    let db = Database::connect(&settings.database_url())
        .await
        .map_err(database_error)?;
    db.migrate().await.map_err(database_error)?;
    roster_worker::setup(&db).await?;
    Ok(db)
}

async fn run(command: Command, settings: Settings) -> Result<(), Failure> {
    match command {
        Command::Schema => Ok(()),
        Command::Migrate => {
            open_database(&settings).await?;
            println!("migrations applied to {}", redact(&settings.database_url()));
            Ok(())
        }
        Command::Worker => {
            let public_url = settings.public_url()?;
            // Invitation sends derive their secrets from it: every worker
            // process must share it (README "Configuration").
            let send_secrets = roster_worker::send_secrets(&settings.jwt_secret()?);
            let mailer = mailer(&settings)?;
            let db = open_database(&settings).await?;
            tracing::info!(database = %redact(&settings.database_url()), "workers running");
            let deps = worker_deps(
                &db,
                mailer,
                Arc::new(SystemClock),
                public_url,
                settings.prices.prices(),
                send_secrets,
            );
            roster_worker::run(&db, deps, settings.worker_config(), shutdown_signal()).await?;
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
    settings.abuse.apply(&mut config)?;
    let mailer = mailer(&settings)?;
    let db = open_database(&settings).await?;

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let live = db.live_events(config.live.buffer);
    let state = AppState::new(db.store(), clock.clone(), config, live);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ConfigError {
            variable: "ROSTER_LISTEN",
            message: format!("cannot listen on {listen}: {e}"),
        })?;
    let addr = listener.local_addr().map_err(anyhow::Error::from)?;

    println!("Roster is listening on http://{addr}");
    println!("  playground: open http://{addr}/graphql in a browser");
    if !roster_gateway::playground_embedded() {
        tracing::warn!(
            "this build has no embedded GraphiQL (npm was missing when it was built): \
             the playground needs https://unpkg.com"
        );
    }
    println!("  database:   {}", redact(&settings.database_url()));
    match &settings.smtp_url {
        Some(_) => println!("  mail:       SMTP (ROSTER_SMTP_URL)"),
        None => println!(
            "  mail:       .eml files in {}",
            settings.mail_dir.display()
        ),
    }
    println!(
        "  workers:    {}",
        if no_worker {
            "off (--no-worker)"
        } else {
            "in this process"
        }
    );

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker_config = settings.worker_config();
    let worker = (!no_worker).then(|| {
        let db = db.clone();
        let deps = worker_deps(&db, mailer, clock, public_url, prices, send_secrets);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            roster_worker::run(&db, deps, worker_config, stopped).await
        })
    });
    // The peer address is what per-address rate limits count against.
    let stopping = state.clone();
    let app = roster_gateway::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // axum does not wait for upgraded sockets: close them (1001).
            stopping.close_live_connections();
        })
        .await
        .map_err(anyhow::Error::from)?;
    let _ = stop_tx.send(true);
    if let Some(worker) = worker {
        worker.await.map_err(anyhow::Error::from)??;
    }
    db.close().await;
    Ok(())
}

/// SMTP when `ROSTER_SMTP_URL` is set, else `.eml` files in the outbox.
fn mailer(settings: &Settings) -> Result<Mailer, ConfigError> {
    let mailer = match &settings.smtp_url {
        Some(url) => Mailer::smtp(url, &settings.mail_from),
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
    public_url: String,
    prices: Prices,
    send_secrets: roster_domain::token::DerivationKey,
) -> Arc<Deps> {
    let store: Arc<dyn Store> = db.store();
    Arc::new(Deps {
        store,
        mailer,
        clock,
        public_url,
        prices,
        send_secrets,
    })
}

/// The database URL without its password, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://roster:s3cret@db:5432/roster"),
            "postgres://roster:***@db:5432/roster"
        );
        assert_eq!(redact("sqlite://data/roster.db"), "sqlite://data/roster.db");
    }
}
