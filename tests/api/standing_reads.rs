//! What a BLOCKED member and an unaccepted invitee read of their
//! organization (rules.md §4, §10): their own membership's status and role,
//! and the organization's id and name; nothing else inside it, by any
//! path. Its nested lists answer empty, the organization's other fields
//! `FORBIDDEN` (docs/api/permissions.md).

mod walk;

use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, Session, TestApp, both_backends};

use walk::{Walk, Walked};

const ISSUE_QUERY: &str = "{ me { memberships { status role organization { id name } \
    workspaces { name } assistants { name managers { user { email } } } managedAssistants { name } } } }";

/// Acme, with a workspace and an assistant that Ada manages; Bob, an
/// ADMIN on both, blocked; Carol, invited as ADMIN with both, who signed
/// up with the invited address without accepting, and was put on the
/// workspace.
struct Acme {
    ada: Session,
    org: String,
    workspace: String,
    bob: Session,
    carol: Session,
}

async fn acme(app: &TestApp) -> Acme {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let created = app
        .ok(
            Some(&ada.access),
            "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } \
             createAssistant(organizationId: $o, name: \"Outbound\") { id } }",
            json!({ "o": org }),
        )
        .await;
    let id = |field: &str| created[field]["id"].as_str().expect("id").to_owned();
    let (workspace, assistant) = (id("createWorkspace"), id("createAssistant"));
    let bob = app.join(&org, "bob@example.com", "ADMIN").await;
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!, $w: ID!, $a: ID!, $ada: ID!, $bob: ID!) { \
         setMemberWorkspaces(organizationId: $o, userId: $bob, workspaceIds: [$w]) { id } \
         setAssistantUsers(assistantId: $a, userIds: [$ada, $bob]) { id } \
         ada: setAssistantManager(assistantId: $a, userId: $ada, manager: true) { id } \
         bob: setAssistantManager(assistantId: $a, userId: $bob, manager: true) { id } }",
        json!({ "o": org, "w": workspace, "a": assistant, "ada": ada.user_id, "bob": bob.user_id }),
    )
    .await;
    // Bob, as an ACTIVE ADMIN, sees what he is on.
    let mine = app.ok(Some(&bob.access), ISSUE_QUERY, json!({})).await;
    assert_eq!(
        mine["me"]["memberships"][0]["workspaces"],
        json!([{ "name": "Sales" }])
    );
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }",
        json!({ "o": org, "u": bob.user_id }),
    )
    .await;
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) { id } }",
        json!({ "o": org, "i": { "email": "carol@example.com", "role": "ADMIN",
                "workspaceIds": [workspace], "assistantIds": [assistant] } }),
    )
    .await;
    let carol = app.sign_up("carol@example.com", "Carol").await;
    // An invited member's workspaces can be set before it accepts.
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!, $w: ID!, $u: ID!) { \
         setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: [$w]) { id } }",
        json!({ "o": org, "w": workspace, "u": carol.user_id }),
    )
    .await;
    Acme {
        ada,
        org,
        workspace,
        bob,
        carol,
    }
}

/// The one membership `s` holds, as `ISSUE_QUERY` answers it.
async fn only_membership(app: &TestApp, s: &Session) -> Value {
    let data = app.ok(Some(&s.access), ISSUE_QUERY, json!({})).await;
    let memberships = data["me"]["memberships"].as_array().expect("memberships");
    assert_eq!(memberships.len(), 1, "{data}");
    memberships[0].clone()
}

/// What a membership that is not ACTIVE shows: its status and role, the
/// organization's id and name, empty lists.
fn name_only(org: &str, status: &str) -> Value {
    json!({
        "status": status,
        "role": "ADMIN",
        "organization": { "id": org, "name": "Acme" },
        "workspaces": [],
        "assistants": [],
        "managedAssistants": [],
    })
}

