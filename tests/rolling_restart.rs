//! Rolling restart (docs/operations/upgrades.md): two `roster serve` processes
//! on one PostgreSQL database, a steady load of member-list requests from
//! a few concurrent clients, and each gateway restarted in turn with
//! SIGTERM (started again once it has exited). The test plays the load
//! balancer: a request whose connection is refused goes to the other
//! gateway; a request that reached a server is never retried, so any error
//! or non-200 answer counts as a failure. Zero failures, and both
//! gateways serve requests after their restart.
//!
//! The clients open a connection per request (no idle keep-alive
//! connection a stopping server could close under a request being sent).
//! SQLite is not applicable: its database is one file for one host, and
//! the several-gateway shape of docs/operations/scale-out.md is PostgreSQL's.

#[path = "lifecycle/process.rs"]
mod process;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use process::{Server, free_port, roster_binary};
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp};

const CLIENTS: usize = 4;
const MEMBERS: &str = "query($o: ID!) { organization(id: $o) { members(first: 20) { totalCount edges { node { role } } } } }";

#[derive(Default)]
struct Tally {
    /// Answered requests by (gateway, generation at send time).
    served: Mutex<HashMap<(usize, usize), usize>>,
    /// Refused connections retried on the other gateway.
    retried: AtomicUsize,
    failures: Mutex<Vec<String>>,
}

struct Balancer {
    bases: [String; 2],
    /// How many times each gateway has been restarted (and is ready again).
    generation: [AtomicUsize; 2],
    stop: AtomicBool,
    tally: Tally,
}

impl Balancer {
    async fn one_request(&self, client: &reqwest::Client, n: usize, token: &str, org: &str) {
        let first = n % 2;
        for gateway in [first, 1 - first] {
            let generation = self.generation[gateway].load(Ordering::SeqCst);
            let sent = client
                .post(format!("{}/graphql", self.bases[gateway]))
                .bearer_auth(token)
                .json(&json!({ "query": MEMBERS, "variables": { "o": org } }))
                .send()
                .await;
            let res = match sent {
                Err(e) if e.is_connect() => {
                    self.tally.retried.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                Err(e) => return self.fail(format!("gateway {gateway}: {e:?}")),
                Ok(res) => res,
            };
            let status = res.status();
            let body: Value = match res.json().await {
                Ok(body) => body,
                Err(e) => return self.fail(format!("gateway {gateway}: body: {e:?}")),
            };
            if status != 200 || body.get("errors").is_some() {
                return self.fail(format!("gateway {gateway}: {status} {body}"));
            }
            if body["data"]["organization"]["members"]["totalCount"] != 3 {
                return self.fail(format!("gateway {gateway}: {body}"));
            }
            *self
                .tally
                .served
                .lock()
                .expect("tally")
                .entry((gateway, generation))
                .or_default() += 1;
            return;
        }
        self.fail("both gateways refused the connection".to_owned());
    }

    fn fail(&self, why: String) {
        self.tally.failures.lock().expect("tally").push(why);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rolling_restart_under_load_fails_no_request() {
    let Some(app) = TestApp::spawn_without_worker(Backend::Postgres).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.join(&org, "bob@example.com", "MEMBER").await;
    app.join(&org, "carl@example.com", "USER_ADMIN").await;

    let binary = roster_binary();
    let dir = tempfile::tempdir().expect("temp dir");
    let ports = [free_port(), free_port()];
    let start = |i: usize| {
        let (app, binary, dir) = (&app, &binary, dir.path());
        async move {
            let name = format!("gateway-{i}");
            Server::start(app, binary, dir, &name, ports[i], &[], &[]).await
        }
    };
    let mut gateways = [start(0).await, start(1).await];

    let balancer = Arc::new(Balancer {
        bases: [gateways[0].base.clone(), gateways[1].base.clone()],
        generation: Default::default(),
        stop: AtomicBool::new(false),
        tally: Tally::default(),
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (balancer, token, org) = (balancer.clone(), ada.access.clone(), org.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(0)
                    .timeout(Duration::from_secs(20))
                    .build()
                    .expect("client");
                let mut n = c;
                while !balancer.stop.load(Ordering::SeqCst) {
                    balancer.one_request(&client, n, &token, &org).await;
                    n += 1;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, gateway) in gateways.iter_mut().enumerate() {
        gateway.sigterm();
        let exit = gateway.exit(Duration::from_secs(30)).await;
        assert!(
            exit.success(),
            "gateway {i}: {exit:?}:\n{}",
            gateway.log_text()
        );
        // The load runs on the other gateway alone for a while.
        tokio::time::sleep(Duration::from_millis(500)).await;
        *gateway = start(i).await;
        balancer.generation[i].store(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    balancer.stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("client task");
    }

    let tally = &balancer.tally;
    let served = tally.served.lock().expect("tally").clone();
    let failures = tally.failures.lock().expect("tally").clone();
    let retried = tally.retried.load(Ordering::SeqCst);
    eprintln!(
        "rolling restart: served {served:?} (gateway, restarts) -> requests; \
         {retried} refused connections retried on the other gateway; {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "failed requests: {failures:#?}");
    for i in 0..2 {
        assert!(
            served.get(&(i, 1)).copied().unwrap_or(0) > 0,
            "gateway {i} served nothing after its restart: {served:?}"
        );
    }
    assert!(
        retried > 0,
        "no request met a stopped gateway: the restarts were not under load"
    );
    for mut gateway in gateways {
        gateway.sigterm();
        let exit = gateway.exit(Duration::from_secs(30)).await;
        assert!(exit.success(), "{exit:?}");
    }
}
