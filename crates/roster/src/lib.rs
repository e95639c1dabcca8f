//! The `roster` binary's library: configuration, wiring, subcommands.

mod config;
mod keys;
mod logs;
mod run;
mod secrets;
mod shutdown;
mod tuning;

pub use config::{Command, ConfigError, Settings};
pub use run::main;
