//! Live events: how fast committed changes reach subscribers, with many
//! connected to one gateway, on both backends.
//!
//! Per backend it prints: the subscribers (all ADMIN, so each hears every
//! event), the events committed (block/unblock of one member, one after the
//! other through HTTP), deliveries per second (events × subscribers over the
//! time from the first commit to the last delivery), the delay from a
//! change's HTTP response (its commit is done) to its arrival at each
//! subscriber at p50/p99/max, and the process's resident memory per idle
//! subscriber (measured around connecting them: it includes the test
//! client's side of each socket, in the same process, so it overstates the
//! server's share).
//!
//! ```text
//! cargo bench -p roster-tests --bench live --profile dev      # reuses the test build
//! ROSTER_BENCH_SUBSCRIBERS=1000 ROSTER_BENCH_EVENTS=100 cargo bench ...
//! ROSTER_TEST_POSTGRES_URL=postgres://… cargo bench ...        # PostgreSQL too
//! ```

use std::time::{Duration, Instant};

use roster_tests::live::{LiveClient, actions};
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp, unthrottled};

const BLOCK: &str =
    "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }";
const UNBLOCK: &str =
    "mutation($o: ID!, $u: ID!) { unblockMember(organizationId: $o, userId: $u) { status } }";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process's resident set, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let subscribers = env("ROSTER_BENCH_SUBSCRIBERS", 1000);
    let events = env("ROSTER_BENCH_EVENTS", 100);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(app) = TestApp::spawn_with(backend, false, unthrottled).await else {
                println!("PostgreSQL skipped: ROSTER_TEST_POSTGRES_URL is not set");
                break;
            };
            let ada = app.sign_up("ada@example.com", "Ada").await;
            let org = app.create_org(&ada, "Acme").await;
            app.ok(Some(&ada.access), "mutation($o: ID!) { changePlan(organizationId: $o, plan: ENTERPRISE) { plan } }",
                json!({ "o": org })).await;
            let mia = app.join(&org, "mia@example.com", "MEMBER").await;
            tokio::time::sleep(Duration::from_millis(300)).await;

            let before = rss_kib();
            let mut clients = Vec::with_capacity(subscribers);
            for _ in 0..subscribers {
                let mut client = LiveClient::connect(&app.base, &ada.access).await;
                client.subscribe_now("a", &org).await;
                clients.push(client);
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            let per_subscriber = (rss_kib().saturating_sub(before)) as f64 / subscribers as f64;

            let listeners: Vec<_> = clients
                .into_iter()
                .map(|mut client| {
                    tokio::spawn(async move {
                        let mut arrivals = Vec::with_capacity(events);
                        for _ in 0..events {
                            let e = client.events("a", 1, Duration::from_secs(30)).await;
                            assert_eq!(actions(&e).len(), 1);
                            arrivals.push(Instant::now());
                        }
                        arrivals
                    })
                })
                .collect();
            let vars = json!({ "o": org, "u": mia.user_id });
            let start = Instant::now();
            let mut committed = Vec::with_capacity(events);
            for i in 0..events {
                let op = if i % 2 == 0 { BLOCK } else { UNBLOCK };
                app.ok(Some(&ada.access), op, vars.clone()).await;
                committed.push(Instant::now());
            }
            let mut delays = Vec::with_capacity(events * subscribers);
            let mut last = start;
            for listener in listeners {
                let arrivals = listener.await.expect("listener");
                for (k, at) in arrivals.iter().enumerate() {
                    delays.push(at.saturating_duration_since(committed[k]));
                    last = last.max(*at);
                }
            }
            delays.sort();
            let elapsed = last - start;
            println!(
                "{backend:?}: {subscribers} subscribers, {events} events: {:.0} deliveries/s ({:.1} events/s to all), \
                 delay p50 {:?} p99 {:?} max {:?}; {:.1} KiB resident per idle subscriber (both ends)",
                (events * subscribers) as f64 / elapsed.as_secs_f64(),
                events as f64 / elapsed.as_secs_f64(),
                percentile(&delays, 0.5),
                percentile(&delays, 0.99),
                delays.last().copied().unwrap_or_default(),
                per_subscriber,
            );
        }
    });
}
