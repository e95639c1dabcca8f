//! Accounts and sessions (rules.md §1).

use roster_tests::serde_json::json;
use roster_tests::{PASSWORD, Session, TestApp, both_backends, error_code};

const SIGN_UP: &str = "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) \
                       { accessToken refreshToken accessTokenExpiresAt user { id email displayName mustChangePassword } } }";
const LOG_IN: &str = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken refreshToken user { id } } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }";
const ME: &str = "{ me { id email displayName } }";

async fn log_in(app: &TestApp, email: &str, password: &str) -> roster_tests::serde_json::Value {
    app.gql(None, LOG_IN, json!({ "e": email, "p": password }))
        .await
}

both_backends! {
    async fn sign_up_keeps_the_email_as_given_and_signs_in(app) {
        let data = app.ok(None, SIGN_UP, json!({ "e": " Ada.Lovelace@Example.COM ", "p": PASSWORD, "n": " Ada " })).await;
        let payload = &data["signUp"];
        assert_eq!(payload["user"]["email"], "Ada.Lovelace@Example.COM");
        assert_eq!(payload["user"]["displayName"], "Ada");
        assert_eq!(payload["user"]["mustChangePassword"], false);
        let s = Session::from_payload(payload);
        let me = app.ok(Some(&s.access), ME, json!({})).await;
        assert_eq!(me["me"]["id"], s.user_id.as_str());
        // Anonymous callers get null, not an error.
        assert_eq!(app.ok(None, ME, json!({})).await["me"], json!(null));
    }

    async fn bad_sign_ups_are_rejected_and_create_nothing(app) {
        let long = "x".repeat(101);
        let huge = "y".repeat(100_000);
        let cases = [
            ("not-an-email", PASSWORD, "Ada"),
            ("ada@example.com", "short", "Ada"),
            ("ada@example.com", &"p".repeat(129), "Ada"),
            ("ada@example.com", PASSWORD, "   "),
            ("ada@example.com", PASSWORD, long.as_str()),
            (huge.as_str(), PASSWORD, "Ada"),
        ];
        for (email, password, name) in cases {
            let code = app.fails(None, SIGN_UP, json!({ "e": email, "p": password, "n": name })).await;
            assert_eq!(code, "VALIDATION", "{email:.20} / {password:.20} / {name:.20}");
        }
        // None of them made an account: the address is still free.
        assert_eq!(error_code(&log_in(&app, "ada@example.com", PASSWORD).await).as_deref(), Some("UNAUTHENTICATED"));
        app.sign_up("ada@example.com", "Ada").await;
    }

    async fn emails_are_unique_whatever_their_case(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let code = app.fails(None, SIGN_UP, json!({ "e": "ADA@Example.Com", "p": "another password", "n": "Impostor" })).await;
        assert_eq!(code, "CONFLICT");
        // The first account is untouched: its password still works, the
        // impostor's does not, and log-in ignores case.
        assert!(error_code(&log_in(&app, "Ada@EXAMPLE.com", PASSWORD).await).is_none());
        assert_eq!(error_code(&log_in(&app, "ada@example.com", "another password").await).as_deref(), Some("UNAUTHENTICATED"));
    }

    async fn wrong_password_and_unknown_email_answer_alike(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let wrong = log_in(&app, "ada@example.com", "wrong password").await;
        let unknown = log_in(&app, "nobody@example.com", "wrong password").await;
        assert_eq!(error_code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
        assert_eq!(wrong["errors"][0]["extensions"], unknown["errors"][0]["extensions"]);
        // Malformed input answers the same too: nothing to tell apart.
        let malformed = log_in(&app, "not-an-email", "wrong password").await;
        assert_eq!(wrong["errors"][0]["message"], malformed["errors"][0]["message"]);
    }

    async fn unknown_emails_cost_a_password_check(app) {
        // Without the dummy hash an unknown email would answer in well
        // under a tenth of the time of a wrong password.
        app.sign_up("ada@example.com", "Ada").await;
        let mut wrong = Vec::new();
        let mut unknown = Vec::new();
        for i in 0..5 {
            let t = std::time::Instant::now();
            log_in(&app, "ada@example.com", "wrong password").await;
            wrong.push(t.elapsed());
            let t = std::time::Instant::now();
            log_in(&app, &format!("nobody{i}@example.com"), "wrong password").await;
            unknown.push(t.elapsed());
        }
        wrong.sort();
        unknown.sort();
        let ratio = unknown[2].as_secs_f64() / wrong[2].as_secs_f64();
        assert!(ratio > 0.33 && ratio < 3.0, "median unknown/wrong time ratio {ratio:.2}");
    }

    async fn refresh_rotates_and_reuse_revokes_the_family(app) {
        let first = app.sign_up("ada@example.com", "Ada").await;
        let data = app.ok(None, REFRESH, json!({ "t": first.refresh })).await;
        let second = Session::from_payload(&data["refreshSession"]);
        assert_ne!(second.refresh, first.refresh);
        assert_eq!(second.user_id, first.user_id);
        // The rotated pair works.
        app.ok(Some(&second.access), ME, json!({})).await;
        // Replaying the spent token fails and ends the whole session: the
        // newest refresh token and access token die with it.
        assert_eq!(app.fails(None, REFRESH, json!({ "t": first.refresh })).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(None, REFRESH, json!({ "t": second.refresh })).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(Some(&second.access), ME, json!({})).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(Some(&first.access), ME, json!({})).await, "UNAUTHENTICATED");
        // Another session of the same user is not touched.
        let other = Session::from_payload(&log_in(&app, "ada@example.com", PASSWORD).await["data"]["logIn"]);
        app.ok(Some(&other.access), ME, json!({})).await;
    }

    async fn unknown_and_oversized_refresh_tokens_fail(app) {
        assert_eq!(app.fails(None, REFRESH, json!({ "t": "nope" })).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(None, REFRESH, json!({ "t": "z".repeat(10_000) })).await, "UNAUTHENTICATED");
    }

    async fn concurrent_refreshes_of_one_token_cannot_both_win(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let (a, b) = tokio::join!(
            app.gql(None, REFRESH, json!({ "t": s.refresh })),
            app.gql(None, REFRESH, json!({ "t": s.refresh })),
        );
        let winners = [&a, &b].iter().filter(|r| error_code(r).is_none()).count();
        assert!(winners <= 1, "both refreshes succeeded: {a} {b}");
    }

    async fn log_out_ends_the_session_at_once(app) {
        const ORG: &str = "query($id: ID!) { organization(id: $id) { name } }";
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        let other = Session::from_payload(&log_in(&app, "ada@example.com", PASSWORD).await["data"]["logIn"]);
        assert_eq!(app.ok(Some(&s.access), "mutation { logOut }", json!({})).await["logOut"], true);
        assert_eq!(app.fails(Some(&s.access), ME, json!({})).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(None, REFRESH, json!({ "t": s.refresh })).await, "UNAUTHENTICATED");
        // An organization's lookup checks the session too (in the same
        // statement), and tells an ended session nothing of which exist.
        let unknown = "00000000-0000-4000-8000-000000000000";
        for id in [org.as_str(), unknown] {
            assert_eq!(app.fails(Some(&s.access), ORG, json!({ "id": id })).await, "UNAUTHENTICATED", "{id}");
        }
        // Only that session ends.
        app.ok(Some(&other.access), ME, json!({})).await;
        app.ok(Some(&other.access), ORG, json!({ "id": org })).await;
        assert_eq!(app.fails(None, "mutation { logOut }", json!({})).await, "UNAUTHENTICATED");
    }

    async fn change_password_checks_the_current_one_and_ends_other_sessions(app) {
        const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) \
                              { accessToken refreshToken user { id mustChangePassword } } }";
        let s = app.sign_up("ada@example.com", "Ada").await;
        let other = Session::from_payload(&log_in(&app, "ada@example.com", PASSWORD).await["data"]["logIn"]);
        assert_eq!(app.fails(Some(&s.access), CHANGE, json!({ "c": "wrong password", "n": "a new password" })).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&s.access), CHANGE, json!({ "c": PASSWORD, "n": "short" })).await, "VALIDATION");
        assert_eq!(app.fails(Some(&s.access), CHANGE, json!({ "c": PASSWORD, "n": PASSWORD })).await, "VALIDATION");
        assert_eq!(app.fails(None, CHANGE, json!({ "c": PASSWORD, "n": "a new password" })).await, "UNAUTHENTICATED");
        // Nothing changed yet.
        app.ok(Some(&other.access), ME, json!({})).await;
        assert!(error_code(&log_in(&app, "ada@example.com", PASSWORD).await).is_none());

        let data = app.ok(Some(&s.access), CHANGE, json!({ "c": PASSWORD, "n": "a new password" })).await;
        let fresh = Session::from_payload(&data["changePassword"]);
        app.ok(Some(&fresh.access), ME, json!({})).await;
        for old in [&s, &other] {
            assert_eq!(app.fails(Some(&old.access), ME, json!({})).await, "UNAUTHENTICATED");
            assert_eq!(app.fails(None, REFRESH, json!({ "t": old.refresh })).await, "UNAUTHENTICATED");
        }
        assert_eq!(error_code(&log_in(&app, "ada@example.com", PASSWORD).await).as_deref(), Some("UNAUTHENTICATED"));
        assert!(error_code(&log_in(&app, "ada@example.com", "a new password").await).is_none());
    }

    async fn a_pending_password_change_allows_only_me_change_and_log_out(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        app.execute_sql("update app_user set must_change_password = true").await;
        let me = app.ok(Some(&s.access), "{ me { mustChangePassword } }", json!({})).await;
        assert_eq!(me["me"]["mustChangePassword"], true);
        for op in [
            "mutation { createOrganization(name: \"Other\") { id } }",
            "query($id: ID!) { organization(id: $id) { name } }",
            "query { me { memberships { organization { members { totalCount } } } } }",
        ] {
            assert_eq!(app.fails(Some(&s.access), op, json!({ "id": org })).await, "PASSWORD_CHANGE_REQUIRED", "{op}");
        }
        let data = app
            .ok(
                Some(&s.access),
                "mutation($c: String!) { changePassword(currentPassword: $c, newPassword: \"a new password\") { accessToken refreshToken user { id mustChangePassword } } }",
                json!({ "c": PASSWORD }),
            )
            .await;
        assert_eq!(data["changePassword"]["user"]["mustChangePassword"], false);
        let fresh = Session::from_payload(&data["changePassword"]);
        app.ok(Some(&fresh.access), "query($id: ID!) { organization(id: $id) { name } }", json!({ "id": org })).await;
    }
}
