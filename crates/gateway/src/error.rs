//! The one mapping from domain errors to GraphQL errors with a stable
//! `extensions.code`. Internal errors are logged with their cause chain
//! (inside the request's span, so with its request id) and reach the
//! client only as `INTERNAL`.

use async_graphql::ErrorExtensions;
use roster_domain::{DomainError, ErrorCode};

/// A resolver's error. It has no `Display` on purpose: async-graphql turns
/// any `Display` type into an error *without* a code, and this type must
/// only become one through the mapping below.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self(e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(ApiError(e): ApiError) -> Self {
        if let DomainError::Internal(cause) = &e {
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "internal error");
        }
        let mut error = coded(e.code(), e.to_string());
        if let Some(reason) = e.reason() {
            error = error.extend_with(|_, ext| ext.set("reason", reason));
        }
        match e {
            DomainError::RateLimited {
                retry_after_seconds,
            } => error.extend_with(|_, ext| ext.set("retryAfterSeconds", retry_after_seconds)),
            DomainError::PlanTooSmall {
                seats_used,
                seat_limit,
                ..
            } => error.extend_with(|_, ext| {
                ext.set("seatsUsed", seats_used);
                ext.set("seatLimit", seat_limit);
                ext.set("seatsToFree", seats_used - seat_limit);
            }),
            _ => error,
        }
    }
}

/// An error with its code, for failures that are not domain errors
/// (malformed requests, limits).
pub fn coded(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}
