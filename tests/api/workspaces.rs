//! Workspaces and assistants: who manages them, who sees them, who is
//! assigned to them (rules.md §2 and §6).

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

const CREATE_WS: &str =
    "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id name } }";
const RENAME_WS: &str =
    "mutation($id: ID!, $n: String!) { renameWorkspace(id: $id, name: $n) { id name } }";
const DELETE_WS: &str = "mutation($id: ID!) { deleteWorkspace(id: $id) }";
const SET_WS: &str = "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { workspaces { name } } }";
const CREATE_AS: &str =
    "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id name } }";
const SET_USERS: &str = "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { name users { user { email } } } }";
const WORKSPACES: &str = "query($o: ID!) { organization(id: $o) { workspaces { name } } }";

async fn org(app: &TestApp) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    (ada, org)
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|w| w["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

async fn workspace_names(app: &TestApp, s: &Session, org: &str) -> Vec<String> {
    names(
        &app.ok(Some(&s.access), WORKSPACES, json!({ "o": org }))
            .await["organization"]["workspaces"],
    )
}

both_backends! {
    async fn user_admins_and_admins_manage_workspaces_and_no_one_else(app) {
        let (ada, org) = org(&app).await;
        let users = app.join(&org, "users@example.com", "USER_ADMIN").await;
        let billing = app.join(&org, "billing@example.com", "BILLING_ADMIN").await;
        let plain = app.join(&org, "plain@example.com", "MEMBER").await;
        let sales = app.ok(Some(&users.access), CREATE_WS, json!({ "o": org, "n": "Sales" })).await["createWorkspace"].clone();
        app.ok(Some(&ada.access), CREATE_WS, json!({ "o": org, "n": "Support" })).await;
        for s in [&billing, &plain] {
            assert_eq!(app.fails(Some(&s.access), CREATE_WS, json!({ "o": org, "n": "Mine" })).await, "FORBIDDEN");
            assert_eq!(app.fails(Some(&s.access), RENAME_WS, json!({ "id": sales["id"], "n": "Mine" })).await, "FORBIDDEN");
            assert_eq!(app.fails(Some(&s.access), DELETE_WS, json!({ "id": sales["id"] })).await, "FORBIDDEN");
        }
        assert_eq!(workspace_names(&app, &ada, &org).await, ["Sales", "Support"]);
        let renamed = app.ok(Some(&users.access), RENAME_WS, json!({ "id": sales["id"], "n": "Deals" })).await;
        assert_eq!(renamed["renameWorkspace"]["name"], "Deals");
        for bad in ["", "   ", &"x".repeat(200)] {
            assert_eq!(app.fails(Some(&users.access), RENAME_WS, json!({ "id": sales["id"], "n": bad })).await, "VALIDATION");
            assert_eq!(app.fails(Some(&users.access), CREATE_WS, json!({ "o": org, "n": bad })).await, "VALIDATION");
        }
        assert_eq!(app.ok(Some(&users.access), DELETE_WS, json!({ "id": sales["id"] })).await["deleteWorkspace"], true);
        assert_eq!(workspace_names(&app, &billing, &org).await, ["Support"]);
        assert_eq!(app.fails(Some(&users.access), DELETE_WS, json!({ "id": sales["id"] })).await, "NOT_FOUND");
    }

    async fn a_member_sees_only_its_workspaces_and_user_admins_assign_them(app) {
        let (ada, org) = org(&app).await;
        let users = app.join(&org, "users@example.com", "USER_ADMIN").await;
        let plain = app.join(&org, "plain@example.com", "MEMBER").await;
        let other = app.join(&org, "other@example.com", "MEMBER").await;
        let mut ids = Vec::new();
        for name in ["North", "South", "West"] {
            ids.push(app.ok(Some(&ada.access), CREATE_WS, json!({ "o": org, "n": name })).await["createWorkspace"]["id"].clone());
        }
        assert!(workspace_names(&app, &plain, &org).await.is_empty());
        let set = app.ok(Some(&users.access), SET_WS, json!({ "o": org, "u": plain.user_id, "w": [ids[0], ids[2]] })).await;
        assert_eq!(names(&set["setMemberWorkspaces"]["workspaces"]), ["North", "West"]);
        assert_eq!(workspace_names(&app, &plain, &org).await, ["North", "West"]);
        assert_eq!(workspace_names(&app, &users, &org).await, ["North", "South", "West"]);
        app.ok(Some(&users.access), SET_WS, json!({ "o": org, "u": other.user_id, "w": [ids[0]] })).await;
        // A member neither assigns workspaces nor reads another's.
        assert_eq!(app.fails(Some(&plain.access), SET_WS, json!({ "o": org, "u": plain.user_id, "w": ids })).await, "FORBIDDEN");
        assert_eq!(workspace_names(&app, &plain, &org).await, ["North", "West"]);
        let q = "query($o: ID!) { organization(id: $o) { workspaces { name members { user { email } } } } }";
        let seen = app.ok(Some(&plain.access), q, json!({ "o": org })).await;
        assert_eq!(seen["organization"]["workspaces"][0]["members"], json!([{ "user": { "email": "plain@example.com" } }]));
        let all = app.ok(Some(&users.access), q, json!({ "o": org })).await;
        assert_eq!(all["organization"]["workspaces"][0]["members"].as_array().map(Vec::len), Some(2));
        // Setting replaces; an empty list clears.
        app.ok(Some(&users.access), SET_WS, json!({ "o": org, "u": plain.user_id, "w": [ids[1]] })).await;
        assert_eq!(workspace_names(&app, &plain, &org).await, ["South"]);
        app.ok(Some(&users.access), SET_WS, json!({ "o": org, "u": plain.user_id, "w": [] })).await;
        assert!(workspace_names(&app, &plain, &org).await.is_empty());
        // Another organization's workspace, or a stranger, is not found and nothing changes.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let evil = app.create_org(&eve, "Evil").await;
        let theirs = app.ok(Some(&eve.access), CREATE_WS, json!({ "o": evil, "n": "Theirs" })).await["createWorkspace"]["id"].clone();
        assert_eq!(app.fails(Some(&users.access), SET_WS, json!({ "o": org, "u": plain.user_id, "w": [ids[0], theirs] })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&users.access), SET_WS, json!({ "o": org, "u": eve.user_id, "w": [ids[0]] })).await, "NOT_FOUND");
        assert!(workspace_names(&app, &plain, &org).await.is_empty());
        assert_eq!(app.fails(Some(&ada.access), RENAME_WS, json!({ "id": theirs, "n": "Mine" })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&ada.access), DELETE_WS, json!({ "id": theirs })).await, "NOT_FOUND");
    }

    async fn only_admins_manage_assistants(app) {
        let (ada, org) = org(&app).await;
        let users = app.join(&org, "users@example.com", "USER_ADMIN").await;
        let billing = app.join(&org, "billing@example.com", "BILLING_ADMIN").await;
        let plain = app.join(&org, "plain@example.com", "MEMBER").await;
        for s in [&users, &billing, &plain] {
            assert_eq!(app.fails(Some(&s.access), CREATE_AS, json!({ "o": org, "n": "Bot" })).await, "FORBIDDEN");
        }
        let bot = app.ok(Some(&ada.access), CREATE_AS, json!({ "o": org, "n": "Bot" })).await["createAssistant"].clone();
        assert_eq!(bot["name"], "Bot");
        for s in [&users, &billing, &plain] {
            assert_eq!(app.fails(Some(&s.access), SET_USERS, json!({ "a": bot["id"], "u": [plain.user_id] })).await, "FORBIDDEN");
        }
        let set = app.ok(Some(&ada.access), SET_USERS, json!({ "a": bot["id"], "u": [plain.user_id, users.user_id] })).await;
        let mut emails: Vec<String> = set["setAssistantUsers"]["users"].as_array().unwrap().iter().map(|u| u["user"]["email"].as_str().unwrap().to_owned()).collect();
        emails.sort();
        assert_eq!(emails, ["plain@example.com", "users@example.com"]);
        // The member sees its assistant on itself.
        let q = "query($o: ID!) { organization(id: $o) { members { edges { node { user { email } assistants { name } } } } } }";
        let data = app.ok(Some(&plain.access), q, json!({ "o": org })).await;
        let me = &data["organization"]["members"]["edges"][0]["node"];
        assert_eq!(me["user"]["email"], "plain@example.com");
        assert_eq!(me["assistants"], json!([{ "name": "Bot" }]));
        // Someone outside the organization cannot be assigned; nothing changes.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        assert_eq!(app.fails(Some(&ada.access), SET_USERS, json!({ "a": bot["id"], "u": [plain.user_id, eve.user_id] })).await, "NOT_FOUND");
        let q = "query($o: ID!) { organization(id: $o) { assistants { name users { user { email } } } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"]["assistants"][0]["users"].as_array().map(Vec::len), Some(2));
        // Another organization's admin does not find this assistant.
        app.create_org(&eve, "Evil").await;
        assert_eq!(app.fails(Some(&eve.access), SET_USERS, json!({ "a": bot["id"], "u": [] })).await, "NOT_FOUND");
    }
}
