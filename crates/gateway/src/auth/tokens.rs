//! Access tokens: EdDSA JWTs signed with the newest signing key, `kid` in
//! the header and the algorithm pinned per key (`crate::auth::keys`,
//! docs/api/sessions.md); `exp iat iss aud sub sid` required, checked
//! against the injectable clock, tied to a session row. HS256 tokens signed
//! with `ROSTER_JWT_SECRET` before the first signing key existed are
//! accepted for one token lifetime after it (docs/operations/upgrades.md).
//! `org_id org_role org_status` are for products that authorize without a
//! round trip (docs/api/sessions.md); Roster itself never reads them.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use roster_domain::org_claims::OrgClaims;
use roster_domain::{DomainError, MemberStatus, OrgRole, SessionId, Store, UserId};

use crate::auth::keys::{KeyRing, material};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org_role: Option<OrgRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org_status: Option<MemberStatus>,
}

/// What a valid access token says.
#[derive(Clone, Copy, Debug)]
pub struct TokenSubject {
    pub user: UserId,
    pub session: SessionId,
}

#[derive(Clone)]
pub struct AccessTokens {
    keys: Arc<KeyRing>,
    /// `ROSTER_JWT_SECRET`, for the HS256 tokens of before the first key.
    legacy: DecodingKey,
    legacy_validation: Validation,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: i64 = 5;

impl AccessTokens {
    /// `secret`: `ROSTER_JWT_SECRET`, which seals the signing keys and
    /// checks the HS256 tokens of before them.
    pub fn new(
        store: Arc<dyn Store>,
        secret: &[u8],
        issuer: &str,
        ttl: std::time::Duration,
    ) -> Self {
        Self {
            keys: Arc::new(KeyRing::new(store, secret, ttl)),
            legacy: DecodingKey::from_secret(secret),
            legacy_validation: validation(Algorithm::HS256, issuer),
            validation: validation(Algorithm::EdDSA, issuer),
            issuer: issuer.to_owned(),
            ttl: Duration::from_std(ttl).unwrap_or(Duration::minutes(15)),
        }
    }

    /// The signing keys (the JWKS, `roster keys rotate`).
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// A token for `subject`, valid from `now`; and when it expires.
    pub async fn issue(
        &self,
        subject: TokenSubject,
        org: Option<&OrgClaims>,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), DomainError> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: subject.user.0,
            sid: subject.session.0,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            iss: self.issuer.clone(),
            aud: self.issuer.clone(),
            org_id: org.map(|o| o.org_id.0),
            org_role: org.map(|o| o.role),
            org_status: org.map(|o| o.status),
        };
        let keys = self.keys.current(now).await?;
        let key = keys
            .signer(now)
            .ok_or_else(|| DomainError::internal("no token-signing key signs now"))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.record.kid.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &key.encoding).map_err(DomainError::internal)?;
        Ok((token, expires_at))
    }

    /// The subject of a token that is well-formed, signed by a published
    /// key with its own algorithm (or, within the legacy window, HS256 with
    /// the secret), for us, and neither expired nor issued in the future.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<TokenSubject> {
        self.verify_until(token, now)
            .await
            .map(|(subject, _)| subject)
    }

    /// `verify`, and when the token expires (a live connection ends then).
    pub async fn verify_until(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<(TokenSubject, DateTime<Utc>)> {
        if token.len() > 4096 {
            return None;
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        let claims = match (header.alg, header.kid) {
            // The key, not the token, says which algorithm verifies: a
            // token naming another (HS256 keyed with the public key, `none`)
            // fails here or in `decode`, whose list holds only that one.
            (Algorithm::EdDSA, Some(kid)) => {
                let (keys, i) = self.keys_for(&kid, now).await?;
                let key = keys.key(i);
                if key.record.algorithm != material::ALGORITHM {
                    return None;
                }
                jsonwebtoken::decode::<Claims>(token, &key.decoding, &self.validation)
                    .ok()?
                    .claims
            }
            (Algorithm::HS256, None) => {
                let keys = self.keys.current(now).await.ok()?;
                if !keys.accepts_legacy_hs256(now) {
                    return None;
                }
                jsonwebtoken::decode::<Claims>(token, &self.legacy, &self.legacy_validation)
                    .ok()?
                    .claims
            }
            _ => return None,
        };
        let now = now.timestamp();
        if claims.exp <= now - LEEWAY_SECS || claims.iat > now + LEEWAY_SECS {
            return None;
        }
        let expires_at = DateTime::from_timestamp(claims.exp, 0)?;
        Some((
            TokenSubject {
                user: UserId(claims.sub),
                session: SessionId(claims.sid),
            },
            expires_at,
        ))
    }

    async fn keys_for(
        &self,
        kid: &str,
        now: DateTime<Utc>,
    ) -> Option<(Arc<crate::auth::keys::KeySet>, usize)> {
        match self.keys.find(kid, now).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the token-signing keys");
                None
            }
        }
    }
}

/// What every token must hold, with `alg` pinned to `algorithm`.
fn validation(algorithm: Algorithm, issuer: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.algorithms = vec![algorithm];
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[issuer]);
    // Expiry is checked against Roster's clock (which tests move), not the
    // system clock; the claim itself stays required.
    validation.validate_exp = false;
    validation.leeway = 0;
    validation
}
