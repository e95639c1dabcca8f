//! Configuration: environment variables, each also a flag. A bad value ends
//! the process with one line naming the variable, and exit code 2.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Parser, Subcommand};
use rand::RngCore;
use roster_domain::billing::Prices;
mod abuse;
mod identity;

pub use abuse::AbuseSettings;
pub use identity::IdentitySettings;

#[derive(Parser, Debug)]
#[command(name = "roster", version, about = "Organization membership service")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the GraphQL gateway, with the workers in-process (the default).
    Serve {
        /// Serve the gateway only; run workers with `roster worker`.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the background workers only.
    Worker,
    /// Run the database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// The token-signing keys (docs/operations/key-rotation.md).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum KeysCommand {
    /// Add a key: published at once, signing after one access-token
    /// lifetime; the keys before it leave the JWKS once their last token
    /// has expired.
    Rotate,
    /// List the keys and when each is published, signs and is withdrawn.
    List,
}

/// `Debug` leaves the secrets out (`crate::secrets`).
#[derive(Args, Clone)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…` (also read from `DATABASE_URL`).
    #[arg(
        long,
        env = "ROSTER_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
    /// Address the gateway listens on.
    #[arg(
        long,
        env = "ROSTER_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: String,
    /// Base of links in emails, and the access tokens' issuer.
    #[arg(
        long,
        env = "ROSTER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub public_url: String,
    /// HS256 key (at least 32 bytes); generated once into the data
    /// directory when unset.
    #[arg(long, env = "ROSTER_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// Where the embedded mode keeps its generated secret.
    #[arg(long, env = "ROSTER_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// SMTP server for outgoing mail; unset writes `.eml` files instead.
    #[arg(long, env = "ROSTER_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The file outbox used when no SMTP server is set.
    #[arg(
        long,
        env = "ROSTER_MAIL_DIR",
        default_value = "data/outbox",
        global = true
    )]
    pub mail_dir: PathBuf,
    /// Sender of every email.
    #[arg(
        long,
        env = "ROSTER_MAIL_FROM",
        default_value = "Roster <no-reply@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Whether the schema answers introspection (GraphiQL needs it).
    #[arg(long, env = "ROSTER_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,
    #[command(flatten)]
    pub abuse: AbuseSettings,
    #[command(flatten)]
    pub identity: IdentitySettings,
    #[command(flatten)]
    pub prices: PriceSettings,
    #[command(flatten)]
    pub tuning: crate::tuning::TuningSettings,
    /// Whether webhook endpoints may point at private, loopback or
    /// link-local addresses, over plain http too (development and tests
    /// only: off, such URLs are refused).
    #[arg(long, env = "ROSTER_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhooks_allow_private: bool,
    /// Accounts may do nothing but `me`, `logOut`, `changePassword`,
    /// `verifyEmail` and `resendEmailVerification` until their address is
    /// verified (docs/api/sessions.md).
    #[arg(long, env = "ROSTER_REQUIRE_VERIFIED_EMAIL", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub require_verified_email: bool,
    /// Log lines as `text` or `json` (one object per line).
    #[arg(
        long,
        env = "ROSTER_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    /// Where `GET /metrics` is served on a listener of its own (e.g.
    /// `0.0.0.0:9090`), by `roster serve` and `roster worker` alike.
    #[arg(long, env = "ROSTER_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<String>,
    /// The bearer token `GET /metrics` on `ROSTER_LISTEN` asks for; unset,
    /// the gateway's listener does not serve `/metrics`.
    #[arg(
        long,
        env = "ROSTER_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<String>,
    /// An egress proxy for webhook deliveries (`http://host:port`); it then
    /// decides which addresses may be reached. Proxies in the environment
    /// (`HTTPS_PROXY`…) are never used for webhooks.
    #[arg(long, env = "ROSTER_WEBHOOK_PROXY", value_parser = webhook_proxy, global = true)]
    pub webhook_proxy: Option<String>,
    /// Days the worker keeps ended sessions, spent refresh tokens,
    /// finished jobs, invitation sends and webhook attempts (docs/operations/retention.md); at least 1.
    #[arg(long, env = "ROSTER_RETENTION_DAYS", default_value_t = 30,
          value_parser = retention_days, global = true)]
    pub retention_days: u32,
}

