//! The binary itself: `roster schema` is `schema.graphql`, and bad
//! configuration ends it at once with one line naming the variable.

mod common;

use common::roster;

#[test]
fn schema_graphql_is_what_roster_schema_prints() {
    let out = roster().arg("schema").output().expect("run roster schema");
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql"))
            .expect("schema.graphql");
    assert!(
        String::from_utf8(out.stdout).expect("utf-8") == committed,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql`"
    );
}

/// Runs `roster migrate` or `roster serve` with `env`; exit code and stderr.
fn fails_with(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = roster();
    cmd.current_dir(dir.path()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run roster");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

/// Arguments, environment, and the variable the error must name.
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[test]
fn bad_configuration_exits_2_naming_the_variable() {
    let cases: &[Case] = &[
        (
            &["migrate"],
            &[("ROSTER_DATABASE_URL", "mysql://localhost/x")],
            "ROSTER_DATABASE_URL",
        ),
        (
            &["migrate"],
            &[("DATABASE_URL", "redis://localhost")],
            "DATABASE_URL",
        ),
        (
            &["serve"],
            &[("ROSTER_JWT_SECRET", "too-short")],
            "ROSTER_JWT_SECRET",
        ),
        (
            &["serve"],
            &[("ROSTER_LISTEN", "not-an-address")],
            "ROSTER_LISTEN",
        ),
        (
            &["serve"],
            &[("ROSTER_PUBLIC_URL", "ftp://example.com")],
            "ROSTER_PUBLIC_URL",
        ),
        (
            &["migrate"],
            &[(
                "ROSTER_DATABASE_URL",
                "sqlite:///proc/roster-cannot-live-here/x.db",
            )],
            "ROSTER_DATABASE_URL",
        ),
    ];
    for (args, env, variable) in cases {
        let (code, stderr) = fails_with(args, env);
        assert_eq!(code, Some(2), "{env:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.contains(" WARN ")).collect();
        assert_eq!(lines.len(), 1, "{env:?}: {stderr}");
        assert!(lines[0].contains(variable), "{env:?}: {stderr}");
    }
}

#[test]
fn migrate_creates_the_embedded_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = roster()
        .current_dir(dir.path())
        .arg("migrate")
        .output()
        .expect("run roster");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("data/roster.db").exists());
}

#[test]
fn bad_limits_exit_2_naming_the_variable() {
    for (variable, value) in [
        ("ROSTER_LIMIT_LOG_IN_PER_EMAIL", "ten a minute"),
        ("ROSTER_LIMIT_SIGN_UP_PER_ADDRESS", "0/1h"),
        ("ROSTER_TRUSTED_PROXIES", "10.0.0.0/8, not-an-address"),
        ("ROSTER_HASH_THREADS", "0"),
        ("ROSTER_LIMIT_INVITE_PER_INVITER", "100/2d"),
        ("ROSTER_LIMIT_INVITE_PER_RECIPIENT", "0/24h"),
        ("ROSTER_RETENTION_DAYS", "0"),
        ("ROSTER_RETENTION_DAYS", "a month"),
    ] {
        let env = [
            (variable, value),
            ("ROSTER_LISTEN", "127.0.0.1:0"),
            (
                "ROSTER_JWT_SECRET",
                "a-secret-long-enough-for-hs256-0123456789",
            ),
        ];
        let (code, stderr) = fails_with(&["serve"], &env);
        assert_eq!(code, Some(2), "{variable}={value}: {stderr}");
        assert!(stderr.contains(variable), "{variable}={value}: {stderr}");
    }
}

#[test]
fn bad_identity_settings_exit_2_naming_the_variable() {
    let files = tempfile::tempdir().expect("temp dir");
    let file = |name: &str, json: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, json).expect("write");
        path.display().to_string()
    };
    let missing = files.path().join("missing.json").display().to_string();
    let not_json = file("not-json.json", "issuers: yes");
    let plain_http = file(
        "plain-http.json",
        r#"[{"issuer": "https://login.example.com", "jwks_uri": "http://login.example.com/jwks.json", "audience": "roster"}]"#,
    );
    let no_audience = file(
        "no-audience.json",
        r#"[{"issuer": "https://login.example.com", "jwks_uri": "https://login.example.com/jwks.json"}]"#,
    );
    for (variable, value) in [
        ("ROSTER_TRUSTED_ISSUERS", missing.as_str()),
        ("ROSTER_TRUSTED_ISSUERS", not_json.as_str()),
        ("ROSTER_TRUSTED_ISSUERS", plain_http.as_str()),
        ("ROSTER_TRUSTED_ISSUERS", no_audience.as_str()),
        ("ROSTER_LOCAL_ACCOUNTS", "nope"),
        ("ROSTER_INVITE_URL", "https://app.example.com/join"),
        ("ROSTER_INVITE_URL", "app.example.com/join/{token}"),
        ("ROSTER_CORS_ORIGINS", "*"),
        ("ROSTER_CORS_ORIGINS", "https://app.example.com/embed"),
        (
            "ROSTER_CORS_ORIGINS",
            "https://app.example.com,https://*.example.com",
        ),
        ("ROSTER_CORS_ORIGINS", "https://app.example.com?x=1"),
        ("ROSTER_CORS_ORIGINS", "ws://app.example.com"),
    ] {
        let env = [
            (variable, value),
            ("ROSTER_LISTEN", "127.0.0.1:0"),
            (
                "ROSTER_JWT_SECRET",
                "a-secret-long-enough-for-hs256-0123456789",
            ),
        ];
        let (code, stderr) = fails_with(&["serve"], &env);
        assert_eq!(code, Some(2), "{variable}={value}: {stderr}");
        // The first line names the variable (clap adds a hint under its own).
        let first = stderr
            .lines()
            .find(|l| !l.contains(" WARN "))
            .unwrap_or_default();
        assert!(first.contains(variable), "{variable}={value}: {stderr}");
    }
}

#[test]
fn bad_tuning_exits_2_naming_the_variable() {
    for (variable, value) in [
        ("ROSTER_SHUTDOWN_TIMEOUT", "soon"),
        ("ROSTER_SHUTDOWN_TIMEOUT", "0s"),
        ("ROSTER_ACCESS_TOKEN_TTL", "15 fortnights"),
        ("ROSTER_ACCESS_TOKEN_TTL", "60d"),
        ("ROSTER_REFRESH_TOKEN_TTL", "-1"),
        ("ROSTER_WORKER_CONCURRENCY", "0"),
        ("ROSTER_WORKER_CONCURRENCY", "many"),
        ("ROSTER_WORKER_HEARTBEAT", "0"),
        ("ROSTER_WORKER_ORPHAN_TIMEOUT", "6s"),
        ("ROSTER_SMTP_POOL_SIZE", "0"),
        ("ROSTER_DATABASE_MAX_CONNECTIONS", "1"),
    ] {
        for command in ["serve", "worker"] {
            if command == "worker" && variable.contains("TOKEN_TTL") {
                continue;
            }
            let env = [
                (variable, value),
                ("ROSTER_LISTEN", "127.0.0.1:0"),
                ("ROSTER_SMTP_URL", "smtp://127.0.0.1:1"),
                (
                    "ROSTER_JWT_SECRET",
                    "a-secret-long-enough-for-hs256-0123456789",
                ),
            ];
            let (code, stderr) = fails_with(&[command], &env);
            assert_eq!(code, Some(2), "{command} {variable}={value}: {stderr}");
            let lines: Vec<&str> = stderr.lines().filter(|l| !l.contains(" WARN ")).collect();
            assert_eq!(lines.len(), 1, "{command} {variable}={value}: {stderr}");
            assert!(
                lines[0].contains(variable),
                "{command} {variable}={value}: {stderr}"
            );
        }
    }
}

#[test]
fn tuning_is_listed_in_help_with_its_variable() {
    let out = roster().arg("--help").output().expect("roster --help");
    let help = String::from_utf8(out.stdout).expect("utf-8");
    for variable in [
        "ROSTER_SHUTDOWN_TIMEOUT",
        "ROSTER_ACCESS_TOKEN_TTL",
        "ROSTER_REFRESH_TOKEN_TTL",
        "ROSTER_WORKER_CONCURRENCY",
        "ROSTER_WORKER_HEARTBEAT",
        "ROSTER_WORKER_ORPHAN_TIMEOUT",
        "ROSTER_SMTP_POOL_SIZE",
        "ROSTER_DATABASE_MAX_CONNECTIONS",
    ] {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "{variable} missing:\n{help}"
        );
    }
}

#[test]
fn keys_rotate_adds_a_key_that_signs_one_lifetime_later() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = |args: &[&str], secret: &str| {
        roster()
            .current_dir(dir.path())
            .env("ROSTER_JWT_SECRET", secret)
            .args(args)
            .output()
            .expect("run roster")
    };
    let secret = "keys-test-jwt-secret-0123456789-abcdefghij";
    // `list` makes the first key, as the first gateway would.
    let first = keys(&["keys", "list"], secret);
    let stdout = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Log lines go to stdout too: the keys are the lines with a generation.
    let key_lines = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains("\tgeneration "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(key_lines(&stdout).len(), 1, "{stdout}");
    assert!(stdout.contains("EdDSA\tgeneration 1"), "{stdout}");

    let rotated = keys(&["keys", "rotate"], secret);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("added key "));
    let listed = String::from_utf8_lossy(&keys(&["keys", "list"], secret).stdout).into_owned();
    let lines = key_lines(&listed);
    assert_eq!(lines.len(), 2, "{listed}");
    // The old key is withdrawn at a set time; the new one not.
    assert!(!lines[0].ends_with("withdrawn -"), "{listed}");
    assert!(
        lines[1].contains("generation 2") && lines[1].ends_with("withdrawn -"),
        "{listed}"
    );

    // Another secret cannot open the keys: exit 2, naming the variable.
    let wrong = keys(
        &["keys", "list"],
        "another-secret-another-secret-0123456789",
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("ROSTER_JWT_SECRET"));
}
