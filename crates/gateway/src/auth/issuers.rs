//! Trusted issuers: a product's own log-in (docs/api/own-log-in.md,
//! docs/operations/configuration.md `ROSTER_TRUSTED_ISSUERS`). A bearer
//! token whose `iss` is listed is verified by a key of that issuer's JWKS,
//! with an asymmetric algorithm the key pins, and its `aud`, `exp` and
//! `nbf` checked against Roster's clock; it then names an
//! [`ExternalIdentity`], which the store links to a Roster account.

mod jwks;

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use roster_domain::identity_link::ExternalIdentity;
use roster_domain::model::User;
use roster_domain::{DisplayName, DomainError, Email, Store, UserId};

use jwks::KeyCache;

/// The longest token accepted: providers' ID and access tokens are a
/// few kilobytes at most.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: i64 = 30;

/// One entry of the `ROSTER_TRUSTED_ISSUERS` file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    pub issuer: String,
    pub jwks_uri: String,
    pub audience: String,
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    #[serde(default = "default_email_verified_claim")]
    pub email_verified_claim: String,
}

fn default_email_claim() -> String {
    "email".into()
}

fn default_email_verified_claim() -> String {
    "email_verified".into()
}

/// The issuers a deployment trusts, each with its cached keys. Cheap to
/// clone: every gateway task shares the caches.
#[derive(Clone)]
pub struct TrustedIssuers {
    issuers: Arc<Vec<Issuer>>,
}

struct Issuer {
    config: IssuerConfig,
    keys: KeyCache,
}

impl std::fmt::Debug for TrustedIssuers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .issuers
            .iter()
            .map(|i| i.config.issuer.as_str())
            .collect();
        f.debug_tuple("TrustedIssuers").field(&names).finish()
    }
}

impl TrustedIssuers {
    /// The issuers of a `ROSTER_TRUSTED_ISSUERS` file's JSON, checked: a
    /// non-empty list, each issuer once, an audience, and a `jwks_uri` over
    /// https (plain http only on a loopback host). The message says what
    /// is wrong.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let configs: Vec<IssuerConfig> =
            serde_json::from_str(json).map_err(|e| format!("not a list of issuers: {e}"))?;
        if configs.is_empty() {
            return Err("lists no issuer".into());
        }
        let mut seen = HashSet::new();
        let mut issuers = Vec::with_capacity(configs.len());
        for config in configs {
            if config.issuer.trim().is_empty() || config.audience.trim().is_empty() {
                return Err("every issuer needs an `issuer` and an `audience`".into());
            }
            if config.email_claim.is_empty() || config.email_verified_claim.is_empty() {
                return Err(format!("{}: claim names must not be empty", config.issuer));
            }
            if !seen.insert(config.issuer.clone()) {
                return Err(format!("{} is listed twice", config.issuer));
            }
            let uri = jwks_uri(&config.jwks_uri).map_err(|e| format!("{}: {e}", config.issuer))?;
            issuers.push(Issuer {
                keys: KeyCache::new(uri),
                config,
            });
        }
        Ok(Self {
            issuers: Arc::new(issuers),
        })
    }

    /// The identity a token of a trusted issuer names, if it verifies at
    /// `now`; `None` for any other token (untrusted issuer, unknown key,
    /// bad signature, symmetric algorithm, wrong audience, expired, not
    /// yet valid, no `sub`).
    pub async fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<(ExternalIdentity, DateTime<Utc>)> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let issuer = self.issuer_of(token)?;
        let header = jsonwebtoken::decode_header(token).ok()?;
        if !ASYMMETRIC.contains(&header.alg) {
            return None;
        }
        let key = issuer
            .keys
            .key(header.kid.as_deref(), header.alg, now)
            .await?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&issuer.config.issuer]);
        validation.set_audience(&[&issuer.config.audience]);
        // Time is checked below against Roster's clock (which tests move).
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .ok()?
            .claims;
        let now = now.timestamp();
        let exp = claims.get("exp").and_then(seconds)?;
        if exp <= now - LEEWAY_SECS {
            return None;
        }
        if let Some(nbf) = claims.get("nbf")
            && seconds(nbf).is_none_or(|nbf| nbf > now + LEEWAY_SECS)
        {
            return None;
        }
        let subject = claims.get("sub").and_then(Value::as_str)?;
        if subject.is_empty() || subject.len() > 255 {
            return None;
        }
        let expires_at = DateTime::from_timestamp(exp, 0)?;
        Some((identity(&issuer.config, subject, &claims), expires_at))
    }

    /// The listed issuer a token claims, read before its signature is
    /// checked (to know whose keys check it).
    fn issuer_of(&self, token: &str) -> Option<&Issuer> {
        let payload = token.split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
        #[derive(Deserialize)]
        struct Iss {
            iss: String,
        }
        let Iss { iss } = serde_json::from_slice(&bytes).ok()?;
        self.issuers.iter().find(|i| i.config.issuer == iss)
    }
}