impl Settings {
    /// The workers' configuration: the defaults, with the webhook flag.
    pub fn worker_config(&self) -> roster_worker::WorkerConfig {
        let mut config = roster_worker::WorkerConfig::default();
        config.webhooks.allow_private = self.webhooks_allow_private;
        config.webhooks.proxy = self.webhook_proxy.clone();
        config.retention.period =
            std::time::Duration::from_secs(u64::from(self.retention_days) * 24 * 3600);
        config
    }
}

/// The format of log lines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// `ROSTER_RETENTION_DAYS`: whole days, at least 1 (the day-long windows
/// that count sends must stay whole).
fn webhook_proxy(value: &str) -> Result<String, String> {
    let bad =
        || format!("ROSTER_WEBHOOK_PROXY: {value:?} is not a proxy URL like http://host:3128");
    let (scheme, rest) = value.trim().split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() {
        return Err(bad());
    }
    Ok(value.trim().to_owned())
}

fn retention_days(value: &str) -> Result<u32, String> {
    match value.trim().parse::<u32>() {
        Ok(days @ 1..=36_500) => Ok(days),
        _ => Err(format!(
            "ROSTER_RETENTION_DAYS: {value:?} is not a number of days from 1 to 36500"
        )),
    }
}

/// Monthly plan prices in cents (docs/api/billing.md): what the invoice
/// ledger bills. Roster takes no payments.
#[derive(Args, Debug, Clone)]
pub struct PriceSettings {
    /// BASIC's monthly price, in cents.
    #[arg(long, env = "ROSTER_PRICE_BASIC_CENTS", default_value_t = Prices::default().basic_cents as u32, global = true)]
    pub price_basic_cents: u32,
    /// PRO's monthly price, in cents.
    #[arg(long, env = "ROSTER_PRICE_PRO_CENTS", default_value_t = Prices::default().pro_cents as u32, global = true)]
    pub price_pro_cents: u32,
    /// ENTERPRISE's monthly price, in cents.
    #[arg(long, env = "ROSTER_PRICE_ENTERPRISE_CENTS", default_value_t = Prices::default().enterprise_cents as u32, global = true)]
    pub price_enterprise_cents: u32,
}

impl PriceSettings {
    pub fn prices(&self) -> Prices {
        Prices {
            basic_cents: i64::from(self.price_basic_cents),
            pro_cents: i64::from(self.price_pro_cents),
            enterprise_cents: i64::from(self.price_enterprise_cents),
        }
    }
}

/// A configuration error: the variable and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn config_error(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/roster.db";
const MIN_SECRET_BYTES: usize = 32;

impl Settings {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            config_error(
                "ROSTER_LISTEN",
                format!("{:?} is not an address like 127.0.0.1:8080", self.listen),
            )
        })
    }

    pub fn public_url(&self) -> Result<String, ConfigError> {
        let url = self.public_url.trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.contains(char::is_whitespace)
        {
            return Err(config_error(
                "ROSTER_PUBLIC_URL",
                "must be an http:// or https:// URL",
            ));
        }
        Ok(url.to_owned())
    }

    /// The configured secret, or the one kept in the data directory
    /// (generated on first start, with a warning).
    pub fn jwt_secret(&self) -> Result<Vec<u8>, ConfigError> {
        if let Some(secret) = &self.jwt_secret {
            if secret.len() < MIN_SECRET_BYTES {
                return Err(config_error(
                    "ROSTER_JWT_SECRET",
                    "must be at least 32 bytes",
                ));
            }
            return Ok(secret.as_bytes().to_vec());
        }
        let path = self.data_dir.join("jwt-secret");
        read_or_create_secret(&path).map_err(|e| {
            config_error(
                "ROSTER_JWT_SECRET",
                format!("unset, and {} failed: {e}", path.display()),
            )
        })
    }
}

fn read_or_create_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let secret = existing.trim().as_bytes().to_vec();
        if secret.len() >= MIN_SECRET_BYTES {
            return Ok(secret);
        }
    }
    if let Some(dir) = path.parent() {
        roster_store::private_files::create_private_dir(dir)?;
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = STANDARD.encode(bytes);
    write_private(path, &secret)?;
    tracing::warn!(
        path = %path.display(),
        "ROSTER_JWT_SECRET is unset: generated a secret and kept it in the data directory; \
         set ROSTER_JWT_SECRET when several gateways must accept each other's tokens"
    );
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    roster_store::private_files::open_private_file(path, true)?.write_all(contents.as_bytes())
}
