//! The Node tools the tests drive, pinned in tests/package.json and
//! installed by `npm ci --prefix tests` (as `.ci/run` does).

use std::path::PathBuf;

use serde_json::Value;

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether Node and the npm `package` are there. Where either is missing
/// the caller says it was skipped, unless `ROSTER_TEST_CONFORMANCE=required`
/// (as in `.ci/run`): then `check` (what needs them) panics.
pub fn available(package: &str, check: &str) -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let manifest = tests_dir().join(format!("node_modules/{package}/package.json"));
    if node && manifest.is_file() {
        return true;
    }
    let required = std::env::var("ROSTER_TEST_CONFORMANCE").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "{check} needs node and `npm ci --prefix tests` (.ci/run does both)"
    );
    eprintln!("skipped: node or tests/node_modules is missing (run `npm ci --prefix tests`)");
    false
}

/// Runs `script` (a path under tests/) with `args`; it must succeed, and
/// print one JSON object per line.
pub async fn run(script: &str, args: &[String]) -> Vec<Value> {
    let out = tokio::process::Command::new("node")
        .arg(tests_dir().join(script))
        .args(args)
        .current_dir(tests_dir())
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}
