//! A JOSE library nobody here wrote verifies Roster's access tokens from
//! the JWKS URL alone (docs/api/sessions.md, "Verifying Roster tokens in
//! your service"): npm `jose`, pinned in tests/package.json, run by
//! jose/verify.mjs; before and after `roster keys rotate`, on SQLite with
//! one gateway and on PostgreSQL with two gateways sharing the database.
//!
//! Needs Node and `npm ci --prefix tests`; where either is missing the test
//! says it was skipped, unless `ROSTER_TEST_CONFORMANCE=required` (as in
//! `.ci/run`).

use chrono::Duration;
use roster_tests::node;
use roster_tests::serde_json::Value;
use roster_tests::signing_keys::kid_of;
use roster_tests::{TestApp, both_backends};

/// What jose makes of each token, given only `{base}/.well-known/jwks.json`.
async fn jose_verify(app: &TestApp, base: &str, tokens: &[&str]) -> Vec<Value> {
    let mut args = vec![
        format!("{base}/.well-known/jwks.json"),
        app.base.clone(),
        app.now().timestamp_millis().to_string(),
    ];
    args.extend(tokens.iter().map(|t| t.to_string()));
    node::run("jose/verify.mjs", &args).await
}

fn verified(results: &[Value]) -> Vec<bool> {
    results.iter().map(|r| r["ok"] == true).collect()
}

both_backends! {
    async fn jose_verifies_tokens_before_and_after_a_rotation(app) {
        if !node::available("jose", "the jose check") {
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
