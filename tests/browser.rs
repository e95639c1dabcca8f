//! The accept, log-in and password-reset pages in a real browser: headless Chromium
//! driven over WebDriver by a chromedriver each test starts itself, against
//! the real router, the real worker and the email it actually sent.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::elements::Element;

use roster_tests::serde_json::{Value, json};
use roster_tests::{
    Backend, PASSWORD, TestApp, accept_url, both_backends, error_code, temporary_password,
};

#[path = "browser/audit.rs"]
mod audit;
#[path = "browser/console.rs"]
mod console;
#[path = "browser/console_billing.rs"]
mod console_billing;
#[path = "browser/console_data.rs"]
mod console_data;
#[path = "browser/console_invite.rs"]
mod console_invite;
#[path = "browser/deep.rs"]
mod deep;
#[path = "browser/embed.rs"]
mod embed;
#[path = "browser/find.rs"]
mod find;
#[path = "browser/playground.rs"]
mod playground;
#[path = "browser/reset.rs"]
mod reset;
#[path = "browser/session.rs"]
mod session;
#[path = "browser/verify.rs"]
mod verify;

use session::Browser;

/// How long anything the browser does may take (a loaded CI machine).
const WAIT: Duration = Duration::from_secs(30);
const MY_ORGS: &str = "{ me { displayName memberships { role status organization { name } } } }";

impl Browser {
    async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Waits for the element to be shown (its `hidden` attribute gone).
    async fn shown(&self, css: &str) -> Element {
        let shown = format!("{css}:not([hidden])");
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(&shown))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let page = self.client.find(Locator::Css("main")).await;
                let text = match page {
                    Ok(main) => main.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css} was not shown within {WAIT:?} ({e}); the page says:\n{text}")
            }
        }
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    async fn fill(&self, css: &str, value: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Ends the session; the driver goes on drop.
    async fn close(self) {
        self.client
            .clone()
            .close()
            .await
            .expect("close the session");
    }
}

/// Ada, ADMIN of Acme; her session and the organization's id.
async fn acme(app: &TestApp) -> (roster_tests::Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    (ada, org)
}

/// `email`'s memberships, logged in with `password`.
async fn memberships_of(app: &TestApp, email: &str, password: &str) -> Value {
    let session = app.log_in_with(email, password).await;
    app.ok(Some(&session.access), MY_ORGS, json!({})).await["me"].clone()
}

