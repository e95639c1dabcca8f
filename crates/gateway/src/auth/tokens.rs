//! Access tokens: HS256 JWTs, algorithm pinned, `exp iat iss aud sub sid`
//! required, checked against the injectable clock, tied to a session row.
//! `org_id org_role org_status` are for products that authorize without a
//! round trip (docs/api/sessions.md); Roster itself never reads them.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use roster_domain::org_claims::OrgClaims;
use roster_domain::{MemberStatus, OrgRole, SessionId, UserId};

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
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: i64 = 5;

impl AccessTokens {
    pub fn new(secret: &[u8], issuer: &str, ttl: std::time::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[issuer]);
        // Expiry is checked below against Roster's clock (which tests move),
        // not the system clock; the claim itself stays required.
        validation.validate_exp = false;
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            ttl: Duration::from_std(ttl).unwrap_or(Duration::minutes(15)),
        }
    }

    /// A token for `subject`, valid from `now`; and when it expires.
    pub fn issue(
        &self,
        subject: TokenSubject,
        org: Option<&OrgClaims>,
        now: DateTime<Utc>,
    ) -> (String, DateTime<Utc>) {
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
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, expires_at)
    }

    /// The subject of a token that is well-formed, signed with our key by
    /// HS256, for us, and neither expired nor issued in the future.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<TokenSubject> {
        self.verify_until(token, now).map(|(subject, _)| subject)
    }

    /// `verify`, and when the token expires (a live connection ends then).
    pub fn verify_until(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<(TokenSubject, DateTime<Utc>)> {
        if token.len() > 4096 {
            return None;
        }
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
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
}
