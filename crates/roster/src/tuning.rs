//! Settings operators tune (docs/operations/configuration.md): the shutdown timeout,
//! token and reset-link lifetimes, the workers' concurrency and heartbeats, and the SMTP
//! pool. Durations are humantime-style (`30s`, `15m`, `30d`, `1h 30m`) or
//! plain seconds (`30`). Unset, each keeps the default of the crate that
//! uses it.

use std::time::Duration;

use clap::Args;
use roster_gateway::GatewayConfig;
use roster_worker::WorkerConfig;

use crate::config::ConfigError;

/// The shutdown timeout's default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Args, Debug, Clone)]
pub struct TuningSettings {
    /// How long a stopping process (SIGTERM, Ctrl-C) may take to finish its
    /// requests and jobs before it exits anyway, non-zero [default: 30s].
    #[arg(long, env = "ROSTER_SHUTDOWN_TIMEOUT", global = true)]
    pub shutdown_timeout: Option<String>,
    /// Lifetime of an access token [default: 15m].
    #[arg(long, env = "ROSTER_ACCESS_TOKEN_TTL", global = true)]
    pub access_token_ttl: Option<String>,
    /// Lifetime of a session, that is of its refresh tokens [default: 30d].
    #[arg(long, env = "ROSTER_REFRESH_TOKEN_TTL", global = true)]
    pub refresh_token_ttl: Option<String>,
    /// How long a password-reset link works [default: 1h].
    #[arg(long, env = "ROSTER_PASSWORD_RESET_TTL", global = true)]
    pub password_reset_ttl: Option<String>,
    /// Jobs one worker process runs at once, per queue [default: 10].
    #[arg(long, env = "ROSTER_WORKER_CONCURRENCY", global = true)]
    pub worker_concurrency: Option<String>,
    /// How often a worker tells the queue it is alive [default: 5s].
    #[arg(long, env = "ROSTER_WORKER_HEARTBEAT", global = true)]
    pub worker_heartbeat: Option<String>,
    /// How long a worker may stay silent before another one takes over its
    /// running jobs; at least twice the heartbeat [default: 25s].
    #[arg(long, env = "ROSTER_WORKER_ORPHAN_TIMEOUT", global = true)]
    pub worker_orphan_timeout: Option<String>,
    /// Database connections one process opens at most, at least 2
    /// [default: 8 on SQLite, 16 on PostgreSQL].
    #[arg(long, env = "ROSTER_DATABASE_MAX_CONNECTIONS", global = true)]
    pub database_max_connections: Option<String>,
    /// SMTP connections one process keeps open at most [default: 10].
    #[arg(long, env = "ROSTER_SMTP_POOL_SIZE", global = true)]
    pub smtp_pool_size: Option<String>,
}

impl TuningSettings {
    pub fn shutdown_timeout(&self) -> Result<Duration, ConfigError> {
        duration("ROSTER_SHUTDOWN_TIMEOUT", self.shutdown_timeout.as_deref())
            .map(|d| d.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT))
    }

    /// Sets the token and reset-link lifetimes of `config`.
    pub fn apply_gateway(&self, config: &mut GatewayConfig) -> Result<(), ConfigError> {
        let access = duration("ROSTER_ACCESS_TOKEN_TTL", self.access_token_ttl.as_deref())?;
        let refresh = duration(
            "ROSTER_REFRESH_TOKEN_TTL",
            self.refresh_token_ttl.as_deref(),
        )?;
        let reset = duration(
            "ROSTER_PASSWORD_RESET_TTL",
            self.password_reset_ttl.as_deref(),
        )?;
        config.password_reset_ttl = reset.unwrap_or(config.password_reset_ttl);
        config.access_token_ttl = access.unwrap_or(config.access_token_ttl);
        config.session_ttl = refresh.unwrap_or(config.session_ttl);
        if config.access_token_ttl > config.session_ttl {
            return Err(error(
                "ROSTER_ACCESS_TOKEN_TTL",
                "must not be longer than ROSTER_REFRESH_TOKEN_TTL",
            ));
        }
        Ok(())
    }

    /// Sets concurrency, heartbeat, orphan timeout and shutdown timeout.
    pub fn apply_worker(&self, config: &mut WorkerConfig) -> Result<(), ConfigError> {
        if let Some(n) = count(
            "ROSTER_WORKER_CONCURRENCY",
            self.worker_concurrency.as_deref(),
        )? {
            config.concurrency = n;
        }
        let heartbeat = duration("ROSTER_WORKER_HEARTBEAT", self.worker_heartbeat.as_deref())?
            .unwrap_or(config.heartbeat_interval);
        let default_orphan = config.heartbeat_interval * (config.missed_heartbeats as u32 + 1);
        let orphan = duration(
            "ROSTER_WORKER_ORPHAN_TIMEOUT",
            self.worker_orphan_timeout.as_deref(),
        )?
        .unwrap_or(default_orphan);
        if orphan < heartbeat * 2 {
            return Err(error(
                "ROSTER_WORKER_ORPHAN_TIMEOUT",
                format!(
                    "must be at least twice ROSTER_WORKER_HEARTBEAT ({})",
                    humantime::format_duration(heartbeat)
                ),
            ));
        }
        // A job of a dead worker runs again after heartbeat × (missed + 1).
        let beats = orphan.as_secs_f64() / heartbeat.as_secs_f64();
        config.heartbeat_interval = heartbeat;
        config.missed_heartbeats = (beats.ceil() as usize).saturating_sub(1).max(1);
        config.shutdown_timeout = self.shutdown_timeout()?;
        Ok(())
    }

    /// `None`: the backend's default (`roster_store::Database::connect`).
    pub fn database_max_connections(&self) -> Result<Option<u32>, ConfigError> {
        const VARIABLE: &str = "ROSTER_DATABASE_MAX_CONNECTIONS";
        match count(VARIABLE, self.database_max_connections.as_deref())? {
            None => Ok(None),
            Some(1) => Err(error(VARIABLE, "must be at least 2")),
            Some(n) => Ok(Some(u32::try_from(n).unwrap_or(u32::MAX))),
        }
    }

    pub fn smtp_pool_size(&self) -> Result<u32, ConfigError> {
        Ok(
            count("ROSTER_SMTP_POOL_SIZE", self.smtp_pool_size.as_deref())?
                .map_or(roster_worker::mail::DEFAULT_SMTP_POOL_SIZE, |n| {
                    u32::try_from(n).unwrap_or(u32::MAX)
                }),
        )
    }
}

