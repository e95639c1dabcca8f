//! Cost as organizations grow (docs/operations/performance.md): the same
//! reads and writes on SMALL (100 members) and BIG (200,000 ACTIVE, 1,000
//! BLOCKED, 20,000 INVITED; each member in 2 of 20 workspaces and 1 of 10
//! assistants; 2,000,000 leads and 2,000,000 audit events), beside 1,000
//! other organizations and 1,000,000 accounts, on each backend in one run.
//! It prints each read's median over 20 requests and the BIG/SMALL ratio,
//! and a fresh `roster` process's start-up to `/readyz` and idle memory
//! (`large_org/process.rs`; targets 100 ms and 20 MiB), and writes them as
//! the sections "Large organizations" and "A fresh process" of
//! `docs/benchmarks.md` (only the latter with `ROSTER_BENCH_BACKEND=none`,
//! neither when it picks one backend).
//!
//! ```text
//! cargo bench -p roster-tests --bench large_org
//! ROSTER_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p roster-tests --bench large_org
//! ROSTER_BENCH_BIG=20000 cargo bench ...          # every size scaled to BIG (a quick run)
//! ROSTER_BENCH_BACKEND=postgres cargo bench ...   # one backend
//! ROSTER_BENCH_BACKEND=none cargo bench ...       # only the fresh processes
//! ROSTER_BENCH_MIGRATIONS=1 cargo bench ...       # and time migrations 0018-0025 on the data
//! ROSTER_BENCH_HOLD=600 cargo bench ...           # keep each database 600 s after its reads
//! ```
//!
//! The data is bulk-loaded with SQL (`large_org/seed.rs`), which a test
//! must not do but a bench may: through the API it would take hours.

#[path = "large_org/migrations.rs"]
mod migrations;
#[path = "large_org/process.rs"]
mod process;
#[path = "large_org/seed.rs"]
mod seed;

use std::time::{Duration, Instant};

use roster_tests::bench_doc::{self, sh};
use roster_tests::member_page::MEMBER_PAGE;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, Session, TestApp, unthrottled};

use seed::Sizes;

/// The `roster` binary's allocator (crates/roster/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 20;

const SEARCH: &str = "query($id: ID!, $s: String) { organization(id: $id) { members(first: 20, search: $s) \
    { totalCount edges { node { user { email } } } } } }";
const BY_ROLE: &str = "query($id: ID!) { organization(id: $id) { members(first: 20, role: ADMIN) \
    { totalCount edges { node { user { email } } } } } }";
const BY_STATUS: &str = "query($id: ID!) { organization(id: $id) { members(first: 20, status: BLOCKED) \
    { totalCount edges { node { user { email } } } } } }";
const DEEP_PAGE: &str = "query($id: ID!, $after: String) { organization(id: $id) { members(first: 100, after: $after) \
    { totalCount edges { node { role status user { id email displayName } workspaces { id name } assistants { id name } } } } } }";
const LEADS: &str = "query($id: ID!) { organization(id: $id) { leads(first: 50) { totalCount edges { node { id name } } } } }";
const AUDIT: &str = "query($id: ID!) { organization(id: $id) { auditLog(first: 50) { totalCount edges { node { id action } } } } }";
const DASHBOARD: &str = "query($id: ID!) { organization(id: $id) { dashboard { totalLeads activeMembers pendingInvitations \
    leadsByOwnerConnection(first: 50) { edges { node { key count } } } \
    leadsByAssistantConnection(first: 50) { edges { node { key count } } } } } }";
const SEATS: &str = "query($id: ID!) { organization(id: $id) { seatsUsed } }";
const ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";
const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e, role: MEMBER }) { id } }";

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One organization as the bench reads it.
struct Org {
    id: String,
    /// An ADMIN other than the owner, whose role the write flips.
    admin: String,
    /// The cursor of the member at half the organization (at most the
    /// 100,000th): the page after it is a deep page.
    deep_cursor: String,
}

/// What one case measured: the median, or why it failed.
enum Outcome {
    Median(Duration),
    Failed(String),
}

impl Outcome {
    fn cell(&self) -> String {
        match self {
            Outcome::Median(d) => format!("{:.1}", d.as_secs_f64() * 1000.0),
            Outcome::Failed(why) => format!("fails: {why}"),
        }
    }
}

