//! Restoring a deleted organization through the API (rules.md §8,
//! docs/api/lifecycle.md): the owner, within 30 days, gets back exactly what was there
//! (members with their roles and statuses, workspaces, assistants, leads
//! and their assignments); the invitations the deletion revoked stay
//! revoked; anyone else is refused with the exact code; and
//! `deletedOrganizations` lists what the caller may restore.

use chrono::Duration;

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use super::deletion::{DELETE, membership_orgs, org_vars};
use super::member_admin::{BLOCK, acme, audits};

pub const RESTORE: &str =
    "mutation($o: ID!) { restoreOrganization(id: $o) { id name viewerRole } }";
const DELETED: &str = "{ deletedOrganizations { id name deletedAt purgeAfter deletedBy { id } } }";
/// Everything a restore must bring back, as the owner sees it (in parts,
/// each under the query cost limit).
const SNAPSHOT: [&str; 4] = [
    "query($o: ID!) { organization(id: $o) { name plan invitationDelivery invitationTtlHours \
      members(first: 20) { totalCount edges { node { id role status isOwner joinedAt user { id } } } } } }",
    "query($o: ID!) { organization(id: $o) { members(first: 20) { edges { node { id \
      workspaces { id } assistants { id } managedAssistants { id } } } } } }",
    "query($o: ID!) { organization(id: $o) { workspaces { id name members { id } } \
      assistants { id name users { id } managers { id } } } }",
    "query($o: ID!) { organization(id: $o) { leads(first: 20) { totalCount \
      edges { node { id name status owner { id } assistant { id } workspace { id } } } } } }",
];

async fn snapshot(app: &TestApp, owner: &Session, org: &str) -> Value {
    let mut parts = Vec::new();
    for q in SNAPSHOT {
        parts.push(app.ok(Some(&owner.access), q, org_vars(org)).await["organization"].clone());
    }
    json!(parts)
}

