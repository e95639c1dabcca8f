//! A product's own log-in (docs/api/own-log-in.md): the trusted issuers,
//! whether Roster's own sign-up and password log-in exist, where
//! invitation links point, and which origins' pages may call `/graphql`
//! (docs/api/http.md).

use clap::Args;
use roster_gateway::{CorsOrigins, GatewayConfig, TrustedIssuers};
use roster_worker::invite_url::InviteUrl;

use super::{ConfigError, config_error};

#[derive(Args, Debug, Clone)]
pub struct IdentitySettings {
    /// A JSON file listing the issuers whose tokens sign in (issuer,
    /// jwks_uri, audience, email_claim, email_verified_claim).
    #[arg(long, env = "ROSTER_TRUSTED_ISSUERS", global = true)]
    pub trusted_issuers: Option<std::path::PathBuf>,
    /// `false`: no sign-up and no password log-in (only trusted issuers).
    #[arg(long, env = "ROSTER_LOCAL_ACCOUNTS", default_value = "true",
          value_parser = local_accounts, global = true)]
    pub local_accounts: bool,
    /// Where the invitation email's link points, a template with
    /// `{token}`; default `{ROSTER_PUBLIC_URL}/invite/{token}`.
    #[arg(long, env = "ROSTER_INVITE_URL", global = true)]
    pub invite_url: Option<String>,
    /// Origins whose pages may call `/graphql` and open `/graphql/ws`:
    /// exact origins (`https://app.example.com`), comma-separated. None by
    /// default.
    #[arg(long, env = "ROSTER_CORS_ORIGINS", default_value = "",
          value_parser = cors_origins, global = true)]
    pub cors_origins: CorsOrigins,
}

fn cors_origins(value: &str) -> Result<CorsOrigins, String> {
    value
        .parse()
        .map_err(|message| format!("ROSTER_CORS_ORIGINS: {message}"))
}

fn local_accounts(value: &str) -> Result<bool, String> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "ROSTER_LOCAL_ACCOUNTS: {value:?} is neither true nor false"
        )),
    }
}

impl IdentitySettings {
    /// Sets the gateway's issuers (the file read and checked now) and
    /// local accounts.
    pub fn apply(&self, config: &mut GatewayConfig) -> Result<(), ConfigError> {
        config.local_accounts = self.local_accounts;
        config.cors_origins = self.cors_origins.clone();
        if let Some(path) = &self.trusted_issuers {
            let json = std::fs::read_to_string(path).map_err(|e| {
                config_error(
                    "ROSTER_TRUSTED_ISSUERS",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let issuers = TrustedIssuers::from_json(&json).map_err(|e| {
                config_error("ROSTER_TRUSTED_ISSUERS", format!("{}: {e}", path.display()))
            })?;
            config.trusted_issuers = Some(issuers);
        }
        Ok(())
    }

    /// Where invitation links point, for the workers.
    pub fn invite_url(&self, public_url: &str) -> Result<InviteUrl, ConfigError> {
        match &self.invite_url {
            Some(template) => {
                InviteUrl::parse(template).map_err(|e| config_error("ROSTER_INVITE_URL", e))
            }
            None => Ok(InviteUrl::accept_page(public_url)),
        }
    }
}
