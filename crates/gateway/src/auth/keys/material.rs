//! A signing key's material: a new Ed25519 key pair, its public JWK and
//! `kid` (the RFC 7638 thumbprint), and its private half sealed with
//! AES-256-GCM under a key derived by HKDF-SHA256 from `ROSTER_JWT_SECRET`
//! (docs/operations/key-rotation.md). The sealed form is `nonce ‖ ciphertext
//! ‖ tag`, bound to its `kid`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use roster_domain::signing_key::{KeySchedule, SigningKey};

/// The one algorithm Roster signs with.
pub const ALGORITHM: &str = "EdDSA";

/// PKCS#8 v1 of an Ed25519 key, up to its 32-byte seed (RFC 8410).
const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The key that seals private halves; derived, so that the master secret
/// itself never encrypts anything.
pub struct Sealer(LessSafeKey);

#[derive(Debug, thiserror::Error)]
#[error(
    "ROSTER_JWT_SECRET does not open the token-signing key {kid} (was the secret changed? \
     docs/operations/key-rotation.md)"
)]
pub struct UnsealError {
    pub kid: String,
}

impl Sealer {
    pub fn new(master_secret: &[u8]) -> Self {
        let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"roster signing keys");
        let prk = salt.extract(master_secret);
        let okm = prk
            .expand(&[b"roster-signing-key-seal-v1"], &AES_256_GCM)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self(LessSafeKey::new(UnboundKey::from(okm)))
    }

    fn seal(&self, kid: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system's random source");
        let mut sealed = plain.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut sealed,
            )
            .expect("sealing a short buffer cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    fn open(&self, kid: &str, sealed: &[u8]) -> Result<Vec<u8>, UnsealError> {
        let fail = || UnsealError {
            kid: kid.to_owned(),
        };
        if sealed.len() < NONCE_LEN {
            return Err(fail());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| fail())?;
        let mut body = body.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut body)
            .map_err(|_| fail())?;
        Ok(plain.to_vec())
    }
}

/// A new Ed25519 key on `schedule`, its private half sealed.
pub fn generate(sealer: &Sealer, schedule: KeySchedule, now: DateTime<Utc>) -> SigningKey {
    let mut seed = [0u8; 32];
    SystemRandom::new()
        .fill(&mut seed)
        .expect("the system's random source");
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed).expect("any 32 bytes are a seed");
    let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    // The RFC 7638 thumbprint's members, in its order.
    let public_jwk = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        public_jwk.as_bytes(),
    ));
    let sealed_private = sealer.seal(&kid, &seed);
    SigningKey {
        kid,
        generation: 0,
        algorithm: ALGORITHM.to_owned(),
        public_jwk,
        sealed_private,
        created_at: now,
        publish_from: schedule.publish_from,
        sign_from: schedule.sign_from,
        retire_after: None,
    }
}

/// What a gateway holds of a stored key: its public JWK as published, the
/// key that verifies and the one that signs.
pub struct LoadedKey {
    pub record: SigningKey,
    pub jwk: serde_json::Value,
    pub decoding: DecodingKey,
    pub encoding: EncodingKey,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Unseal(#[from] UnsealError),
    #[error("the stored token-signing key {kid} is malformed")]
    Malformed { kid: String },
}

impl LoadedKey {
    pub fn load(sealer: &Sealer, record: SigningKey) -> Result<Self, LoadError> {
        let malformed = || LoadError::Malformed {
            kid: record.kid.clone(),
        };
        if record.algorithm != ALGORITHM {
            return Err(malformed());
        }
        let mut jwk: serde_json::Value =
            serde_json::from_str(&record.public_jwk).map_err(|_| malformed())?;
        let x = jwk["x"].as_str().ok_or_else(malformed)?;
        let decoding = DecodingKey::from_ed_components(x).map_err(|_| malformed())?;
        let seed = sealer.open(&record.kid, &record.sealed_private)?;
        if seed.len() != 32 {
            return Err(malformed());
        }
        let encoding = EncodingKey::from_ed_der(&[PKCS8_V1_PREFIX.as_slice(), &seed].concat());
        jwk["kid"] = record.kid.clone().into();
        jwk["alg"] = record.algorithm.clone().into();
        jwk["use"] = "sig".into();
        Ok(Self {
            record,
            jwk,
            decoding,
            encoding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_secret_and_kid() {
        let now = Utc::now();
        let sealer = Sealer::new(b"secret-secret-secret-secret-secret-0123");
        let key = generate(&sealer, KeySchedule::first(now), now);
        assert!(LoadedKey::load(&sealer, key.clone()).is_ok());
        assert_eq!(key.sealed_private.len(), NONCE_LEN + 32 + 16);
        let other = Sealer::new(b"another-secret-another-secret-0123456789");
        assert!(matches!(
            LoadedKey::load(&other, key.clone()),
            Err(LoadError::Unseal(_))
        ));
        let mut moved = key.clone();
        moved.kid = "another".into();
        assert!(LoadedKey::load(&sealer, moved).is_err());
    }

    #[test]
    fn what_it_signs_verifies_with_its_public_jwk_alone() {
        let now = Utc::now();
        let sealer = Sealer::new(b"secret-secret-secret-secret-secret-0123");
        let key = LoadedKey::load(&sealer, generate(&sealer, KeySchedule::first(now), now))
            .expect("load");
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(key.record.kid.clone());
        let token = jsonwebtoken::encode(
            &header,
            &serde_json::json!({"sub": "x", "exp": 4e9}),
            &key.encoding,
        )
        .expect("sign");
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk.clone()).expect("jwk");
        let decoding = DecodingKey::from_jwk(&jwk).expect("decoding key");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation).is_ok());
    }
}
