//! The console's Workspaces, Assistants, Leads, Dashboard and Audit log
//! screens (docs/api/console.md) in Chromium with the network cut off but
//! for Roster, as the roles the seed help pages name; each flow is checked
//! again through the API, with a refusal.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use super::Browser;
use super::playground::OFFLINE;

const CREATE_ASSISTANT: &str =
    "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id } }";
const SET_USERS: &str =
    "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { id } }";
const CREATE_LEAD: &str = "mutation($o: ID!, $n: String!, $owner: ID) { createLead(organizationId: $o, input: { name: $n, ownerId: $owner }) { id } }";
const MANAGERS: &str =
    "query($o: ID!) { organization(id: $o) { assistants { name managers { user { email } } } } }";
const LEADS: &str = "query($o: ID!, $owner: ID) { organization(id: $o) { leads(ownerId: $owner) { totalCount edges { node { name } } } } }";
const WORKSPACES: &str = "query($o: ID!) { organization(id: $o) { workspaces { id name } } }";
const CREATE_WORKSPACE: &str =
    "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id } }";

async fn assistant(
    app: &TestApp,
    by: &Session,
    org: &str,
    name: &str,
    users: &[&Session],
) -> String {
    let data = app
        .ok(
            Some(&by.access),
            CREATE_ASSISTANT,
            json!({ "o": org, "n": name }),
        )
        .await;
    let id = data["createAssistant"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let users: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    app.ok(Some(&by.access), SET_USERS, json!({ "a": id, "u": users }))
        .await;
    id
}

async fn lead(app: &TestApp, by: &Session, org: &str, name: &str, owner: &Session) -> String {
    let data = app
        .ok(
            Some(&by.access),
            CREATE_LEAD,
            json!({ "o": org, "n": name, "owner": owner.user_id }),
        )
        .await;
    data["createLead"]["id"].as_str().expect("id").to_owned()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

both_backends! {
    async fn an_admin_makes_a_manager_who_then_sees_the_assistants_users_and_leads(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let carol = app.join(&org, "carol@example.com", "MEMBER").await;
        let dave = app.join(&org, "dave@example.com", "MEMBER").await;
        assistant(&app, &ada, &org, "Inbound", &[&dave]).await;
        lead(&app, &ada, &org, "Bob's lead", &bob).await;
        lead(&app, &ada, &org, "Carol's lead", &carol).await;
        let daves = lead(&app, &ada, &org, "Dave's lead", &dave).await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("heading", "Users").await;
        browser.tab("Assistants").await;
        browser.enter("New assistant name", "Outreach").await;
        browser.press("Create assistant").await;
        browser.by_role("status", "Assistant Outreach is created.").await;
        browser.press("Users of Outreach…").await;
        browser.by_role("dialog", "Users of Outreach").await;
        browser.by_label("bob (bob@example.com)").await.click().await.expect("tick bob");
        browser.by_label("carol (carol@example.com)").await.click().await.expect("tick carol");
        browser.press("Save").await;
        browser.by_role("status", "The users of Outreach are saved.").await;
        browser.by_role("row", "Outreach bob Make bob manager of Outreach carol Make carol manager of Outreach Users of Outreach…").await;

        browser.tab("Users").await;
        browser.press("Actions for bob").await;
        browser.press("Assistant manager…").await;
        browser.by_role("dialog", "Assistant manager: bob").await;
        browser.by_label("Outreach").await.click().await.expect("tick Outreach");
        browser.press("Save").await;
        browser.by_role("status", "bob's assistants are saved.").await;
        browser.close().await;
        let managers = app.ok(Some(&ada.access), MANAGERS, json!({ "o": org })).await;
        for a in managers["organization"]["assistants"].as_array().expect("assistants") {
            let emails: Vec<&str> = a["managers"].as_array().unwrap().iter().map(|m| m["user"]["email"].as_str().unwrap()).collect();
            let expected: &[&str] = if a["name"] == "Outreach" { &["bob@example.com"] } else { &[] };
            assert_eq!(emails, expected, "{a}");
        }

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "bob@example.com").await;
        browser.by_role("heading", "Users").await;
        let rows = browser.until("rowheader", |r| r.len() == 2).await;
        assert!(rows[0].starts_with("bob") && rows[1].starts_with("carol"), "{rows:?}");
        let tabs = browser.names_of("link").await;
        for shown in ["Users", "Workspaces", "Assistants", "Leads", "Dashboard"] {
            assert!(tabs.iter().any(|t| t == shown), "{shown} in {tabs:?}");
        }
        assert!(!tabs.iter().any(|t| t == "Audit log"), "{tabs:?}");

        browser.tab("Assistants").await;
        browser.by_role("rowheader", "Outreach").await;
        assert_eq!(browser.names_of("rowheader").await, ["Outreach"]);
        let row = browser.by_role("row", "Outreach bob (manager) carol").await;
        assert!(row.is_displayed().await.unwrap());
        let buttons = browser.names_of("button").await;
        assert!(!buttons.iter().any(|b| b.starts_with("Create") || b.starts_with("Make") || b.starts_with("Users of")), "{buttons:?}");

        browser.tab("Leads").await;
        let leads = browser.until("rowheader", |r| r.len() == 2).await;
        assert_eq!(leads, ["Carol's lead", "Bob's lead"]);
        browser.close().await;

        let seen = app.ok(Some(&bob.access), LEADS, json!({ "o": org })).await;
        assert_eq!(seen["organization"]["leads"]["totalCount"], 2);
        let code = app
            .fails(Some(&bob.access), "mutation($id: ID!) { updateLead(id: $id, input: { name: \"Mine\" }) { id } }", json!({ "id": daves }))
            .await;
        assert_eq!(code, "NOT_FOUND");
        let code = app
            .fails(Some(&bob.access), "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Mine\") { id } }", json!({ "o": org }))
            .await;
        assert_eq!(code, "FORBIDDEN");
    }

    async fn a_user_admin_manages_workspaces_and_a_member_sees_only_its_own(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        app.join(&org, "uma@example.com", "USER_ADMIN").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let south = app.ok(Some(&ada.access), CREATE_WORKSPACE, json!({ "o": org, "n": "South" })).await;
        let south = south["createWorkspace"]["id"].as_str().unwrap().to_owned();
        app.ok(Some(&ada.access), CREATE_WORKSPACE, json!({ "o": org, "n": "West" })).await;
        app.ok(
            Some(&ada.access),
            "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { id } }",
            json!({ "o": org, "u": mia.user_id, "w": [south] }),
        )
        .await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "uma@example.com").await;
        browser.by_role("heading", "Users").await;
        let tabs = browser.names_of("link").await;
        assert!(tabs.iter().any(|t| t == "Workspaces") && tabs.iter().any(|t| t == "Audit log"), "{tabs:?}");
        assert!(!tabs.iter().any(|t| ["Assistants", "Leads", "Dashboard"].contains(&t.as_str())), "{tabs:?}");
        browser.tab("Workspaces").await;
        browser.by_role("rowheader", "West").await;
        browser.enter("New workspace name", "North").await;
        browser.press("Create workspace").await;
        browser.by_role("status", "Workspace North is created.").await;
        browser.press("Rename North").await;
        browser.by_role("dialog", "Rename workspace North").await;
        browser.enter("New name", "North East").await;
        browser.press("Save").await;
        browser.by_role("status", "North is now North East.").await;
        browser.by_role("rowheader", "North East").await;
        browser.close().await;
        let all = app.ok(Some(&ada.access), WORKSPACES, json!({ "o": org })).await;
        let mut seen = names(&all["organization"]["workspaces"], "name");
        seen.sort();
        assert_eq!(seen, ["North East", "South", "West"]);

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "mia@example.com").await;
        browser.by_role("heading", "Users").await;
        browser.tab("Workspaces").await;
        browser.by_role("rowheader", "South").await;
        assert_eq!(browser.names_of("rowheader").await, ["South"]);
        let buttons = browser.names_of("button").await;
        assert!(!buttons.iter().any(|b| b.contains("Create") || b.starts_with("Rename") || b.starts_with("Delete")), "{buttons:?}");
        assert!(browser.names_of("textbox").await.is_empty());
        browser.close().await;
        let own = app.ok(Some(&mia.access), WORKSPACES, json!({ "o": org })).await;
        assert_eq!(names(&own["organization"]["workspaces"], "name"), ["South"]);
        let code = app.fails(Some(&mia.access), CREATE_WORKSPACE, json!({ "o": org, "n": "Mine" })).await;
        assert_eq!(code, "FORBIDDEN");
    }

    async fn an_admin_reassigns_a_lead_and_sees_it_on_the_dashboard_and_the_log(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let carol = app.join(&org, "carol@example.com", "MEMBER").await;
        let uma = app.join(&org, "uma@example.com", "USER_ADMIN").await;
        lead(&app, &ada, &org, "B1", &bob).await;
        lead(&app, &ada, &org, "B2", &bob).await;
        lead(&app, &ada, &org, "C1", &carol).await;
        app.ok(Some(&ada.access), CREATE_WORKSPACE, json!({ "o": org, "n": "South" })).await;
        app.ok(
            Some(&ada.access),
            "mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: BILLING_ADMIN) { id } }",
            json!({ "o": org, "u": uma.user_id }),
        )
        .await;

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("heading", "Users").await;
        browser.tab("Leads").await;
        browser.until("rowheader", |r| r.len() == 3).await;
        browser.press("Reassign B1…").await;
        browser.by_role("dialog", "Reassign B1").await;
        browser.choose("New owner", "carol (carol@example.com)").await;
        browser.press("Reassign").await;
        browser.by_role("status", "B1 now belongs to carol.").await;
        browser.choose("Owner", "carol").await;
        browser.until("rowheader", |r| r == ["C1", "B1"]).await;

        browser.tab("Dashboard").await;
        browser.by_role("row", "carol 2").await;
        browser.by_role("row", "bob 1").await;
        assert_eq!(browser.names_of("rowheader").await, ["carol", "bob"]);

        browser.tab("Audit log").await;
        let actions = browser.until("cell", |c| c.iter().any(|n| n == "member.role_changed")).await;
        assert!(actions.iter().any(|n| n == "workspace.created"), "{actions:?}");
        browser.choose("Action", "workspace.created").await;
        let filtered = browser.until("cell", |c| !c.iter().any(|n| n == "member.role_changed")).await;
        assert!(filtered.iter().any(|n| n == "workspace.created"), "{filtered:?}");
        assert_eq!(browser.names_of("rowheader").await.len(), 1);
        browser.close().await;

        let carols = app.ok(Some(&ada.access), LEADS, json!({ "o": org, "owner": carol.user_id })).await;
        let nodes = carols["organization"]["leads"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect();
        let mut moved = names(&Value::Array(nodes), "name");
        moved.sort();
        assert_eq!(moved, ["B1", "C1"]);
        let code = app.fails(Some(&uma.access), LEADS, json!({ "o": org })).await;
        assert_eq!(code, "FORBIDDEN");
        let code = app.fails(Some(&uma.access), "query($o: ID!) { organization(id: $o) { dashboard { totalLeads } } }", json!({ "o": org })).await;
        assert_eq!(code, "FORBIDDEN");
    }

    async fn the_dashboard_pages_leads_per_owner_largest_first(app) {
        let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
        let org = app.create_org(&ada, "Acme").await;
        for i in 1..=12 {
            let owner = app.seed_user(&format!("owner{i:02}@example.com"), &format!("Owner {i:02}")).await;
            app.seed_membership(&org, &owner, "MEMBER", "ACTIVE").await;
            app.seed_leads(&org, Some(&owner), i).await;
        }
        let first: Vec<String> = (3..=12).rev().map(|i| format!("Owner {i:02}")).collect();

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.by_role("heading", "Users").await;
        browser.tab("Dashboard").await;
        browser.by_role("row", "Owner 12 12").await;
        assert_eq!(browser.names_of("rowheader").await, first);
        browser.press("Next owners").await;
        browser.until("rowheader", |r| r == ["Owner 02", "Owner 01"]).await;
        browser.by_role("row", "Owner 01 1").await;
        browser.press("Previous owners").await;
        browser.until("rowheader", |r| r == first.as_slice()).await;
        browser.close().await;

        let data = app
            .ok(
                Some(&ada.access),
                "query($o: ID!) { organization(id: $o) { dashboard { totalLeads leadsByOwnerConnection(first: 10) { edges { node { label } } } } } }",
                json!({ "o": org }),
            )
            .await;
        let dashboard = &data["organization"]["dashboard"];
        assert_eq!(dashboard["totalLeads"], 78);
        let nodes = dashboard["leadsByOwnerConnection"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect();
        assert_eq!(names(&Value::Array(nodes), "label"), first);
    }
}
