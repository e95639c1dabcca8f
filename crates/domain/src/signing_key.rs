//! Token-signing keys (rules.md §1, docs/operations/key-rotation.md): which
//! key signs, which keys are published and accepted, and when the HS256
//! tokens of before the first asymmetric key stop being accepted.
//!
//! A key is published from `publish_from`, signs from `sign_from` (the
//! newest such key signs), and is withdrawn at `retire_after`: one
//! access-token lifetime after the next key started signing, when the last
//! token it signed has expired. The first key signs at once (dated back, so skewed clocks agree); a rotation's
//! key signs one lifetime after it is published, so that every verifier
//! that caches the key set has it before the first token it signs.

use chrono::{DateTime, Duration, Utc};

use crate::error::Result;

/// One signing key as stored: its public half as JWK fields, its private
/// half sealed (the store never sees it in the clear).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKey {
    /// The JWT header's `kid`.
    pub kid: String,
    /// 1 for the first key, then one more per rotation: the newest is the
    /// highest. Unique, which makes creating the first key race-safe.
    pub generation: i64,
    /// The JWS algorithm, pinned to the key (`EdDSA`).
    pub algorithm: String,
    /// The public JWK's key fields as JSON (`{"kty":"OKP","crv":"Ed25519","x":…}`).
    pub public_jwk: String,
    /// The private half, sealed under a key derived from `ROSTER_JWT_SECRET`.
    pub sealed_private: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub publish_from: DateTime<Utc>,
    pub sign_from: DateTime<Utc>,
    /// `None` while no newer key has been added.
    pub retire_after: Option<DateTime<Utc>>,
}

impl SigningKey {
    /// Whether the key is in the JWKS, and its tokens accepted, at `now`.
    pub fn is_published(&self, now: DateTime<Utc>) -> bool {
        self.publish_from <= now && self.retire_after.is_none_or(|r| now < r)
    }
}

/// The times of a key being added at `now`, with access tokens that live
/// `ttl`. `first`: no key exists yet, so it signs at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySchedule {
    pub publish_from: DateTime<Utc>,
    pub sign_from: DateTime<Utc>,
    /// When the keys it replaces are withdrawn: a lifetime after it signs.
    pub retire_previous_after: DateTime<Utc>,
}

impl KeySchedule {
    /// The first key: nothing came before it, so it is dated back to the
    /// epoch; a gateway whose clock is behind the one that made it (or a
    /// test's clock) signs with it too.
    pub fn first(now: DateTime<Utc>) -> Self {
        Self {
            publish_from: DateTime::UNIX_EPOCH,
            sign_from: DateTime::UNIX_EPOCH,
            retire_previous_after: now,
        }
    }

    /// A rotation: published at once, signing after one lifetime, the keys
    /// before it withdrawn one more lifetime later.
    pub fn rotation(now: DateTime<Utc>, ttl: Duration) -> Self {
        Self {
            publish_from: now,
            sign_from: now + ttl,
            retire_previous_after: now + ttl + ttl,
        }
    }
}

/// The key that signs at `now`: the newest whose `sign_from` has passed
/// and that is still published. `keys` in any order.
pub fn signing_key(keys: &[SigningKey], now: DateTime<Utc>) -> Option<&SigningKey> {
    keys.iter()
        .filter(|k| k.sign_from <= now && k.is_published(now))
        .max_by_key(|k| k.generation)
}

/// Until when an HS256 token (signed with `ROSTER_JWT_SECRET` before the
/// first asymmetric key existed) is still accepted: one access-token
/// lifetime after that key was created (docs/operations/upgrades.md).
/// `None` when no key exists yet.
pub fn legacy_hs256_until(keys: &[SigningKey], ttl: Duration) -> Option<DateTime<Utc>> {
    keys.iter()
        .map(|k| k.created_at)
        .min()
        .map(|first| first + ttl)
}

/// The keys in the database, shared by every gateway.
#[async_trait::async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// Every key, oldest first.
    async fn signing_keys(&self) -> Result<Vec<SigningKey>>;
    /// Adds `key` as generation 1 unless a first key exists already
    /// (another gateway made it first); whether it was added.
    async fn add_first_signing_key(&self, key: &SigningKey) -> Result<bool>;
    /// Adds `key` as the newest generation and withdraws every older key
    /// not withdrawn yet at `retire_previous_after`, in one transaction;
    /// the key as stored. Two at once: one of them is `CONFLICT`.
    async fn add_rotated_signing_key(
        &self,
        key: &SigningKey,
        retire_previous_after: DateTime<Utc>,
    ) -> Result<SigningKey>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(generation: i64, schedule: KeySchedule, created_at: DateTime<Utc>) -> SigningKey {
        SigningKey {
            kid: format!("k{generation}"),
            generation,
            algorithm: "EdDSA".into(),
            public_jwk: "{}".into(),
            sealed_private: vec![],
            created_at,
            publish_from: schedule.publish_from,
            sign_from: schedule.sign_from,
            retire_after: None,
        }
    }

    #[test]
    fn a_rotated_key_signs_after_one_lifetime_and_the_old_one_goes_after_two() {
        let t0 = Utc::now();
        let ttl = Duration::minutes(15);
        let mut first = key(1, KeySchedule::first(t0), t0);
        assert_eq!(
            signing_key(std::slice::from_ref(&first), t0).map(|k| k.generation),
            Some(1)
        );

        let t1 = t0 + Duration::hours(1);
        let plan = KeySchedule::rotation(t1, ttl);
        first.retire_after = Some(plan.retire_previous_after);
        let keys = vec![first, key(2, plan, t1)];
        let signer = |at| signing_key(&keys, at).map(|k| k.generation);
        let published = |at| {
            keys.iter()
                .filter(|k| k.is_published(at))
                .map(|k| k.generation)
                .collect::<Vec<_>>()
        };
        // Published at once, both in the set; the old key still signs.
        assert_eq!(published(t1), vec![1, 2]);
        assert_eq!(signer(t1 + ttl - Duration::seconds(1)), Some(1));
        // One lifetime on, the new key signs; the old one stays published
        // until its last token has expired.
        assert_eq!(signer(t1 + ttl), Some(2));
        assert_eq!(published(t1 + ttl + ttl - Duration::seconds(1)), vec![1, 2]);
        assert_eq!(published(t1 + ttl + ttl), vec![2]);
    }

    #[test]
    fn hs256_is_accepted_one_lifetime_after_the_first_key() {
        let t0 = Utc::now();
        let ttl = Duration::minutes(15);
        assert_eq!(legacy_hs256_until(&[], ttl), None);
        let keys = vec![
            key(2, KeySchedule::first(t0 + ttl), t0 + ttl),
            key(1, KeySchedule::first(t0), t0),
        ];
        assert_eq!(legacy_hs256_until(&keys, ttl), Some(t0 + ttl));
    }

    #[test]
    fn a_key_not_yet_published_neither_signs_nor_verifies() {
        let t0 = Utc::now();
        let later = KeySchedule {
            publish_from: t0 + Duration::minutes(1),
            sign_from: t0 + Duration::minutes(1),
            retire_previous_after: t0,
        };
        let keys = vec![key(1, later, t0)];
        assert!(signing_key(&keys, t0).is_none());
        assert!(!keys[0].is_published(t0));
    }
}
