//! The binary's own defences (docs/operations/production-checklist.md): files that
//! hold secrets are the owner's only, webhooks never follow proxies from
//! the environment, `/metrics` is not served to anyone on the public
//! listener, and `X-Forwarded-For` from a peer that is not a trusted proxy
//! is reported once. Each runs `roster serve` on SQLite and on PostgreSQL.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use common::{Running, graphql, http, on_postgres, roster};
use serde_json::json;

const SQLITE: &str = "sqlite://data/roster.db";

/// Signs up and creates an organization; the access token and its id.
fn owner_and_org(addr: &str, email: &str) -> (String, String) {
    let up = graphql(
        addr,
        None,
        "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery\", displayName: \"Ada\") { accessToken } }",
        json!({ "e": email }),
    );
    let token = up["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{up}"))
        .to_owned();
    let org = graphql(
        addr,
        Some(&token),
        "mutation { createOrganization(name: \"Acme\") { id } }",
        json!({}),
    );
    let org = org["data"]["createOrganization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{org}"))
        .to_owned();
    (token, org)
}

fn invite(addr: &str, token: &str, org: &str, email: &str) {
    let res = graphql(
        addr,
        Some(token),
        "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e, role: MEMBER }) { id } }",
        json!({ "o": org, "e": email }),
    );
    assert!(res["errors"].is_null(), "{res}");
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The data directory, the generated key, the SQLite database (with its
/// WAL) and the outbox with its `.eml` files are the owner's only.
#[cfg(unix)]
fn secret_files_are_the_owners_only(database_url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = roster();
    cmd.current_dir(dir.path())
        .arg("serve")
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        .env("ROSTER_DATABASE_URL", database_url);
    let mut running = Running::start(cmd);
    let banner = running.read_until(|v| v["fields"]["message"] == "Roster is listening");
    let addr = banner["fields"]["address"]
        .as_str()
        .expect("address")
        .to_owned();
    let (token, org) = owner_and_org(&addr, "ada@example.com");
    invite(&addr, &token, &org, "bob@example.com");
    let outbox = dir.path().join("data/outbox");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let eml = loop {
        let found = std::fs::read_dir(&outbox)
            .ok()
            .and_then(|mut files| files.find_map(|f| f.ok().map(|f| f.path())));
        if let Some(path) = found {
            break path;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no .eml in {}",
            outbox.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    running.stop();
    let data = dir.path().join("data");
    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(&data.join("jwt-secret")), 0o600, "jwt-secret");
    assert_eq!(mode(&outbox), 0o700, "outbox");
    assert_eq!(mode(&eml), 0o600, "{}", eml.display());
    if database_url.starts_with("sqlite") {
        for file in ["roster.db", "roster.db-wal", "roster.db-shm"] {
            let path = data.join(file);
            if path.exists() || file == "roster.db" {
                assert_eq!(mode(&path), 0o600, "{file}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn secret_files_are_the_owners_only_on_sqlite() {
    secret_files_are_the_owners_only(SQLITE);
}

#[cfg(unix)]
#[test]
fn secret_files_are_the_owners_only_on_postgres() {
    on_postgres("unused", secret_files_are_the_owners_only);
}

/// A listener answering every request `200 OK`, telling `tx` each request's
/// first line.
fn http_sink(name: &'static str) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let _ = tx.send(format!(
                "{name}: {}",
                head.lines().next().unwrap_or_default()
            ));
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (addr, rx)
}

/// Starts `roster serve` with `env`, makes an endpoint for a local
/// receiver and an event for it; the first request line that reached the
/// receiver or the proxy.
fn first_delivery(
    database_url: &str,
    owner: &str,
    env: &[(&str, &str)],
    proxy_rx: &mpsc::Receiver<String>,
) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let (receiver, receiver_rx) = http_sink("receiver");
    let mut all = vec![("ROSTER_WEBHOOKS_ALLOW_PRIVATE", "true")];
    all.extend_from_slice(env);
    let (_running, addr) = Running::serve(dir.path(), database_url, &all);
    let (token, org) = owner_and_org(&addr, owner);
    let res = graphql(
        &addr,
        Some(&token),
        "mutation($o: ID!, $u: String!) { createWebhookEndpoint(organizationId: $o, url: $u, events: []) { secret } }",
        json!({ "o": org, "u": format!("http://{receiver}/hook") }),
    );
    assert!(res["errors"].is_null(), "{res}");
    invite(&addr, &token, &org, "bob@example.com");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(line) = receiver_rx.try_recv() {
            return line;
        }
        if let Ok(line) = proxy_rx.try_recv() {
            return line;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `HTTPS_PROXY` and its kin are ignored by webhook deliveries (they would
/// connect around the address check); `ROSTER_WEBHOOK_PROXY` is used.
fn webhooks_ignore_environment_proxies(database_url: &str) {
    let (proxy, proxy_rx) = http_sink("proxy");
    let url = format!("http://{proxy}");
    let mut env: Vec<(&str, &str)> = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .map(|k| (k, url.as_str()))
    .collect();
    env.extend([("NO_PROXY", ""), ("no_proxy", "")]);
    let line = first_delivery(database_url, "ada@example.com", &env, &proxy_rx);
    assert_eq!(
        line, "receiver: POST /hook HTTP/1.1",
        "the environment's proxy was used"
    );
    assert!(proxy_rx.try_recv().is_err());
    let line = first_delivery(
        database_url,
        "bea@example.com",
        &[("ROSTER_WEBHOOK_PROXY", &url)],
        &proxy_rx,
    );
    assert!(line.starts_with("proxy: POST http://127.0.0.1:"), "{line}");
}

#[test]
fn webhooks_ignore_environment_proxies_on_sqlite() {
    webhooks_ignore_environment_proxies(SQLITE);
}

#[test]
fn webhooks_ignore_environment_proxies_on_postgres() {
    on_postgres("unused", webhooks_ignore_environment_proxies);
}

fn get(addr: &str, path: &str, headers: &str) -> String {
    http(addr, &format!("GET {path} HTTP/1.1\r\n{headers}"), "")
}

/// `/metrics`: on `ROSTER_METRICS_LISTEN` to anyone who reaches it, on the
/// public listener only with `ROSTER_METRICS_TOKEN`, else not at all. And
/// `X-Forwarded-For` from a peer that is not a trusted proxy is reported
/// in one warning, however many such requests come.
fn metrics_and_forwarding(database_url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("ROSTER_METRICS_LISTEN", "127.0.0.1:0")];
    let (mut running, addr) = Running::serve(dir.path(), database_url, &env);
    let line = running.read_until(|v| v["fields"]["message"] == "metrics on /metrics");
    let metrics = line["fields"]["address"]
        .as_str()
        .expect("address")
        .to_owned();
    assert!(get(&metrics, "/metrics", "").starts_with("HTTP/1.1 200"));
    assert!(get(&addr, "/metrics", "").starts_with("HTTP/1.1 404"));
    for _ in 0..3 {
        let res = common::graphql_with(
            &addr,
            "X-Forwarded-For: 203.0.113.9\r\n",
            "{ __typename }",
            json!({}),
        );
        assert_eq!(res["data"]["__typename"], "Query");
    }
    running.stop();
    let warnings: Vec<&String> = running
        .lines
        .iter()
        .filter(|l| l.contains("X-Forwarded-For") && l.contains("WARN"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains("ROSTER_TRUSTED_PROXIES"));

    let dir = tempfile::tempdir().expect("temp dir");
    let token = "metrics-token-0123456789";
    let (_running, addr) =
        Running::serve(dir.path(), database_url, &[("ROSTER_METRICS_TOKEN", token)]);
    assert!(get(&addr, "/metrics", "").starts_with("HTTP/1.1 401"));
    assert!(get(&addr, "/metrics", "Authorization: Bearer nope\r\n").starts_with("HTTP/1.1 401"));
    let answer = get(
        &addr,
        "/metrics",
        &format!("Authorization: Bearer {token}\r\n"),
    );
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("roster_"),
        "{answer}"
    );
}

#[test]
fn metrics_and_forwarding_on_sqlite() {
    metrics_and_forwarding(SQLITE);
}

#[test]
fn metrics_and_forwarding_on_postgres() {
    on_postgres("unused", metrics_and_forwarding);
}
