//! The token-signing keys as a gateway holds them (docs/operations/key-rotation.md):
//! read from the database, shared by every gateway, cached, and read again
//! every `REFRESH` (by Roster's clock) and on a `kid` it does not know (at
//! most once per `UNKNOWN_KID_COOLDOWN`, so a flood of made-up `kid`s costs
//! one read per cooldown). The first key is made on first use, once
//! whichever gateway gets there first.
//!
//! Only Roster's own keys live here; tokens of other issuers are checked
//! elsewhere, with their own keys.

pub mod material;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use roster_domain::signing_key::{self, KeySchedule, SigningKey};
use roster_domain::{DomainError, Store};
use tokio::sync::{Mutex, RwLock};

use material::{LoadedKey, Sealer};

/// How long a gateway uses its copy of the keys before reading them again.
pub const REFRESH: Duration = Duration::seconds(60);
/// The least time between two reads caused by an unknown `kid`.
const UNKNOWN_KID_COOLDOWN: StdDuration = StdDuration::from_secs(1);

/// The keys as read at one moment.
pub struct KeySet {
    keys: Vec<LoadedKey>,
    /// Until when HS256 tokens of before the first key are accepted.
    legacy_until: Option<DateTime<Utc>>,
    read_at: DateTime<Utc>,
    read_instant: Instant,
}

impl KeySet {
    /// The key that signs at `now`.
    pub fn signer(&self, now: DateTime<Utc>) -> Option<&LoadedKey> {
        let records: Vec<SigningKey> = self.keys.iter().map(|k| k.record.clone()).collect();
        let kid = &signing_key::signing_key(&records, now)?.kid;
        self.keys.iter().find(|k| &k.record.kid == kid)
    }

    /// The published key named `kid`, if any.
    pub fn published(&self, kid: &str, now: DateTime<Utc>) -> Option<&LoadedKey> {
        self.keys
            .iter()
            .find(|k| k.record.kid == kid && k.record.is_published(now))
    }

    /// The JWKS document: the published keys' public halves.
    pub fn jwks(&self, now: DateTime<Utc>) -> serde_json::Value {
        let keys: Vec<&serde_json::Value> = self
            .keys
            .iter()
            .filter(|k| k.record.is_published(now))
            .map(|k| &k.jwk)
            .collect();
        serde_json::json!({ "keys": keys })
    }

    pub fn accepts_legacy_hs256(&self, now: DateTime<Utc>) -> bool {
        self.legacy_until.is_some_and(|until| now < until)
    }
}

pub struct KeyRing {
    store: Arc<dyn Store>,
    sealer: Sealer,
    ttl: Duration,
    cached: RwLock<Option<Arc<KeySet>>>,
    /// One read at a time; the others wait for its result.
    reading: Mutex<()>,
}

impl KeyRing {
    /// `master_secret`: `ROSTER_JWT_SECRET`; `ttl`: the access tokens' lifetime.
    pub fn new(store: Arc<dyn Store>, master_secret: &[u8], ttl: StdDuration) -> Self {
        Self {
            store,
            sealer: Sealer::new(master_secret),
            ttl: Duration::from_std(ttl).unwrap_or(Duration::minutes(15)),
            cached: RwLock::new(None),
            reading: Mutex::new(()),
        }
    }

    /// The keys, read again when the copy is older than `REFRESH`.
    pub async fn current(&self, now: DateTime<Utc>) -> Result<Arc<KeySet>, DomainError> {
        if let Some(set) = self.fresh(now).await {
            return Ok(set);
        }
        let _reading = self.reading.lock().await;
        if let Some(set) = self.fresh(now).await {
            return Ok(set);
        }
        match self.read(now).await {
            Ok(set) => Ok(set),
            // The database unreachable for a moment: the keys read last
            // still verify and sign (they change only by a rotation, which
            // publishes a lifetime ahead).
            Err(e) => match self.cached.read().await.clone() {
                Some(stale) => {
                    tracing::warn!(error = %e, "cannot read the token-signing keys; using the last ones read");
                    Ok(stale)
                }
                None => Err(e),
            },
        }
    }

