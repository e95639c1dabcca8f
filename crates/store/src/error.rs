//! sqlx errors, converted once.
//!
//! The port speaks `DomainError`, and the orphan rule forbids
//! `impl From<sqlx::Error> for DomainError` in this crate (both types are
//! foreign here) as in the domain's (which knows no SQL). So the store's
//! functions return this module's [`Result`]: its [`StoreError`] takes a
//! sqlx error or a domain error by `?`, and becomes the port's
//! `DomainError` by `?` where a port method returns
//! (`From<StoreError> for DomainError` is allowed: `StoreError` is ours).
//! A sqlx error nobody expected becomes `INTERNAL` with its cause (the
//! gateway logs it); one the code expects, a unique or foreign-key
//! violation, is named where it can occur with [`OnViolation`], as
//! realworld-axum-sqlx's `on_constraint` does (by kind, not by constraint
//! name: SQLite reports no names).

use std::fmt;
use std::future::Future;

use roster_domain::DomainError;
use sqlx::error::ErrorKind;

/// A store function's failure: already the domain error it will be.
#[derive(Debug)]
pub(crate) struct StoreError(DomainError);

/// What the store's own functions return.
pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// The domain error this is, to tell one apart.
    pub(crate) fn domain(&self) -> &DomainError {
        &self.0
    }
}

impl From<sqlx::Error> for StoreError {
    /// Any database failure we did not expect: shown to clients as
    /// `INTERNAL`, logged by the gateway with its cause.
    fn from(e: sqlx::Error) -> Self {
        Self(DomainError::internal(e))
    }
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        e.0
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Names the database errors a statement expects.
pub(crate) trait OnViolation<T> {
    /// A violation of `kind` (`UniqueViolation`, `ForeignKeyViolation`, …)
    /// becomes `error()`; any other failure stays unexpected.
    fn on_violation(self, kind: ErrorKind, error: impl FnOnce() -> DomainError) -> Result<T>;
}

impl<T> OnViolation<T> for std::result::Result<T, sqlx::Error> {
    fn on_violation(self, kind: ErrorKind, error: impl FnOnce() -> DomainError) -> Result<T> {
        self.map_err(|e| match e.as_database_error() {
            Some(d) if d.kind() == kind => StoreError(error()),
            _ => e.into(),
        })
    }
}

/// What the port's methods return (the domain's result): a store
/// function's `Result` becomes one by `?`.
pub(crate) type PortResult<T> = roster_domain::error::Result<T>;

/// Runs the body of a port method written in place: its store errors
/// become the port's here.
pub(crate) async fn port<T>(body: impl Future<Output = Result<T>>) -> PortResult<T> {
    Ok(body.await?)
}
