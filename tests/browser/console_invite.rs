//! The console's Invite screen and invitations list (docs/api/console.md,
//! "Invite") in Chromium with the network cut off but for Roster, as the
//! roles the seed help pages name; every rule is checked again through the
//! API afterwards, with at least one refusal per flow.

use roster_tests::serde_json::{Value, json};
use roster_tests::{
    PASSWORD, Session, TestApp, both_backends, error_code, invitation_token, temporary_password,
};

use super::Browser;
use super::playground::OFFLINE;

const INVITATIONS: &str = "query($o: ID!) { organization(id: $o) { invitations { edges { node {
    email role status delivery sentCount workspaces { name } assistants { name } } } } } }";
const INVITE: &str = "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) { id } }";
const INVITE_MANY: &str = "mutation($o: ID!, $i: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $i) { errorCode } }";
const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";

impl Browser {
    /// Opens the tab `name` of the organization open in the console and
    /// audits it (axe-core).
    async fn open_tab(&self, name: &str) {
        self.by_role("link", name)
            .await
            .click()
            .await
            .expect("open the tab");
        self.by_role("heading", name).await;
        self.audit(&format!("the {name} screen")).await;
    }

    async fn check(&self, label: &str) {
        self.by_label(label).await.click().await.expect("tick");
    }
}

async fn acme(app: &TestApp) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    (ada, org)
}

async fn make(app: &TestApp, by: &Session, org: &str, what: &str, name: &str) -> String {
    let q = format!(
        "mutation($o: ID!, $n: String!) {{ {what}(organizationId: $o, name: $n) {{ id }} }}"
    );
    let data = app
        .ok(Some(&by.access), &q, json!({ "o": org, "n": name }))
        .await;
    data[what]["id"].as_str().expect("id").to_owned()
}

