//! The lead-reassignment job survives `kill -9` of its worker (rules.md
//! §5): 100,000 leads, the worker (`roster worker`, a process of its own)
//! killed in the middle, started again: the job resumes from its
//! checkpoint once the queue has seen the dead worker miss its heartbeats,
//! and every lead ends up owned by the target exactly once, with the job
//! DONE and `done = total`. Prints the resume delay.
//!
//! A test binary of its own: it runs a process and holds the CPU.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roster_tests::serde_json::json;
use roster_tests::{Backend, JWT_SECRET, TestApp};

const LEADS: usize = 100_000;

/// The `roster` binary next to this test's directory, built if missing or stale.
fn roster_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "roster", "--bin", "roster"])
        .status()
        .expect("cargo build -p roster");
    assert!(status.success(), "building the roster binary failed");
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<this test> -> target/<profile>/roster
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("roster"))
        .expect("target directory")
}

/// `roster worker` over the app's database, its log in `log`.
fn start_worker(app: &TestApp, binary: &PathBuf, data: &std::path::Path, log: &str) -> Child {
    let log = std::fs::File::create(data.join(log)).expect("worker log");
    Command::new(binary)
        .arg("worker")
        .env("ROSTER_DATABASE_URL", &app.url)
        .env("ROSTER_PUBLIC_URL", &app.base)
        .env("ROSTER_JWT_SECRET", JWT_SECRET)
        .env("ROSTER_DATA_DIR", data)
        .env("ROSTER_SMTP_URL", app.mail.url())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start roster worker")
}

/// The job's `done`, read straight from its row (the committed batches).
async fn done(app: &TestApp) -> i64 {
    app.count_sql("select done from job").await
}

async fn crash_and_resume(app: TestApp, backend: Backend) {
    let binary = roster_binary();
    let data = tempfile::tempdir().expect("worker data dir");
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let bob = app.join(&org, "bob@example.com", "MEMBER").await;
    let carl = app.join(&org, "carl@example.com", "MEMBER").await;
    app.seed_leads(&org, Some(&carl.user_id), LEADS).await;

    let remove = "mutation($o: ID!, $u: ID!, $to: ID) { removeMember(organizationId: $o, userId: $u, reassignLeadsTo: $to) \
                  { reassignment { id total } } }";
    let removed = app
        .ok(
            Some(&ada.access),
            remove,
            json!({ "o": org, "u": carl.user_id, "to": bob.user_id }),
        )
        .await;
    let job = removed["removeMember"]["reassignment"].clone();
    assert_eq!(job["total"], LEADS);
    let id = job["id"].as_str().expect("job id").to_owned();

    // Kill the worker once a few batches have committed, well before the end.
    let mut worker = start_worker(&app, &binary, data.path(), "worker-1.log");
    let deadline = Instant::now() + Duration::from_secs(60);
    while done(&app).await < (LEADS / 10) as i64 {
        assert!(
            Instant::now() < deadline,
            "the job did not start within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    worker.kill().expect("kill -9 the worker");
    let killed_at = Instant::now();
    worker.wait().expect("reap the worker");
    let at_kill = done(&app).await;
    assert!(
        at_kill < LEADS as i64,
        "killed too late: the job had finished"
    );

    let mut again = start_worker(&app, &binary, data.path(), "worker-2.log");
    let deadline = killed_at + Duration::from_secs(60);
    while done(&app).await == at_kill {
        assert!(
            Instant::now() < deadline,
            "the job did not resume within 60 s of the kill"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let resumed = killed_at.elapsed();
    eprintln!(
        "{backend:?}: killed at {at_kill}/{LEADS} leads; resumed {:.1} s after kill -9",
        resumed.as_secs_f64()
    );

    let finished = app.job_finished(&ada, &id, Duration::from_secs(60)).await;
    again.kill().expect("stop the second worker");
    let _ = again.wait();
    assert_eq!(
        finished,
        json!({ "id": id, "kind": "lead_reassignment", "state": "DONE", "done": LEADS, "total": LEADS })
    );
    assert_eq!(app.leads_of(&org, Some(&bob.user_id)).await, LEADS as i64);
    assert_eq!(app.leads_of(&org, Some(&carl.user_id)).await, 0);
    assert_eq!(
        app.count_sql("select count(*) from lead").await,
        LEADS as i64
    );
    let distinct = app.count_sql("select count(distinct id) from lead").await;
    assert_eq!(distinct, LEADS as i64);
}

// The gateway alone (`spawn_without_worker`): the only worker is the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_worker_killed_mid_reassignment_resumes_and_moves_every_lead_once() {
    let app = TestApp::spawn_without_worker(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    crash_and_resume(app, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_worker_killed_mid_reassignment_resumes_and_moves_every_lead_once() {
    let Some(app) = TestApp::spawn_without_worker(Backend::Postgres).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    crash_and_resume(app, Backend::Postgres).await;
}
