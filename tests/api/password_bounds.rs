//! Password hashing is bounded per request and per account (rules.md §10,
//! docs/operations/limits.md and "Guessing and password hashing"): one POST, batch
//! included, checks or sets at most two passwords, refused with
//! `VALIDATION` before anything runs; successful log-ins are limited per
//! account; and an account keeps at most 20 live sessions, the oldest
//! ended when another opens.

use chrono::Duration;
use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, TestApp, both_backends, error_code};

use super::rate_limits::{LOG_IN, assert_limited};

const ME: &str = "{ me { id } }";
const REFRESH: &str = "mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }";

/// `n` aliased log-ins as ada, right password, in one operation.
fn aliased_log_ins(n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| format!("a{i}: logIn(email: \"ada@example.com\", password: \"{PASSWORD}\") {{ accessToken }} "))
        .collect();
    format!("mutation {{ {fields} }}")
}

/// Sessions in the database, live or ended.
async fn sessions(app: &TestApp) -> i64 {
    let sql = "select count(*) from session";
    match &app.db {
        Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("count sessions")
}

fn log_in_vars(password: &str) -> Value {
    json!({ "e": "ada@example.com", "p": password })
}

both_backends! {
    async fn a_request_checks_at_most_two_passwords(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let before = sessions(&app).await;
        // Three aliased log-ins in one operation: refused, nothing ran.
        let res = app.gql(None, &aliased_log_ins(3), json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
        assert!(res.get("data").is_none_or(Value::is_null), "{res}");
        // changePassword checks one and sets another: with a logIn, three.
        let change = format!(
            "mutation {{ changePassword(currentPassword: \"{PASSWORD}\", newPassword: \"another password 1\") {{ accessToken }} \
             logIn(email: \"ada@example.com\", password: \"{PASSWORD}\") {{ accessToken }} }}"
        );
        assert_eq!(app.fails(Some(&ada.access), &change, json!({})).await, "VALIDATION");
        // A batch is one request: ten operations of one logIn each.
        let one = json!({ "query": LOG_IN, "variables": log_in_vars(PASSWORD) });
        let batch = Value::Array(vec![one.clone(); 10]).to_string();
        let (status, res) = app.post_raw(batch, None).await;
        assert_eq!(status, 400, "{res}");
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
        assert_eq!(sessions(&app).await, before, "no session was opened");
        // Two are allowed, in one operation or in a batch of two.
        let data = app.ok(None, &aliased_log_ins(2), json!({})).await;
        assert!(data["a1"]["accessToken"].is_string(), "{data}");
        let (status, res) = app.post_raw(Value::Array(vec![one.clone(); 2]).to_string(), None).await;
        assert_eq!(status, 200, "{res}");
        assert!(res[1]["data"]["logIn"]["accessToken"].is_string(), "{res}");
        assert_eq!(sessions(&app).await, before + 4);
    }

    async fn successful_log_ins_are_limited_per_account(app) {
        app.sign_up("ada@example.com", "Ada").await;
        app.sign_up("bob@example.com", "Bob").await;
        for _ in 0..30 {
            app.ok(None, LOG_IN, log_in_vars(PASSWORD)).await;
        }
        let after = assert_limited(&app.gql(None, LOG_IN, log_in_vars(PASSWORD)).await, 3600);
        // Refused before the password is checked: a wrong one gets the same
        // answer, so the refusal tells nobody whether a password is right.
        assert_limited(&app.gql(None, LOG_IN, log_in_vars("wrong password")).await, 3600);
        // Other accounts are not affected; the limit renews with its window.
        app.log_in("bob@example.com").await;
        app.clock.advance(Duration::seconds(after as i64));
        app.log_in("ada@example.com").await;
    }

    async fn an_account_keeps_twenty_live_sessions_the_oldest_ended_first(app) {
        let first = app.sign_up("ada@example.com", "Ada").await;
        app.clock.advance(Duration::seconds(1));
        let second = app.log_in("ada@example.com").await;
        for _ in 0..18 {
            app.clock.advance(Duration::seconds(1));
            app.log_in("ada@example.com").await;
        }
        // Twenty live: all work.
        app.ok(Some(&first.access), ME, json!({})).await;
        app.clock.advance(Duration::seconds(1));
        let newest = app.log_in("ada@example.com").await;
        // The twenty-first ended the oldest, tokens and all.
        assert_eq!(app.fails(Some(&first.access), ME, json!({})).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(None, REFRESH, json!({ "r": first.refresh })).await, "UNAUTHENTICATED");
        app.ok(Some(&second.access), ME, json!({})).await;
        app.ok(Some(&newest.access), ME, json!({})).await;
    }
}
