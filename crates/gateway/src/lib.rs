//! The GraphQL gateway: the async-graphql schema on axum, the bearer-token
//! extractor, the guards that read the permission table, the DataLoaders,
//! the one mapping from domain errors to `extensions.code`, and the limits
//! that keep hostile requests cheap.
//!
//! Its modules depend one way (docs/architecture.md, "The engine"):
//! `http` → `engine` → `graphql` (the schema) → `resolve`, each also using
//! the leaves `auth`, `client_addr`, `config`, `cors`, `error` and `metrics`.
//! `tests/api/gateway_layers.rs` checks there is no circle.

mod auth;
mod client_addr;
mod config;
mod console;
mod cors;
mod engine;
mod error;
mod graphql;
mod http;
pub mod metrics;
mod pages;
mod playground;
mod resolve;

pub use auth::keys::KeyRing;
pub use auth::passwords::Passwords;
pub use auth::tokens::AccessTokens;
pub use client_addr::{ClientAddr, TrustedProxies};
pub use config::{
    CorsOrigins, GatewayConfig, HashingLimits, Limits, LiveConfig, RateLimits, TrustedIssuers,
};
pub use graphql::sdl;
pub use http::{AppState, router};
pub use playground::embedded as playground_embedded;
