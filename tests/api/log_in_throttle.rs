//! The log-in throttle (rules.md §10, docs/operations/limits.md "Guessing and password
//! hashing"): a stranger's guesses, from one address or from a hundred,
//! stay bounded, while the owner, from an address that has not been
//! failing, gets in at once. Each test runs the default limits behind a
//! trusted proxy (this test's 127.0.0.1), so `X-Forwarded-For` names the
//! client.

use chrono::Duration;
use roster_gateway::GatewayConfig;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, TestApp, both_backends};

use super::rate_limits::{LOG_IN, assert_limited, code, post};

const VIC: &str = "vic@example.com";

fn behind_a_proxy(config: &mut GatewayConfig) {
    config.trusted_proxies = "127.0.0.1/32".parse().expect("proxies");
}

/// A log-in from `address` through the gateway at `base`.
async fn log_in_from(base: &str, address: &str, password: &str) -> Value {
    let vars = json!({ "e": VIC, "p": password });
    post(base, None, Some(address), LOG_IN, vars).await
}

/// Moves the clock just past a UTC midnight, so that the day's, the hour's
/// and the quarter's windows all start together.
fn to_next_midnight(app: &TestApp) {
    let into_day = app.now().timestamp().rem_euclid(86_400);
    app.clock.advance(Duration::seconds(86_400 - into_day + 1));
}

/// Sends one wrong guess from each of `addresses`; how many had their
/// password verified (`UNAUTHENTICATED`; the others are `RATE_LIMITED`).
async fn guess_from(base: &str, addresses: &[String]) -> usize {
    let mut verified = 0;
    for address in addresses {
        let res = log_in_from(base, address, "wrong password").await;
        match code(&res).as_str() {
            "UNAUTHENTICATED" => verified += 1,
            _ => {
                assert_limited(&res, 3600);
            }
        }
    }
    verified
}

both_backends! {
    async fn eleven_wrong_log_ins_do_not_keep_the_owner_out(app) {
        app.sign_up(VIC, "Vic").await;
        let base = app.spawn_gateway(behind_a_proxy).await;
        let attacker = "198.51.100.7";
        // The reproduction: one request with 11 aliased wrong logIns.
        let aliased: String = (0..11)
            .map(|i| format!("a{i}: logIn(email: \"{VIC}\", password: \"wrong password\") {{ accessToken }} "))
            .collect();
        let res = post(&base, None, Some(attacker), &format!("mutation {{ {aliased} }}"), json!({})).await;
        assert!(res["errors"].is_array(), "{res}");
        assert!(res["data"].as_object().is_none_or(|d| d.values().all(Value::is_null)), "{res}");
        // And the same, one request each.
        for _ in 0..11 {
            assert_ne!(code(&log_in_from(&base, attacker, "wrong password").await), "OK");
        }
        // The owner, from its own address, gets in at once.
        assert_eq!(code(&log_in_from(&base, "203.0.113.9", PASSWORD).await), "OK");
        // One more guess each window changes nothing.
        app.clock.advance(Duration::minutes(5));
        assert_ne!(code(&log_in_from(&base, attacker, "wrong password").await), "OK");
        assert_eq!(code(&log_in_from(&base, "203.0.113.9", PASSWORD).await), "OK");
    }

    async fn guesses_from_one_address_are_ten_an_hour(app) {
        app.sign_up(VIC, "Vic").await;
        let base = app.spawn_gateway(behind_a_proxy).await;
        to_next_midnight(&app);
        let one = vec!["198.51.100.7".to_owned(); 8];
        // Five a quarter (the pair's limit), ten an hour (the email's
        // budget); past it, the address has failed today: refused.
        let mut per_quarter = Vec::new();
        for _ in 0..4 {
            per_quarter.push(guess_from(&base, &one).await);
            app.clock.advance(Duration::minutes(15));
        }
        assert_eq!(per_quarter, [5, 5, 0, 0]);
        // The next hour, ten more: 240 a day.
        let mut next_hour = 0;
        for quarter in 0..4 {
            if quarter > 0 {
                app.clock.advance(Duration::minutes(15));
            }
            next_hour += guess_from(&base, &one).await;
        }
        assert_eq!(next_hour, 10);
        // Meanwhile the owner, from another address, never waits.
        assert_eq!(code(&log_in_from(&base, "203.0.113.9", PASSWORD).await), "OK");
        // Even from the guessing address the right password is refused
        // (it would tell the guesser), until the budget renews.
        assert_limited(&log_in_from(&base, &one[0], PASSWORD).await, 15 * 60);
    }

    async fn guesses_from_a_hundred_addresses_stay_bounded_and_the_owner_gets_in(app) {
        app.sign_up(VIC, "Vic").await;
        let base = app.spawn_gateway(behind_a_proxy).await;
        to_next_midnight(&app);
        let hundred: Vec<String> = (0..100).map(|i| format!("10.0.{}.{}", i / 50, i % 50 + 1)).collect();
        // The first hour: the budget of ten, then one guess per address
        // that has not failed on this email today, then nothing.
        let mut first_hour = 0;
        for _ in 0..3 {
            first_hour += guess_from(&base, &hundred).await;
            // The owner, from an address that has not been failing, gets
            // in meanwhile, without waiting.
            let res = log_in_from(&base, "203.0.113.9", PASSWORD).await;
            assert_eq!(code(&res), "OK", "{res}");
        }
        assert_eq!(first_hour, 100);
        // Each later hour of the day: the budget of ten, from any of them.
        for _ in 0..2 {
            app.clock.advance(Duration::hours(1));
            let mut hour = 0;
            for _ in 0..2 {
                hour += guess_from(&base, &hundred).await;
            }
            assert_eq!(hour, 10);
            assert_eq!(code(&log_in_from(&base, "203.0.113.9", PASSWORD).await), "OK");
        }
        // The next day, each address is fresh again.
        app.clock.advance(Duration::hours(24));
        assert_eq!(guess_from(&base, &hundred).await, 100);
    }
}