both_backends! {
    async fn a_new_person_creates_the_account_on_the_accept_page(app) {
        let (ada, org) = acme(&app).await;
        app.invite(&ada, &org, "new@example.com", "USER_ADMIN").await;
        let url = accept_url(&app.mail_to("new@example.com", 1).await, &app.base);

        let Some(browser) = Browser::start().await else { return };
        browser.goto(&url).await;
        browser.shown("#new-account").await;
        browser.audit("the accept page, new account").await;
        assert_eq!(browser.text("#organization").await, "Acme");
        assert_eq!(browser.text("#role").await, "User admin");
        assert_eq!(browser.text("#inviter").await, "Ada Lovelace");
        assert!(!browser.text("#expires").await.is_empty());
        browser.fill("#display-name", "Newton").await;
        browser.fill("#new-password", PASSWORD).await;
        // A mistyped confirmation is caught before anything is sent.
        browser.fill("#confirm-password", "something else").await;
        browser.click("#new-account button").await;
        assert!(browser.shown("#error").await.text().await.unwrap().contains("VALIDATION"));
        browser.fill("#confirm-password", PASSWORD).await;
        browser.click("#new-account button").await;
        assert_eq!(browser.shown("#done").await.text().await.unwrap(), "You joined Acme.");
        browser.audit("the accept page, joined").await;
        browser.requested_only(&app.base).await;
        browser.close().await;

        let me = memberships_of(&app, "new@example.com", PASSWORD).await;
        assert_eq!(me["displayName"], "Newton");
        assert_eq!(
            me["memberships"],
            json!([{ "role": "USER_ADMIN", "status": "ACTIVE", "organization": { "name": "Acme" } }])
        );
    }

    async fn an_existing_account_logs_in_on_the_accept_page_and_joins(app) {
        let (ada, org) = acme(&app).await;
        let dave = app.sign_up("dave@example.com", "Dave").await;
        // A verified account: the page offers an unverified one's address
        // a new account instead (docs/api/pages.md).
        app.verify_email(&dave, "dave@example.com").await;
        app.invite(&ada, &org, "dave@example.com", "MEMBER").await;
        let url = accept_url(&app.mail_to("dave@example.com", 1).await, &app.base);

        let Some(browser) = Browser::start().await else { return };
        browser.goto(&url).await;
        browser.shown("#log-in").await;
        browser.audit("the accept page, log in").await;
        assert_eq!(browser.text("#organization").await, "Acme");
        assert_eq!(browser.text("#role").await, "Member");
        let email = browser.find("#email").await.prop("value").await.unwrap();
        assert_eq!(email.as_deref(), Some("dave@example.com"));
        browser.fill("#password", "not his password").await;
        browser.click("#log-in button").await;
        assert!(browser.shown("#error").await.text().await.unwrap().contains("UNAUTHENTICATED"));
        browser.fill("#password", PASSWORD).await;
        browser.click("#log-in button").await;
        assert_eq!(browser.shown("#done").await.text().await.unwrap(), "You joined Acme.");
        browser.close().await;

        let me = memberships_of(&app, "dave@example.com", PASSWORD).await;
        assert_eq!(
            me["memberships"],
            json!([{ "role": "MEMBER", "status": "ACTIVE", "organization": { "name": "Acme" } }])
        );
    }

    async fn a_revoked_expired_or_made_up_token_shows_an_error_and_changes_nothing(app) {
        let (ada, org) = acme(&app).await;
        let revoked = app.invite(&ada, &org, "carol@example.com", "MEMBER").await;
        let revoked_url = accept_url(&app.mail_to("carol@example.com", 1).await, &app.base);
        app.ok(
            Some(&ada.access),
            "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
            json!({ "id": revoked["id"] }),
        )
        .await;
        app.invite(&ada, &org, "erin@example.com", "MEMBER").await;
        let expired_url = accept_url(&app.mail_to("erin@example.com", 1).await, &app.base);
        app.clock.advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));

        let Some(browser) = Browser::start().await else { return };
        for (url, code, wording) in [
            (revoked_url, "INVITATION_INVALID", "revoked"),
            (expired_url, "INVITATION_EXPIRED", "has expired"),
            (format!("{}/invite/not-a-real-token", app.base), "INVITATION_INVALID", "revoked"),
        ] {
            browser.goto(&url).await;
            let error = browser.shown("#error").await.text().await.unwrap();
            assert!(error.contains(code) && error.contains(wording), "{url}: {error}");
            browser.audit(&format!("the accept page, {code}")).await;
            let forms = browser.client.find_all(Locator::Css("form:not([hidden])")).await.unwrap();
            assert!(forms.is_empty(), "no form to fill on {url}");
        }
        browser.close().await;

        let ada = app.log_in("ada@example.com").await;
        let org = app
            .ok(
                Some(&ada.access),
                "query($o: ID!) { organization(id: $o) { members(status: ACTIVE) { totalCount } invitations { edges { node { email status } } } } }",
                json!({ "o": org }),
            )
            .await["organization"]
            .clone();
        assert_eq!(org["members"]["totalCount"], 1);
        for edge in org["invitations"]["edges"].as_array().unwrap() {
            assert_ne!(edge["node"]["status"], "ACCEPTED", "{edge}");
        }
        for email in ["carol@example.com", "erin@example.com"] {
            let res = app.gql(None, "mutation($e: String!) { logIn(email: $e, password: \"correct horse battery\") { accessToken } }", json!({ "e": email })).await;
            assert_eq!(error_code(&res).as_deref(), Some("UNAUTHENTICATED"), "{email}");
        }
    }

    async fn the_temporary_password_email_leads_to_a_log_in_that_changes_it(app) {
        let (ada, org) = acme(&app).await;
        app.ok(
            Some(&ada.access),
            "mutation($o: ID!) { updateOrganization(id: $o, input: { invitationDelivery: TEMPORARY_PASSWORD }) { id } }",
            json!({ "o": org }),
        )
        .await;
        app.invite(&ada, &org, "frank@example.com", "MEMBER").await;
        let mail = app.mail_to("frank@example.com", 1).await;
        let one_time = temporary_password(&mail);
        let login_url = format!("{}/login", app.base);
        assert!(mail.text_body().lines().any(|l| l.trim() == login_url), "log-in URL line");

        let Some(browser) = Browser::start().await else { return };
        browser.goto(&login_url).await;
        browser.shown("#log-in").await;
        browser.audit("the log-in page").await;
        browser.fill("#email", "frank@example.com").await;
        browser.fill("#password", &one_time).await;
        browser.click("#log-in button").await;
        browser.shown("#change-password").await;
        browser.audit("the log-in page, change password").await;
        browser.fill("#new-password", "franks own password").await;
        browser.fill("#confirm-password", "franks own password").await;
        browser.click("#change-password button").await;
        let done = browser.shown("#done").await.text().await.unwrap();
        assert!(done.contains("You are a member of Acme"), "{done}");
        browser.audit("the log-in page, done").await;
        browser.requested_only(&app.base).await;
        browser.close().await;

        let me = memberships_of(&app, "frank@example.com", "franks own password").await;
        assert_eq!(me["memberships"][0]["status"], "ACTIVE");
    }
}

/// The pages are the same for every token, carry the token nowhere, and
/// tell the browser to send it nowhere.
#[tokio::test]
async fn the_pages_are_static_and_locked_down() {
    let app = TestApp::spawn_without_worker(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    let http = reqwest::Client::new();
    for (path, content_type) in [
        ("/invite/tok3n-in-the-url", "text/html"),
        ("/login", "text/html"),
        ("/reset/tok3n-in-the-url", "text/html"),
        ("/assets/roster.js", "text/javascript"),
        ("/assets/reset.js", "text/javascript"),
        ("/assets/accept.js", "text/javascript"),
        ("/assets/login.js", "text/javascript"),
        ("/assets/roster.css", "text/css"),
    ] {
        let res = http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "{path}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(header("content-type").starts_with(content_type), "{path}");
        assert_eq!(
            header("content-security-policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "{path}"
        );
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        let body = res.text().await.expect("body");
        assert!(!body.contains("tok3n"), "{path} must not echo the token");
    }
}
