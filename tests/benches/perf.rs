//! The bench suite of docs/operations/performance.md: the member page against the hand-written floor,
//! authentication overhead, invitation throughput, memory and start-up, on
//! SQLite and (where `ROSTER_TEST_POSTGRES_URL` is set) PostgreSQL, side by
//! side in one run. It writes `docs/benchmarks.md`.
//!
//! ```text
//! cargo bench -p roster-tests --bench perf                      # release (the bench profile)
//! ROSTER_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p roster-tests --bench perf
//! ROSTER_BENCH_RUNS=5 ROSTER_BENCH_SECONDS=3 cargo bench ...    # more, longer runs
//! cargo bench -p roster-tests --bench perf --profile dev        # reuses the test build (slower figures)
//! ROSTER_BENCH_ONLY=page ROSTER_BENCH_MEMBERS=100 ROSTER_BENCH_BACKEND=sqlite cargo bench ...
//!     # one part (page, auth, invitations), one size, one backend: for profiling
//! ROSTER_BENCH_CPU=1 cargo bench ...                            # and each run's CPU per request, by thread
//! ```
//!
//! A run with any of those three set prints its
//! tables and leaves `docs/benchmarks.md` alone.
//!
//! Organizations of 10, 100 and 1,000 members (each member in 2 workspaces
//! and 1 assistant) are seeded; the page asks for the first 100.

#[path = "perf/floor.rs"]
mod floor;
#[path = "perf/invitations.rs"]
mod invitations;
#[path = "perf/load.rs"]
mod load;
#[path = "perf/report.rs"]
mod report;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use roster_tests::member_page::MEMBER_PAGE;
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp, unthrottled};

use load::{Measure, Request, interleaved};
use report::Report;

/// The `roster` binary's allocator (crates/roster/src/main.rs): the gateway
/// runs in this process, and so does the floor.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process's resident set, in MiB (the gateway, the client and, on
/// SQLite, the database share the process).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .map_or(0.0, |kib: f64| kib / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn cells(m: &Measure) -> [String; 3] {
    [
        format!("{:.0}", m.median_rps()),
        ms(m.percentile(0.5)),
        ms(m.percentile(0.99)),
    ]
}

fn graphql(app: &TestApp, token: &str, query: &str, variables: serde_json::Value) -> Request {
    Request {
        url: format!("{}/graphql", app.base),
        token: token.to_owned(),
        body: json!({ "query": query, "variables": variables }).to_string(),
    }
}

/// Rows of each table, all backends together.
#[derive(Default)]
struct Tables {
    page: Vec<Vec<String>>,
    auth: Vec<Vec<String>>,
    invitations: Vec<Vec<String>>,
    process: Vec<Vec<String>>,
}

async fn bench(backend: Backend, runs: usize, time: Duration, t: &mut Tables) -> bool {
    let started = Instant::now();
    let Some(app) = TestApp::spawn_with(backend, true, unthrottled).await else {
        println!("PostgreSQL skipped: ROSTER_TEST_POSTGRES_URL is not set");
        return false;
    };
    while app.get("/readyz").await.0 != 200 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let startup = started.elapsed();
    let name = format!("{backend:?}");
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let mut orgs = Vec::new();
    for members in [10, 100, 1000] {
        let org = app.create_org(&ada, &format!("Org of {members}")).await;
        app.ok(
            Some(&ada.access),
            "mutation($o: ID!) { changePlan(organizationId: $o, plan: ENTERPRISE) { plan } }",
            json!({ "o": org }),
        )
        .await;
        app.seed_member_page(&org, members - 1, &format!("m{members}"))
            .await;
        orgs.push((members, org));
    }
    let floor = floor::serve(app.db.clone(), app.clock.clone(), &app.base).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_mib();

    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_mib() as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let only = std::env::var("ROSTER_BENCH_ONLY").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let sizes: Option<usize> = std::env::var("ROSTER_BENCH_MEMBERS")
        .ok()
        .and_then(|m| m.parse().ok());
    for connections in [1, 16] {
        for (members, org) in orgs
            .iter()
            .filter(|(m, _)| part("page") && sizes.is_none_or(|s| s == *m))
        {
            let page = json!({ "id": org, "first": 100 });
            let pair = [
                graphql(&app, &ada.access, MEMBER_PAGE, page.clone()),
                Request {
                    url: format!("{floor}/floor/page"),
                    token: ada.access.clone(),
                    body: page.to_string(),
                },
            ];
            let m = interleaved(&pair, connections, runs, time).await;
            let ratio = m[0].percentile(0.5).as_secs_f64() / m[1].percentile(0.5).as_secs_f64();
            let mut row = vec![name.clone(), members.to_string(), connections.to_string()];
            row.extend(cells(&m[0]));
            row.extend(cells(&m[1]));
            row.push(format!("{ratio:.2}×"));
            t.page.push(row);
        }
        if !part("auth") {
            continue;
        }
        let org = &orgs[0].1;
        let trio = [
            graphql(
                &app,
                &ada.access,
                "query($id: ID!) { organization(id: $id) { name } }",
                json!({ "id": org }),
            ),
            graphql(&app, &ada.access, "{ me { id } }", json!({})),
            Request {
                url: format!("{floor}/floor/jwt"),
                token: ada.access.clone(),
                body: String::new(),
            },
        ];
        let m = interleaved(&trio, connections, runs, time).await;
        for (what, m) in [
            "`organization(id) { name }`",
            "`{ me { id } }`",
            "floor: JWT check only",
        ]
        .iter()
        .zip(&m)
        {
            let mut row = vec![name.clone(), what.to_string(), connections.to_string()];
            row.extend(cells(m));
            t.auth.push(row);
        }
    }
    sampling.store(false, Ordering::Relaxed);
    sampler.await.expect("sampler");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_mib();

    let invites = if part("invitations") {
        invitations::bench(&app, &ada, &orgs[0].1).await
    } else {
        Vec::new()
    };
    for (what, connections, per_second) in invites {
        t.invitations.push(vec![
            name.clone(),
            what.to_owned(),
            connections.to_string(),
            format!("{per_second:.0}"),
        ]);
    }
    t.process.push(vec![
        name,
        ms(startup),
        format!("{idle:.0} MiB"),
        format!("{} MiB", peak.load(Ordering::Relaxed)),
        format!("{after:.0} MiB"),
    ]);
    true
}

