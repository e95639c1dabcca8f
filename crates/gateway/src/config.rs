//! What the gateway needs to know, set by the binary (or a test).

use std::time::Duration;

use roster_domain::billing::Prices;
use roster_domain::{InviteLimits, LogInThrottle, RatePolicy};

pub use crate::auth::issuers::TrustedIssuers;
pub use crate::auth::passwords::HashingLimits;
pub use crate::client_addr::TrustedProxies;
pub use crate::cors::CorsOrigins;

/// `Debug` shows no secret (see the impl below).
#[derive(Clone)]
pub struct GatewayConfig {
    /// HS256 key for access tokens, at least 32 bytes.
    pub jwt_secret: Vec<u8>,
    /// `iss` and `aud` of access tokens: the public URL.
    pub issuer: String,
    pub access_token_ttl: Duration,
    pub session_ttl: Duration,
    /// How long a password-reset link works (`ROSTER_PASSWORD_RESET_TTL`,
    /// docs/api/sessions.md "Forgetting a password").
    pub password_reset_ttl: Duration,
    /// Whether the schema answers introspection (GraphiQL needs it).
    pub introspection: bool,
    pub limits: Limits,
    /// Throttles on guessing (log-in, sign-up, tokens, change-password).
    pub rate_limits: RateLimits,
    /// Live sessions one account may have; opening another ends the
    /// oldest (docs/operations/limits.md "Guessing and password hashing").
    pub max_live_sessions: usize,
    /// Peers whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: TrustedProxies,
    /// Threads that hash passwords, and how many requests may wait.
    pub hashing: HashingLimits,
    /// Monthly plan prices, for the invoices of plan changes.
    pub prices: Prices,
    /// Whether webhook endpoints may point at private, loopback or
    /// link-local addresses (and use plain http): development and tests
    /// only (`ROSTER_WEBHOOKS_ALLOW_PRIVATE`, off by default).
    pub webhooks_allow_private: bool,
    /// Subscriptions over `/graphql/ws`.
    pub live: LiveConfig,
    /// The bearer token `GET /metrics` on the gateway's own listener asks
    /// for (`ROSTER_METRICS_TOKEN`); unset, `/metrics` is not served there
    /// (docs/operations/metrics-and-logs.md: `ROSTER_METRICS_LISTEN` serves it on a
    /// listener of its own).
    pub metrics_token: Option<String>,
    /// A product's own log-in: the issuers whose tokens sign in
    /// (`ROSTER_TRUSTED_ISSUERS`, docs/api/own-log-in.md); none by default.
    pub trusted_issuers: Option<TrustedIssuers>,
    /// Whether `signUp` and password log-in exist (`ROSTER_LOCAL_ACCOUNTS`,
    /// on by default).
    pub local_accounts: bool,
    /// `ROSTER_REQUIRE_VERIFIED_EMAIL`: an account whose address is not
    /// verified may only call `me`, `logOut`, `changePassword`,
    /// `verifyEmail` and `resendEmailVerification` (docs/api/sessions.md).
    pub require_verified_email: bool,
    /// The origins whose pages may call `/graphql` and open `/graphql/ws`
    /// (`ROSTER_CORS_ORIGINS`, docs/api/http.md); none by default.
    pub cors_origins: CorsOrigins,
}

/// Bounds of live connections (docs/api/live-events.md).
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// Events a subscriber may fall behind the feed before it is dropped
    /// (close 4008); the feed's broadcast capacity.
    pub buffer: usize,
    /// How often a connection checks that its session is still open and its
    /// token unexpired (the token's expiry also has a timer of its own).
    pub recheck: Duration,
    /// A message the client does not take within this time drops the
    /// connection.
    pub send_timeout: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            buffer: 1024,
            recheck: Duration::from_secs(30),
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// Rate limits, each at most `limit` per fixed window, counted in the
/// database across every gateway (see docs/operations/limits.md).
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Failed log-ins per email from every address: a budget, past which
    /// only an address fresh on that email is verified
    /// (`roster_domain::log_in_throttle`).
    pub log_in_per_email: RatePolicy,
    /// Failed log-ins per client address, across emails.
    pub log_in_per_address: RatePolicy,
    /// Failed log-ins per (email, client address) pair.
    pub log_in_per_pair: RatePolicy,
    /// Failed log-ins per pair, over a day, that leave an address fresh
    /// once the email's budget is spent.
    pub log_in_per_pair_day: RatePolicy,
    /// Successful log-ins per account.
    pub log_in_successes_per_account: RatePolicy,
    /// Sign-ups (successful or not) per client address.
    pub sign_up_per_address: RatePolicy,
    /// Invitation tokens that open nothing (preview, accept, decline) and
    /// reset tokens that open nothing (`resetPassword`), per client address.
    pub token_per_address: RatePolicy,
    /// Wrong current passwords given to `changePassword`, per user.
    pub change_password_per_user: RatePolicy,
    /// Invitation sends (invites and resends) per inviting user, counted
    /// in each send's transaction.
    pub invite_per_inviter: RatePolicy,
    /// Invitation sends per recipient address, from every organization.
    pub invite_per_recipient: RatePolicy,
    /// Password-reset requests per address asked for (known or not).
    pub password_reset_per_email: RatePolicy,
    /// Password-reset requests per client address.
    pub password_reset_per_address: RatePolicy,
    /// `resendEmailVerification` per user.
    pub verification_resend_per_user: RatePolicy,
}

