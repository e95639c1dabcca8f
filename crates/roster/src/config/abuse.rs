//! The settings that bound abuse: rate limits, trusted proxies and
//! password hashing (docs/operations/limits.md).

use clap::Args;
use roster_domain::RatePolicy;
use roster_gateway::{GatewayConfig, HashingLimits, RateLimits, TrustedProxies};

use super::{ConfigError, config_error};

/// Rate limits, the trusted proxies and password hashing (docs/operations/limits.md).
/// Each limit is a count per window: `10/5m` (`s`, `m` or `h`).
#[derive(Args, Debug, Clone)]
pub struct AbuseSettings {
    /// Reverse proxies whose `X-Forwarded-For` names the client: IPs and
    /// CIDR blocks, comma-separated. None by default.
    #[arg(
        long,
        env = "ROSTER_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
    /// Failed log-ins per email from every address: a budget, past which
    /// only addresses fresh on that email have their password checked.
    #[arg(
        long,
        env = "ROSTER_LIMIT_LOG_IN_PER_EMAIL",
        default_value = "10/1h",
        global = true
    )]
    pub limit_log_in_per_email: String,
    /// Failed log-ins per client address, across emails.
    #[arg(
        long,
        env = "ROSTER_LIMIT_LOG_IN_PER_ADDRESS",
        default_value = "50/5m",
        global = true
    )]
    pub limit_log_in_per_address: String,
    /// Failed log-ins per (email, client address) pair.
    #[arg(
        long,
        env = "ROSTER_LIMIT_LOG_IN_PER_PAIR",
        default_value = "5/15m",
        global = true
    )]
    pub limit_log_in_per_pair: String,
    /// Failed log-ins per (email, address) pair that still leave the
    /// address fresh once the email's budget is spent.
    #[arg(
        long,
        env = "ROSTER_LIMIT_LOG_IN_PER_PAIR_DAY",
        default_value = "1/24h",
        global = true
    )]
    pub limit_log_in_per_pair_day: String,
    /// Successful log-ins per account.
    #[arg(
        long,
        env = "ROSTER_LIMIT_LOG_IN_SUCCESSES_PER_ACCOUNT",
        default_value = "30/1h",
        global = true
    )]
    pub limit_log_in_successes_per_account: String,
    /// Live sessions per account; opening another ends the oldest.
    #[arg(
        long,
        env = "ROSTER_MAX_SESSIONS_PER_ACCOUNT",
        default_value_t = 20,
        global = true
    )]
    pub max_sessions_per_account: usize,
    /// Sign-ups per client address.
    #[arg(
        long,
        env = "ROSTER_LIMIT_SIGN_UP_PER_ADDRESS",
        default_value = "20/1h",
        global = true
    )]
    pub limit_sign_up_per_address: String,
    /// Invitation and reset tokens that open nothing, per client address.
    #[arg(
        long,
        env = "ROSTER_LIMIT_TOKEN_PER_ADDRESS",
        default_value = "30/10m",
        global = true
    )]
    pub limit_token_per_address: String,
    /// Wrong current passwords given to changePassword, per user.
    #[arg(
        long,
        env = "ROSTER_LIMIT_CHANGE_PASSWORD_PER_USER",
        default_value = "5/15m",
        global = true
    )]
    pub limit_change_password_per_user: String,
    /// Invitation sends (invites and resends) per inviting user.
    #[arg(
        long,
        env = "ROSTER_LIMIT_INVITE_PER_INVITER",
        default_value = "100/1h",
        global = true
    )]
    pub limit_invite_per_inviter: String,
    /// Invitation sends per recipient address, from all organizations.
    #[arg(
        long,
        env = "ROSTER_LIMIT_INVITE_PER_RECIPIENT",
        default_value = "10/24h",
        global = true
    )]
    pub limit_invite_per_recipient: String,
    /// Password-reset requests per address asked for, known or not.
    #[arg(
        long,
        env = "ROSTER_LIMIT_PASSWORD_RESET_PER_EMAIL",
        default_value = "3/1h",
        global = true
    )]
    pub limit_password_reset_per_email: String,
    /// Password-reset requests per client address.
    #[arg(
        long,
        env = "ROSTER_LIMIT_PASSWORD_RESET_PER_ADDRESS",
        default_value = "20/1h",
        global = true
    )]
    pub limit_password_reset_per_address: String,
    /// `resendEmailVerification` per user.
    #[arg(
        long,
        env = "ROSTER_LIMIT_VERIFICATION_RESEND_PER_USER",
        default_value = "5/1h",
        global = true
    )]
    pub limit_verification_resend_per_user: String,
    /// Threads hashing passwords (19 MiB each); default: one per core.
    #[arg(long, env = "ROSTER_HASH_THREADS", global = true)]
    pub hash_threads: Option<usize>,
    /// Log-ins that may wait for a hashing thread; past it, RATE_LIMITED.
    #[arg(long, env = "ROSTER_HASH_QUEUE", default_value_t = 128, global = true)]
    pub hash_queue: usize,
}

