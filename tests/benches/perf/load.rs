//! The load generator: `connections` clients, each sending one request
//! after the other for a fixed time, over keep-alive connections (one
//! `reqwest` client per connection, so none share a socket).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One HTTP request to repeat.
#[derive(Clone)]
pub struct Request {
    pub url: String,
    pub token: String,
    pub body: String,
}

/// Several timed runs of one request at one concurrency.
#[derive(Default)]
pub struct Measure {
    /// Requests per second of each run.
    pub throughputs: Vec<f64>,
    /// Every request's latency, all runs together.
    pub latencies: Vec<Duration>,
}

impl Measure {
    pub fn median_rps(&self) -> f64 {
        let mut t = self.throughputs.clone();
        t.sort_by(f64::total_cmp);
        t.get(t.len() / 2).copied().unwrap_or(0.0)
    }

    pub fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        if l.is_empty() {
            return Duration::ZERO;
        }
        l[((l.len() as f64 - 1.0) * p).round() as usize]
    }
}

/// Clients that each hold one connection.
pub fn clients(n: usize) -> Vec<reqwest::Client> {
    (0..n)
        .map(|_| {
            reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client")
        })
        .collect()
}

async fn send(client: &reqwest::Client, req: &Request) {
    let res = client
        .post(&req.url)
        .bearer_auth(&req.token)
        .header("content-type", "application/json")
        .body(req.body.clone())
        .send()
        .await
        .expect("request");
    assert!(
        res.status().is_success(),
        "{} answered {}",
        req.url,
        res.status()
    );
    let body = res.bytes().await.expect("body");
    assert!(
        !body.windows(9).any(|w| w == b"\"errors\":"),
        "{} answered errors: {}",
        req.url,
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
}

/// One run: every client sends `req` until `time` has passed; the
/// throughput and the latencies.
pub async fn run(
    clients: &[reqwest::Client],
    req: &Request,
    time: Duration,
) -> (f64, Vec<Duration>) {
    let cpu = std::env::var_os("ROSTER_BENCH_CPU").map(|_| cpu_by_thread());
    let start = Instant::now();
    let deadline = start + time;
    let tasks: Vec<_> = clients
        .iter()
        .map(|client| {
            let (client, req) = (client.clone(), req.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    send(&client, &req).await;
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(before) = &cpu {
        print_cpu(&req.url, clients.len(), latencies.len(), before);
    }
    (latencies.len() as f64 / elapsed, latencies)
}

/// Runs the requests side by side: a warm-up of each, then `runs` rounds
/// in which each runs once in turn (so that a slower moment of a loaded
/// machine falls on all of them alike).
pub async fn interleaved(
    requests: &[Request],
    connections: usize,
    runs: usize,
    time: Duration,
) -> Vec<Measure> {
    let clients = clients(connections);
    for req in requests {
        run(&clients, req, time / 4).await;
    }
    let mut measures: Vec<Measure> = requests.iter().map(|_| Measure::default()).collect();
    for _ in 0..runs {
        for (req, m) in requests.iter().zip(&mut measures) {
            let (rps, latencies) = run(&clients, req, time).await;
            m.throughputs.push(rps);
            m.latencies.extend(latencies);
        }
    }
    measures
}

/// CPU time (user and system, in clock ticks of 10 ms) of the process's
/// threads, summed by name (`tokio-rt-worker`, `sqlx-sqlite-worker`, …).
fn cpu_by_thread() -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        *out.entry(name.to_owned()).or_default() += ticks(11) + ticks(12);
    }
    out
}

/// With `ROSTER_BENCH_CPU` set, each run's CPU per request by thread
/// name, on stderr: the gateway, the floor and the client share the
/// tokio workers; SQLite's statements run on its connections' threads.
fn print_cpu(url: &str, connections: usize, requests: usize, before: &BTreeMap<String, u64>) {
    let after = cpu_by_thread();
    let per_request = after.iter().filter_map(|(name, ticks)| {
        let spent = ticks.saturating_sub(before.get(name).copied().unwrap_or(0));
        (spent > 0).then(|| format!("{name} {:.0} µs", spent as f64 * 10_000.0 / requests as f64))
    });
    let per_request: Vec<String> = per_request.collect();
    eprintln!(
        "{url} at {connections}: CPU per request: {}",
        per_request.join(", ")
    );
}
