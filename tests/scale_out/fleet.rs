//! The roster processes of the scale-out test: `roster serve --no-worker`
//! gateways and `roster worker`s, real processes of the debug binary the
//! test build produces, killed when the test ends however it ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use roster_tests::JWT_SECRET;

/// The `roster` binary next to this test's directory, built if missing or stale.
pub fn roster_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "roster", "--bin", "roster"])
        .status()
        .expect("cargo build -p roster");
    assert!(status.success(), "building the roster binary failed");
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<this test> -> target/<profile>/roster
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("roster"))
        .expect("target directory")
}

/// What every process shares.
pub struct Shared {
    pub binary: PathBuf,
    pub database_url: String,
    pub smtp_url: String,
    pub public_url: String,
    pub logs: PathBuf,
}

/// A running roster process; SIGKILLed when dropped.
pub struct Process {
    pub name: String,
    child: Child,
}

impl Process {
    fn spawn(shared: &Shared, name: &str, args: &[&str], listen: Option<&str>) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(shared.logs.join(format!("{name}.log")))
            .expect("process log");
        let data = shared.logs.join(format!("{name}-data"));
        let mut command = Command::new(&shared.binary);
        command
            .args(args)
            .env("ROSTER_DATABASE_URL", &shared.database_url)
            .env("ROSTER_PUBLIC_URL", &shared.public_url)
            .env("ROSTER_JWT_SECRET", JWT_SECRET)
            .env("ROSTER_DATA_DIR", &data)
            .env("ROSTER_SMTP_URL", &shared.smtp_url)
            .env("ROSTER_LIMIT_SIGN_UP_PER_ADDRESS", "1000/1h")
            // The fleet invites 1,000 people from a few admins.
            .env("ROSTER_LIMIT_INVITE_PER_INVITER", "10000/1h")
            .env("RUST_LOG", "warn,roster_worker=info,apalis_postgres=info")
            // Logs go to stdout, errors about the configuration to stderr.
            .stdout(log.try_clone().expect("process log"))
            .stderr(log);
        if let Some(listen) = listen {
            command.env("ROSTER_LISTEN", listen);
        }
        let child = command.spawn().expect("start roster");
        Self {
            name: name.to_owned(),
            child,
        }
    }

    /// `roster serve --no-worker` on `listen`, once it answers `/readyz`.
    pub async fn gateway(shared: &Shared, name: &str, listen: &str) -> Self {
        let process = Self::spawn(shared, name, &["serve", "--no-worker"], Some(listen));
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = http
                .get(format!("http://{listen}/readyz"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return process;
            }
            assert!(Instant::now() < deadline, "{name} not ready within 60 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `roster worker`.
    pub fn worker(shared: &Shared, name: &str) -> Self {
        Self::spawn(shared, name, &["worker"], None)
    }

    /// SIGKILL, and reap.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running (a worker that gave up exits).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of a process's log, for a failure message.
pub fn log_tail(logs: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(logs.join(format!("{name}.log"))).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
