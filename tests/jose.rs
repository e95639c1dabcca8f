//! A JOSE library nobody here wrote verifies Roster's access tokens from
//! the JWKS URL alone (docs/api/sessions.md, "Verifying Roster tokens in
//! your service"): npm `jose`, pinned in tests/package.json, run by
//! jose/verify.mjs; before and after `roster keys rotate`, on SQLite with
//! one gateway and on PostgreSQL with two gateways sharing the database.
//!
//! Needs Node and `npm ci --prefix tests`; where either is missing the test
//! says it was skipped, unless `ROSTER_TEST_CONFORMANCE=required` (as in
//! `.ci/run`).

use std::path::PathBuf;

use chrono::Duration;
use roster_tests::serde_json::{self, Value};
use roster_tests::signing_keys::kid_of;
use roster_tests::{TestApp, both_backends};

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn jose_available() -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node && tests_dir().join("node_modules/jose/package.json").is_file() {
        return true;
    }
    let required = std::env::var("ROSTER_TEST_CONFORMANCE").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "the jose check needs node and `npm ci --prefix tests` (.ci/run does both)"
    );
    eprintln!("skipped: node or tests/node_modules is missing (run `npm ci --prefix tests`)");
    false
}

/// What jose makes of each token, given only `{base}/.well-known/jwks.json`.
async fn jose_verify(app: &TestApp, base: &str, tokens: &[&str]) -> Vec<Value> {
    let out = tokio::process::Command::new("node")
        .arg(tests_dir().join("jose/verify.mjs"))
        .arg(format!("{base}/.well-known/jwks.json"))
        .arg(&app.base)
        .arg(app.now().timestamp_millis().to_string())
        .args(tokens)
        .current_dir(tests_dir())
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verify.mjs failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

fn verified(results: &[Value]) -> Vec<bool> {
    results.iter().map(|r| r["ok"] == true).collect()
}

both_backends! {
    async fn jose_verifies_tokens_before_and_after_a_rotation(app) {
        if !jose_available() {
            return;
        }
        // PostgreSQL: two gateways over one database, each verified against
        // the other's JWKS. SQLite: the one gateway.
        let other = if app.url.starts_with("postgres") {
            app.spawn_gateway(|_| {}).await
        } else {
            app.base.clone()
        };
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let from_other = app.log_in_at(&other, "ada@example.com").await;
        for base in [&app.base, &other] {
            let results = jose_verify(&app, base, &[&ada.access, &from_other]).await;
            assert_eq!(verified(&results), vec![true, true], "{results:?}");
            assert_eq!(results[0]["sub"], ada.user_id.as_str());
        }
        // A token jose must refuse: the signature of another token.
        let parts: Vec<&str> = ada.access.split('.').collect();
        let spliced = format!("{}.{}.{}", parts[0], from_other.split('.').nth(1).expect("payload"), parts[2]);
        assert_eq!(verified(&jose_verify(&app, &other, &[&spliced]).await), vec![false]);

        let second = app.rotate_signing_key().await;
        app.clock.advance(Duration::seconds(61));
        let before = app.log_in_at(&other, "ada@example.com").await;
        // One token lifetime after the rotation, the new key signs; the
        // old one's token is still within its life and still verifies.
        app.clock.advance(Duration::minutes(14));
        let after = app.log_in_at(&app.base, "ada@example.com").await;
        let after_other = app.log_in_at(&other, "ada@example.com").await;
        assert_ne!(kid_of(&before), second);
        assert_eq!(kid_of(&after), second);
        assert_eq!(kid_of(&after_other), second);
        for base in [&app.base, &other] {
            let results = jose_verify(&app, base, &[&before, &after, &after_other]).await;
            assert_eq!(verified(&results), vec![true, true, true], "{results:?}");
        }
    }
}
