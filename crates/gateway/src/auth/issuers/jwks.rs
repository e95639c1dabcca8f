//! One trusted issuer's public keys (docs/api/own-log-in.md): fetched
//! from its `jwks_uri`, cached, and fetched again when a token names a key
//! the cache lacks or the cache is an hour old; never more than once a
//! minute of Roster's clock, however many tokens name unknown keys.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

/// At most one fetch per issuer in this time.
const MIN_INTERVAL: TimeDelta = TimeDelta::minutes(1);
/// Keys older than this are fetched again (a provider that withdrew a key).
const MAX_AGE: TimeDelta = TimeDelta::hours(1);
/// A JWKS larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct KeyCache {
    uri: url::Url,
    http: reqwest::Client,
    state: RwLock<State>,
    /// Held by the one task fetching.
    fetching: Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: Vec<Key>,
    /// The last fetch tried, and the last that succeeded.
    tried: Option<DateTime<Utc>>,
    refreshed: Option<DateTime<Utc>>,
}

#[derive(Clone)]
struct Key {
    kid: Option<String>,
    /// The JWK's own `alg`, when it names one: only that one verifies.
    alg: Option<Algorithm>,
    kind: KeyKind,
    decoding: DecodingKey,
}

/// The key types accepted, each with the algorithms it verifies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn verifies(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::P256 => alg == ES256,
            KeyKind::P384 => alg == ES384,
            KeyKind::Ed25519 => alg == EdDSA,
        }
    }
}

impl State {
    /// The key a token with `kid` and `alg` is checked with: the one of
    /// that id; without an id, the only key there is for `alg`.
    fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let mut usable = self
            .keys
            .iter()
            .filter(|k| k.kind.verifies(alg) && k.alg.is_none_or(|a| a == alg));
        match kid {
            Some(kid) => usable
                .find(|k| k.kid.as_deref() == Some(kid))
                .map(|k| k.decoding.clone()),
            None => match (usable.next(), usable.next()) {
                (Some(only), None) => Some(only.decoding.clone()),
                _ => None,
            },
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.refreshed.is_some_and(|t| now - t < MAX_AGE)
    }
}

impl KeyCache {
    pub(super) fn new(uri: url::Url) -> Self {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            uri,
            http,
            state: RwLock::new(State::default()),
            fetching: Mutex::new(()),
        }
    }

    /// The key that checks a token with `kid` and `alg` at `now`, fetching
    /// the set again if it lacks it or is old, at most once a minute.
    pub(super) async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        now: DateTime<Utc>,
    ) -> Option<DecodingKey> {
        let found = {
            let state = self.state.read().await;
            let found = state.find(kid, alg);
            if found.is_some() && state.fresh(now) {
                return found;
            }
            found
        };
        // One task fetches; a known key serves meanwhile, an unknown one
        // waits for the fetch under way.
        let _fetching = match self.fetching.try_lock() {
            Ok(guard) => guard,
            Err(_) if found.is_some() => return found,
            Err(_) => self.fetching.lock().await,
        };
        {
            let mut state = self.state.write().await;
            let found = state.find(kid, alg);
            if found.is_some() && state.fresh(now) {
                return found;
            }
            if state.tried.is_some_and(|t| now - t < MIN_INTERVAL) {
                return found;
            }
            state.tried = Some(now);
        }
        match self.fetch().await {
            Ok(keys) => {
                let mut state = self.state.write().await;
                state.keys = keys;
                state.refreshed = Some(now);
                state.find(kid, alg)
            }
            Err(e) => {
                tracing::warn!(jwks_uri = %self.uri, error = %e, "fetching a trusted issuer's keys failed");
                self.state.read().await.find(kid, alg)
            }
        }
    }

    async fn fetch(&self) -> Result<Vec<Key>, String> {
        let mut response = self
            .http
            .get(self.uri.clone())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
            }
        }
        #[derive(Deserialize)]
        struct Set {
            keys: Vec<serde_json::Value>,
        }
        let set: Set = serde_json::from_slice(&body).map_err(|e| format!("not a JWKS: {e}"))?;
        // A key Roster cannot use (an encryption key, a symmetric one, an
        // unknown type or curve) is skipped, not fatal.
        Ok(set
            .keys
            .into_iter()
            .filter_map(|v| serde_json::from_value::<Jwk>(v).ok())
            .filter_map(|jwk| key(&jwk))
            .collect())
    }
}

/// A verifying key of `jwk`, if it is one of the accepted types.
fn key(jwk: &Jwk) -> Option<Key> {
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => KeyKind::Rsa,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => KeyKind::P256,
            EllipticCurve::P384 => KeyKind::P384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            KeyKind::Ed25519
        }
        _ => return None,
    };
    let alg = match jwk.common.key_algorithm {
        Some(a) => Some(a.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    if alg.is_some_and(|a| !kind.verifies(a)) {
        return None;
    }
    Some(Key {
        kid: jwk.common.key_id.clone(),
        alg,
        kind,
        decoding: DecodingKey::from_jwk(jwk).ok()?,
    })
}
