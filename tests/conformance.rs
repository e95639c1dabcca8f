//! The GraphQL-over-HTTP audit suite (npm `graphql-http`'s `serverAudits`,
//! pinned in tests/package.json) against the real app on each backend:
//! every audit, SHOULD and MAY included, must be `ok`.
//!
//! Needs Node and `npm ci --prefix tests`; where either is missing the test
//! says it was skipped, unless `ROSTER_TEST_CONFORMANCE=required` (as in
//! `.ci/run`).

use roster_tests::node;
use roster_tests::serde_json::{self, Value};
use roster_tests::{TestApp, both_backends};

/// Runs every audit against `app`; one JSON value per audit.
async fn audit(app: &TestApp) -> Vec<Value> {
    node::run("conformance/audit.mjs", &[format!("{}/graphql", app.base)]).await
}

both_backends! {
    async fn every_graphql_over_http_audit_passes(app) {
        if !node::available("graphql-http", "the conformance audit") {
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
