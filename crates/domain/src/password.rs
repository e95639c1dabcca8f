//! Password hashing: argon2id at OWASP's parameters (19 MiB, t=2, p=1).
//! Blocking work: async callers run it on the blocking pool.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::DomainError;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC-format argon2id hash of `password`, with a fresh salt.
pub fn hash(password: &str) -> Result<String, DomainError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DomainError::internal(e.to_string()))
}

/// A hash no password matches, checked when an account is unknown so that
/// a wrong password and an unknown email take about the same time.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash("roster-dummy-password-for-unknown-emails").expect("hashing works"));

/// Computes the dummy hash now rather than on the first unknown email.
pub fn warm_up() {
    LazyLock::force(&DUMMY);
}

/// Whether `password` matches `hash`; with no hash, the dummy is checked
/// and the answer is always no.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    let matched = hasher()
        .verify_password(password.as_bytes(), hash.unwrap_or(&DUMMY))
        .is_ok();
    hash.is_some() && matched
}

#[cfg(test)]
mod tests {
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
}
