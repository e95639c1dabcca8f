//! The `roster` binary's library: configuration, wiring, subcommands.

mod config;
mod run;
mod shutdown;
mod tuning;

pub use config::{Command, ConfigError, Settings};
pub use run::main;