impl AbuseSettings {
    /// The gateway's limits, or the first bad setting.
    pub fn apply(&self, config: &mut GatewayConfig) -> Result<(), ConfigError> {
        let policy = |variable: &'static str, value: &str| {
            value
                .parse::<RatePolicy>()
                .map_err(|message| config_error(variable, message))
        };
        config.rate_limits = RateLimits {
            log_in_per_email: policy(
                "ROSTER_LIMIT_LOG_IN_PER_EMAIL",
                &self.limit_log_in_per_email,
            )?,
            log_in_per_address: policy(
                "ROSTER_LIMIT_LOG_IN_PER_ADDRESS",
                &self.limit_log_in_per_address,
            )?,
            log_in_per_pair: policy("ROSTER_LIMIT_LOG_IN_PER_PAIR", &self.limit_log_in_per_pair)?,
            log_in_per_pair_day: policy(
                "ROSTER_LIMIT_LOG_IN_PER_PAIR_DAY",
                &self.limit_log_in_per_pair_day,
            )?,
            log_in_successes_per_account: policy(
                "ROSTER_LIMIT_LOG_IN_SUCCESSES_PER_ACCOUNT",
                &self.limit_log_in_successes_per_account,
            )?,
            sign_up_per_address: policy(
                "ROSTER_LIMIT_SIGN_UP_PER_ADDRESS",
                &self.limit_sign_up_per_address,
            )?,
            token_per_address: policy(
                "ROSTER_LIMIT_TOKEN_PER_ADDRESS",
                &self.limit_token_per_address,
            )?,
            change_password_per_user: policy(
                "ROSTER_LIMIT_CHANGE_PASSWORD_PER_USER",
                &self.limit_change_password_per_user,
            )?,
            invite_per_inviter: policy(
                "ROSTER_LIMIT_INVITE_PER_INVITER",
                &self.limit_invite_per_inviter,
            )?,
            invite_per_recipient: policy(
                "ROSTER_LIMIT_INVITE_PER_RECIPIENT",
                &self.limit_invite_per_recipient,
            )?,
            password_reset_per_email: policy(
                "ROSTER_LIMIT_PASSWORD_RESET_PER_EMAIL",
                &self.limit_password_reset_per_email,
            )?,
            password_reset_per_address: policy(
                "ROSTER_LIMIT_PASSWORD_RESET_PER_ADDRESS",
                &self.limit_password_reset_per_address,
            )?,
            verification_resend_per_user: policy(
                "ROSTER_LIMIT_VERIFICATION_RESEND_PER_USER",
                &self.limit_verification_resend_per_user,
            )?,
        };
        config.trusted_proxies = self
            .trusted_proxies
            .parse::<TrustedProxies>()
            .map_err(|message| config_error("ROSTER_TRUSTED_PROXIES", message))?;
        if self.max_sessions_per_account == 0 {
            return Err(config_error(
                "ROSTER_MAX_SESSIONS_PER_ACCOUNT",
                "must be at least 1",
            ));
        }
        config.max_live_sessions = self.max_sessions_per_account;
        if self.hash_threads == Some(0) {
            return Err(config_error("ROSTER_HASH_THREADS", "must be at least 1"));
        }
        if self.hash_queue == 0 {
            return Err(config_error("ROSTER_HASH_QUEUE", "must be at least 1"));
        }
        config.hashing = HashingLimits {
            threads: self.hash_threads.unwrap_or(config.hashing.threads),
            queue: self.hash_queue,
        };
        Ok(())
    }
}
