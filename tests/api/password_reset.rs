//! Forgetting a password (rules.md §1; docs/api/sessions.md "Forgetting a
//! password"): the same answer for every address, a link mailed through
//! the worker to an account's own address, single use and short-lived,
//! that sets the password, ends every session and proves the address.

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, TestApp, both_backends, error_code, reset_url, temporary_password};

use super::rate_limits::{assert_limited, code, policy, post};

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) \
                     { accessToken refreshToken user { email mustChangePassword } } }";
const LOG_IN: &str = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { user { mustChangePassword } } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }";
const ME: &str = "{ me { email } }";
const SUBJECT: &str = "Reset your Roster password";
const NEW_PASSWORD: &str = "a brand new password";

async fn request(app: &TestApp, email: &str) -> Value {
    app.gql(None, REQUEST, json!({ "e": email })).await
}

/// The reset emails `email` received once the queued jobs ran.
async fn reset_mails(app: &TestApp, email: &str) -> Vec<roster_tests::smtp_sink::ReceivedMail> {
    app.run_pending_jobs().await;
    app.mails_to(email)
        .into_iter()
        .filter(|m| m.subject().as_deref() == Some(SUBJECT))
        .collect()
}

/// Asks for a link for `email` and reads its token out of the mail.
async fn mailed_token(app: &TestApp, email: &str) -> String {
    assert_eq!(
        request(app, email).await["data"]["requestPasswordReset"],
        true
    );
    let mails = reset_mails(app, email).await;
    let url = reset_url(mails.last().expect("a reset email"), &app.base);
    url.rsplit('/').next().expect("token").to_owned()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> Value {
    app.gql(None, RESET, json!({ "t": token, "p": password }))
        .await
}

async fn logs_in(app: &TestApp, email: &str, password: &str) -> bool {
    let res = app
        .gql(None, LOG_IN, json!({ "e": email, "p": password }))
        .await;
    error_code(&res).is_none()
}

async fn verified(app: &TestApp, email: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from app_user where email = '{email}' and email_verified_at is not null"
    ))
    .await
}