/// The member list without the INVITED (pending invitations, which the
/// deletion revokes for good).
fn without_invited(mut snapshot: Value) -> Value {
    let invited: Vec<Value> = snapshot[0]["members"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["node"]["status"] == "INVITED")
        .map(|e| e["node"]["id"].clone())
        .collect();
    for part in [0, 1] {
        let members = &mut snapshot[part]["members"];
        let edges: Vec<Value> = members["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| !invited.contains(&e["node"]["id"]))
            .cloned()
            .collect();
        if part == 0 {
            members["totalCount"] = json!(edges.len());
        }
        members["edges"] = json!(edges);
    }
    snapshot
}

async fn deleted_list(app: &TestApp, who: &Session) -> Value {
    app.ok(Some(&who.access), DELETED, json!({})).await["deletedOrganizations"].clone()
}

both_backends! {
    async fn the_owner_gets_back_exactly_what_was_there(app) {
        let a = acme(&app).await;
        let ada = &a.ada;
        let ws = app.ok(Some(&ada.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            org_vars(&a.org)).await["createWorkspace"]["id"].clone();
        app.ok(Some(&ada.access), "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { role } }",
            json!({ "o": a.org, "u": a.carl.user_id, "w": [ws] })).await;
        let bot = app.ok(Some(&ada.access), "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Bot\") { id } }",
            org_vars(&a.org)).await["createAssistant"]["id"].clone();
        app.ok(Some(&ada.access), "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { name } }",
            json!({ "a": bot, "u": [a.carl.user_id, a.bob.user_id] })).await;
        app.ok(Some(&ada.access), "mutation($a: ID!, $u: ID!) { setAssistantManager(assistantId: $a, userId: $u, manager: true) { name } }",
            json!({ "a": bot, "u": a.carl.user_id })).await;
        app.ok(Some(&ada.access), "mutation($o: ID!, $u: ID!, $a: ID!, $w: ID!) { createLead(organizationId: $o, \
            input: { name: \"Big deal\", status: \"WON\", ownerId: $u, assistantId: $a, workspaceId: $w }) { id } }",
            json!({ "o": a.org, "u": a.carl.user_id, "a": bot, "w": ws })).await;
        app.seed_leads(&a.org, Some(&a.bob.user_id), 3).await;
        app.seed_leads(&a.org, None, 2).await;
        app.ok(Some(&ada.access), BLOCK, json!({ "o": a.org, "u": a.uma.user_id })).await;
        app.invite(ada, &a.org, "dan@example.com", "MEMBER").await;
        let before = snapshot(&app, ada, &a.org).await;
        assert_eq!(before[0]["members"]["totalCount"], 6, "{before}");

        // Bob (an ADMIN, not the owner) deletes; only Ada may restore.
        app.ok(Some(&a.bob.access), DELETE, org_vars(&a.org)).await;
        let listed = deleted_list(&app, ada).await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!((listed[0]["id"].as_str(), listed[0]["name"].as_str()), (Some(a.org.as_str()), Some("Acme")));
        assert_eq!(listed[0]["deletedBy"]["id"], a.bob.user_id.as_str());
        let deleted_at = chrono::DateTime::parse_from_rfc3339(listed[0]["deletedAt"].as_str().expect("deletedAt")).expect("time");
        let purge_after = chrono::DateTime::parse_from_rfc3339(listed[0]["purgeAfter"].as_str().expect("purgeAfter")).expect("time");
        assert_eq!(purge_after - deleted_at, Duration::days(30));
        assert_eq!(deleted_list(&app, &a.bob).await, json!([]));
        for who in [&a.bob, &a.bill, &a.carl] {
            assert_eq!(app.fails(Some(&who.access), RESTORE, org_vars(&a.org)).await, "FORBIDDEN");
        }
        // Uma is BLOCKED: refused like for everything else.
        assert_eq!(app.fails(Some(&a.uma.access), RESTORE, org_vars(&a.org)).await, "FORBIDDEN");
        let nina = app.sign_up("nina@example.com", "Nina").await;
        assert_eq!(app.fails(Some(&nina.access), RESTORE, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(app.fails(None, RESTORE, org_vars(&a.org)).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(Some(&ada.access), RESTORE, json!({ "o": "not-an-id" })).await, "NOT_FOUND");
        assert_eq!(audits(&app, "organization.restored").await, 0);

        let restored = app.ok(Some(&ada.access), RESTORE, org_vars(&a.org)).await;
        assert_eq!(restored["restoreOrganization"], json!({ "id": a.org, "name": "Acme", "viewerRole": "ADMIN" }));
        assert_eq!(audits(&app, "organization.restored").await, 1);

        // Exactly what was there, but the invitation: it stays revoked.
        let after = snapshot(&app, ada, &a.org).await;
        assert_eq!(after, without_invited(before));
        let q = "query($o: ID!) { organization(id: $o) { seatsUsed invitations { edges { node { email status } } } } }";
        let data = app.ok(Some(&ada.access), q, org_vars(&a.org)).await;
        assert_eq!(data["organization"]["invitations"]["edges"], json!([{ "node": { "email": "dan@example.com", "status": "REVOKED" } }]));
        assert_eq!(data["organization"]["seatsUsed"], 4);
        // The members' live tokens work again; the list of what to restore is empty.
        assert!(membership_orgs(&app, &a.carl).await.contains(&a.org));
        app.ok(Some(&a.carl.access), "query($o: ID!) { organization(id: $o) { leads { totalCount } } }", org_vars(&a.org)).await;
        assert_eq!(deleted_list(&app, ada).await, json!([]));
        // Not deleted (any more): CONFLICT for the owner, FORBIDDEN for others.
        assert_eq!(app.fails(Some(&ada.access), RESTORE, org_vars(&a.org)).await, "CONFLICT");
        assert_eq!(app.fails(Some(&a.bob.access), RESTORE, org_vars(&a.org)).await, "FORBIDDEN");
        assert_eq!(audits(&app, "organization.restored").await, 1);
    }

    async fn after_thirty_days_it_is_gone_for_its_owner_too(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let first = app.create_org(&ada, "First").await;
        let second = app.create_org(&ada, "Second").await;
        app.ok(Some(&ada.access), DELETE, org_vars(&first)).await;
        app.clock.advance(Duration::days(2));
        let ada = app.log_in("ada@example.com").await;
        app.ok(Some(&ada.access), DELETE, org_vars(&second)).await;
        let names = |list: Value| -> Vec<String> {
            list.as_array().expect("list").iter().map(|o| o["name"].as_str().expect("name").to_owned()).collect()
        };
        assert_eq!(names(deleted_list(&app, &ada).await), ["Second", "First"]);

        // 30 days and a minute after the first deletion, 28 after the second.
        app.clock.advance(Duration::days(28) + Duration::minutes(1));
        let ada = app.log_in("ada@example.com").await;
        assert_eq!(names(deleted_list(&app, &ada).await), ["Second"]);
        assert_eq!(app.fails(Some(&ada.access), RESTORE, org_vars(&first)).await, "NOT_FOUND");
        app.ok(Some(&ada.access), RESTORE, org_vars(&second)).await;
        assert_eq!(membership_orgs(&app, &ada).await, vec![second]);
        assert_eq!(audits(&app, "organization.restored").await, 1);
    }
}