    /// The keys and the published key `kid`; an unknown `kid` reads the
    /// keys again unless they were read within the cooldown.
    pub async fn find(
        &self,
        kid: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Arc<KeySet>, usize)>, DomainError> {
        let set = self.current(now).await?;
        if let Some(i) = index(&set, kid, now) {
            return Ok(Some((set, i)));
        }
        let _reading = self.reading.lock().await;
        let latest = self.cached.read().await.clone().unwrap_or(set);
        if latest.read_instant.elapsed() < UNKNOWN_KID_COOLDOWN {
            return Ok(index(&latest, kid, now).map(|i| (latest, i)));
        }
        let set = self.read(now).await?;
        Ok(index(&set, kid, now).map(|i| (set, i)))
    }

    async fn fresh(&self, now: DateTime<Utc>) -> Option<Arc<KeySet>> {
        let cached = self.cached.read().await;
        let set = cached.as_ref()?;
        (set.read_at <= now && now - set.read_at < REFRESH).then(|| set.clone())
    }

    /// Reads the keys (making the first one if there is none); the caller
    /// holds `reading`.
    async fn read(&self, now: DateTime<Utc>) -> Result<Arc<KeySet>, DomainError> {
        let mut records = self.store.signing_keys().await?;
        if records.is_empty() {
            let first = material::generate(&self.sealer, KeySchedule::first(now), now);
            if self.store.add_first_signing_key(&first).await? {
                tracing::info!(kid = %first.kid, "made the first token-signing key");
            }
            records = self.store.signing_keys().await?;
        }
        let set = Arc::new(self.load(records, now)?);
        *self.cached.write().await = Some(set.clone());
        Ok(set)
    }

    fn load(&self, records: Vec<SigningKey>, now: DateTime<Utc>) -> Result<KeySet, DomainError> {
        let legacy_until = signing_key::legacy_hs256_until(&records, self.ttl);
        let mut keys = Vec::with_capacity(records.len());
        for record in records {
            // A withdrawn key never signs or verifies again: not opened.
            if record.retire_after.is_some_and(|r| r <= now) {
                continue;
            }
            let key = LoadedKey::load(&self.sealer, record).map_err(|e| {
                tracing::error!(error = %e, "cannot use the token-signing keys");
                DomainError::internal(e)
            })?;
            keys.push(key);
        }
        Ok(KeySet {
            keys,
            legacy_until,
            read_at: now,
            read_instant: Instant::now(),
        })
    }

    /// Adds a key (`roster keys rotate`): published at once, signing one
    /// access-token lifetime later; the keys before it are withdrawn once
    /// the last token they signed has expired. Its record as stored.
    pub async fn rotate(&self, now: DateTime<Utc>) -> Result<SigningKey, DomainError> {
        let schedule = KeySchedule::rotation(now, self.ttl);
        let key = material::generate(&self.sealer, schedule, now);
        let added = self
            .store
            .add_rotated_signing_key(&key, schedule.retire_previous_after)
            .await?;
        *self.cached.write().await = None;
        Ok(added)
    }

    /// Every stored key (`roster keys list`), checking that this secret
    /// opens the ones in use.
    pub async fn list(&self, now: DateTime<Utc>) -> Result<Vec<SigningKey>, DomainError> {
        let _reading = self.reading.lock().await;
        self.read(now).await?;
        self.store.signing_keys().await
    }
}

fn index(set: &KeySet, kid: &str, now: DateTime<Utc>) -> Option<usize> {
    set.keys
        .iter()
        .position(|k| k.record.kid == kid && k.record.is_published(now))
}

impl KeySet {
    pub fn key(&self, i: usize) -> &LoadedKey {
        &self.keys[i]
    }
}
