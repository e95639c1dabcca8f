//! The `roster` binary's library: configuration, wiring, subcommands.

mod config;
mod run;

pub use config::{Command, ConfigError, Settings};
pub use run::main;
