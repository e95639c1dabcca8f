//! Assistant managers (rules.md §2, §6): an ADMIN makes a user assigned to
//! an assistant its manager, who then sees every user of that assistant in
//! the member list, and `Member.managedAssistants` / `Assistant.managers`.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use crate::member_admin::{Acme, acme, audits};

pub const SET_MANAGER: &str = "mutation($a: ID!, $u: ID!, $m: Boolean!) { setAssistantManager(assistantId: $a, \
    userId: $u, manager: $m) { id name managers { user { email } } } }";
const CREATE_AS: &str =
    "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id } }";
const SET_USERS: &str =
    "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { id } }";
const MEMBERS: &str = "query($o: ID!) { organization(id: $o) { members(first: 100) { totalCount \
    edges { node { user { email } managedAssistants { name } } } } } }";
const ASSISTANTS: &str = "query($o: ID!) { organization(id: $o) { assistants { name \
    users { user { email } } managers { user { email } } } } }";

/// Acme, plus Mia (manager of North), Tom (on North), Zoe (on South), all
/// ACTIVE MEMBERs.
pub struct Team {
    pub a: Acme,
    pub mia: Session,
    pub tom: Session,
    pub zoe: Session,
    pub north: String,
    pub south: String,
}

pub async fn create_assistant(
    app: &TestApp,
    by: &Session,
    org: &str,
    name: &str,
    users: &[&Session],
) -> String {
    let data = app
        .ok(Some(&by.access), CREATE_AS, json!({ "o": org, "n": name }))
        .await;
    let id = data["createAssistant"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let ids: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    app.ok(Some(&by.access), SET_USERS, json!({ "a": id, "u": ids }))
        .await;
    id
}

pub async fn set_manager(
    app: &TestApp,
    by: &Session,
    assistant: &str,
    user: &Session,
    manager: bool,
) -> Value {
    app.ok(
        Some(&by.access),
        SET_MANAGER,
        json!({ "a": assistant, "u": user.user_id, "m": manager }),
    )
    .await["setAssistantManager"]
        .clone()
}

pub async fn team(app: &TestApp) -> Team {
    let a = acme(app).await;
    let mia = app.join(&a.org, "mia@example.com", "MEMBER").await;
    let tom = app.join(&a.org, "tom@example.com", "MEMBER").await;
    let zoe = app.join(&a.org, "zoe@example.com", "MEMBER").await;
    let north = create_assistant(app, &a.ada, &a.org, "North", &[&mia, &tom]).await;
    let south = create_assistant(app, &a.ada, &a.org, "South", &[&zoe]).await;
    set_manager(app, &a.ada, &north, &mia, true).await;
    Team {
        a,
        mia,
        tom,
        zoe,
        north,
        south,
    }
}

/// The emails of the member list `s` sees in `org`, sorted, and its total.
pub async fn member_emails(app: &TestApp, s: &Session, org: &str) -> (Vec<String>, i64) {
    let data = app.ok(Some(&s.access), MEMBERS, json!({ "o": org })).await;
    let list = &data["organization"]["members"];
    let mut emails: Vec<String> = list["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            e["node"]["user"]["email"]
                .as_str()
                .expect("email")
                .to_owned()
        })
        .collect();
    emails.sort();
    (emails, list["totalCount"].as_i64().expect("totalCount"))
}

fn emails(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["user"]["email"].as_str().expect("email").to_owned())
        .collect();
    v.sort();
    v
}