both_backends! {
    async fn known_and_unknown_addresses_get_the_same_answer_and_only_an_account_gets_mail(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let known = request(&app, "ada@example.com").await;
        let unknown = request(&app, "nobody@example.com").await;
        assert_eq!(known, unknown);
        assert_eq!(known, json!({ "data": { "requestPasswordReset": true } }));
        let mails = reset_mails(&app, "ada@example.com").await;
        assert_eq!(mails.len(), 1);
        assert!(app.mails_to("nobody@example.com").is_empty());
        assert_eq!(app.sent_mails().len(), 1, "nothing else was mailed");
        // Multipart, with a Message-ID, the link on a line of its own.
        let mail = &mails[0];
        assert!(mail.message_id().is_some_and(|id| id.starts_with("<password-reset-")));
        assert!(mail.data.contains("multipart/alternative"));
        let url = reset_url(mail, &app.base);
        let token = url.rsplit('/').next().unwrap();
        assert!(token.len() >= 22, "at least 128 bits: {token}");
        // Only the token's SHA-256 is stored.
        assert_eq!(app.count_sql("select count(*) from email_link where purpose = 'RESET' and length(token_hash) = 32").await, 1);
        assert_eq!(app.count_sql("select count(*) from email_link where purpose = 'RESET'").await, 1);
        // A malformed address is VALIDATION, whoever asks.
        assert_eq!(app.fails(None, REQUEST, json!({ "e": "not an address" })).await, "VALIDATION");
    }

    async fn the_mailed_link_sets_the_password_once_ends_every_session_and_proves_the_address(app) {
        let first = app.sign_up("ada@example.com", "Ada").await;
        let second = app.log_in("ada@example.com").await;
        assert_eq!(verified(&app, "ada@example.com").await, 0);
        let token = mailed_token(&app, "Ada@Example.com").await;
        let res = reset(&app, &token, NEW_PASSWORD).await;
        let fresh = &res["data"]["resetPassword"];
        assert_eq!(fresh["user"]["email"], "ada@example.com", "{res}");
        assert_eq!(fresh["user"]["mustChangePassword"], false);
        let access = fresh["accessToken"].as_str().unwrap();
        app.ok(Some(access), ME, json!({})).await;
        // Every earlier session ended: its access and refresh tokens.
        for old in [&first, &second] {
            assert_eq!(app.fails(Some(&old.access), ME, json!({})).await, "UNAUTHENTICATED");
            assert_eq!(app.fails(None, REFRESH, json!({ "t": old.refresh })).await, "UNAUTHENTICATED");
        }
        assert!(!logs_in(&app, "ada@example.com", PASSWORD).await);
        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
        assert_eq!(verified(&app, "ada@example.com").await, 1);
        // Used once: again it is NOT_FOUND and changes nothing.
        let again = reset(&app, &token, "yet another password").await;
        assert_eq!(error_code(&again).as_deref(), Some("NOT_FOUND"), "{again}");
        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
        assert!(!logs_in(&app, "ada@example.com", "yet another password").await);
        app.ok(Some(access), ME, json!({})).await;
    }

    async fn a_reset_spends_the_other_links_of_the_account(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let older = mailed_token(&app, "ada@example.com").await;
        let newer = mailed_token(&app, "ada@example.com").await;
        assert_ne!(older, newer);
        assert!(error_code(&reset(&app, &newer, NEW_PASSWORD).await).is_none());
        let res = reset(&app, &older, "yet another password").await;
        assert_eq!(error_code(&res).as_deref(), Some("NOT_FOUND"));
        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
    }

    async fn an_expired_or_made_up_token_is_not_found_and_changes_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let token = mailed_token(&app, "ada@example.com").await;
        app.clock.advance(Duration::hours(1));
        for token in [token.as_str(), "made-up-token", &"x".repeat(1000)] {
            let res = reset(&app, token, NEW_PASSWORD).await;
            assert_eq!(error_code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
        }
        assert!(logs_in(&app, "ada@example.com", PASSWORD).await);
        assert!(!logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
        // The session lives on (its access token has expired by now).
        app.ok(None, REFRESH, json!({ "t": ada.refresh })).await;
        assert_eq!(verified(&app, "ada@example.com").await, 0);
        assert_eq!(app.count_sql("select count(*) from email_link where used_at is not null").await, 0);
    }

    async fn the_lifetime_is_configurable_and_a_link_works_until_it_ends(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let base = app.spawn_gateway(|c| c.password_reset_ttl = std::time::Duration::from_secs(600)).await;
        let ask = || post(&base, None, None, REQUEST, json!({ "e": "ada@example.com" }));
        assert_eq!(code(&ask().await), "OK");
        let mails = reset_mails(&app, "ada@example.com").await;
        let ends = (app.now() + Duration::minutes(10)).format("%Y-%m-%d %H:%M UTC").to_string();
        assert!(mails[0].text_body().contains(&ends), "{}", mails[0].text_body());
        let token = reset_url(&mails[0], &app.base).rsplit('/').next().unwrap().to_owned();
        app.clock.advance(Duration::seconds(599));
        // A bad new password is VALIDATION, as for signUp, and spends nothing.
        assert_eq!(error_code(&reset(&app, &token, "short").await).as_deref(), Some("VALIDATION"));
        assert!(error_code(&reset(&app, &token, NEW_PASSWORD).await).is_none());
        // A link asked for now ends ten minutes later.
        assert_eq!(code(&ask().await), "OK");
        let mails = reset_mails(&app, "ada@example.com").await;
        let token = reset_url(&mails[1], &app.base).rsplit('/').next().unwrap().to_owned();
        app.clock.advance(Duration::seconds(600));
        let res = reset(&app, &token, "yet another password").await;
        assert_eq!(error_code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
    }

    async fn an_invitees_placeholder_gets_its_own_password_and_must_change_it_no_more(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.set_delivery(&ada, &org, "TEMPORARY_PASSWORD", None).await;
        app.invite(&ada, &org, "temp@example.com", "MEMBER").await;
        let one_time = temporary_password(&app.mail_to("temp@example.com", 1).await);
        let res = app.gql(None, LOG_IN, json!({ "e": "temp@example.com", "p": one_time })).await;
        assert_eq!(res["data"]["logIn"]["user"]["mustChangePassword"], true, "{res}");
        let token = mailed_token(&app, "temp@example.com").await;
        let res = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(res["data"]["resetPassword"]["user"]["mustChangePassword"], false, "{res}");
        let res = app.gql(None, LOG_IN, json!({ "e": "temp@example.com", "p": NEW_PASSWORD })).await;
        assert_eq!(res["data"]["logIn"]["user"]["mustChangePassword"], false, "{res}");
        // The one-time password logs in no more; the address is proved.
        assert!(!logs_in(&app, "temp@example.com", &one_time).await);
        assert_eq!(verified(&app, "temp@example.com").await, 1);
    }

    async fn requests_are_limited_per_address_asked_for_and_per_client(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let base = app.spawn_gateway(|c| {
            roster_tests::unthrottled(c);
            c.rate_limits.password_reset_per_email = policy("2/1h");
            c.rate_limits.password_reset_per_address = policy("5/1h");
        }).await;
        let ask = |email: &'static str| post(&base, None, None, REQUEST, json!({ "e": email }));
        for email in ["ada@example.com", "ADA@example.com", "nobody@example.com", "nobody@example.com"] {
            assert_eq!(code(&ask(email).await), "OK", "{email}");
        }
        // Per address asked for: the same refusal, account or not.
        let known = ask("ada@example.com").await;
        let unknown = ask("nobody@example.com").await;
        assert_limited(&known, 3600);
        assert_eq!(known, unknown);
        // Per client: six asked from here, another address is refused too.
        assert_limited(&ask("carol@example.com").await, 3600);
        assert_eq!(reset_mails(&app, "ada@example.com").await.len(), 2);
        app.clock.advance(Duration::hours(1));
        assert_eq!(code(&ask("ada@example.com").await), "OK");
    }

    async fn made_up_tokens_are_limited_per_client_and_a_real_one_is_not_counted(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let token = mailed_token(&app, "ada@example.com").await;
        let base = app.spawn_gateway(|c| {
            roster_tests::unthrottled(c);
            c.rate_limits.token_per_address = policy("2/10m");
        }).await;
        let use_token = |t: String| post(&base, None, None, RESET, json!({ "t": t, "p": NEW_PASSWORD }));
        assert_eq!(code(&use_token(token).await), "OK");
        assert_eq!(code(&use_token("guess-1".into()).await), "NOT_FOUND");
        assert_eq!(code(&use_token("guess-2".into()).await), "NOT_FOUND");
        assert_limited(&use_token("guess-3".into()).await, 600);
    }

    async fn a_mail_sent_again_is_the_same_message_with_the_same_working_link(app) {
        app.sign_up("ada@example.com", "Ada").await;
        // The sign-up's verification mail goes first.
        app.verification_mails_to("ada@example.com").await;
        app.mail.keep_without_answering(1);
        assert_eq!(request(&app, "ada@example.com").await["data"]["requestPasswordReset"], true);
        let first = app.mail_to("ada@example.com", 1).await;
        let again = app.mail_to("ada@example.com", 2).await;
        assert_eq!(first.message_id(), again.message_id());
        assert_eq!(reset_url(&first, &app.base), reset_url(&again, &app.base));
        assert_eq!(reset_mails(&app, "ada@example.com").await.len(), 2, "never a third");
        let token = reset_url(&first, &app.base).rsplit('/').next().unwrap().to_owned();
        assert!(error_code(&reset(&app, &token, NEW_PASSWORD).await).is_none());
        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
    }
}