fn main() {
    let runs = env("ROSTER_BENCH_RUNS", 3);
    let seconds: f64 = env("ROSTER_BENCH_SECONDS", 2.0);
    let time = Duration::from_secs_f64(seconds);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "bench (release)"
    };
    let mut t = Tables::default();
    runtime.block_on(async {
        let wanted = std::env::var("ROSTER_BENCH_BACKEND").ok();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            if wanted
                .as_deref()
                .is_some_and(|w| !format!("{backend:?}").eq_ignore_ascii_case(w))
            {
                continue;
            }
            if !bench(backend, runs, time, &mut t).await {
                break;
            }
        }
    });
    let mut r = Report::new(profile, runs, seconds);
    r.section(
        "The member page vs the floor",
        "`organization(id){ members(first:100){ totalCount edges{ node{ role status lastActiveAt \
         user{ id email displayName } workspaces{ id name } assistants{ id name } } } } } }` \
         through GraphQL, and the floor (`tests/benches/perf/floor.rs`: a hand-written axum handler \
         over the same pool, three statements, serde). Ratio: GraphQL p50 over floor p50.",
        &["backend", "members", "connections", "GraphQL req/s", "p50", "p99", "floor req/s", "p50", "p99", "ratio"],
    );
    for row in &t.page {
        r.row(row);
    }
    r.section(
        "Authentication and membership overhead",
        "`organization(id){ name }` (session, membership with its organization), `{ me { id } }` \
         (session) and a handler that only verifies the JWT.",
        &["backend", "request", "connections", "req/s", "p50", "p99"],
    );
    for row in &t.auth {
        r.row(row);
    }
    r.section(
        "Invitations",
        "`inviteMember` (new emails; the worker sends their mail meanwhile) and `acceptInvitation` \
         by the signed-in invitee, per second.",
        &["backend", "operation", "connections", "per second"],
    );
    for row in &t.invitations {
        r.row(row);
    }
    r.section(
        "Process",
        "Start-up: from spawning the gateway on a fresh database (migrations included) to \
         `/readyz` answering 200. Resident memory of the bench process (gateway, client and, on \
         SQLite, the database): idle after seeding, peak under the loads above, 2 s after them.",
        &[
            "backend",
            "start-up to /readyz",
            "RSS idle",
            "RSS under load",
            "RSS after load",
        ],
    );
    for row in &t.process {
        r.row(row);
    }
    r.line(
        "\n## Elsewhere\n\nInvitation mail throughput against raw lettre: \
         `cargo bench -p roster-tests --bench mail_throughput` (tests/benches/mail_throughput.rs). \
         Lead reassignment against a bare UPDATE: `cargo bench -p roster-tests --bench reassign` \
         (tests/benches/reassign.rs). Live events: `--bench live`. What each change \
         bought: [benchmark-history.md](benchmark-history.md).",
    );
    if [
        "ROSTER_BENCH_ONLY",
        "ROSTER_BENCH_MEMBERS",
        "ROSTER_BENCH_BACKEND",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some())
    {
        println!("{}", r.text);
        return;
    }
    use roster_tests::bench_doc;
    // The large organizations' section is `large_org`'s: kept as it was.
    let before = std::fs::read_to_string(bench_doc::PATH).unwrap_or_default();
    // What `large_org` wrote stays.
    let mut text = r.text;
    for title in [bench_doc::LARGE_ORG, bench_doc::FRESH_START] {
        if let Some(kept) = bench_doc::section(&before, title) {
            text = bench_doc::put(&text, title, kept);
        }
    }
    std::fs::write(bench_doc::PATH, text).expect("write docs/benchmarks.md");
    println!("wrote docs/benchmarks.md");
}