impl Default for RateLimits {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Self {
            log_in_per_email: RatePolicy::new(10, minutes(60)),
            log_in_per_address: RatePolicy::new(50, minutes(5)),
            log_in_per_pair: RatePolicy::new(5, minutes(15)),
            log_in_per_pair_day: RatePolicy::new(1, minutes(24 * 60)),
            log_in_successes_per_account: RatePolicy::new(30, minutes(60)),
            sign_up_per_address: RatePolicy::new(20, minutes(60)),
            token_per_address: RatePolicy::new(30, minutes(10)),
            change_password_per_user: RatePolicy::new(5, minutes(15)),
            // One full inviteMembers (100 rows) an hour per inviter; an
            // address gets at most 10 invitation emails a day from all
            // organizations together (each invitation 5 at most).
            invite_per_inviter: RatePolicy::new(100, minutes(60)),
            invite_per_recipient: RatePolicy::new(10, minutes(24 * 60)),
            // A few links an hour to one mailbox; an address may ask for
            // a few people's (a shared office).
            password_reset_per_email: RatePolicy::new(3, minutes(60)),
            password_reset_per_address: RatePolicy::new(20, minutes(60)),
            verification_resend_per_user: RatePolicy::new(5, minutes(60)),
        }
    }
}

impl RateLimits {
    /// Limits that never refuse (benches, and tests of other things).
    pub fn unlimited() -> Self {
        let off = RatePolicy::unlimited();
        Self {
            log_in_per_email: off,
            log_in_per_address: off,
            log_in_per_pair: off,
            log_in_per_pair_day: off,
            log_in_successes_per_account: off,
            sign_up_per_address: off,
            token_per_address: off,
            change_password_per_user: off,
            invite_per_inviter: off,
            invite_per_recipient: off,
            password_reset_per_email: off,
            password_reset_per_address: off,
            verification_resend_per_user: off,
        }
    }

    /// What each log-in attempt counts against.
    pub fn log_in(&self) -> LogInThrottle {
        LogInThrottle {
            per_address: self.log_in_per_address,
            per_pair: self.log_in_per_pair,
            per_email: self.log_in_per_email,
            per_pair_day: self.log_in_per_pair_day,
            successes: self.log_in_successes_per_account,
        }
    }

    /// What each invitation send counts against.
    pub fn invites(&self) -> InviteLimits {
        InviteLimits {
            per_inviter: self.invite_per_inviter,
            per_recipient: self.invite_per_recipient,
        }
    }
}

/// Bounds on what one HTTP request may ask for.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_batch: usize,
    /// Nesting of fields, introspection not counted (it has its own bound).
    pub max_depth: usize,
    /// The estimate of `graphql::cost`: lists count their expected size.
    pub max_complexity: usize,
    pub max_aliases: usize,
    /// Fields of a document once its fragments are inlined (checked before
    /// validation, which walks every spread anew).
    pub max_expanded_fields: usize,
    /// The serialized `data` and `errors` of one operation; a larger
    /// response is replaced by one `VALIDATION` error.
    pub max_response_bytes: usize,
    /// Errors in one operation's response; the rest are summed up in one.
    pub max_errors: usize,
    /// Password hashes and verifications one request (a whole batch) may
    /// ask for (`logIn`, `signUp`, `changePassword`, `acceptInvitation`
    /// with a password; `limits::passwords`).
    pub max_password_hashes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            max_batch: 10,
            max_depth: 12,
            // The member page (100 members with their user, workspaces and
            // assistants) costs about 5,200.
            max_complexity: 10_000,
            max_aliases: 30,
            // The standard introspection query expands to a few hundred.
            max_expanded_fields: 2_000,
            max_response_bytes: 4 * 1024 * 1024,
            max_errors: 100,
            max_password_hashes: 2,
        }
    }
}

impl GatewayConfig {
    pub fn new(jwt_secret: Vec<u8>, issuer: String) -> Self {
        Self {
            jwt_secret,
            issuer,
            access_token_ttl: Duration::from_secs(15 * 60),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            password_reset_ttl: roster_domain::password_reset::DEFAULT_TTL,
            introspection: true,
            limits: Limits::default(),
            rate_limits: RateLimits::default(),
            max_live_sessions: 20,
            trusted_proxies: TrustedProxies::default(),
            hashing: HashingLimits::default(),
            prices: Prices::default(),
            webhooks_allow_private: false,
            live: LiveConfig::default(),
            metrics_token: None,
            trusted_issuers: None,
            local_accounts: true,
            require_verified_email: false,
            cors_origins: CorsOrigins::default(),
        }
    }
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("jwt_secret", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("session_ttl", &self.session_ttl)
            .field("password_reset_ttl", &self.password_reset_ttl)
            .field("introspection", &self.introspection)
            .field("limits", &self.limits)
            .field("rate_limits", &self.rate_limits)
            .field("max_live_sessions", &self.max_live_sessions)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("hashing", &self.hashing)
            .field("prices", &self.prices)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("live", &self.live)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .field("trusted_issuers", &self.trusted_issuers)
            .field("local_accounts", &self.local_accounts)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::GatewayConfig;

    #[test]
    fn debug_never_shows_the_jwt_secret() {
        let secret = "jwt-secret-that-must-not-print-0123456789";
        let config = GatewayConfig::new(secret.as_bytes().to_vec(), "http://roster".into());
        let shown = format!("{config:?}");
        assert!(!shown.contains(secret), "{shown}");
        let bytes = format!("{:?}", secret.as_bytes());
        assert!(!shown.contains(&bytes[1..20]), "{shown}");
        assert!(shown.contains("issuer"), "{shown}");
    }
}
