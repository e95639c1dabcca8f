//! `docker-compose.yml` against its docs and the binary: the stack
//! `docs/operations/compose.md` describes (services, commands, health
//! checks, ports), every `ROSTER_*` variable it sets is one `roster --help`
//! lists and the table of `docs/operations/configuration.md` documents, the shared secret and public URL are set
//! once, and `docker compose config` accepts it where Docker Compose exists
//! (this machine has no Docker engine, so the stack itself is not run here).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_yaml_ng::Value;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compose() -> Value {
    let mut value: Value =
        serde_yaml_ng::from_str(&repo_file("docker-compose.yml")).expect("docker-compose.yml");
    value.apply_merge().expect("merge keys");
    value
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    let service = &compose["services"][name];
    assert!(
        !service.is_null(),
        "docker-compose.yml has no service {name}"
    );
    service
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

const ROSTER_SERVICES: [&str; 4] = ["migrate", "gateway", "worker-1", "worker-2"];

#[test]
fn the_stack_is_the_one_the_docs_describe() {
    let compose = compose();
    assert_eq!(
        strings(&service(&compose, "migrate")["command"]),
        ["migrate"]
    );
    assert_eq!(
        strings(&service(&compose, "gateway")["command"]),
        ["serve", "--no-worker"]
    );
    for worker in ["worker-1", "worker-2"] {
        let worker = service(&compose, worker);
        assert_eq!(strings(&worker["command"]), ["worker"]);
        assert_eq!(
            worker["depends_on"]["migrate"]["condition"],
            "service_completed_successfully"
        );
    }
    let gateway = service(&compose, "gateway");
    assert!(
        strings(&gateway["healthcheck"]["test"])
            .iter()
            .any(|s| s.ends_with("/readyz"))
    );
    assert_eq!(
        gateway["depends_on"]["migrate"]["condition"],
        "service_completed_successfully"
    );
    let postgres = service(&compose, "postgres");
    assert!(strings(&postgres["healthcheck"]["test"]).contains(&"pg_isready".to_owned()));
    assert_eq!(
        service(&compose, "migrate")["depends_on"]["postgres"]["condition"],
        "service_healthy"
    );
    assert!(
        service(&compose, "mail")["image"]
            .as_str()
            .is_some_and(|i| i.contains("mailpit"))
    );
    for name in ROSTER_SERVICES {
        assert_eq!(service(&compose, name)["image"], "roster:local", "{name}");
    }
}

#[test]
fn the_secret_and_public_url_are_set_once_and_shared() {
    let text = repo_file("docker-compose.yml");
    for variable in ["ROSTER_JWT_SECRET", "ROSTER_PUBLIC_URL"] {
        let settings = text
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{variable}:")))
            .count();
        assert_eq!(settings, 1, "{variable} is set {settings} times");
        let compose = compose();
        let first = &service(&compose, "gateway")["environment"][variable];
        assert!(
            first.as_str().is_some(),
            "{variable} not set on the gateway"
        );
        for name in ROSTER_SERVICES {
            assert_eq!(
                &service(&compose, name)["environment"][variable],
                first,
                "{name}"
            );
        }
    }
}

/// `ROSTER_*` variables the compose file sets, on any service.
fn compose_variables() -> BTreeSet<String> {
    let compose = compose();
    let services = compose["services"].as_mapping().expect("services");
    services
        .values()
        .filter_map(|s| s["environment"].as_mapping())
        .flat_map(|env| env.keys().filter_map(|k| k.as_str().map(str::to_owned)))
        .filter(|k| k.starts_with("ROSTER_"))
        .collect()
}

#[test]
fn every_variable_it_sets_is_one_roster_reads_and_the_docs_document() {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--help")
        .output()
        .expect("roster --help");
    let help = String::from_utf8(out.stdout).expect("utf-8");
    let configuration = repo_file("docs/operations/configuration.md");
    let table: Vec<&str> = configuration
        .lines()
        .filter(|l| l.starts_with("| `ROSTER_"))
        .collect();
    let variables = compose_variables();
    assert!(variables.contains("ROSTER_DATABASE_URL"), "{variables:?}");
    for variable in &variables {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "{variable}: not in roster --help"
        );
        assert!(
            table
                .iter()
                .any(|row| row.contains(&format!("`{variable}`"))),
            "{variable}: not in the configuration table (docs/operations/configuration.md)"
        );
    }
}

/// `127.0.0.1:{port}` in the "Docker Compose" page, `docs/operations/compose.md`.
fn documented_ports() -> BTreeSet<String> {
    let page = repo_file("docs/operations/compose.md");
    let start = page
        .find("# Docker Compose")
        .expect("docs/operations/compose.md: # Docker Compose");
    let section = &page[start + 2..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut ports = BTreeSet::new();
    for (i, _) in section.match_indices("127.0.0.1:") {
        let port: String = section[i + 10..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !port.is_empty() {
            ports.insert(port);
        }
    }
    ports
}

#[test]
fn the_docs_name_the_ports_it_publishes() {
    let compose = compose();
    let services = compose["services"].as_mapping().expect("services");
    let published: BTreeSet<String> = services
        .values()
        .flat_map(|s| strings(&s["ports"]))
        .map(|p| {
            // 127.0.0.1:HOST:CONTAINER, on loopback only
            let parts: Vec<&str> = p.split(':').collect();
            assert_eq!(parts.len(), 3, "{p}: publish on 127.0.0.1 only");
            assert_eq!(parts[0], "127.0.0.1", "{p}");
            parts[1].to_owned()
        })
        .collect();
    assert_eq!(published, documented_ports());
}

#[test]
fn docker_compose_accepts_it_where_docker_compose_exists() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let available = Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipped: `docker compose` is not installed here");
        return;
    }
    let out = Command::new("docker")
        .current_dir(&dir)
        .args(["compose", "-f", "docker-compose.yml", "config", "--quiet"])
        .output()
        .expect("docker compose config");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
