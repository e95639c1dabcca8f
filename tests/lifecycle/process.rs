//! `roster serve` as a process of its own, over a test app's database: its
//! log in a file, SIGTERM, and its exit.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use roster_tests::{JWT_SECRET, TestApp};

/// The `roster` binary next to this test's directory, built if missing or
/// stale; `ROSTER_TEST_BINARY` names one to use as it is.
pub fn roster_binary() -> PathBuf {
    if let Some(binary) = std::env::var_os("ROSTER_TEST_BINARY") {
        return binary.into();
    }
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

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One `roster serve` process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// `roster serve {args}` on `port` over the app's database, with `env`;
    /// returns once `/readyz` answers 200.
    pub async fn start(
        app: &TestApp,
        binary: &Path,
        dir: &Path,
        name: &str,
        port: u16,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let data = dir.join(name);
        let mut cmd = Command::new(binary);
        cmd.arg("serve")
            .args(args)
            .env("ROSTER_DATABASE_URL", &app.url)
            .env("ROSTER_LISTEN", format!("127.0.0.1:{port}"))
            // One deployment: the tokens the test app issued are valid here.
            .env("ROSTER_PUBLIC_URL", &app.base)
            .env("ROSTER_JWT_SECRET", JWT_SECRET)
            .env("ROSTER_DATA_DIR", &data)
            .env("ROSTER_MAIL_DIR", data.join("outbox"))
            .env("ROSTER_SMTP_URL", app.mail.url())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start roster serve");
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_ready(Duration::from_secs(60)).await;
        server
    }

    /// Waits for `/readyz` to answer 200.
    pub async fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.readyz().await == Some(200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready within {within:?}:\n{}",
                self.base,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `/readyz`'s status, or `None` when nothing answers.
    pub async fn readyz(&self) -> Option<u16> {
        let client = reqwest::Client::new();
        let res = client
            .get(format!("{}/readyz", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(res.status().as_u16())
    }

    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to end, at most `within`.
    pub async fn exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for roster") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not exit within {within:?}:\n{}",
                    self.base,
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
