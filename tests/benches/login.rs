//! Log-in under load: peak memory of 100 concurrent failed `logIn`s, and
//! log-ins per second at 1 and 16 in flight.
//!
//! The app runs in this process (the real router on port 0, over HTTP);
//! the client side is a few reqwest futures, so the process' peak RSS
//! (`VmHWM`) is the server's. The peak is reset (`/proc/self/clear_refs`)
//! before the burst.
//!
//! ```text
//! cargo bench -p roster-tests --bench login                 # release build
//! cargo bench -p roster-tests --bench login --profile dev   # reuses the test build
//! ROSTER_BENCH_LOGINS=200 cargo bench ...                   # more log-ins (default 64)
//! ```
//! (argon2 and blake2 are built at opt-level 3 in the dev profile too, so
//! the hashing, which dominates, costs the same in both.)

use std::time::{Duration, Instant};

use futures::StreamExt;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, PASSWORD, TestApp};

const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";

fn main() {
    let logins: usize = std::env::var("ROSTER_BENCH_LOGINS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let app = TestApp::spawn_with(Backend::Sqlite, false, roster_tests::unthrottled)
            .await
            .expect("SQLite always runs");
        app.sign_up("ada@example.com", "Ada").await;
        let before = memory();
        reset_peak();
        let start = Instant::now();
        let answers = burst(&app, 100, 100, "wrong password").await;
        let took = start.elapsed();
        let after = memory();
        let refused = answers
            .iter()
            .filter(|a| code(a) == Some("UNAUTHENTICATED"))
            .count();
        println!("100 concurrent failed logIns in {took:.2?} ({refused} UNAUTHENTICATED)");
        println!(
            "  RSS before {} MB, peak during {} MB, after {} MB",
            before.rss_kb / 1024,
            after.hwm_kb / 1024,
            after.rss_kb / 1024
        );
        for in_flight in [1, 16] {
            let start = Instant::now();
            let answers = burst(&app, logins, in_flight, PASSWORD).await;
            let took = start.elapsed();
            let ok = answers.iter().filter(|a| a.get("errors").is_none()).count();
            assert_eq!(ok, logins, "every log-in succeeds");
            report(in_flight, logins, took);
        }
        let end = memory();
        println!("  peak RSS over the whole run {} MB", end.hwm_kb / 1024);
    });
}

/// `n` log-ins as ada with `password`, `in_flight` at a time.
async fn burst(app: &TestApp, n: usize, in_flight: usize, password: &str) -> Vec<Value> {
    futures::stream::iter(0..n)
        .map(|_| {
            app.gql(
                None,
                LOG_IN,
                json!({ "e": "ada@example.com", "p": password }),
            )
        })
        .buffer_unordered(in_flight)
        .collect()
        .await
}

fn code(answer: &Value) -> Option<&str> {
    answer["errors"][0]["extensions"]["code"].as_str()
}

fn report(in_flight: usize, logins: usize, took: Duration) {
    let rate = logins as f64 / took.as_secs_f64();
    println!("{logins} logIns, {in_flight:>2} in flight: {took:>9.2?}  {rate:>6.1} logins/s");
}

struct Memory {
    rss_kb: u64,
    hwm_kb: u64,
}

/// This process' resident and peak resident memory, from `/proc`.
fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
    }
}

/// Resets `VmHWM` to the current RSS (Linux: "5" to `clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
