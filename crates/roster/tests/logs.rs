//! The binary's output (docs/operations/metrics-and-logs.md): `ROSTER_LOG_FORMAT=json`
//! gives one JSON object per line, a request's line carries its request
//! id, operation and user id, and no secret is ever printed: not the
//! password a user signed up with, not the JWT secret, not an access
//! token, not the database URL's password (in logs, `--help` or errors).

mod common;

use common::{JWT_SECRET, Running, graphql, on_postgres, roster};
use serde_json::{Value, json};

const USER_PASSWORD: &str = "user-password-never-logged-42";
const DB_PASSWORD: &str = "db-password-never-printed-17";

fn span_field<'a>(line: &'a Value, field: &str) -> Option<&'a str> {
    line["span"][field].as_str()
}

fn json_logs_carry_the_request_and_no_secret(database_url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut running, addr) = Running::serve(dir.path(), database_url, &[]);

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
    running.read_until(|v| span_field(v, "operation") == Some("query me"));
    running.stop();
    let lines = &running.lines;

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
    on_postgres(DB_PASSWORD, json_logs_carry_the_request_and_no_secret);
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
    let mut cmd = roster();
    cmd.current_dir(dir.path())
        .arg("worker")
        .env("ROSTER_METRICS_LISTEN", "127.0.0.1:0");
    let mut running = Running::start(cmd);
    let line = running.read_until(|v| v["fields"]["message"] == "metrics on /metrics");
    let addr = line["fields"]["address"]
        .as_str()
        .expect("address")
        .to_owned();
    let answer = common::http(&addr, "GET /metrics HTTP/1.1\r\n", "");
    running.stop();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("roster_db_pool_connections{state=\"idle\"}"),
        "{answer}"
    );
}
