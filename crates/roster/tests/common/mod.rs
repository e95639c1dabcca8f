//! What the binary's tests share: running `roster` with a clean
//! environment, talking HTTP/1.1 to it, reading its JSON log lines, and a
//! PostgreSQL database of a test's own.
#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

pub const JWT_SECRET: &str = "log-test-jwt-secret-0123456789-abcdefghij";

/// `roster` with none of the variables that would point it elsewhere.
pub fn roster() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    for var in [
        "ROSTER_DATABASE_URL",
        "DATABASE_URL",
        "ROSTER_JWT_SECRET",
        "ROSTER_LISTEN",
        "ROSTER_PUBLIC_URL",
        "ROSTER_LOG_FORMAT",
        "ROSTER_METRICS_LISTEN",
        "ROSTER_METRICS_TOKEN",
        "ROSTER_TRUSTED_PROXIES",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// One HTTP/1.1 request; the whole answer, head and body.
pub fn http(addr: &str, request_head: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "{request_head}Host: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

/// One request to `/graphql`, with extra header lines (each ending in
/// `\r\n`); the JSON answer.
pub fn graphql_with(addr: &str, headers: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n{headers}"
    );
    let answer = http(addr, &head, &body);
    let (_, body) = answer.split_once("\r\n\r\n").expect("a response");
    serde_json::from_str(body).expect("JSON answer")
}

pub fn graphql(addr: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    graphql_with(addr, &auth, query, variables)
}

/// A running `roster` whose output lines (stdout and stderr) arrive on
/// `rx`; killed when dropped.
pub struct Running {
    pub child: Child,
    pub rx: mpsc::Receiver<String>,
    pub lines: Vec<String>,
}

impl Running {
    /// Starts `cmd` (JSON logs), reading both of its outputs.
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .env("ROSTER_LOG_FORMAT", "json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start roster");
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
        Self {
            child,
            rx,
            lines: Vec::new(),
        }
    }

    /// `roster serve` in `dir` over `database_url`, listening on a free
    /// port, with `env` besides; running once its banner is out.
    pub fn serve(
        dir: &std::path::Path,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> (Self, String) {
        let mut cmd = roster();
        cmd.current_dir(dir)
            .arg("serve")
            .env("ROSTER_LISTEN", "127.0.0.1:0")
            .env("ROSTER_JWT_SECRET", JWT_SECRET)
            .env("ROSTER_DATABASE_URL", database_url);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut running = Self::start(cmd);
        let banner = running.read_until(|v| v["fields"]["message"] == "Roster is listening");
        let addr = banner["fields"]["address"]
            .as_str()
            .expect("address")
            .to_owned();
        (running, addr)
    }

    /// Reads lines until one is JSON that satisfies `found`; that line.
    pub fn read_until(&mut self, found: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = self
                .rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no such line in:\n{}", self.lines.join("\n")));
            self.lines.push(line.clone());
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && found(&v)
            {
                return v;
            }
        }
    }

    /// Stops the process and reads what is left of its output.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(line) = self.rx.recv_timeout(Duration::from_millis(200)) {
            self.lines.push(line);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `test` with the URL of a new database on `ROSTER_TEST_POSTGRES_URL`
/// (with `password` in it, which the machine's trust auth ignores), dropped
/// afterwards; says it skipped without that variable.
pub fn on_postgres(password: &str, test: impl FnOnce(&str) + std::panic::UnwindSafe) {
    let Ok(admin) = std::env::var("ROSTER_TEST_POSTGRES_URL") else {
        eprintln!("skipped: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("roster_bin_{}", uuid::Uuid::now_v7().simple());
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
    let url = format!("{scheme}://postgres:{password}@{host}/{name}");
    let result = std::panic::catch_unwind(|| test(&url));
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