/// The assistant named `name` as `s` sees it in `org`.
async fn assistant(app: &TestApp, s: &Session, org: &str, name: &str) -> Value {
    let data = app
        .ok(Some(&s.access), ASSISTANTS, json!({ "o": org }))
        .await;
    data["organization"]["assistants"]
        .as_array()
        .expect("assistants")
        .iter()
        .find(|a| a["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} not listed: {data}"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

both_backends! {
    async fn an_admin_makes_an_assigned_user_manager_once_with_its_audit_event(app) {
        let t = team(&app).await;
        assert_eq!(audits(&app, "assistant.manager_set").await, 1);
        let detail = "select count(*) from audit_event where action = 'assistant.manager_set' \
                      and detail like '%\"before\":{\"manager\":false}%' and detail like '%\"after\":{\"manager\":true}%'";
        assert_eq!(app.count_sql(detail).await, 1);
        // Making Tom a manager too, by another ADMIN: both are listed.
        let set = set_manager(&app, &t.a.bob, &t.north, &t.tom, true).await;
        assert_eq!(set["name"], "North");
        assert_eq!(emails(&set["managers"]), strings(&["mia@example.com", "tom@example.com"]));
        // What already holds is a no-op: no event.
        set_manager(&app, &t.a.ada, &t.north, &t.tom, true).await;
        assert_eq!(audits(&app, "assistant.manager_set").await, 2);
        // Unsetting.
        let unset = set_manager(&app, &t.a.ada, &t.north, &t.tom, false).await;
        assert_eq!(emails(&unset["managers"]), strings(&["mia@example.com"]));
        assert_eq!(audits(&app, "assistant.manager_unset").await, 1);
        set_manager(&app, &t.a.ada, &t.north, &t.tom, false).await;
        assert_eq!(audits(&app, "assistant.manager_unset").await, 1);
        // Member.managedAssistants, as the admin sees the list.
        let data = app.ok(Some(&t.a.ada.access), MEMBERS, json!({ "o": t.a.org })).await;
        for edge in data["organization"]["members"]["edges"].as_array().unwrap() {
            let managed = edge["node"]["managedAssistants"].clone();
            match edge["node"]["user"]["email"].as_str().unwrap() {
                "mia@example.com" => assert_eq!(managed, json!([{ "name": "North" }])),
                _ => assert_eq!(managed, json!([])),
            }
        }
    }

    async fn only_an_admin_makes_managers(app) {
        let t = team(&app).await;
        for who in [&t.a.uma, &t.a.bill, &t.mia, &t.tom] {
            let vars = json!({ "a": t.north, "u": t.tom.user_id, "m": true });
            assert_eq!(app.fails(Some(&who.access), SET_MANAGER, vars).await, "FORBIDDEN");
        }
        let vars = json!({ "a": t.north, "u": t.tom.user_id, "m": true });
        assert_eq!(app.fails(None, SET_MANAGER, vars).await, "UNAUTHENTICATED");
        // A BLOCKED admin, at once.
        app.set_membership_status(&t.a.org, &t.a.bob.user_id, "BLOCKED").await;
        let vars = json!({ "a": t.north, "u": t.tom.user_id, "m": true });
        assert_eq!(app.fails(Some(&t.a.bob.access), SET_MANAGER, vars).await, "FORBIDDEN");
        let north = assistant(&app, &t.a.ada, &t.a.org, "North").await;
        assert_eq!(emails(&north["managers"]), strings(&["mia@example.com"]));
        assert_eq!(audits(&app, "assistant.manager_set").await, 1);
    }

    async fn the_user_must_be_assigned_to_the_assistant(app) {
        let t = team(&app).await;
        // Zoe is on South, Bob on none: VALIDATION.
        for (user, assistant) in [(&t.zoe, &t.north), (&t.a.bob, &t.north), (&t.mia, &t.south)] {
            let vars = json!({ "a": assistant, "u": user.user_id, "m": true });
            assert_eq!(app.fails(Some(&t.a.ada.access), SET_MANAGER, vars).await, "VALIDATION");
        }
        // Nobody, or a user of another organization: NOT_FOUND, like every
        // object of another organization.
        let vars = json!({ "a": t.north, "u": "not-an-id", "m": true });
        assert_eq!(app.fails(Some(&t.a.ada.access), SET_MANAGER, vars).await, "NOT_FOUND");
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let other = app.create_org(&eve, "Other").await;
        let theirs = create_assistant(&app, &eve, &other, "Theirs", &[&eve]).await;
        let vars = json!({ "a": t.north, "u": eve.user_id, "m": true });
        assert_eq!(app.fails(Some(&t.a.ada.access), SET_MANAGER, vars).await, "NOT_FOUND");
        // Another organization's assistant, or none: NOT_FOUND.
        for a in [theirs.as_str(), "0190a0a0-0000-7000-8000-000000000000", "nope"] {
            let vars = json!({ "a": a, "u": eve.user_id, "m": true });
            assert_eq!(app.fails(Some(&t.a.ada.access), SET_MANAGER, vars).await, "NOT_FOUND", "{a}");
        }
        assert_eq!(audits(&app, "assistant.manager_set").await, 1);
        let north = assistant(&app, &t.a.ada, &t.a.org, "North").await;
        assert_eq!(emails(&north["managers"]), strings(&["mia@example.com"]));
    }

    async fn a_manager_sees_its_assistants_users_and_nothing_else(app) {
        let t = team(&app).await;
        let (seen, total) = member_emails(&app, &t.mia, &t.a.org).await;
        assert_eq!(seen, strings(&["mia@example.com", "tom@example.com"]));
        assert_eq!(total, 2);
        // A non-manager MEMBER sees itself only.
        for (who, email) in [(&t.tom, "tom@example.com"), (&t.zoe, "zoe@example.com"), (&t.a.carl, "carl@example.com")] {
            assert_eq!(member_emails(&app, who, &t.a.org).await, (strings(&[email]), 1));
        }
        // Assistant.users and managers: the manager sees them all.
        let north = assistant(&app, &t.mia, &t.a.org, "North").await;
        assert_eq!(emails(&north["users"]), strings(&["mia@example.com", "tom@example.com"]));
        assert_eq!(emails(&north["managers"]), strings(&["mia@example.com"]));
        // Tom sees itself on North, and not its manager.
        let north = assistant(&app, &t.tom, &t.a.org, "North").await;
        assert_eq!(emails(&north["users"]), strings(&["tom@example.com"]));
        assert_eq!(emails(&north["managers"]), Vec::<String>::new());
        // Zoe joins North: Mia sees her too; South stays out of Mia's sight.
        app.ok(Some(&t.a.ada.access), SET_USERS, json!({ "a": t.north, "u": [t.mia.user_id, t.tom.user_id, t.zoe.user_id] })).await;
        assert_eq!(member_emails(&app, &t.mia, &t.a.org).await.1, 3);
        let data = app.ok(Some(&t.mia.access), ASSISTANTS, json!({ "o": t.a.org })).await;
        assert_eq!(data["organization"]["assistants"].as_array().unwrap().len(), 1);
        // No longer manager: itself only.
        set_manager(&app, &t.a.ada, &t.north, &t.mia, false).await;
        assert_eq!(member_emails(&app, &t.mia, &t.a.org).await, (strings(&["mia@example.com"]), 1));
    }

    async fn a_blocked_manager_sees_nothing(app) {
        let t = team(&app).await;
        app.set_membership_status(&t.a.org, &t.mia.user_id, "BLOCKED").await;
        assert_eq!(app.fails(Some(&t.mia.access), MEMBERS, json!({ "o": t.a.org })).await, "FORBIDDEN");
    }
}
