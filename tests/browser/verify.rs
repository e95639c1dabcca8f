//! The email-verification page (docs/api/pages.md) in Chromium with the
//! network cut off but for Roster: the link the sign-up mailed, a log-in by
//! label and role, the answer in words; axe-core finds nothing serious, and
//! the page asks nothing of any other host.

use fantoccini::key::Key;

use roster_tests::serde_json::json;
use roster_tests::{PASSWORD, both_backends, verification_token};

use super::Browser;
use super::playground::OFFLINE;

both_backends! {
    async fn the_mailed_link_confirms_the_address_after_a_log_in(app) {
        app.sign_up("ada@example.com", "Ada").await;
        let mail = app.verification_mails_to("ada@example.com").await.pop().expect("a verification email");
        let url = format!("{}/verify/{}", app.base, verification_token(&mail, &app.base));

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.goto(&url).await;
        browser.by_role("heading", "Confirm your email address").await;
        browser.audit("the verification page").await;
        browser.by_label("Email").await.send_keys("ada@example.com").await.expect("type");
        let password = browser.by_label("Password").await;
        password.send_keys(PASSWORD).await.expect("type");
        password.send_keys(&Key::Enter.to_string()).await.expect("enter");
        let status = browser.said("status").await;
        assert_eq!(status, "ada@example.com is confirmed.");
        browser.audit("the verification page, confirmed").await;
        browser.requested_only(&app.base).await;
        browser.close().await;

        let ada = app.log_in("ada@example.com").await;
        let me = app.ok(Some(&ada.access), "{ me { emailVerified } }", json!({})).await;
        assert_eq!(me["me"]["emailVerified"], true);
    }
}