/// Median of `RUNS` timed requests after 2 untimed ones; `expect_error`
/// names the error code an answer must carry (`None`: no error); `undo`,
/// an operation run untimed after each.
async fn measure(
    app: &TestApp,
    token: &str,
    (query, variables): (&str, Value),
    expect_error: Option<&str>,
    undo: Option<(&str, Value)>,
) -> Outcome {
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..RUNS + 2 {
        let started = Instant::now();
        let answer = app.gql(Some(token), query, variables.clone()).await;
        let took = started.elapsed();
        let code = roster_tests::error_code(&answer);
        if code.as_deref() != expect_error {
            let message = answer["errors"][0]["message"]
                .as_str()
                .unwrap_or("no error");
            return Outcome::Failed(message.chars().take(80).collect());
        }
        if let Some((query, variables)) = &undo {
            app.ok(Some(token), query, variables.clone()).await;
        }
        if run >= 2 {
            times.push(took);
        }
    }
    times.sort();
    Outcome::Median(times[RUNS / 2])
}

async fn cases(app: &TestApp, ada: &Session, org: &Org) -> Vec<(&'static str, Outcome)> {
    let id = json!({ "id": org.id });
    let reads = [
        (
            "member page 1 (first: 100)",
            MEMBER_PAGE,
            json!({ "id": org.id, "first": 100 }),
        ),
        (
            "a deep member page (by cursor)",
            DEEP_PAGE,
            json!({ "id": org.id, "after": org.deep_cursor }),
        ),
        (
            "`search:` a fragment",
            SEARCH,
            json!({ "id": org.id, "s": "4242" }),
        ),
        ("`role: ADMIN`", BY_ROLE, id.clone()),
        ("`status: BLOCKED`", BY_STATUS, id.clone()),
        ("`leads(first: 50)`", LEADS, id.clone()),
        ("`auditLog(first: 50)`", AUDIT, id.clone()),
        ("`dashboard`", DASHBOARD, id.clone()),
        ("`seatsUsed`", SEATS, id),
    ];
    let mut out = Vec::new();
    for (name, query, variables) in reads {
        out.push((
            name,
            measure(app, &ada.access, (query, variables), None, None).await,
        ));
    }
    // ADMIN → MEMBER, timed; each followed by the way back, untimed.
    let demote = json!({ "o": org.id, "u": org.admin, "r": "MEMBER" });
    let promote = json!({ "o": org.id, "u": org.admin, "r": "ADMIN" });
    let write = measure(
        app,
        &ada.access,
        (ROLE, demote),
        None,
        Some((ROLE, promote)),
    )
    .await;
    out.push(("`changeMemberRole` ADMIN → MEMBER", write));
    out
}

/// The write refused for seats, once both organizations are on PRO.
async fn seat_refusal(app: &TestApp, ada: &Session, org: &Org) -> Outcome {
    let invite = json!({ "o": org.id, "e": "newcomer@example.com" });
    measure(
        app,
        &ada.access,
        (INVITE, invite),
        Some("SEAT_LIMIT_REACHED"),
        None,
    )
    .await
}

/// What one backend measured.
struct Measured {
    /// The table's rows.
    rows: Vec<Vec<String>>,
    /// How long its seed and analysis took.
    note: String,
    /// Migrations 0018–0025 on the data set, when timed.
    migrations: Vec<Vec<String>>,
}

async fn bench(backend: Backend, sizes: &Sizes) -> Option<Measured> {
    let app = TestApp::spawn_with(backend, false, unthrottled).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let started = Instant::now();
    let small = seed::organization(&app, &ada, "SMALL", &sizes.small()).await;
    let big = seed::organization(&app, &ada, "BIG", sizes).await;
    seed::others(&app, sizes).await;
    let seeded = started.elapsed();
    println!("{backend:?}: seeded in {:.0} s", seeded.as_secs_f64());
    let started = Instant::now();
    seed::analyze(&app).await;
    let analyzed = started.elapsed();
    println!("{backend:?}: analyzed in {:.0} s", analyzed.as_secs_f64());
    let note = format!(
        "{backend:?} seeded in {:.0} s, analyzed in {:.0} s",
        seeded.as_secs_f64(),
        analyzed.as_secs_f64()
    );

    let mut rows = Vec::new();
    let (s, b) = (
        cases(&app, &ada, &small).await,
        cases(&app, &ada, &big).await,
    );
    for ((name, s), (_, b)) in s.into_iter().zip(b) {
        rows.push(row(backend, name, &s, &b));
    }
    seed::plan(&app, &[&small.id, &big.id], "PRO").await;
    let (s, b) = (
        seat_refusal(&app, &ada, &small).await,
        seat_refusal(&app, &ada, &big).await,
    );
    rows.push(row(backend, "an invite refused for seats (PRO)", &s, &b));
    let hold = env("ROSTER_BENCH_HOLD", 0u64);
    if hold > 0 {
        // For `EXPLAIN` by hand on the seeded data, before it is dropped.
        println!(
            "{backend:?}: holding {} for {hold} s; SMALL {}, BIG {}",
            app.url, small.id, big.id
        );
        tokio::time::sleep(Duration::from_secs(hold)).await;
    }
    let mut timed = Vec::new();
    if env("ROSTER_BENCH_MIGRATIONS", 0) == 1 {
        let migrations::Timed { each, whole, again } = migrations::time(&app).await;
        let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
        for (version, description, took) in each {
            timed.push(vec![
                format!("{backend:?}"),
                format!("{version:04} {description}"),
                secs(took),
            ]);
        }
        timed.push(vec![
            format!("{backend:?}"),
            "the whole `migrate` (with every email key recomputed)".to_owned(),
            secs(whole),
        ]);
        timed.push(vec![
            format!("{backend:?}"),
            "`migrate` again, nothing new (every later start)".to_owned(),
            format!("{:.0} ms", again.as_secs_f64() * 1000.0),
        ]);
    }
    Some(Measured {
        rows,
        note,
        migrations: timed,
    })
}

