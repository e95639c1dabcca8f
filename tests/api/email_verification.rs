//! Email verification (rules.md §1, docs/api/sessions.md): sign-up mails a
//! link; only the account it was made for, signed in, verifies with it; a
//! used, expired, superseded or made-up token changes nothing; addresses
//! are compared after NFKC and case folding (the Kelvin sign); and
//! `ROSTER_REQUIRE_VERIFIED_EMAIL` holds an unverified account to `me`,
//! `logOut` and verification.

use chrono::Duration;
use roster_tests::serde_json::json;
use roster_tests::{
    Backend, PASSWORD, Session, TestApp, VERIFICATION_SUBJECT, both_backends, verification_token,
};

const ME: &str = "{ me { email emailVerified } }";
const VERIFY: &str = "mutation($t: String!) { verifyEmail(token: $t) { id email emailVerified } }";
const RESEND: &str = "mutation { resendEmailVerification }";
const SIGN_UP: &str = "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) \
                       { accessToken refreshToken user { id emailVerified } } }";

async fn verified(app: &TestApp, who: &Session) -> bool {
    let me = app.ok(Some(&who.access), ME, json!({})).await;
    me["me"]["emailVerified"].as_bool().expect("emailVerified")
}

/// The token of the `nth` (from 1) verification email to `to`.
async fn token_of(app: &TestApp, to: &str, nth: usize) -> String {
    let mails = app.verification_mails_to(to).await;
    assert!(mails.len() >= nth, "no verification email #{nth} to {to}");
    verification_token(&mails[nth - 1], &app.base)
}

