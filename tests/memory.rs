//! Password hashing is bounded in memory (rules.md §10): 100 concurrent
//! failed log-ins must not grow the process by 300 MB (each argon2id hash
//! needs 19 MiB; unbounded, they took the process to 3.5 GB).
//!
//! A test binary of its own, so that no other test shares the process
//! whose memory it reads; its two tests (one per backend) take turns.

use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};

/// The process' resident and peak resident memory in KiB, from `/proc`.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a /proc/self/status field")
    };
    (field("VmRSS:"), field("VmHWM:"))
}

static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const LIMIT_MB: u64 = 300;

async fn hundred_failed_log_ins(app: &TestApp) {
    let _turn = TURNS.lock().await;
    app.sign_up("ada@example.com", "Ada").await;
    let base = app.spawn_gateway(roster_tests::unthrottled).await;
    let client = reqwest::Client::new();
    let (before, _) = memory();
    // Resets the peak to what is resident now (Linux), so that the peak
    // read after is this burst's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let query =
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
    let answers = futures::future::join_all((0..100).map(|i| {
        let email = if i % 2 == 0 {
            "ada@example.com".to_owned()
        } else {
            format!("nobody{i}@example.com")
        };
        client
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": { "e": email, "p": "wrong password" } }))
            .send()
    }))
    .await;
    for answer in answers {
        let body: roster_tests::serde_json::Value =
            answer.expect("answer").json().await.expect("json");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }
    let (after, peak) = memory();
    let grew_mb = peak.max(after).saturating_sub(before) / 1024;
    eprintln!(
        "RSS before {} MB, peak {} MB, after {} MB",
        before / 1024,
        peak / 1024,
        after / 1024
    );
    assert!(
        grew_mb < LIMIT_MB,
        "100 concurrent failed logIns grew RSS by {grew_mb} MB"
    );
}

both_backends! {
    async fn concurrent_failed_log_ins_keep_memory_bounded(app) {
        hundred_failed_log_ins(&app).await;
    }
}
