//! Secret tokens (refresh tokens, invitation tokens): 256 bits shown to
//! the client once, stored only as their SHA-256. Most are random; an
//! invitation send's are derived ([`DerivationKey`]) so that a retry of the
//! same send mails the same secret.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A freshly made secret; its text goes to the client, its hash to the store.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A one-time password: 144 random bits in 24 characters, short
    /// enough to type.
    pub fn temporary_password() -> Self {
        let mut bytes = [0u8; 18];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn encoded(bytes: &[u8]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

/// A server-side key that derives secrets instead of drawing them: the same
/// input always gives the same secret, and without the key the input
/// (ids the database and the API show) gives nothing. HMAC-SHA-256, so a
/// derived secret is as unguessable as a random one while the key stays
/// secret.
#[derive(Clone)]
pub struct DerivationKey([u8; 32]);

impl DerivationKey {
    /// The key for `purpose`, from a server secret (kept apart from every
    /// other use of that secret by the purpose label).
    pub fn new(server_secret: &[u8], purpose: &str) -> Self {
        Self(hmac_sha256(server_secret, &[purpose.as_bytes()]))
    }

    /// A token like [`SecretToken::generate`]'s (256 bits), for `input`.
    pub fn token(&self, input: &[u8]) -> SecretToken {
        SecretToken::encoded(&hmac_sha256(&self.0, &[b"token\0", input]))
    }

    /// A one-time password like [`SecretToken::temporary_password`]'s
    /// (144 bits in 24 characters), for `input`.
    pub fn temporary_password(&self, input: &[u8]) -> SecretToken {
        SecretToken::encoded(&hmac_sha256(&self.0, &[b"password\0", input])[..18])
    }
}

/// Never shows the key.
impl fmt::Debug for DerivationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivationKey(..)")
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The SHA-256 of a token's text: what the store keeps and looks up.
#[derive(Clone, Debug)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(presented: &str) -> Self {
        Self(Sha256::digest(presented.as_bytes()).into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Constant-time: a lookup by hash already hides timing, this keeps any
/// further comparison honest too.
impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for TokenHash {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.as_str().len(), 43);
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.hash(), TokenHash::of(a.as_str()));
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn derived_secrets_are_stable_per_input_and_key_and_look_like_random_ones() {
        let key = DerivationKey::new(b"server secret", "invitation-send");
        let again = DerivationKey::new(b"server secret", "invitation-send");
        let token = key.token(b"send 1");
        assert_eq!(token.as_str(), again.token(b"send 1").as_str());
        assert_eq!(token.as_str().len(), 43);
        assert_ne!(token.as_str(), key.token(b"send 2").as_str());
        let other_key = DerivationKey::new(b"another secret", "invitation-send");
        assert_ne!(token.as_str(), other_key.token(b"send 1").as_str());
        let other_purpose = DerivationKey::new(b"server secret", "something-else");
        assert_ne!(token.as_str(), other_purpose.token(b"send 1").as_str());
        let password = key.temporary_password(b"send 1");
        assert_eq!(password.as_str().len(), 24);
        assert_eq!(
            password.as_str(),
            again.temporary_password(b"send 1").as_str()
        );
        assert!(!token.as_str().starts_with(password.as_str()));
        assert_eq!(format!("{key:?}"), "DerivationKey(..)");
    }
}
