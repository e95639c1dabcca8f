//! A PostgreSQL cluster of the test's own (initdb and pg_ctl from
//! /usr/lib/postgresql/*/bin, a free loopback port, a temporary directory),
//! so that the test may restart it: never the machine's shared server.
//! Run as root, the tools run as the `postgres` user (initdb refuses root).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// initdb and start; `None` when no PostgreSQL server tools are installed.
    pub fn start() -> Option<Self> {
        let bin = newest_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("roster-scale-out-pg")
            .tempdir()
            .expect("temp dir");
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path()));
        }
        let port = free_port();
        let cluster = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        run(cluster
            .tool("initdb")
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(cluster.data()));
        // Appended as root, the file keeps its owner. Durability is not
        // under test: a fast restart keeps committed data either way.
        let settings = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\n\
             max_connections = 200\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n",
            cluster.dir.path().display()
        );
        let conf = cluster.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        cluster.pg_ctl(&["start", "-w", "-t", "60"]);
        Some(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl restart -m fast`: every connection is cut.
    pub fn restart(&self) {
        self.pg_ctl(&["restart", "-m", "fast", "-w", "-t", "60"]);
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, args: &[&str]) {
        let log = self.dir.path().join("server.log");
        run(self
            .tool("pg_ctl")
            .args(args)
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(log));
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The bin directory of the newest PostgreSQL installed.
fn newest_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path.file_name()?.to_str()?.parse().ok()?;
            path.join("bin/initdb")
                .exists()
                .then(|| (version, path.join("bin")))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn run(command: &mut Command) {
    let started = Instant::now();
    let out = command.output().expect("run a PostgreSQL tool");
    assert!(
        out.status.success(),
        "{command:?} failed after {:?}: {}{}",
        started.elapsed(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits until `url` accepts a connection.
pub async fn wait_until_up(url: &str, within: Duration) {
    use sqlx::Connection;
    let deadline = Instant::now() + within;
    while sqlx::PgConnection::connect(url).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "PostgreSQL not up within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
