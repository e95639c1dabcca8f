//! The binary's output (README "Metrics and logs"): `ROSTER_LOG_FORMAT=json`
//! gives one JSON object per line, a request's line carries its request
//! id, operation and user id, and no secret is ever printed: not the
//! password a user signed up with, not the JWT secret, not an access
//! token, not the database URL's password (in logs, `--help` or errors).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const JWT_SECRET: &str = "log-test-jwt-secret-0123456789-abcdefghij";
const USER_PASSWORD: &str = "user-password-never-logged-42";
const DB_PASSWORD: &str = "db-password-never-printed-17";

fn roster() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    for var in [
        "ROSTER_DATABASE_URL",
        "DATABASE_URL",
        "ROSTER_JWT_SECRET",
        "ROSTER_LISTEN",
        "ROSTER_PUBLIC_URL",
        "ROSTER_LOG_FORMAT",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// One request over HTTP/1.1 to `/graphql`; the JSON answer.
fn graphql(addr: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{auth}\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let (_, body) = answer.split_once("\r\n\r\n").expect("a response");
    serde_json::from_str(body).expect("JSON answer")
}

/// `roster serve` with JSON logs over `database_url`; its stdout lines
/// arrive on the receiver.
fn serve(dir: &std::path::Path, database_url: &str) -> (Child, mpsc::Receiver<String>) {
    let mut child = roster()
        .current_dir(dir)
        .arg("serve")
        .env("ROSTER_LOG_FORMAT", "json")
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        .env("ROSTER_JWT_SECRET", JWT_SECRET)
        .env("ROSTER_DATABASE_URL", database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roster serve");
    let (tx, rx) = mpsc::channel();
    for out in [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    (child, rx)
}

/// Reads lines until one satisfies `found`; all lines read so far.
fn read_until(
    rx: &mpsc::Receiver<String>,
    lines: &mut Vec<String>,
    found: impl Fn(&Value) -> bool,
) {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no such line in:\n{}", lines.join("\n")));
        lines.push(line.clone());
        if serde_json::from_str::<Value>(&line).is_ok_and(|v| found(&v)) {
            return;
        }
    }
}

fn span_field<'a>(line: &'a Value, field: &str) -> Option<&'a str> {
    line["span"][field].as_str()
}

fn json_logs_carry_the_request_and_no_secret(database_url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, rx) = serve(dir.path(), database_url);
    let mut lines = Vec::new();
    read_until(&rx, &mut lines, |v| v["fields"]["address"].is_string());
    let banner: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let addr = banner["fields"]["address"].as_str().unwrap().to_owned();

    let signed_up = graphql(
        &addr,
        None,
        "mutation($p: String!) { signUp(email: \"ada@example.com\", password: $p, displayName: \"Ada\") { accessToken user { id } } }",
        json!({ "p": USER_PASSWORD }),
    );
    let token = signed_up["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_up}"))
        .to_owned();
    let user_id = signed_up["data"]["signUp"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = graphql(&addr, Some(&token), "query Mine { me { id } }", json!({}));
    assert_eq!(me["data"]["me"]["id"], json!(user_id));
    read_until(&rx, &mut lines, |v| {
        span_field(v, "operation") == Some("query me")
    });
    let _ = child.kill();
    let _ = child.wait();
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
        lines.push(line);
    }

    let all = lines.join("\n");
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = parsed
        .iter()
        .find(|v| span_field(v, "operation") == Some("query me"))
        .expect("the request's line");
    assert_eq!(
        span_field(request, "user_id"),
        Some(user_id.as_str()),
        "{request}"
    );
    let request_id = span_field(request, "request_id").expect("a request id");
    assert!(request_id.len() >= 32, "{request}");
    assert!(
        parsed
            .iter()
            .any(|v| span_field(v, "operation") == Some("mutation signUp")),
        "{all}"
    );
    for secret in [USER_PASSWORD, JWT_SECRET, &token, DB_PASSWORD] {
        assert!(!all.contains(secret), "{secret} in:\n{all}");
    }
}

#[test]
fn json_logs_on_sqlite() {
    json_logs_carry_the_request_and_no_secret("sqlite://data/roster.db");
}

/// On the machine's PostgreSQL (it trusts loopback, so the URL's password
/// is accepted and ignored), in a database of the test's own.
#[test]
fn json_logs_on_postgres() {
    let Ok(admin) = std::env::var("ROSTER_TEST_POSTGRES_URL") else {
        eprintln!("skipped: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("roster_logs_{}", uuid::Uuid::now_v7().simple());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let pool = runtime
        .block_on(sqlx::PgPool::connect(&admin))
        .expect("connect to ROSTER_TEST_POSTGRES_URL");
    runtime
        .block_on(
            sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}"))).execute(&pool),
        )
        .expect("create database");
    let (scheme, rest) = admin.split_once("://").expect("a URL");
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    let url = format!("{scheme}://postgres:{DB_PASSWORD}@{host}/{name}");
    let result = std::panic::catch_unwind(|| json_logs_carry_the_request_and_no_secret(&url));
    runtime
        .block_on(
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database {name} with (force)"
            )))
            .execute(&pool),
        )
        .expect("drop database");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn help_never_shows_the_database_password() {
    let out = roster()
        .arg("--help")
        .env(
            "ROSTER_DATABASE_URL",
            format!("postgres://roster:{DB_PASSWORD}@db/roster"),
        )
        .env("ROSTER_JWT_SECRET", JWT_SECRET)
        .env("ROSTER_SMTP_URL", format!("smtps://u:{DB_PASSWORD}@mail"))
        .output()
        .expect("roster --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("ROSTER_DATABASE_URL"), "{help}");
    for secret in [DB_PASSWORD, JWT_SECRET] {
        assert!(!help.contains(secret), "{help}");
    }
}

#[test]
fn connection_errors_never_show_the_database_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    for url in [
        // Nothing listens on port 1.
        format!("postgres://roster:{DB_PASSWORD}@127.0.0.1:1/roster"),
        format!("postgres://roster:{DB_PASSWORD}@127.0.0.1:notaport/roster"),
    ] {
        let out = roster()
            .current_dir(dir.path())
            .arg("migrate")
            .env("ROSTER_DATABASE_URL", &url)
            .output()
            .expect("roster migrate");
        assert_eq!(out.status.code(), Some(2), "{url}");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(printed.contains("ROSTER_DATABASE_URL"), "{printed}");
        assert!(!printed.contains(DB_PASSWORD), "{printed}");
    }
}

/// `roster worker` has no gateway: `ROSTER_METRICS_LISTEN` gives it a
/// `/metrics` of its own.
#[test]
fn a_worker_serves_metrics_on_its_own_listener() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = roster()
        .current_dir(dir.path())
        .arg("worker")
        .env("ROSTER_LOG_FORMAT", "json")
        .env("ROSTER_METRICS_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start roster worker");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    read_until(&rx, &mut lines, |v| {
        v["fields"]["message"] == "metrics on /metrics"
    });
    let line: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let addr = line["fields"]["address"]
        .as_str()
        .expect("address")
        .to_owned();
    let mut stream = TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("roster_db_pool_connections{state=\"idle\"}"),
        "{answer}"
    );
}