fn row(backend: Backend, name: &str, small: &Outcome, big: &Outcome) -> Vec<String> {
    let ratio = match (small, big) {
        (Outcome::Median(s), Outcome::Median(b)) => {
            format!("{:.1}×", b.as_secs_f64() / s.as_secs_f64())
        }
        _ => "—".to_owned(),
    };
    vec![
        format!("{backend:?}"),
        name.to_owned(),
        small.cell(),
        big.cell(),
        ratio,
    ]
}

#[tokio::main]
async fn main() {
    let load_at_start = sh("cut -d' ' -f1-3 /proc/loadavg");
    let sizes = Sizes::scaled(env("ROSTER_BENCH_BIG", 200_000));
    let only = std::env::var("ROSTER_BENCH_BACKEND").ok();
    println!("{sizes}");
    let (mut rows, mut notes, mut timed) = (Vec::new(), Vec::new(), Vec::new());
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        match bench(backend, &sizes).await {
            Some(m) => {
                rows.extend(m.rows);
                notes.push(m.note);
                timed.extend(m.migrations);
            }
            None => println!("{backend:?} skipped: ROSTER_TEST_POSTGRES_URL is not set"),
        }
    }
    let mut out = format!(
        "## {}\n\n`cargo bench -p roster-tests --bench large_org` (tests/benches/large_org.rs), \
         {} on {} ({} cores, load average {} at the start), {} profile. {sizes}; SMALL: 100 members, 1,000 leads, \
         1,000 audit events. Seeded in bulk with SQL, then analyzed; {}.\n\n\
         | backend | read (median of {RUNS}, ms) | SMALL | BIG | BIG/SMALL |\n|---|---|---|---|---|\n",
        bench_doc::LARGE_ORG,
        sh("date -u '+%Y-%m-%d %H:%M UTC'"),
        sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
        sh("nproc"),
        load_at_start,
        if cfg!(debug_assertions) {
            "dev"
        } else {
            "bench (release)"
        },
        notes.join("; "),
    );
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    if !timed.is_empty() {
        out.push_str(
            "\nMigrations 0018–0025 applied again on this data set (`ROSTER_BENCH_MIGRATIONS=1`, \
             tests/benches/large_org/migrations.rs):\n\n\
             | backend | migration | time |\n|---|---|---|\n",
        );
        for r in timed {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
    }
    let fresh = process::section().await;
    let before = std::fs::read_to_string(bench_doc::PATH).expect("read docs/benchmarks.md");
    let after = match only.as_deref() {
        None => {
            println!("\n{out}\n{fresh}");
            let large = bench_doc::put(&before, bench_doc::LARGE_ORG, &out);
            bench_doc::put(&large, bench_doc::FRESH_START, &fresh)
        }
        Some("none") => {
            println!("\n{fresh}");
            bench_doc::put(&before, bench_doc::FRESH_START, &fresh)
        }
        Some(_) => {
            println!("\n{out}\n{fresh}\n(one backend: docs/benchmarks.md left alone)");
            return;
        }
    };
    std::fs::write(bench_doc::PATH, after).expect("write docs/benchmarks.md");
    println!("wrote its sections of docs/benchmarks.md");
}
