//! Scale-out under faults (docs/operations/scale-out.md), PostgreSQL only: a cluster of the
//! test's own, 2 `roster serve --no-worker` and 2 `roster worker`
//! processes, an SMTP sink, and 1,000 invitations spread over both
//! gateways. During the run, in turn: one worker SIGKILLed and started
//! again, PostgreSQL restarted (`pg_ctl restart -m fast`), the SMTP sink
//! refusing for 30 s. Every invitation is mailed; a duplicate is the same
//! message (Message-ID and link); all mail is out within 90 s of the last
//! fault ending; every request succeeded or got a clear error, none hung.
//! Prints the recovery time after each fault and the duplicates.
//!
//! A test binary of its own: it runs processes and holds the CPU. The
//! processes' logs are kept in the directory `ROSTER_TEST_KEEP_LOGS` names.

mod cluster;
mod fleet;
mod load;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use roster_tests::serde_json::json;
use roster_tests::smtp_sink::{ReceivedMail, SmtpSink};
use roster_tests::{PASSWORD, accept_url};
use sqlx::PgPool;
use tokio::time::Instant;

use cluster::Cluster;
use fleet::{Process, Shared};
use load::{Client, Created, Inviter};

const INVITATIONS: usize = 1_000;
const ORGANIZATIONS: usize = 10;
/// One invitation every 85 ms: the load runs through all three faults.
const EVERY: Duration = Duration::from_millis(85);
const WORKER_KILL_AT: Duration = Duration::from_secs(10);
const POSTGRES_RESTART_AT: Duration = Duration::from_secs(40);
const SMTP_DOWN_AT: Duration = Duration::from_secs(60);
const SMTP_DOWN_FOR: Duration = Duration::from_secs(30);
/// All mail must be out this long after the last fault ends.
const DRAIN_WITHIN: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_gateways_two_workers_survive_a_killed_worker_a_database_restart_and_smtp_down()
 {
    let Some(cluster) = Cluster::start() else {
        eprintln!("skipped: no PostgreSQL server tools under /usr/lib/postgresql");
        return;
    };
    cluster::wait_until_up(&cluster.url(), Duration::from_secs(30)).await;
    // The processes' logs go to a temporary directory, or to the one
    // ROSTER_TEST_KEEP_LOGS names (kept, to look into a run).
    let temporary = tempfile::tempdir().expect("log dir");
    let logs = std::env::var_os("ROSTER_TEST_KEEP_LOGS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temporary.path().to_owned());
    std::fs::create_dir_all(&logs).expect("log dir");
    let sink = SmtpSink::start().await;
    // A real server takes a moment to answer: jobs are in flight when the
    // worker dies, and some mails are taken but not yet answered.
    sink.answer_after(Duration::from_millis(100));
    let gateways = [free_listen(), free_listen()];
    let shared = Shared {
        binary: fleet::roster_binary(),
        database_url: cluster.url(),
        smtp_url: sink.url(),
        public_url: format!("http://{}", gateways[0]),
        logs: logs.as_path().to_owned(),
    };
    // The first gateway migrates; then the others.
    let mut processes = vec![Process::gateway(&shared, "gateway-1", &gateways[0]).await];
    processes.push(Process::gateway(&shared, "gateway-2", &gateways[1]).await);
    let db = PgPool::connect(&cluster.url()).await.expect("test pool");
    processes.push(Process::worker(&shared, "worker-1"));
    let first = mail_workers(&db, &HashSet::new(), Duration::from_secs(60)).await;
    let mut doomed = Some(Process::worker(&shared, "worker-2"));
    let doomed_ids = mail_workers(&db, &first, Duration::from_secs(60)).await;

    let client = Client::new();
    let bases: Vec<String> = gateways.iter().map(|g| format!("http://{g}")).collect();
    let inviters = Arc::new(seed_inviters(&client, &bases).await);
    let created: Created = Arc::default();
    let t0 = Instant::now();
    let load = tokio::spawn(load::invite_all(
        client.clone(),
        bases.clone(),
        inviters,
        INVITATIONS,
        EVERY,
        8,
        created.clone(),
    ));
    let mut report = Vec::new();

    // 1. SIGKILL worker-2 while it holds jobs; start it again at once.
    tokio::time::sleep_until(t0 + WORKER_KILL_AT).await;
    let orphans = held_jobs(&db, &doomed_ids, Duration::from_secs(10)).await;
    doomed.take().expect("worker-2").kill();
    let killed = Instant::now();
    processes.push(Process::worker(&shared, "worker-2-again"));
    let resumed = jobs_done(&db, &orphans, Duration::from_secs(60)).await;
    report.push(format!(
        "at {:.1} s worker-2 SIGKILLed holding {} job(s): all done {:.1} s after the kill",
        (killed - t0).as_secs_f64(),
        orphans.len(),
        resumed.as_secs_f64()
    ));
    let drained = mailed_all(&sink, &created, killed, Duration::from_secs(90)).await;
    report.push(format!(
        "  backlog mailed {:.1} s after the kill",
        drained.as_secs_f64()
    ));

    // 2. PostgreSQL restarted under the load.
    tokio::time::sleep_until(t0 + POSTGRES_RESTART_AT).await;
    let restarting = Instant::now();
    let c = Arc::new(cluster);
    let restart = c.clone();
    tokio::task::spawn_blocking(move || restart.restart())
        .await
        .expect("pg_ctl restart");
    let restarted = Instant::now();
    let drained = mailed_all(&sink, &created, restarted, Duration::from_secs(90)).await;
    report.push(format!(
        "at {:.1} s PostgreSQL restarted in {:.1} s; backlog mailed {:.1} s after it was back",
        (restarting - t0).as_secs_f64(),
        (restarted - restarting).as_secs_f64(),
        drained.as_secs_f64()
    ));

    // 3. The SMTP sink refuses for 30 s.
    tokio::time::sleep_until(t0 + SMTP_DOWN_AT).await;
    sink.set_down(true);
    tokio::time::sleep(SMTP_DOWN_FOR).await;
    sink.set_down(false);
    let last_fault_end = Instant::now();

    load.await.expect("the invitation load");
    let drained = mailed_all(&sink, &created, last_fault_end, DRAIN_WITHIN).await;
    report.push(format!(
        "until {:.1} s SMTP refused {} time(s) for {} s; everything mailed {:.1} s after it answered again",
        (last_fault_end - t0).as_secs_f64(),
        sink.refusals(),
        SMTP_DOWN_FOR.as_secs(),
        drained.as_secs_f64()
    ));

    // Every process lived through it all.
    for process in &mut processes {
        let alive = process.running();
        assert!(
            alive,
            "{} died:\n{}",
            process.name,
            fleet::log_tail(logs.as_path(), &process.name)
        );
    }
    // ...and each worker process still runs its mail queue (a queue worker
    // whose restarts ran out would leave the process up but idle).
    let beating: i64 = sqlx::query_scalar(
        "select count(*) from apalis.workers where worker_type = 'invitation-email' \
         and last_seen > now() - interval '15 seconds'",
    )
    .fetch_one(&db)
    .await
    .expect("live mail workers");
    assert!(
        beating >= 2,
        "{beating} mail worker(s) beating, want one per process"
    );
    for name in ["worker-1", "worker-2-again"] {
        let log =
            std::fs::read_to_string(logs.as_path().join(format!("{name}.log"))).unwrap_or_default();
        let failed = log.lines().filter(|l| l.contains("worker failed")).count();
        report.push(format!("{name}: {failed} queue worker restart(s) logged"));
    }
    let invitations: i64 = sqlx::query_scalar("select count(*) from invitation")
        .fetch_one(&db)
        .await
        .expect("count invitations");
    assert_eq!(invitations, INVITATIONS as i64);
    assert_eq!(created.lock().unwrap().len(), INVITATIONS);
    let (duplicates, differences) = duplicates(&sink.messages(), &shared.public_url, t0);
    let outcomes = client.outcomes.lock().unwrap();
    eprintln!("scale-out under faults ({INVITATIONS} invitations, 2 gateways, 2 workers):");
    for line in &report {
        eprintln!("  {line}");
    }
    eprintln!(
        "  requests: {} ok, clear errors {:?}, {} hung, {} unclear",
        outcomes.ok,
        outcomes.clear,
        outcomes.hung,
        outcomes.unclear.len()
    );
    eprintln!(
        "  duplicates: {} recipient(s) mailed more than once (Message-ID: arrivals): {:?}",
        duplicates.len(),
        duplicates
    );
    eprintln!(
        "  wall time {:.0} s from the first invitation",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        differences.is_empty(),
        "duplicates that are not the same message: {differences:?}"
    );
    assert_eq!(
        outcomes.hung,
        0,
        "requests hung past {:?}",
        load::CLIENT_TIMEOUT
    );
    assert!(
        outcomes.unclear.is_empty(),
        "unclear answers: {:?}",
        outcomes.unclear
    );
}

fn free_listen() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").to_string()
}

