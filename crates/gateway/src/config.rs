//! What the gateway needs to know, set by the binary (or a test).

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// HS256 key for access tokens, at least 32 bytes.
    pub jwt_secret: Vec<u8>,
    /// `iss` and `aud` of access tokens: the public URL.
    pub issuer: String,
    pub access_token_ttl: Duration,
    pub session_ttl: Duration,
    /// Whether the schema answers introspection (GraphiQL needs it).
    pub introspection: bool,
    pub limits: Limits,
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
    /// The serialized `data` and `errors` of one operation; a larger
    /// response is replaced by one `VALIDATION` error.
    pub max_response_bytes: usize,
    /// Errors in one operation's response; the rest are summed up in one.
    pub max_errors: usize,
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
            max_response_bytes: 4 * 1024 * 1024,
            max_errors: 100,
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
            introspection: true,
            limits: Limits::default(),
        }
    }
}