fn error(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// A positive duration: `30s`, `15m`, `1h 30m` or plain seconds.
fn duration(variable: &'static str, value: Option<&str>) -> Result<Option<Duration>, ConfigError> {
    let Some(value) = value.map(str::trim) else {
        return Ok(None);
    };
    let parsed = match value.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => humantime::parse_duration(value).map_err(|e| e.to_string()),
    };
    match parsed {
        Ok(d) if d.is_zero() => Err(error(variable, "must be longer than zero")),
        Ok(d) => Ok(Some(d)),
        Err(reason) => Err(error(
            variable,
            format!("{value:?} is not a duration like 30s, 15m or 30d ({reason})"),
        )),
    }
}

/// A count of at least 1.
fn count(variable: &'static str, value: Option<&str>) -> Result<Option<usize>, ConfigError> {
    let Some(value) = value.map(str::trim) else {
        return Ok(None);
    };
    match value.parse::<usize>() {
        Ok(0) => Err(error(variable, "must be at least 1")),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(error(variable, format!("{value:?} is not a whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuning(heartbeat: &str, orphan: &str) -> TuningSettings {
        TuningSettings {
            shutdown_timeout: None,
            access_token_ttl: None,
            refresh_token_ttl: None,
            password_reset_ttl: None,
            worker_concurrency: Some("3".to_owned()),
            worker_heartbeat: Some(heartbeat.to_owned()),
            worker_orphan_timeout: Some(orphan.to_owned()),
            database_max_connections: None,
            smtp_pool_size: None,
        }
    }

    #[test]
    fn the_orphan_timeout_is_counted_in_whole_heartbeats() {
        let mut config = WorkerConfig::default();
        tuning("5s", "25s")
            .apply_worker(&mut config)
            .expect("valid");
        assert_eq!(
            (config.heartbeat_interval, config.missed_heartbeats),
            (Duration::from_secs(5), 4)
        );
        assert_eq!(config.concurrency, 3);
        tuning("2s", "59").apply_worker(&mut config).expect("valid");
        assert_eq!(
            (config.heartbeat_interval, config.missed_heartbeats),
            (Duration::from_secs(2), 29)
        );
        tuning("10s", "20s")
            .apply_worker(&mut config)
            .expect("valid");
        assert_eq!(config.missed_heartbeats, 1);
    }

    #[test]
    fn unset_keeps_the_defaults() {
        let mut config = WorkerConfig::default();
        let none = TuningSettings {
            worker_concurrency: None,
            worker_heartbeat: None,
            worker_orphan_timeout: None,
            ..tuning("1s", "2s")
        };
        none.apply_worker(&mut config).expect("valid");
        let default = WorkerConfig::default();
        assert_eq!(config.heartbeat_interval, default.heartbeat_interval);
        assert_eq!(config.missed_heartbeats, default.missed_heartbeats);
        assert_eq!(config.shutdown_timeout, DEFAULT_SHUTDOWN_TIMEOUT);
        assert_eq!(none.smtp_pool_size().expect("valid"), 10);
        assert_eq!(none.database_max_connections().expect("valid"), None);
    }

    #[test]
    fn a_pool_of_one_connection_is_refused() {
        let with = |n: &str| TuningSettings {
            database_max_connections: Some(n.to_owned()),
            ..tuning("1s", "2s")
        };
        assert_eq!(
            with("2").database_max_connections().expect("valid"),
            Some(2)
        );
        for bad in ["0", "1", "many"] {
            let err = with(bad).database_max_connections().expect_err(bad);
            assert_eq!(err.variable, "ROSTER_DATABASE_MAX_CONNECTIONS");
        }
    }
}
