//! Log lines (docs/operations/metrics-and-logs.md): text by default, or one JSON
//! object per line (`ROSTER_LOG_FORMAT=json`) carrying the request's span
//! (request id, operation, user id). In JSON the start-up banner is a log
//! line too, so that every line of the output parses.

use std::net::SocketAddr;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};
use crate::secrets::redact;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// What `roster serve` says when it is listening.
pub fn banner(settings: &Settings, addr: SocketAddr, no_worker: bool) {
    let database = redact(&settings.database_url());
    let mail = match &settings.smtp_url {
        Some(_) => "SMTP (ROSTER_SMTP_URL)".to_owned(),
        None => format!(".eml files in {}", settings.mail_dir.display()),
    };
    let workers = if no_worker {
        "off (--no-worker)"
    } else {
        "in this process"
    };
    if settings.log_format == LogFormat::Json {
        tracing::info!(
            address = %addr,
            playground = %format!("http://{addr}/graphql"),
            %database,
            %mail,
            workers,
            "Roster is listening"
        );
        return;
    }
    println!("Roster is listening on http://{addr}");
    println!("  playground: open http://{addr}/graphql in a browser");
    println!("  database:   {database}");
    println!("  mail:       {mail}");
    println!("  workers:    {workers}");
}

/// What `roster migrate` says when it is done.
pub fn migrated(settings: &Settings) {
    let database = redact(&settings.database_url());
    match settings.log_format {
        LogFormat::Json => tracing::info!(%database, "migrations applied"),
        LogFormat::Text => println!("migrations applied to {database}"),
    }
}
