//! Reassigning a removed member's leads: the job's batches against one
//! bare `update lead set owner_id = … where organization_id = … and
//! owner_id = …` of the same rows on the same database, on both backends,
//! with the member list requested continuously over HTTP meanwhile.
//!
//! Per backend and size it prints: the bare update, the whole job (every
//! batch, run back to back the way the worker runs them), their ratio
//! (goal ≤ 2×), the number of batches and the longest one (each batch is
//! one transaction, so this bounds how long it holds its locks; goal
//! < 100 ms), and the p99 of `organization { members }` during the job.
//!
//! ```text
//! cargo bench -p roster-tests --bench reassign --profile dev   # reuses the test build
//! ROSTER_BENCH_LEADS=100000,1000000 cargo bench ...            # sizes (default 100000)
//! ROSTER_TEST_POSTGRES_URL=postgres://… cargo bench ...         # PostgreSQL too
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use roster_domain::JobId;
use roster_domain::job::BatchOutcome;
use roster_tests::serde_json::json;
use roster_tests::{Backend, Session, TestApp};
use roster_worker::reassignment::BatchSizer;

const MEMBERS: &str = "query($o: ID!) { organization(id: $o) { members(first: 20) { totalCount edges { node { role user { email } } } } } }";
const REMOVE: &str = "mutation($o: ID!, $u: ID!, $to: ID) { removeMember(organizationId: $o, userId: $u, reassignLeadsTo: $to) \
                      { reassignment { id } } }";

struct Row {
    backend: Backend,
    leads: usize,
    bare: Duration,
    job: Duration,
    batches: usize,
    longest: Duration,
    p99: Duration,
    requests: usize,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("ROSTER_BENCH_LEADS")
        .unwrap_or_else(|_| "100000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    runtime.block_on(async {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            for &leads in &sizes {
                let Some(app) = TestApp::spawn_without_worker(backend).await else {
                    println!("PostgreSQL skipped: ROSTER_TEST_POSTGRES_URL is not set");
                    break;
                };
                rows.push(measure(app, backend, leads).await);
            }
        }
    });
    println!();
    println!(
        "| backend  |     leads | bare update |        job | ratio | batches | longest batch | members p99 (n) |"
    );
    println!(
        "|----------|-----------|-------------|------------|-------|---------|---------------|-----------------|"
    );
    for r in rows {
        println!(
            "| {:<8} | {:>9} | {:>11.1?} | {:>10.1?} | {:>4.2}× | {:>7} | {:>13.1?} | {:>9.1?} ({}) |",
            format!("{:?}", r.backend),
            r.leads,
            r.bare,
            r.job,
            r.job.as_secs_f64() / r.bare.as_secs_f64(),
            r.batches,
            r.longest,
            r.p99,
            r.requests
        );
    }
    println!(
        "(each batch is one transaction; job = alone; longest batch = alone or under the readers)"
    );
}

async fn measure(app: TestApp, backend: Backend, leads: usize) -> Row {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let bob = app.join(&org, "bob@example.com", "MEMBER").await;
    let carl = app.join(&org, "carl@example.com", "MEMBER").await;
    for i in 0..17 {
        app.join(&org, &format!("m{i}@example.com"), "MEMBER").await;
    }
    // Carl's leads, and as many again of others the updates must skip.
    app.seed_leads(&org, Some(&carl.user_id), leads).await;
    app.seed_leads(&org, Some(&ada.user_id), leads).await;
    analyze(&app).await;

    let bare = bare_update(&app, &org, &carl, &bob).await;
    // Back to Carl, untimed, for the job to move the same rows.
    bare_update(&app, &org, &bob, &carl).await;

    let data = app
        .ok(
            Some(&ada.access),
            REMOVE,
            json!({ "o": org, "u": carl.user_id, "to": bob.user_id }),
        )
        .await;
    let job: JobId = data["removeMember"]["reassignment"]["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("job id");

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (stop, app, ada, org) = (stop.clone(), &app, ada.clone(), org.clone());
        async move {
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                app.ok(Some(&ada.access), MEMBERS, json!({ "o": org }))
                    .await;
                times.push(start.elapsed());
            }
            times
        }
    };
    // Alone first: the job against the bare update, nothing else running.
    let (alone, _, alone_longest, median) = run_job(&app, job).await;
    // Again with the member list requested continuously: its p99, and the
    // batches under that load.
    bare_update(&app, &org, &bob, &carl).await;
    app.execute_sql("update job set state = 'PENDING', done = 0, checkpoint = null")
        .await;
    let runner = async {
        let result = run_job(&app, job).await;
        stop.store(true, Ordering::Relaxed);
        result
    };
    let (mut times, (took, batches, longest, _)) = tokio::join!(reader, runner);
    assert_eq!(app.leads_of(&org, Some(&bob.user_id)).await, leads as i64);
    times.sort();
    let p99 = times
        .get((times.len() * 99 / 100).min(times.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default();
    println!(
        "{backend:?} {leads}: bare {bare:.1?}; job alone {alone:.1?} (batch median {median:.1?}, longest {alone_longest:.1?}); \
         with readers {took:.1?} in {batches} batches (longest {longest:.1?}), members p99 {p99:.1?} of {}",
        times.len()
    );
    Row {
        backend,
        leads,
        bare,
        job: alone,
        batches,
        longest: longest.max(alone_longest),
        p99,
        requests: times.len(),
    }
}

/// Runs `job`'s batches back to back, sized as the worker sizes them: the whole time,
/// the number of batches, the longest and the median batch.
async fn run_job(app: &TestApp, job: JobId) -> (Duration, usize, Duration, Duration) {
    let store = app.db.store();
    let (mut times, mut sizer) = (Vec::new(), BatchSizer::new());
    let start = Instant::now();
    loop {
        let t = Instant::now();
        let outcome = store
            .run_reassignment_batch(job, sizer.size(), app.now())
            .await
            .expect("batch");
        times.push(t.elapsed());
        sizer.took(t.elapsed());
        if outcome == BatchOutcome::Finished {
            break;
        }
    }
    let took = start.elapsed();
    times.sort();
    let (n, longest, median) = (times.len(), times[times.len() - 1], times[times.len() / 2]);
    (took, n, longest, median)
}

/// The one statement the job is compared with.
async fn bare_update(app: &TestApp, org: &str, from: &Session, to: &Session) -> Duration {
    let sql = "update lead set owner_id = $1, updated_at = $2 where organization_id = $3 and owner_id = $4";
    let id = |s: &str| uuid::Uuid::parse_str(s).expect("uuid");
    let (to, from, org, now) = (id(&to.user_id), id(&from.user_id), id(org), app.now());
    let start = Instant::now();
    match &app.db {
        roster_store::Database::Sqlite(pool) => sqlx::query(sql)
            .bind(to)
            .bind(now)
            .bind(org)
            .bind(from)
            .execute(pool)
            .await
            .map(|_| ()),
        roster_store::Database::Postgres(pool) => sqlx::query(sql)
            .bind(to)
            .bind(now)
            .bind(org)
            .bind(from)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .expect("bare update");
    start.elapsed()
}

/// Fresh statistics after the bulk insert, as autovacuum would give.
async fn analyze(app: &TestApp) {
    match &app.db {
        roster_store::Database::Sqlite(pool) => {
            sqlx::query("analyze").execute(pool).await.map(|_| ())
        }
        roster_store::Database::Postgres(pool) => {
            sqlx::query("analyze lead").execute(pool).await.map(|_| ())
        }
    }
    .expect("analyze");
}