both_backends! {
    async fn sign_up_mails_a_link_that_verifies_the_signed_in_account_once(app) {
        let signed_up = app
            .ok(None, SIGN_UP, json!({ "e": "kate@example.com", "p": PASSWORD, "n": "Kate" }))
            .await;
        assert_eq!(signed_up["signUp"]["user"]["emailVerified"], false);
        let kate = Session::from_payload(&signed_up["signUp"]);
        let mails = app.verification_mails_to("kate@example.com").await;
        assert_eq!(mails.len(), 1, "one verification email per sign-up");
        assert_eq!(mails[0].subject().as_deref(), Some(VERIFICATION_SUBJECT));
        let token = verification_token(&mails[0], &app.base);

        let done = app.ok(Some(&kate.access), VERIFY, json!({ "t": token })).await;
        assert_eq!(done["verifyEmail"]["id"], kate.user_id.as_str());
        assert_eq!(done["verifyEmail"]["emailVerified"], true);
        assert!(verified(&app, &kate).await);
        // Used: it opens nothing again.
        assert_eq!(app.fails(Some(&kate.access), VERIFY, json!({ "t": token })).await, "NOT_FOUND");
        // Verified: a resend mails nothing.
        let resent = app.ok(Some(&kate.access), RESEND, json!({})).await;
        assert_eq!(resent["resendEmailVerification"], false);
        assert_eq!(app.verification_mails_to("kate@example.com").await.len(), 1);
    }

    async fn a_made_up_expired_or_foreign_use_of_a_token_changes_nothing(app) {
        let kate = app.sign_up("kate@example.com", "Kate").await;
        let bob = app.sign_up("bob@example.com", "Bob").await;
        let token = token_of(&app, "kate@example.com", 1).await;

        assert_eq!(app.fails(None, VERIFY, json!({ "t": token })).await, "UNAUTHENTICATED");
        // Someone else's link: whoever reads Kate's mailbox but is signed in
        // as another account verifies nothing.
        assert_eq!(app.fails(Some(&bob.access), VERIFY, json!({ "t": token })).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&kate.access), VERIFY, json!({ "t": "made-up" })).await, "NOT_FOUND");
        let long = "x".repeat(10_000);
        assert_eq!(app.fails(Some(&kate.access), VERIFY, json!({ "t": long })).await, "NOT_FOUND");
        assert!(!verified(&app, &kate).await);
        assert!(!verified(&app, &bob).await);

        app.clock.advance(Duration::hours(24) + Duration::seconds(1));
        let kate = app.log_in("kate@example.com").await;
        assert_eq!(app.fails(Some(&kate.access), VERIFY, json!({ "t": token })).await, "NOT_FOUND");
        assert!(!verified(&app, &kate).await);
    }

    async fn a_resend_mails_a_fresh_link_and_the_old_one_stops_working(app) {
        let kate = app.sign_up("kate@example.com", "Kate").await;
        let first = token_of(&app, "kate@example.com", 1).await;
        let resent = app.ok(Some(&kate.access), RESEND, json!({})).await;
        assert_eq!(resent["resendEmailVerification"], true);
        let second = token_of(&app, "kate@example.com", 2).await;
        assert_ne!(first, second);

        assert_eq!(app.fails(Some(&kate.access), VERIFY, json!({ "t": first })).await, "NOT_FOUND");
        assert!(!verified(&app, &kate).await);
        app.ok(Some(&kate.access), VERIFY, json!({ "t": second })).await;
        assert!(verified(&app, &kate).await);
    }

    async fn an_address_is_compared_after_nfkc_and_case_folding(app) {
        // The Kelvin sign K (U+212A) folds to "k": the same address as kate@.
        let kelvin = "\u{212A}ate@example.com";
        let kate = app.sign_up("kate@example.com", "Kate").await;
        let again = app.gql(None, SIGN_UP, json!({ "e": kelvin, "p": PASSWORD, "n": "K" })).await;
        assert_eq!(roster_tests::error_code(&again).as_deref(), Some("CONFLICT"));
        let wide = app.gql(None, SIGN_UP, json!({ "e": "\u{FF2B}ATE@EXAMPLE.COM", "p": PASSWORD, "n": "K" })).await;
        assert_eq!(roster_tests::error_code(&wide).as_deref(), Some("CONFLICT"));
        let logged_in = app.log_in(kelvin).await;
        assert_eq!(logged_in.user_id, kate.user_id);
        // A look-alike beyond NFKC (a Cyrillic "а") is refused, not stored.
        let cyrillic = app.gql(None, SIGN_UP, json!({ "e": "k\u{0430}te@example.com", "p": PASSWORD, "n": "K" })).await;
        assert_eq!(roster_tests::error_code(&cyrillic).as_deref(), Some("VALIDATION"));
        assert!(app.verification_mails_to("k\u{0430}te@example.com").await.is_empty());
    }
}

/// `ROSTER_REQUIRE_VERIFIED_EMAIL`: until the address is verified, the
/// account may call `me`, `logOut` and the verification mutations only.
async fn required_verification_holds_an_unverified_account_to_verifying(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, false, |c| c.require_verified_email = true).await
    else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let create = "mutation { createOrganization(name: \"Acme\") { id } }";
    let kate = app.sign_up("kate@example.com", "Kate").await;
    assert_eq!(
        app.fails(Some(&kate.access), create, json!({})).await,
        "EMAIL_NOT_VERIFIED"
    );
    let memberships = "{ me { memberships { id } } }";
    assert_eq!(
        app.ok(Some(&kate.access), memberships, json!({})).await["me"]["memberships"],
        json!([])
    );
    assert!(!verified(&app, &kate).await);
    token_of(&app, "kate@example.com", 1).await;
    app.ok(Some(&kate.access), RESEND, json!({})).await;
    let token = token_of(&app, "kate@example.com", 2).await;
    app.ok(Some(&kate.access), VERIFY, json!({ "t": token }))
        .await;
    // The same access token: the address is read with its session.
    app.ok(Some(&kate.access), create, json!({})).await;
    app.ok(Some(&kate.access), "mutation { logOut }", json!({}))
        .await;
}

roster_tests::each_backend!(required_verification_holds_an_unverified_account_to_verifying,);
