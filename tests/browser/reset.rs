//! The password-reset page (docs/api/pages.md) in Chromium with the network
//! cut off but for Roster: the whole flow through the link the worker
//! mailed, by keyboard, finding the fields by their labels and the answers
//! by their roles, as a person with a screen reader would.

use fantoccini::Locator;
use fantoccini::key::Key;

use roster_tests::serde_json::json;
use roster_tests::{PASSWORD, TestApp, both_backends, error_code, reset_url};

use super::Browser;
use super::playground::OFFLINE;

const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
const NEW_PASSWORD: &str = "my brand new password";

impl Browser {
    /// Types `text` into the field labelled `label`, by keyboard.
    async fn type_into(&self, label: &str, text: &str) {
        let input = self.by_label(label).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }
}

async fn ask_for_link(app: &TestApp, email: &str) -> String {
    app.ok(
        None,
        "mutation($e: String!) { requestPasswordReset(email: $e) }",
        json!({ "e": email }),
    )
    .await;
    app.run_pending_jobs().await;
    let mail = app
        .mails_to(email)
        .into_iter()
        .find(|m| m.subject().as_deref() == Some("Reset your Roster password"))
        .expect("a password-reset email");
    reset_url(&mail, &app.base)
}

async fn logs_in(app: &TestApp, email: &str, password: &str) -> bool {
    let res = app
        .gql(None, LOG_IN, json!({ "e": email, "p": password }))
        .await;
    error_code(&res).is_none()
}

both_backends! {
    async fn the_mailed_link_opens_a_page_that_sets_a_new_password_by_keyboard(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let url = ask_for_link(&app, "ada@example.com").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.goto(&url).await;
        browser.by_role("heading", "Choose a new password").await;
        browser.audit("the reset page").await;
        // Two different passwords are caught before anything is sent.
        browser.type_into("New password", NEW_PASSWORD).await;
        browser.type_into("Confirm new password", "something else").await;
        browser.by_label("Confirm new password").await.send_keys(&Key::Enter.to_string()).await.expect("enter");
        let alert = browser.said("alert").await;
        assert!(alert.contains("not the same"), "{alert}");
        browser.audit("the reset page, an error").await;
        browser.type_into("Confirm new password", NEW_PASSWORD).await;
        browser.by_label("Confirm new password").await.send_keys(&Key::Enter.to_string()).await.expect("enter");
        let status = browser.said("status").await;
        assert!(status.contains("Your password has been changed"), "{status}");
        browser.audit("the reset page, done").await;
        // The same link again: it says so in words, and offers no form.
        browser.goto(&url).await;
        browser.type_into("New password", "yet another password").await;
        browser.type_into("Confirm new password", "yet another password").await;
        browser.by_label("Confirm new password").await.send_keys(&Key::Enter.to_string()).await.expect("enter");
        let alert = browser.said("alert").await;
        assert!(alert.contains("does not work") && alert.contains("NOT_FOUND"), "{alert}");
        let forms = browser.client.find_all(Locator::Css("form:not([hidden])")).await.unwrap();
        assert!(forms.is_empty(), "no form to fill with a dead link");
        browser.requested_only(&app.base).await;
        browser.close().await;

        assert!(logs_in(&app, "ada@example.com", NEW_PASSWORD).await);
        assert!(!logs_in(&app, "ada@example.com", PASSWORD).await);
        assert!(!logs_in(&app, "ada@example.com", "yet another password").await);
    }
}
