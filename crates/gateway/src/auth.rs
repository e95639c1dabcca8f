//! Who is calling: access tokens, password hashing, and the per-request
//! viewer the bearer token resolves to.

pub mod credentials;
pub mod issuers;
pub mod keys;
pub mod passwords;
pub mod tokens;
pub mod viewer;
