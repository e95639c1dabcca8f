//! Password hashing for request handlers: the domain's argon2id on the
//! blocking pool, so a hash never stalls the async workers.

use roster_domain::{DomainError, Password, password};

#[derive(Clone)]
pub struct Passwords;

impl Passwords {
    /// Computes the dummy hash up front.
    pub fn new() -> Self {
        password::warm_up();
        Self
    }

    pub async fn hash(&self, password: &Password) -> Result<String, DomainError> {
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || password::hash(&password))
            .await
            .map_err(DomainError::internal)?
    }

    /// Whether `password` matches `hash`; with no hash (unknown account)
    /// the dummy is checked and the answer is always no.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let (password, hash) = (password.to_owned(), hash.map(str::to_owned));
        tokio::task::spawn_blocking(move || password::verify(&password, hash.as_deref()))
            .await
            .unwrap_or(false)
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}