/// A NumericDate claim: whole seconds, or a number with a fraction.
fn seconds(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// Only asymmetric algorithms: a token signed with a shared secret (or
/// HS256 with a public key as the secret) never verifies.
const ASYMMETRIC: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What the verified claims say of their holder: the email only when the
/// issuer calls it verified (a JSON `true`, or the string `"true"` some
/// providers send).
fn identity(config: &IssuerConfig, subject: &str, claims: &Map<String, Value>) -> ExternalIdentity {
    let verified = match claims.get(&config.email_verified_claim) {
        Some(Value::Bool(yes)) => *yes,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    let email = claims
        .get(&config.email_claim)
        .and_then(Value::as_str)
        .and_then(|e| Email::parse(e).ok());
    let display_name = claims
        .get("name")
        .and_then(Value::as_str)
        .and_then(|n| DisplayName::parse(n).ok())
        .or_else(|| {
            let local = email.as_ref()?.as_str().split('@').next()?.to_owned();
            DisplayName::parse(&local).ok()
        })
        .unwrap_or_else(|| DisplayName::parse("Member").expect("a valid name"));
    ExternalIdentity {
        issuer: config.issuer.clone(),
        subject: subject.to_owned(),
        verified_email: email.filter(|_| verified),
        display_name,
    }
}

/// A `jwks_uri`: https, or http on a loopback host (a sidecar, a test).
fn jwks_uri(raw: &str) -> Result<url::Url, String> {
    let uri = url::Url::parse(raw).map_err(|e| format!("jwks_uri {raw:?}: {e}"))?;
    let loopback = match uri.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match uri.scheme() {
        "https" if uri.host().is_some() => Ok(uri),
        "http" if loopback => Ok(uri),
        _ => Err(format!(
            "jwks_uri {raw:?} must be https (plain http only on a loopback host)"
        )),
    }
}

/// The account `token` signs in as, and when the token expires, if it is
/// a trusted issuer's and verifies at `now`: `Ok(None)` when it does not,
/// or when the store refuses its identity (rules.md §1: no verified
/// email on first use, or an address whose account never proved it).
pub async fn sign_in(
    issuers: &TrustedIssuers,
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(User, DateTime<Utc>)>, DomainError> {
    let Some((identity, expires_at)) = issuers.verify(token, now).await else {
        return Ok(None);
    };
    let user = store
        .sign_in_with_issuer(&identity, UserId::new(), now)
        .await?;
    if user.is_none() {
        tracing::info!(issuer = %identity.issuer, "a trusted issuer's token was refused: no account may be linked");
    }
    Ok(user.map(|user| (user, expires_at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(jwks_uri: &str) -> String {
        format!(
            r#"[{{"issuer": "https://login.example.com", "jwks_uri": "{jwks_uri}", "audience": "roster"}}]"#
        )
    }

    #[test]
    fn jwks_uris_are_https_except_on_loopback() {
        assert!(TrustedIssuers::from_json(&file("https://login.example.com/jwks.json")).is_ok());
        assert!(TrustedIssuers::from_json(&file("http://127.0.0.1:9000/jwks.json")).is_ok());
        assert!(TrustedIssuers::from_json(&file("http://localhost:9000/jwks.json")).is_ok());
        assert!(TrustedIssuers::from_json(&file("http://[::1]:9000/jwks.json")).is_ok());
        assert!(TrustedIssuers::from_json(&file("http://login.example.com/jwks.json")).is_err());
        assert!(TrustedIssuers::from_json(&file("ftp://login.example.com/jwks.json")).is_err());
    }

    #[test]
    fn a_bad_file_says_what_is_wrong() {
        assert!(
            TrustedIssuers::from_json("[]")
                .unwrap_err()
                .contains("no issuer")
        );
        assert!(TrustedIssuers::from_json("{").is_err());
        let twice = format!(
            "[{0}, {0}]",
            r#"{"issuer": "https://a.example", "jwks_uri": "https://a.example/k", "audience": "r"}"#
        );
        assert!(
            TrustedIssuers::from_json(&twice)
                .unwrap_err()
                .contains("twice")
        );
        let unknown = r#"[{"issuer": "https://a.example", "jwks_uri": "https://a.example/k", "audience": "r", "aud": "x"}]"#;
        assert!(TrustedIssuers::from_json(unknown).is_err());
    }

    #[test]
    fn only_an_email_its_issuer_verified_counts() {
        let config: IssuerConfig = serde_json::from_str(
            r#"{"issuer": "i", "jwks_uri": "https://i.example/k", "audience": "a",
                "email_claim": "mail", "email_verified_claim": "mail_ok"}"#,
        )
        .unwrap();
        let claims = |v: Value| {
            serde_json::from_value::<Map<String, Value>>(
                serde_json::json!({ "mail": "bob@example.com", "mail_ok": v }),
            )
            .unwrap()
        };
        let verified = |v| identity(&config, "s", &claims(v)).verified_email.is_some();
        assert!(verified(Value::Bool(true)));
        assert!(verified(Value::String("true".into())));
        assert!(!verified(Value::Bool(false)));
        assert!(!verified(Value::Null));
        assert_eq!(
            identity(&config, "s", &claims(Value::Bool(true)))
                .display_name
                .as_str(),
            "bob"
        );
    }
}
