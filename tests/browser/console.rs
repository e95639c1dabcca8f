//! The console (docs/api/console.md) in Chromium with the network cut off
//! but for Roster: log in, pick the organization, and the Users screen's
//! menus, as the roles the seed help pages name.

use roster_tests::serde_json::json;
use roster_tests::{PASSWORD, TestApp, both_backends};

use super::Browser;
use super::playground::OFFLINE;

const ROLE_OF: &str = "query($o: ID!, $s: String) { organization(id: $o) { members(search: $s) { edges { node { role status } } } } }";

impl Browser {
    /// Opens the console and logs in as `email`.
    pub async fn console_as(&self, app: &TestApp, email: &str) {
        self.goto(&format!("{}/console", app.base)).await;
        self.enter("Email", email).await;
        self.enter("Password", PASSWORD).await;
        self.press("Log in").await;
    }
}

async fn member(app: &TestApp, org: &str, email: &str) -> roster_tests::serde_json::Value {
    let ada = app.log_in("ada@example.com").await;
    app.ok(Some(&ada.access), ROLE_OF, json!({ "o": org, "s": email }))
        .await["organization"]["members"]["edges"][0]["node"]
        .clone()
}

both_backends! {
    async fn an_admin_changes_a_role_from_the_users_menu(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        app.join(&org, "bob@example.com", "MEMBER").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("heading", "Acme").await;
        browser.by_role("heading", "Users").await;
        browser.until("rowheader", |rows| rows.len() == 2).await;
        browser.press("Actions for bob").await;
        let mut offered = browser.names_of("button").await;
        offered.retain(|b| b.ends_with('…') || ["Block", "Unblock"].contains(&b.as_str()));
        assert_eq!(offered, ["Change role…", "Block", "Remove…", "Workspaces…", "Assistant manager…"]);
        browser.press("Change role…").await;
        browser.choose("New role", "User admin").await;
        browser.press("Save").await;
        let status = browser.by_role("status", "bob is now User admin.").await;
        assert!(status.is_displayed().await.unwrap());
        browser.close().await;
        assert_eq!(member(&app, &org, "bob@example.com").await["role"], "USER_ADMIN");
    }

    async fn a_billing_admin_sees_the_users_but_no_actions(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        app.join(&org, "bill@example.com", "BILLING_ADMIN").await;
        app.join(&org, "bob@example.com", "MEMBER").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "bill@example.com").await;
        browser.by_role("heading", "Users").await;
        browser.until("rowheader", |rows| rows.len() == 3).await;
        let actions: Vec<String> = browser.names_of("button").await.into_iter().filter(|b| b.starts_with("Actions for")).collect();
        assert!(actions.is_empty(), "{actions:?}");
        browser.close().await;
    }
}
