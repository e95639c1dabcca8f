//! The GraphQL-over-HTTP audit suite (npm `graphql-http`'s `serverAudits`,
//! pinned in tests/package.json) against the real app on each backend:
//! every audit, SHOULD and MAY included, must be `ok`.
//!
//! Needs Node and `npm ci --prefix tests`; where either is missing the test
//! says it was skipped, unless `ROSTER_TEST_CONFORMANCE=required` (as in
//! `.ci/run`).

use std::path::{Path, PathBuf};

use roster_tests::serde_json::{self, Value};
use roster_tests::{TestApp, both_backends};

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether Node and the pinned packages are there; panics when they are
/// required and missing.
fn audit_available() -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let packages = tests_dir().join("node_modules/graphql-http/package.json");
    if node && Path::new(&packages).is_file() {
        return true;
    }
    let required = std::env::var("ROSTER_TEST_CONFORMANCE").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "the conformance audit needs node and `npm ci --prefix tests` (.ci/run does both)"
    );
    eprintln!("skipped: node or tests/node_modules is missing (run `npm ci --prefix tests`)");
    false
}

/// Runs every audit against `app`; one JSON value per audit.
async fn audit(app: &TestApp) -> Vec<Value> {
    let script = tests_dir().join("conformance/audit.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .arg(format!("{}/graphql", app.base))
        .current_dir(tests_dir())
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "audit.mjs failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

both_backends! {
    async fn every_graphql_over_http_audit_passes(app) {
        if !audit_available() {
            return;
        }
        let results = audit(&app).await;
        let count = |status: &str| results.iter().filter(|r| r["status"] == status).count();
        println!(
            "graphql-http serverAudits: {} ok, {} warn, {} notice, {} error of {}",
            count("ok"), count("warn"), count("notice"), count("error"), results.len()
        );
        let failed: Vec<&Value> = results.iter().filter(|r| r["status"] != "ok").collect();
        for f in &failed {
            println!("{}", serde_json::to_string_pretty(f).unwrap_or_default());
        }
        assert!(results.len() >= 61, "the suite shrank: {} audits", results.len());
        assert!(failed.is_empty(), "{} audits are not ok", failed.len());
    }
}
