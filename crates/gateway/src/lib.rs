//! The GraphQL gateway: the async-graphql schema on axum, the bearer-token
//! extractor, the guards that read the permission table, the DataLoaders,
//! the one mapping from domain errors to `extensions.code`, and the limits
//! that keep hostile requests cheap.

mod auth;
mod client_addr;
mod config;
mod error;
mod graphql;
mod http;
mod limits;
pub mod metrics;
mod pages;
mod playground;

pub use auth::passwords::Passwords;
pub use auth::tokens::AccessTokens;
pub use client_addr::{ClientAddr, TrustedProxies};
pub use config::{GatewayConfig, HashingLimits, Limits, LiveConfig, RateLimits};
pub use graphql::{RosterSchema, build_schema, sdl};
pub use http::{AppState, router};
pub use playground::embedded as playground_embedded;
