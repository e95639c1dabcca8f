//! A chromedriver on a free port with one headless Chromium session, for
//! each browser test.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::sync::{Semaphore, SemaphorePermit};

use roster_tests::serde_json::json;

use super::WAIT;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Two browsers at a time: each test has its own, and the machine is small.
static BROWSER_SLOTS: Semaphore = Semaphore::const_new(2);

/// A chromedriver on a free port with one headless Chromium session. The
/// driver runs in a process group of its own, killed (browser and all) on
/// drop, so a failing test leaves nothing behind.
pub(super) struct Browser {
    pub(super) client: Client,
    /// Hosts read from the performance log so far (`audit.rs`): reading it
    /// empties chromedriver's buffer.
    pub(super) hosts: std::sync::Mutex<std::collections::BTreeSet<String>>,
    _driver: Driver,
    _profile: tempfile::TempDir,
    _slot: SemaphorePermit<'static>,
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// `None` when Chromium is not installed and the run does not require
    /// it: like PostgreSQL, the browser is optional on a laptop (the README's
    /// test command needs only the Rust toolchain) and required in CI, where
    /// `.ci/run` installs it and sets `ROSTER_TEST_BROWSER=required`.
    pub(super) async fn start() -> Option<Self> {
        Self::start_with(&[]).await
    }

    /// [`Browser::start`] with more Chromium switches.
    pub(super) async fn start_with(extra_args: &[&str]) -> Option<Self> {
        if !(Path::new(CHROMEDRIVER).is_file() && Path::new(CHROMIUM).is_file()) {
            let required = std::env::var("ROSTER_TEST_BROWSER").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "the browser tests need {CHROMEDRIVER} and {CHROMIUM}: \
                 apt-get install -y chromium chromium-driver (.ci/run installs them)"
            );
            eprintln!("skipped: {CHROMEDRIVER} and {CHROMIUM} are not installed");
            return None;
        }
        let slot = BROWSER_SLOTS.acquire().await.expect("semaphore open");
        // A driver that dies on start (its port taken in the meantime by
        // another test's listener, a busy machine) is started again on
        // another port: the tests are about the pages, not about this.
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::session(extra_args).await {
                Ok((client, driver, profile)) => {
                    return Some(Self {
                        client,
                        hosts: Default::default(),
                        _driver: driver,
                        _profile: profile,
                        _slot: slot,
                    });
                }
                Err(e) => last_error = e,
            }
        }
        panic!("no Chromium session: {last_error}");
    }

    /// A chromedriver on a free port and a Chromium session through it.
    async fn session(extra_args: &[&str]) -> Result<(Client, Driver, tempfile::TempDir), String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Driver(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("start chromedriver"),
        );
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if Instant::now() >= deadline {
                return Err(format!("chromedriver did not listen on {port}"));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let profile = tempfile::tempdir().expect("temp dir");
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        args.extend(extra_args.iter().map(|a| (*a).to_owned()));
        let mut capabilities = fantoccini::wd::Capabilities::new();
        // The network events, for `Browser::hosts_requested`.
        let perf = json!({ "enableNetwork": true, "enablePage": false });
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args, "perfLoggingPrefs": perf }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok((client, driver, profile))
    }
}
