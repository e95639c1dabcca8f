//! What every page test can check besides its flow (docs/development.md,
//! "Browser tests"): axe-core's accessibility rules over the page as it is
//! now, and the hosts the page sent requests to, from Chromium's
//! performance log.

use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use roster_tests::serde_json::{Value, json};

use super::Browser;

/// axe-core, pinned in tests/package.json (`npm ci --prefix tests`).
fn axe_source() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    if let Ok(source) = std::fs::read_to_string(&path) {
        return Some(source);
    }
    let required = std::env::var("ROSTER_TEST_BROWSER").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "the accessibility audit needs {}: run `npm ci --prefix tests` (.ci/run does)",
        path.display()
    );
    eprintln!("skipped the accessibility audit: run `npm ci --prefix tests` for axe-core");
    None
}

/// Runs axe over the document (shadow roots included) and answers the
/// violations a person would be stopped by: impact `serious` or `critical`.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then((results) => done(results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   targets: v.nodes.map((n) => n.target) }))))
  .catch((e) => done({ error: String(e && e.stack || e) }));
"#;

/// `POST /session/{id}/se/log`: chromedriver's log entries of one type
/// since the last read.
#[derive(Debug)]
struct ReadLog(&'static str);

impl WebDriverCompatibleCommand for ReadLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": self.0 }).to_string()))
    }
}

/// `host[:port]` of an absolute URL; `None` for what is no request to a
/// host (`data:`, `blob:`, `about:`).
fn host_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https" | "ws" | "wss") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.to_ascii_lowercase())
}

impl Browser {
    /// Panics listing every serious or critical axe-core violation on the
    /// page as it is now, `screen` naming it. Skipped, with a line, where
    /// axe-core is not installed and the run does not require the browser.
    pub async fn audit(&self, screen: &str) {
        let Some(axe) = axe_source() else { return };
        // The source goes in the script itself: WebDriver's scripts are not
        // held to the page's CSP, a script element or `eval` would be.
        let script = format!("{axe}\n;{RUN_AXE}");
        let found = self
            .client
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("axe-core on {screen}: {e}"));
        if let Some(error) = found.get("error") {
            panic!("axe-core failed on {screen}: {error}");
        }
        let violations = found.as_array().cloned().unwrap_or_default();
        let listed: Vec<String> = violations
            .iter()
            .map(|v| {
                format!(
                    "- {} ({}): {} at {}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    v["targets"]
                )
            })
            .collect();
        assert!(
            listed.is_empty(),
            "{screen} has {} serious or critical accessibility violations (axe-core):\n{}",
            listed.len(),
            listed.join("\n")
        );
    }

    /// Every host (`host:port`) the browser sent a request to since the
    /// session started, from `Network.requestWillBeSent` in the
    /// performance log: requests refused or unanswered included.
    pub async fn hosts_requested(&self) -> BTreeSet<String> {
        let entries = self
            .client
            .issue_cmd(ReadLog("performance"))
            .await
            .unwrap_or_else(|e| panic!("read the performance log: {e}"));
        let mut hosts = self.hosts.lock().expect("hosts");
        for entry in entries.as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let Ok(message) = roster_tests::serde_json::from_str::<Value>(message) else {
                continue;
            };
            let message = &message["message"];
            if message["method"] == "Network.requestWillBeSent" {
                let url = message["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or_default();
                hosts.extend(host_of(url));
            } else if message["method"] == "Network.webSocketCreated" {
                hosts.extend(host_of(
                    message["params"]["url"].as_str().unwrap_or_default(),
                ));
            }
        }
        hosts.clone()
    }

    /// Panics unless every request went to `base`'s host (the Roster server
    /// under test).
    pub async fn requested_only(&self, base: &str) {
        let roster = host_of(base).expect("an http base URL");
        let hosts = self.hosts_requested().await;
        assert!(
            hosts.contains(&roster),
            "no request to {roster} in the log: {hosts:?}"
        );
        let others: Vec<&String> = hosts.iter().filter(|h| **h != roster).collect();
        assert!(
            others.is_empty(),
            "requests to {others:?}, not only to {roster}"
        );
    }
}

/// The audit runs under the pages' strict CSP and finds what it should: a
/// button without a name, added to the log-in page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_runs_under_the_pages_csp_and_reports_violations() {
    use futures::FutureExt;

    let app = roster_tests::TestApp::spawn_without_worker(roster_tests::Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/login", app.base)).await;
    browser.by_role("button", "Log in").await;
    browser.audit("the log-in page").await;
    if axe_source().is_none() {
        return;
    }
    browser
        .client
        .execute(
            "document.querySelector('main').append(document.createElement('button'))",
            vec![],
        )
        .await
        .expect("add a button");
    let failed = std::panic::AssertUnwindSafe(browser.audit("the log-in page, broken"))
        .catch_unwind()
        .await
        .expect_err("an empty button is a critical violation");
    let message = failed.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("button-name (critical): Buttons must have discernible text"),
        "{message}"
    );
    browser.requested_only(&app.base).await;
    browser.close().await;
}
