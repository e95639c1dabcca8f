//! Rate limits on guessing (rules.md §10): log-in per email and per
//! client address, sign-up and invitation tokens per address,
//! changePassword per user; counted in the database so that every gateway
//! of a deployment sees them, keyed by the socket's address unless the
//! peer is a trusted proxy.
//!
//! Each test starts its own gateway (`spawn_gateway`) with small limits,
//! over the test's database and clock.

use chrono::Duration;
use roster_domain::RatePolicy;
use roster_gateway::GatewayConfig;
use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, TestApp, both_backends, error_code};

const SIGN_UP: &str = "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, displayName: \"Someone\") { accessToken } }";
pub(crate) const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";
const PREVIEW: &str = "query($t: String!) { invitationPreview(token: $t) { email } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"long enough password\", displayName: \"Eve\") { accessToken } }";
const DECLINE: &str = "mutation($t: String!) { declineInvitation(token: $t) }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(id: $id) { sentCount } }";

pub(crate) fn policy(s: &str) -> RatePolicy {
    s.parse().expect("a limit")
}

/// Generous limits everywhere but where a test sets its own.
fn generous(config: &mut GatewayConfig) {
    roster_tests::unthrottled(config);
}

/// One GraphQL operation against the gateway at `base`, from 127.0.0.1,
/// with an optional bearer token and `X-Forwarded-For`.
pub(crate) async fn post(
    base: &str,
    token: Option<&str>,
    forwarded_for: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn log_in(base: &str, email: &str, password: &str) -> Value {
    post(
        base,
        None,
        None,
        LOG_IN,
        json!({ "e": email, "p": password }),
    )
    .await
}

pub(crate) fn code(res: &Value) -> String {
    error_code(res).unwrap_or_else(|| "OK".into())
}

/// A `RATE_LIMITED` answer, whose `retryAfterSeconds` is between 1 and
/// `most`; the seconds.
pub(crate) fn assert_limited(res: &Value, most: u64) -> u64 {
    assert_eq!(code(res), "RATE_LIMITED", "{res}");
    let after = res["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("an integer retryAfterSeconds in {res}"));
    assert!(
        (1..=most).contains(&after),
        "retryAfterSeconds {after} in 1..={most}"
    );
    assert!(
        res["data"].is_null()
            || res["data"]
                .as_object()
                .is_some_and(|d| d.values().all(Value::is_null))
    );
    after
}

/// Counters in the `rate_limit` table.
pub(crate) async fn counters(app: &TestApp) -> i64 {
    let sql = "select count(*) from rate_limit";
    match &app.db {
        Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("count counters")
}

both_backends! {
    async fn counters_of_windows_long_over_are_purged(app) {
        let base = app.spawn_gateway(generous).await;
        log_in(&base, "nobody@example.com", "wrong password").await;
        // Address, (email, address) pair, email, the pair's day, successes.
        assert_eq!(counters(&app).await, 5);
        app.clock.advance(Duration::hours(25));
        // The address's new window purges the old email's counters.
        log_in(&base, "someone@example.com", "wrong password").await;
        assert_eq!(counters(&app).await, 5);
    }

    async fn past_the_email_budget_an_address_that_failed_waits_for_the_budget(app) {
        app.sign_up("ada@example.com", "Ada").await;
        app.sign_up("bob@example.com", "Bob").await;
        let base = app.spawn_gateway(|c| {
            generous(c);
            c.rate_limits.log_in_per_email = policy("3/5m");
            c.rate_limits.log_in_per_pair_day = policy("1/24h");
        }).await;
        for _ in 0..3 {
            assert_eq!(code(&log_in(&base, "ada@example.com", "wrong password").await), "UNAUTHENTICATED");
        }
        assert_limited(&log_in(&base, "ADA@example.com", "wrong password").await, 300);
        // From the address that failed even the right password is refused:
        // otherwise the limit would not stop a guesser who finds it.
        let after = assert_limited(&log_in(&base, "ada@example.com", PASSWORD).await, 300);
        // Another email from the same address is not affected.
        assert_eq!(code(&log_in(&base, "bob@example.com", PASSWORD).await), "OK");
        // Once the budget's window passes, that address is verified again.
        app.clock.advance(Duration::seconds(after as i64));
        assert_eq!(code(&log_in(&base, "ada@example.com", PASSWORD).await), "OK");
    }

    async fn failed_log_ins_are_limited_per_address_and_successes_do_not_count(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let base = app.spawn_gateway(|c| {
            generous(c);
            c.rate_limits.log_in_per_address = policy("3/5m");
        }).await;
        for _ in 0..5 {
            assert_eq!(code(&log_in(&base, "ada@example.com", PASSWORD).await), "OK");
        }
        for i in 0..3 {
            let res = log_in(&base, &format!("nobody{i}@example.com"), "wrong password").await;
            assert_eq!(code(&res), "UNAUTHENTICATED");
        }
        assert_limited(&log_in(&base, "nobody9@example.com", "wrong password").await, 300);
        assert_limited(&log_in(&base, "ada@example.com", PASSWORD).await, 300);
    }

    async fn sign_ups_are_limited_per_address(app) {
        let base = app.spawn_gateway(|c| {
            generous(c);
            c.rate_limits.sign_up_per_address = policy("2/1h");
        }).await;
        for email in ["a@example.com", "b@example.com"] {
            let res = post(&base, None, None, SIGN_UP, json!({ "e": email, "p": PASSWORD })).await;
            assert_eq!(code(&res), "OK");
        }
        let res = post(&base, None, None, SIGN_UP, json!({ "e": "c@example.com", "p": PASSWORD })).await;
        let after = assert_limited(&res, 3600);
        // Nothing was made: the email is free once the window passes.
        assert_eq!(code(&log_in(&base, "c@example.com", PASSWORD).await), "UNAUTHENTICATED");
        app.clock.advance(Duration::seconds(after as i64));
        let res = post(&base, None, None, SIGN_UP, json!({ "e": "c@example.com", "p": PASSWORD })).await;
        assert_eq!(code(&res), "OK");
    }

    async fn invitation_token_guesses_are_limited_per_address(app) {
        let base = app.spawn_gateway(|c| {
            generous(c);
            c.rate_limits.token_per_address = policy("3/10m");
        }).await;
        let guess = json!({ "t": "a-token-nobody-was-ever-sent-0123456789abc" });
        for op in [PREVIEW, ACCEPT, DECLINE] {
            assert_eq!(code(&post(&base, None, None, op, guess.clone()).await), "INVITATION_INVALID");
        }
        for op in [PREVIEW, ACCEPT, DECLINE] {
            assert_limited(&post(&base, None, None, op, guess.clone()).await, 600);
        }
        app.clock.advance(Duration::minutes(10));
        assert_eq!(code(&post(&base, None, None, PREVIEW, guess).await), "INVITATION_INVALID");
    }

    async fn wrong_current_passwords_are_limited_per_user(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let base = app.spawn_gateway(|c| {
            generous(c);
            c.rate_limits.change_password_per_user = policy("2/15m");
        }).await;
        let wrong = json!({ "c": "not my password", "n": "a brand new password" });
        for _ in 0..2 {
            assert_eq!(code(&post(&base, Some(&ada.access), None, CHANGE, wrong.clone()).await), "FORBIDDEN");
        }
        assert_limited(&post(&base, Some(&ada.access), None, CHANGE, wrong).await, 900);
        let right = json!({ "c": PASSWORD, "n": "a brand new password" });
        let after = assert_limited(&post(&base, Some(&ada.access), None, CHANGE, right.clone()).await, 900);
        app.clock.advance(Duration::seconds(after as i64));
        // (The access token may have lapsed meanwhile.)
        let ada = app.log_in("ada@example.com").await;
        assert_eq!(code(&post(&base, Some(&ada.access), None, CHANGE, right).await), "OK");
    }

    async fn a_limit_reached_on_one_gateway_holds_on_another(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let limits = |c: &mut GatewayConfig| {
            generous(c);
            c.rate_limits.log_in_per_pair = policy("2/5m");
        };
        let first = app.spawn_gateway(limits).await;
        let second = app.spawn_gateway(limits).await;
        assert_eq!(code(&log_in(&first, "ada@example.com", "wrong password").await), "UNAUTHENTICATED");
        assert_eq!(code(&log_in(&second, "ada@example.com", "wrong password").await), "UNAUTHENTICATED");
        assert_limited(&log_in(&first, "ada@example.com", "wrong password").await, 300);
        assert_limited(&log_in(&second, "ada@example.com", PASSWORD).await, 300);
    }

    async fn forwarded_for_names_the_client_only_behind_a_trusted_proxy(app) {
        let limits = |c: &mut GatewayConfig| {
            generous(c);
            c.rate_limits.log_in_per_address = policy("2/5m");
        };
        let direct = app.spawn_gateway(limits).await;
        let guess = |base: String, xff: &'static str, i: usize| async move {
            let vars = json!({ "e": format!("nobody{i}@example.com"), "p": "wrong password" });
            post(&base, None, Some(xff), LOG_IN, vars).await
        };
        // From an untrusted peer a new X-Forwarded-For each time changes
        // nothing: the socket's address is the key.
        assert_eq!(code(&guess(direct.clone(), "1.1.1.1", 0).await), "UNAUTHENTICATED");
        assert_eq!(code(&guess(direct.clone(), "2.2.2.2", 1).await), "UNAUTHENTICATED");
        assert_limited(&guess(direct.clone(), "3.3.3.3", 2).await, 300);
        // Behind a trusted proxy (this test's 127.0.0.1) the rightmost
        // untrusted hop is the key, whatever the client put before it.
        let proxied = app.spawn_gateway(|c| {
            limits(c);
            c.trusted_proxies = "127.0.0.1/32".parse().expect("proxies");
        }).await;
        assert_eq!(code(&guess(proxied.clone(), "9.9.9.9, 4.4.4.4", 3).await), "UNAUTHENTICATED");
        assert_eq!(code(&guess(proxied.clone(), "8.8.8.8, 4.4.4.4", 4).await), "UNAUTHENTICATED");
        assert_limited(&guess(proxied.clone(), "7.7.7.7, 4.4.4.4", 5).await, 300);
        assert_eq!(code(&guess(proxied.clone(), "5.5.5.5", 6).await), "UNAUTHENTICATED");
    }

    async fn a_refused_resend_says_when_to_retry(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let inv = app.invite(&ada, &org, "spam@example.com", "MEMBER").await;
        for _ in 2..=5 {
            app.ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] })).await;
        }
        let res = app.gql(Some(&ada.access), RESEND, json!({ "id": inv["id"] })).await;
        assert_limited(&res, 24 * 3600);
    }
}
