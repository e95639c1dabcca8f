//! Password hashing: argon2id at OWASP's parameters (19 MiB, t=2, p=1).
//! Blocking work: async callers run it on a few threads of their own.
//!
//! Each hash needs 19 MiB of working memory. Allocated afresh per hash, on
//! many threads at once, that memory stays resident (the allocator keeps
//! per-thread arenas), so callers that hash often hold a [`Scratch`] per
//! thread and hash with [`hash_in`] / [`verify_in`], which reuse it.

use argon2::password_hash::phc::{Output, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::DomainError;

/// OWASP's argon2id recommendation: m=19456 KiB, t=2, p=1.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid")
}

/// The working memory of one hash, reused from one hash to the next.
pub struct Scratch(Vec<Block>);

impl Scratch {
    /// Room for a hash at our parameters (19 MiB).
    pub fn new() -> Self {
        Self(vec![Block::new(); params().block_count()])
    }

    /// The blocks for `params`: ours, or (for a hash made with larger
    /// parameters) a one-off buffer, so that the kept one never grows.
    fn blocks_for(&mut self, params: &Params) -> Blocks<'_> {
        let needed = params.block_count();
        if needed <= self.0.len() {
            Blocks::Kept(&mut self.0[..needed])
        } else {
            Blocks::OneOff(vec![Block::new(); needed])
        }
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

enum Blocks<'a> {
    Kept(&'a mut [Block]),
    OneOff(Vec<Block>),
}

impl AsMut<[Block]> for Blocks<'_> {
    fn as_mut(&mut self) -> &mut [Block] {
        match self {
            Self::Kept(blocks) => blocks,
            Self::OneOff(blocks) => blocks,
        }
    }
}

/// A PHC-format argon2id hash of `password`, with a fresh salt, computed
/// in `scratch`.
pub fn hash_in(password: &str, scratch: &mut Scratch) -> Result<String, DomainError> {
    let params = params();
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            &salt,
            &mut out,
            scratch.blocks_for(&params),
        )
        .map_err(|e| DomainError::internal(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: (&params)
            .try_into()
            .map_err(|e: argon2::password_hash::Error| DomainError::internal(e.to_string()))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| DomainError::internal(e.to_string()))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, computed in
/// `scratch`; the comparison is constant-time (`Output`'s `==`).
fn matches_in(password: &str, hash: &str, scratch: &mut Scratch) -> bool {
    let Ok(phc) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(phc.algorithm.as_str()),
        Params::try_from(&phc),
    ) else {
        return false;
    };
    let version = phc
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        scratch.blocks_for(&params),
    );
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == *expected)
}

/// A PHC-format argon2id hash of `password`, with a fresh salt.
pub fn hash(password: &str) -> Result<String, DomainError> {
    hash_in(password, &mut Scratch::new())
}

/// The hash checked when an account is unknown, so that a wrong password
/// and an unknown email take about the same time (the answer is then
/// always no). It is a constant at our parameters rather than computed at
/// start: computing it took 19 MiB that the allocator kept resident at
/// idle, and tens of milliseconds before `/readyz`
/// (docs/operations/performance.md). Made by `hash` of the text
/// `roster-dummy-password-for-unknown-emails`; a test checks it still
/// costs what a real hash costs.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$HGDJ/gTt9nTkpmOO+wwJcQ$uZzKUT2RMGLLMxoX0AIXDU8TP3T8UXBfo4MXy42m9lM";

/// Whether `password` matches `hash`, computed in `scratch`; with no hash,
/// the dummy is checked and the answer is always no.
pub fn verify_in(password: &str, hash: Option<&str>, scratch: &mut Scratch) -> bool {
    let matched = matches_in(password, hash.unwrap_or(DUMMY), scratch);
    hash.is_some() && matched
}

/// [`verify_in`] with memory of its own.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    verify_in(password, hash, &mut Scratch::new())
}

#[cfg(test)]
mod tests {
    use argon2::{Algorithm, Argon2, PasswordHasher, Version};

    use super::Scratch;

    #[test]
    fn hashes_verify_and_unknown_accounts_never_do() {
        let h = super::hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse", Some(&h)));
        assert!(!super::verify("wrong horse", Some(&h)));
        assert!(!super::verify(
            "roster-dummy-password-for-unknown-emails",
            None
        ));
    }

    #[test]
    fn the_dummy_costs_what_a_hash_at_our_parameters_costs() {
        let dummy = argon2::password_hash::phc::PasswordHash::new(super::DUMMY).unwrap();
        let (ours, its) = (super::params(), argon2::Params::try_from(&dummy).unwrap());
        assert_eq!(
            (its.m_cost(), its.t_cost(), its.p_cost()),
            (ours.m_cost(), ours.t_cost(), ours.p_cost())
        );
        let fresh = super::hash("anything").unwrap();
        let prefix = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert_eq!(prefix(super::DUMMY), prefix(&fresh));
        let mut scratch = Scratch::new();
        assert!(super::matches_in(
            "roster-dummy-password-for-unknown-emails",
            super::DUMMY,
            &mut scratch
        ));
    }

    #[test]
    fn reused_memory_gives_the_same_answers_as_the_library() {
        let mut scratch = Scratch::new();
        let ours = super::hash_in("correct horse", &mut scratch).unwrap();
        let library = Argon2::new(Algorithm::Argon2id, Version::V0x13, super::params());
        let theirs = library.hash_password(b"correct horse").unwrap().to_string();
        for h in [&ours, &theirs] {
            assert!(super::verify_in("correct horse", Some(h), &mut scratch));
            assert!(!super::verify_in("wrong horse", Some(h), &mut scratch));
        }
        assert!(!super::verify_in("x", Some("not a hash"), &mut scratch));
    }
}