/// An owner and an ENTERPRISE organization (no seat limit) per inviter,
/// made through the gateways in turn.
async fn seed_inviters(client: &Client, bases: &[String]) -> Vec<Inviter> {
    let mut inviters = Vec::new();
    for i in 0..ORGANIZATIONS {
        let base = &bases[i % bases.len()];
        let signed_up = client
            .ok(
                base,
                None,
                "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, displayName: \"Owner\") { accessToken } }",
                json!({ "e": format!("owner{i}@scale.test"), "p": PASSWORD }),
            )
            .await;
        let token = signed_up["signUp"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned();
        let org = client
            .ok(
                base,
                Some(&token),
                "mutation($n: String!) { createOrganization(name: $n) { id } }",
                json!({ "n": format!("Scale {i}") }),
            )
            .await["createOrganization"]["id"]
            .as_str()
            .expect("organization id")
            .to_owned();
        client
            .ok(
                base,
                Some(&token),
                "mutation($o: ID!) { changePlan(organizationId: $o, plan: ENTERPRISE) { plan } }",
                json!({ "o": org }),
            )
            .await;
        inviters.push(Inviter { org, token });
    }
    inviters
}

/// The ids of the invitation-email workers registered besides `known`,
/// once there is at least one.
async fn mail_workers(db: &PgPool, known: &HashSet<String>, within: Duration) -> HashSet<String> {
    let deadline = Instant::now() + within;
    loop {
        let ids: Vec<String> = sqlx::query_scalar(
            "select id from apalis.workers where worker_type = 'invitation-email'",
        )
        .fetch_all(db)
        .await
        .unwrap_or_default();
        let new: HashSet<String> = ids.into_iter().filter(|id| !known.contains(id)).collect();
        if !new.is_empty() {
            return new;
        }
        assert!(
            Instant::now() < deadline,
            "no mail worker registered within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The jobs `workers` hold (taken or running), waiting for at least one.
async fn held_jobs(db: &PgPool, workers: &HashSet<String>, within: Duration) -> Vec<String> {
    let workers: Vec<String> = workers.iter().cloned().collect();
    let deadline = Instant::now() + within;
    loop {
        let held: Vec<String> = sqlx::query_scalar(
            "select id from apalis.jobs where lock_by = any($1) and status in ('Queued', 'Running')",
        )
        .bind(&workers)
        .fetch_all(db)
        .await
        .expect("held jobs");
        if !held.is_empty() || Instant::now() >= deadline {
            return held;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// How long after now `jobs` are all done (the database may be away).
async fn jobs_done(db: &PgPool, jobs: &[String], within: Duration) -> Duration {
    let (start, jobs) = (Instant::now(), jobs.to_vec());
    loop {
        let left: Option<i64> = sqlx::query_scalar(
            "select count(*) from apalis.jobs where id = any($1) and status <> 'Done'",
        )
        .bind(&jobs)
        .fetch_one(db)
        .await
        .ok();
        if left == Some(0) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{left:?} orphaned job(s) not done within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How long after `since` every invitation made so far has been mailed
/// (one made later than this call is for a later check).
async fn mailed_all(
    sink: &SmtpSink,
    created: &Created,
    since: Instant,
    within: Duration,
) -> Duration {
    let wanted: Vec<String> = created
        .lock()
        .unwrap()
        .iter()
        .map(|(e, _)| e.clone())
        .collect();
    loop {
        let mailed: HashSet<String> = sink.messages().into_iter().flat_map(|m| m.to).collect();
        let missing: Vec<&String> = wanted.iter().filter(|e| !mailed.contains(*e)).collect();
        if missing.is_empty() {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < within,
            "{} invitation(s) not mailed within {within:?}, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The recipients mailed more than once: their Message-ID with when each
/// copy arrived (seconds from `t0`), and what differed between the copies
/// (each recipient's mails must be one message: one Message-ID, one link).
fn duplicates(
    mails: &[ReceivedMail],
    base: &str,
    t0: Instant,
) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut by_recipient: BTreeMap<String, Vec<&ReceivedMail>> = BTreeMap::new();
    for mail in mails {
        for to in &mail.to {
            by_recipient.entry(to.clone()).or_default().push(mail);
        }
    }
    let (mut duplicates, mut differences) = (BTreeMap::new(), Vec::new());
    for (to, mails) in by_recipient.into_iter().filter(|(_, m)| m.len() > 1) {
        let ids: HashSet<Option<String>> = mails.iter().map(|m| m.message_id()).collect();
        if ids.len() > 1 {
            differences.push(format!("{to} got different Message-IDs: {ids:?}"));
        }
        let links: HashSet<String> = mails.iter().map(|m| accept_url(m, base)).collect();
        if links.len() > 1 {
            differences.push(format!("{to} got different links: {links:?}"));
        }
        let at = mails
            .iter()
            .map(|m| format!("{:.1} s", (m.at - t0.into_std()).as_secs_f64()))
            .collect();
        let id = mails[0].message_id().unwrap_or_default();
        duplicates.insert(id, at);
    }
    (duplicates, differences)
}
