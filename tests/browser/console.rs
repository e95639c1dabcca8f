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

impl Browser {
    /// A PNG of the window at 1100×640, written to `target/screenshots/`,
    /// and also into `ROSTER_SCREENSHOTS` when set (how the README's
    /// picture is made: docs/development.md).
    async fn screenshot(&self, name: &str) {
        self.client
            .set_window_size(1100, 640)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        let mut dirs = vec![target];
        dirs.extend(std::env::var_os("ROSTER_SCREENSHOTS").map(std::path::PathBuf::from));
        for dir in dirs {
            std::fs::create_dir_all(&dir).expect("screenshot directory");
            std::fs::write(dir.join(name), &png).expect("write the screenshot");
        }
    }
}

impl Browser {
    /// At `width` px wide the page needs no sideways scrolling (wide
    /// tables scroll inside their own box).
    async fn fits_in(&self, width: u32) {
        self.client
            .set_window_size(width, 800)
            .await
            .expect("resize");
        let overflow = self
            .client
            .execute(
                "await new Promise((r) => requestAnimationFrame(r)); \
                 return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
                vec![],
            )
            .await
            .expect("measure");
        let (scroll, client) = (overflow[0].as_u64().unwrap(), overflow[1].as_u64().unwrap());
        assert!(
            scroll <= client,
            "{scroll} px of page in a {client} px wide window"
        );
        self.client
            .set_window_size(1100, 800)
            .await
            .expect("resize back");
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
        browser.by_role("rowheader", "bob bob@example.com").await;
        let rows = browser.names_of("rowheader").await;
        assert_eq!(rows, ["Ada Lovelace (owner) ada@example.com", "bob bob@example.com"]);
        browser.screenshot("console-users.png").await;
        browser.fits_in(400).await;
        browser.audit("Users, as an ADMIN").await;
        browser.press("Actions for bob").await;
        let mut offered = browser.names_of("button").await;
        offered.retain(|b| b.ends_with('…') || ["Block", "Unblock"].contains(&b.as_str()));
        assert_eq!(offered, ["Change role…", "Block", "Remove…", "Workspaces…", "Assistant manager…"]);
        browser.press("Change role…").await;
        browser.audit("the change-role dialog").await;
        browser.choose("New role", "User admin").await;
        browser.press("Save").await;
        let status = browser.by_role("status", "bob is now User admin.").await;
        assert!(status.is_displayed().await.unwrap());
        browser.requested_only(&app.base).await;
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
        browser.by_role("rowheader", "bob bob@example.com").await;
        assert_eq!(browser.names_of("rowheader").await.len(), 3);
        let actions: Vec<String> = browser.names_of("button").await.into_iter().filter(|b| b.starts_with("Actions for")).collect();
        assert!(actions.is_empty(), "{actions:?}");
        browser.audit("Users, as a BILLING_ADMIN").await;
        browser.close().await;
    }
}

const CHANGE_ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { id } }";

both_backends! {
    async fn a_blocked_members_open_console_loses_access_at_once(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        app.join(&org, "bob@example.com", "MEMBER").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        let ada_tab = browser.client.window().await.expect("this tab");
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("heading", "Users").await;
        // Bob's console in a tab of its own (a session per tab).
        let bob_tab = browser.client.new_window(true).await.expect("a new tab").handle;
        browser.client.switch_to_window(bob_tab.clone()).await.expect("to Bob's tab");
        browser.console_as(&app, "bob@example.com").await;
        browser.by_role("heading", "Users").await;

        browser.client.switch_to_window(ada_tab.clone()).await.expect("to Ada's tab");
        browser.press("Actions for bob").await;
        browser.press("Block").await;
        browser.by_role("status", "bob is blocked.").await;
        browser.client.switch_to_window(bob_tab).await.expect("to Bob's tab");
        browser.by_role("alert", "You no longer have access to Acme.").await;
        browser.audit("a console that lost its access").await;
        assert!(browser.names_of("rowheader").await.is_empty(), "no member list left");

        browser.client.switch_to_window(ada_tab).await.expect("to Ada's tab");
        browser.press("Actions for bob").await;
        browser.press("Unblock").await;
        browser.by_role("status", "bob is unblocked.").await;
        browser.close().await;
        assert_eq!(member(&app, &org, "bob@example.com").await["status"], "ACTIVE");
    }

    async fn an_admin_removes_a_member_and_watches_the_leads_move(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let carol = app.join(&org, "carol@example.com", "MEMBER").await;
        app.seed_leads(&org, Some(&bob.user_id), 30).await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.press("Actions for bob").await;
        browser.press("Remove…").await;
        browser.by_role("dialog", "Remove: bob").await;
        browser.enter("Find who gets the leads", "carol").await;
        browser.choose("Assign leads to", "carol (carol@example.com)").await;
        browser.press("Remove").await;
        browser.by_role("status", "Done: 30 leads moved.").await;
        browser.audit("the remove dialog, its job done").await;
        browser.press("Close").await;
        browser.by_role("status", "bob was removed; 30 leads moved.").await;
        let rows = browser.names_of("rowheader").await;
        assert!(rows.iter().all(|r| !r.contains("bob@example.com")), "{rows:?}");
        browser.close().await;

        assert_eq!(app.leads_of(&org, Some(&carol.user_id)).await, 30);
        assert_eq!(app.leads_of(&org, Some(&bob.user_id)).await, 0);
        assert!(member(&app, &org, "bob@example.com").await.is_null(), "bob is gone");
    }

    async fn the_member_list_follows_changes_made_elsewhere(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("rowheader", "bob bob@example.com").await;
        assert!(!browser.names_of("cell").await.contains(&"User admin".to_owned()));
        // Another admin, through the API: the open list follows.
        app.ok(Some(&ada.access), CHANGE_ROLE, json!({ "o": org, "u": bob.user_id, "r": "USER_ADMIN" })).await;
        browser.by_role("cell", "User admin").await;
        browser.close().await;
    }
}

both_backends! {
    async fn the_console_sends_a_reset_link_to_whoever_forgot(app) {
        app.sign_up("ada@example.com", "Ada Lovelace").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.goto(&format!("{}/console", app.base)).await;
        browser.by_role("heading", "Log in to Roster").await;
        browser.audit("the console's log-in").await;
        browser.press("Forgot your password?").await;
        browser.enter("Email", "ada@example.com").await;
        browser.press("Send me a link").await;
        let said = browser.said("status").await;
        assert!(said.contains("a link to choose a new password is on its way"), "{said}");
        browser.audit("the console's forgotten password").await;
        browser.close().await;

        app.run_pending_jobs().await;
        let mails = app.mails_to("ada@example.com");
        assert!(
            mails.iter().any(|m| m.subject().as_deref() == Some("Reset your Roster password")),
            "a reset link was mailed"
        );
    }
}
