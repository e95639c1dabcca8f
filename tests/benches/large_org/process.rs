//! A fresh `roster serve` on SQLite, as a process of its own: the time
//! from spawning it to `/readyz` answering 200 on a new database, and its
//! resident memory after 2 s idle (docs/operations/performance.md, "Idle
//! memory and start-up"). The binary is the release build next to this
//! bench's own (`cargo build --release -p roster` first, which cargo
//! skips when it is fresh).

use std::process::{Command, Stdio};

use roster_tests::bench_doc;
use std::time::{Duration, Instant};

/// `(start-up to /readyz, idle VmRSS in KiB)` of one fresh process, with
/// `env` set besides its database, address and mail directory.
pub async fn fresh_start(env: &[(&str, &str)]) -> Result<(Duration, u64), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let built = Command::new(cargo)
        .args([
            "build",
            "-q",
            "--release",
            "-p",
            "roster",
            "--bin",
            "roster",
        ])
        .status()
        .map_err(|e| e.to_string())?;
    if !built.success() {
        return Err("building the roster binary failed".into());
    }
    // target/<profile>/deps/<this bench> -> target/release/roster, whatever
    // profile the bench itself was built with.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let binary = exe
        .parent()
        .and_then(|deps| deps.parent())
        .and_then(|profile| profile.parent())
        .map(|target| target.join("release").join("roster"))
        .ok_or("no target directory")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("serve")
        .current_dir(dir.path())
        .env(
            "ROSTER_DATABASE_URL",
            format!("sqlite://{}/roster.db", dir.path().display()),
        )
        .env("ROSTER_LISTEN", format!("127.0.0.1:{port}"))
        .env("ROSTER_MAIL_DIR", dir.path().join("outbox"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/readyz");
    let ready = loop {
        let answered = client.get(&url).send().await;
        if answered.is_ok_and(|r| r.status() == 200) {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            return Err("no /readyz within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .map_err(|e| e.to_string())?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmRSS")?;
    let _ = child.kill();
    let _ = child.wait();
    Ok((ready, rss))
}

/// The section "A fresh process" of docs/benchmarks.md: three fresh
/// starts with the default pool, three with 2 connections.
pub async fn section() -> String {
    let mut out = format!(
        "## {}\n\nA fresh `roster serve` (release build) on a new SQLite database, \
         written by `cargo bench -p roster-tests --bench large_org` \
         (`ROSTER_BENCH_BACKEND=none` for this part alone), {}, load average {}: \
         three times with the default pool and three with \
         `ROSTER_DATABASE_MAX_CONNECTIONS=2` (targets: 100 ms and 20 MiB).\n\n\
         | run | pool | start-up to `/readyz` | idle RSS after 2 s |\n|---|---|---|---|\n",
        bench_doc::FRESH_START,
        bench_doc::sh("date -u '+%Y-%m-%d %H:%M UTC'"),
        bench_doc::sh("cut -d' ' -f1-3 /proc/loadavg"),
    );
    let two = [("ROSTER_DATABASE_MAX_CONNECTIONS", "2")];
    for (pool, env) in [("default (8)", &[][..]), ("2", &two[..])] {
        for run in 1..=3 {
            out.push_str(&match fresh_start(env).await {
                Ok((ready, rss)) => format!(
                    "| {run} | {pool} | {:.0} ms | {:.1} MiB |\n",
                    ready.as_secs_f64() * 1000.0,
                    rss as f64 / 1024.0
                ),
                Err(why) => format!("| {run} | {pool} | fails: {why} | |\n"),
            });
        }
    }
    out
}