both_backends! {
    async fn a_blocked_admin_reads_nothing_inside_through_me(app) {
        let acme = acme(&app).await;
        // Renamed after the block: not even the new name reaches Bob.
        app.ok(
            Some(&acme.ada.access),
            "mutation($w: ID!) { renameWorkspace(id: $w, name: \"Sales renamed\") { id } }",
            json!({ "w": acme.workspace }),
        )
        .await;
        assert_eq!(only_membership(&app, &acme.bob).await, name_only(&acme.org, "BLOCKED"));
        // Unblocked, he reads what he is on again.
        app.ok(
            Some(&acme.ada.access),
            "mutation($o: ID!, $u: ID!) { unblockMember(organizationId: $o, userId: $u) { status } }",
            json!({ "o": acme.org, "u": acme.bob.user_id }),
        )
        .await;
        let mine = only_membership(&app, &acme.bob).await;
        assert_eq!(mine["workspaces"], json!([{ "name": "Sales renamed" }]));
        assert_eq!(mine["managedAssistants"], json!([{ "name": "Outbound" }]));
    }

    async fn a_stranger_with_an_invited_address_sees_status_role_and_name_only(app) {
        let acme = acme(&app).await;
        assert_eq!(only_membership(&app, &acme.carol).await, name_only(&acme.org, "INVITED"));
        let code = app
            .fails(Some(&acme.carol.access), "{ me { memberships { organization { createdAt } } } }", json!({}))
            .await;
        assert_eq!(code, "FORBIDDEN");
    }
}

/// An app whose cost limit lets the walk ask for any path as deep as the
/// depth limit allows: what is walked is who may read what, not what a
/// request may cost (`query_cost.rs`).
async fn walkable(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, false, |config| {
        config.limits.max_complexity = usize::MAX;
    })
    .await;
    if app.is_none() {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    }
    app
}

/// The walk, as a BLOCKED and as an INVITED viewer, reaches nothing but
/// their own membership and the organization's id and name.
async fn every_path_from_me_stops_at_the_organization_name(backend: Backend) {
    let Some(app) = walkable(backend).await else {
        return;
    };
    let acme = acme(&app).await;
    let walk = Walk::introspect(&app, &acme.ada).await;
    let mut wrong = Vec::new();
    for (who, viewer) in [("Bob, BLOCKED", &acme.bob), ("Carol, INVITED", &acme.carol)] {
        let walked = walk.paths_from_me(&app, viewer, walk::DEEPEST).await;
        let own = walked.values("Member.id");
        let ids = [
            ("User.id", json!(viewer.user_id)),
            ("Member.id", own.first().cloned().unwrap_or_default()),
            ("Organization.id", json!(acme.org)),
            ("Organization.name", json!("Acme")),
        ];
        for (edge, id) in ids {
            let seen = walked.values(edge);
            if seen.is_empty() || seen.iter().any(|v| *v != id) {
                wrong.push(format!("{who}: {edge} is not only its own: {seen:?}"));
            }
        }
        let inside = walked
            .inside()
            .into_iter()
            .map(|line| format!("{who}: {line}"));
        wrong.extend(inside);
    }
    assert!(
        wrong.is_empty(),
        "reached inside the organization:\n{}",
        wrong.join("\n")
    );
}

/// The walk is not blind: from an ACTIVE member's `me` it reaches inside,
/// through the same paths.
async fn the_walk_finds_what_an_active_admin_sees(backend: Backend) {
    let Some(app) = walkable(backend).await else {
        return;
    };
    let acme = acme(&app).await;
    let walk = Walk::introspect(&app, &acme.ada).await;
    let walked: Walked = walk.paths_from_me(&app, &acme.ada, 4).await;
    assert!(
        walked.values("Workspace.name").contains(&json!("Sales")),
        "{:?}",
        walked.inside()
    );
    assert!(walked.values("Assistant.name").contains(&json!("Outbound")));
    assert!(!walked.values("Organization.createdAt").is_empty());
}

roster_tests::each_backend!(
    every_path_from_me_stops_at_the_organization_name,
    the_walk_finds_what_an_active_admin_sees,
);