/// The organization's invitations, as its owner reads them.
async fn invitations(app: &TestApp, org: &str) -> Vec<Value> {
    let ada = app.log_in("ada@example.com").await;
    let data = app
        .ok(Some(&ada.access), INVITATIONS, json!({ "o": org }))
        .await;
    data["organization"]["invitations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_owned())
        .collect()
}

both_backends! {
    async fn a_user_admin_invites_a_member_into_two_workspaces_and_no_higher(app) {
        let (ada, org) = acme(&app).await;
        let uma = app.join(&org, "uma@example.com", "USER_ADMIN").await;
        app.join(&org, "bob@example.com", "MEMBER").await;
        let mut workspaces = Vec::new();
        for n in 1..=11 {
            workspaces.push(make(&app, &ada, &org, "createWorkspace", &format!("W{n:02}")).await);
        }
        make(&app, &ada, &org, "createAssistant", "Bot").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "uma@example.com").await;
        browser.open_tab("Invite").await;
        assert_eq!(browser.options_of("Role").await, ["Member"]);
        let boxes = browser.names_of("checkbox").await;
        assert_eq!(boxes.len(), 11, "the workspaces, and no assistant: {boxes:?}");
        for n in 1..=10 {
            browser.check(&format!("W{n:02}")).await;
        }
        browser.check("W11").await;
        browser.by_role("alert", "An invitation names at most 10 workspaces. Uncheck one first, or add the person to more workspaces afterwards from the Users screen.").await;
        assert!(!browser.by_label("W11").await.is_selected().await.unwrap());
        for n in 3..=10 {
            browser.check(&format!("W{n:02}")).await;
        }
        browser.enter("Email addresses", "vic@example.com").await;
        browser.press("Invite").await;
        browser.by_role("status", "1 of 1 invited.").await;
        browser.by_role("cell", "Invited as Member").await;
        browser.by_role("rowheader", "vic@example.com").await;

        // She cannot promote: no "Change role…" in a member's menu.
        browser.open_tab("Users").await;
        browser.press("Actions for bob").await;
        let offered = browser.names_of("button").await;
        assert!(offered.contains(&"Remove…".to_owned()), "{offered:?}");
        assert!(!offered.contains(&"Change role…".to_owned()), "{offered:?}");
        browser.close().await;

        let found = invitations(&app, &org).await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["role"], "MEMBER");
        assert_eq!(names(&found[0]["workspaces"]), ["W01", "W02"]);
        // The API refuses what the form did not offer.
        let admin = json!({ "o": org, "i": { "email": "al@example.com", "role": "ADMIN" } });
        assert_eq!(app.fails(Some(&uma.access), INVITE, admin).await, "FORBIDDEN");
        let eleven = json!({ "o": org, "i": { "email": "al@example.com", "workspaceIds": workspaces } });
        assert_eq!(app.fails(Some(&uma.access), INVITE, eleven).await, "VALIDATION");
        assert_eq!(invitations(&app, &org).await.len(), 1);
    }

    async fn an_admin_resends_a_lapsed_one_time_password_and_the_invitee_gets_in(app) {
        let (ada, org) = acme(&app).await;
        make(&app, &ada, &org, "createAssistant", "Bot").await;
        app.set_delivery(&ada, &org, "TEMPORARY_PASSWORD", None).await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.open_tab("Invite").await;
        browser.enter("Email addresses", "vic@example.com").await;
        browser.check("Bot").await;
        browser.press("Invite").await;
        browser.by_role("status", "1 of 1 invited.").await;
        let found = invitations(&app, &org).await;
        assert_eq!(found[0]["delivery"], "TEMPORARY_PASSWORD");
        assert_eq!(names(&found[0]["assistants"]), ["Bot"]);

        // The one-time password lapses after its 24 hours.
        let first = temporary_password(&app.mail_to("vic@example.com", 1).await);
        app.clock.advance(chrono::Duration::hours(25));
        let res = app.gql(None, LOG_IN, json!({ "e": "vic@example.com", "p": first })).await;
        assert!(error_code(&res).is_some(), "{res}");

        // A reload: the console's session is refreshed past the lapse.
        browser.goto(&format!("{}/console", app.base)).await;
        browser.open_tab("Invite").await;
        browser.press("Resend to vic@example.com").await;
        browser.by_role("status", "A new invitation went to vic@example.com; the one before no longer works.").await;
        let second = temporary_password(&app.mail_to("vic@example.com", 2).await);
        assert_ne!(first, second);
        browser.press("Log out").await;
        browser.by_role("heading", "Log in to Roster").await;

        browser.enter("Email", "vic@example.com").await;
        browser.enter("Password", &second).await;
        browser.press("Log in").await;
        browser.by_role("heading", "Choose a new password").await;
        browser.enter("New password", PASSWORD).await;
        browser.enter("Confirm new password", PASSWORD).await;
        browser.press("Change password").await;
        browser.by_role("heading", "Acme").await;
        browser.by_role("heading", "Users").await;
        browser.close().await;

        let vic = app.log_in("vic@example.com").await;
        let q = "query($o: ID!) { organization(id: $o) { viewerRole assistants { name } } }";
        let data = app.ok(Some(&vic.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"]["viewerRole"], "MEMBER");
        assert_eq!(names(&data["organization"]["assistants"]), ["Bot"]);
        let res = app.gql(None, LOG_IN, json!({ "e": "vic@example.com", "p": second })).await;
        assert!(error_code(&res).is_some(), "a one-time password works once: {res}");
    }

    async fn an_admin_revokes_an_invitation_and_is_offered_a_bigger_plan(app) {
        let (ada, org) = acme(&app).await;
        let uma = app.join(&org, "uma@example.com", "USER_ADMIN").await;
        app.invite(&ada, &org, "vic@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("vic@example.com", 1).await, &app.base);

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.open_tab("Invite").await;
        browser.press("Revoke the invitation to vic@example.com").await;
        browser.by_role("status", "The invitation to vic@example.com is revoked.").await;
        let preview = "query($t: String!) { invitationPreview(token: $t) { email } }";
        assert_eq!(app.fails(None, preview, json!({ "t": token })).await, "INVITATION_INVALID");

        // Ada and Uma and eight invitations take the plan's 10 seats.
        let q = "query($o: ID!) { organization(id: $o) { seatLimit } }";
        assert_eq!(app.ok(Some(&ada.access), q, json!({ "o": org })).await["organization"]["seatLimit"], 10);
        let eight: Vec<Value> = (1..=8).map(|n| json!({ "email": format!("p{n}@example.com") })).collect();
        app.ok(Some(&ada.access), INVITE_MANY, json!({ "o": org, "i": eight })).await;
        browser.enter("Email addresses", "zed@example.com").await;
        browser.press("Invite").await;
        browser.by_role("status", "0 of 1 invited.").await;
        browser.by_role("cell", "Every seat of the plan is taken. Change the plan to add people. (SEAT_LIMIT_REACHED)").await;
        let link = browser.by_role("link", "Change the plan on the Billing tab").await;
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        assert!(href.ends_with(&format!("#/{org}/billing")), "{href}");
        browser.audit("the Invite screen with its results and invitations").await;

        // A USER_ADMIN is told who can instead.
        browser.press("Log out").await;
        browser.by_role("heading", "Log in to Roster").await;
        browser.console_as(&app, "uma@example.com").await;
        browser.open_tab("Invite").await;
        browser.enter("Email addresses", "zed@example.com").await;
        browser.press("Invite").await;
        browser.by_role("status", "0 of 1 invited.").await;
        let links = browser.names_of("link").await;
        assert!(!links.contains(&"Change the plan on the Billing tab".to_owned()), "{links:?}");
        browser.close().await;

        let zed = json!({ "o": org, "i": { "email": "zed@example.com" } });
        assert_eq!(app.fails(Some(&uma.access), INVITE, zed).await, "SEAT_LIMIT_REACHED");
        assert!(invitations(&app, &org).await.iter().all(|i| i["email"] != "zed@example.com"));
    }

    async fn a_bulk_invite_answers_each_address(app) {
        let (_ada, org) = acme(&app).await;
        app.join(&org, "bob@example.com", "MEMBER").await;
        let bill = app.join(&org, "bill@example.com", "BILLING_ADMIN").await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.open_tab("Invite").await;
        browser.enter("Email addresses", "vic@example.com, not-an-email\nbob@example.com").await;
        browser.press("Invite").await;
        browser.by_role("status", "1 of 3 invited.").await;
        let cells = browser.names_of("cell").await;
        assert!(cells.contains(&"Invited as Member".to_owned()), "{cells:?}");
        assert!(cells.iter().any(|c| c.ends_with("(VALIDATION)")), "{cells:?}");
        assert!(cells.iter().any(|c| c.ends_with("(CONFLICT)")), "{cells:?}");
        // What failed stays in the box, to correct and send again.
        let left = browser.by_label("Email addresses").await.prop("value").await.unwrap();
        assert_eq!(left.as_deref(), Some("not-an-email\nbob@example.com"));

        // A BILLING_ADMIN may invite no one: no Invite tab, and the API refuses.
        browser.press("Log out").await;
        browser.by_role("heading", "Log in to Roster").await;
        browser.console_as(&app, "bill@example.com").await;
        browser.by_role("heading", "Users").await;
        let tabs = browser.names_of("link").await;
        assert!(!tabs.contains(&"Invite".to_owned()), "{tabs:?}");
        browser.close().await;
        let zed = json!({ "o": org, "i": { "email": "zed@example.com" } });
        assert_eq!(app.fails(Some(&bill.access), INVITE, zed).await, "FORBIDDEN");

        let found = invitations(&app, &org).await;
        let emails: Vec<&str> = found.iter().map(|i| i["email"].as_str().unwrap()).collect();
        assert_eq!(emails, ["vic@example.com"]);
    }
}
