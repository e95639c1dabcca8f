//! The retention purge on a large backlog: 100,000 webhook attempts past
//! the period and 10,000 recent ones, deleted the way the hourly purge
//! deletes them (1,000 rows a statement, a pause between statements), on
//! both backends.
//!
//! Per backend it prints the rows deleted, the whole purge, rows per
//! second, the number of statements, the median and the longest one (each statement
//! is its own transaction, so this bounds how long the purge holds the
//! table or SQLite's write lock; goal < 100 ms), and checks that the
//! recent rows stayed.
//!
//! ```text
//! cargo bench -p roster-tests --bench retention --profile dev   # reuses the test build
//! ROSTER_BENCH_ROWS=1000000 cargo bench ...                     # backlog size (default 100000)
//! ROSTER_TEST_POSTGRES_URL=postgres://… cargo bench ...          # PostgreSQL too
//! ```

use std::time::{Duration, Instant};

use chrono::Utc;
use roster_domain::retention::{Purgeable, Retention};
use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp};

const CREATE: &str = "mutation($o: ID!) { createWebhookEndpoint(organizationId: $o, url: \"http://127.0.0.1:9/hook\", \
                      events: [\"ownership.transfer_canceled\"]) { endpoint { id } } }";

/// `n` attempts to `endpoint`, `days` old, in one statement.
async fn seed(app: &TestApp, endpoint: uuid::Uuid, n: i64, days: i64) {
    let at = Utc::now() - chrono::Duration::days(days);
    match &app.db {
        Database::Sqlite(pool) => sqlx::query(
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < $3) \
             insert into webhook_delivery (id, endpoint_id, event_id, attempt, status, duration_ms, at) \
             select randomblob(16), $1, randomblob(16), 1, 500, 3, $2 from n",
        )
        .bind(endpoint)
        .bind(at)
        .bind(n)
        .execute(pool)
        .await
        .map(|_| ()),
        Database::Postgres(pool) => sqlx::query(
            "insert into webhook_delivery (id, endpoint_id, event_id, attempt, status, duration_ms, at) \
             select gen_random_uuid(), $1, gen_random_uuid(), 1, 500, 3, $2 from generate_series(1, $3)",
        )
        .bind(endpoint)
        .bind(at)
        .bind(n)
        .execute(pool)
        .await
        .map(|_| ()),
    }
    .expect("seed attempts");
}

fn main() {
    let rows: i64 = std::env::var("ROSTER_BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("backend  | deleted | purge   | rows/s  | statements | median  | longest");
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(app) = TestApp::spawn_without_worker(backend).await else {
                println!("PostgreSQL skipped: ROSTER_TEST_POSTGRES_URL is not set");
                break;
            };
            let ada = app.sign_up("ada@example.com", "Ada").await;
            let org = app.create_org(&ada, "Acme").await;
            let data = app.ok(Some(&ada.access), CREATE, json!({ "o": org })).await;
            let endpoint = data["createWebhookEndpoint"]["endpoint"]["id"]
                .as_str()
                .and_then(|id| uuid::Uuid::parse_str(id).ok())
                .expect("endpoint id");
            seed(&app, endpoint, rows, 40).await;
            seed(&app, endpoint, rows / 10, 1).await;
            let retention = Retention::default();
            let before = retention.cutoff(Purgeable::WebhookDeliveries, app.now());
            let store = app.db.store();
            let (mut deleted, mut times) = (0, Vec::new());
            let start = Instant::now();
            loop {
                let t = Instant::now();
                let n = store
                    .purge_batch(Purgeable::WebhookDeliveries, before, retention.batch)
                    .await
                    .expect("purge");
                times.push(t.elapsed());
                deleted += n;
                if n < u64::from(retention.batch) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let took = start.elapsed();
            times.sort();
            let (statements, median, longest) =
                (times.len(), times[times.len() / 2], times[times.len() - 1]);
            let left = app.count_sql("select count(*) from webhook_delivery").await;
            assert_eq!((deleted, left), (rows as u64, rows / 10), "old rows gone, recent ones kept");
            println!(
                "{:<8} | {deleted:>7} | {:>5.2} s | {:>7.0} | {statements:>10} | {:>4.1} ms | {:>5.1} ms",
                format!("{backend:?}"),
                took.as_secs_f64(),
                deleted as f64 / took.as_secs_f64(),
                median.as_secs_f64() * 1e3,
                longest.as_secs_f64() * 1e3,
            );
        }
    });
}
