//! `viewerCan` is what the mutations do (docs/api/permissions.md, "Asking
//! what the viewer may do"): for every viewer role and every member, each
//! action it lists goes through, and each it leaves out is refused and
//! changes nothing. A screen that shows exactly these actions never offers
//! one that fails for lack of a right, and never hides one that works.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, error_code};

use crate::member_admin::{Acme, BLOCK, ROLE, UNBLOCK, acme};

const ACTIONS: [&str; 7] = [
    "CHANGE_ROLE",
    "BLOCK",
    "UNBLOCK",
    "REMOVE",
    "EDIT_WORKSPACES",
    "MAKE_ASSISTANT_MANAGER",
    "TRANSFER_OWNERSHIP",
];

struct World {
    acme: Acme,
    /// Dave, a BLOCKED MEMBER.
    dave: Session,
    assistant: String,
}

async fn world(app: &TestApp) -> World {
    let acme = acme(app).await;
    let dave = app.join(&acme.org, "dave@example.com", "MEMBER").await;
    let data = app
        .ok(
            Some(&acme.ada.access),
            "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Sales\") { id } }",
            json!({ "o": acme.org }),
        )
        .await;
    let assistant = data["createAssistant"]["id"].as_str().unwrap().to_owned();
    let w = World {
        acme,
        dave,
        assistant,
    };
    assign_everyone(app, &w).await;
    w
}

/// Puts every member on the assistant (Dave, BLOCKED, for the moment
/// ACTIVE: a BLOCKED member is not assigned).
async fn assign_everyone(app: &TestApp, w: &World) {
    let org = &w.acme.org;
    app.set_membership_status(org, &w.dave.user_id, "ACTIVE")
        .await;
    let everyone: Vec<&str> = people(&w.acme, &w.dave)
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    app.ok(
        Some(&w.acme.ada.access),
        "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { id } }",
        json!({ "a": w.assistant, "u": everyone }),
    )
    .await;
    app.set_membership_status(org, &w.dave.user_id, "BLOCKED")
        .await;
}

fn people<'a>(a: &'a Acme, dave: &'a Session) -> [&'a Session; 6] {
    [&a.ada, &a.bob, &a.uma, &a.bill, &a.carl, dave]
}

/// Everything an action could change: each member's role, status and
/// owner flag, their managers, and the pending ownership transfer.
async fn snapshot(app: &TestApp, w: &World) -> Value {
    let q = "query($o: ID!) { organization(id: $o) { pendingOwnershipTransfer { to { id } } \
             assistants { managers { id } } \
             members(first: 100) { edges { node { role status isOwner user { id } workspaces { id } } } } } }";
    let mut data = app
        .ok(Some(&w.acme.ada.access), q, json!({ "o": w.acme.org }))
        .await;
    // A member removed and put back comes last in the list: compare by user.
    let edges = data["organization"]["members"]["edges"]
        .as_array_mut()
        .unwrap();
    edges.sort_by_key(|e| e["node"]["user"]["id"].as_str().unwrap().to_owned());
    data
}

/// What `viewer` may do to each member, by user id.
async fn viewer_can(app: &TestApp, viewer: &Session, org: &str) -> Vec<(String, Vec<String>)> {
    let q = "query($o: ID!) { organization(id: $o) { members(first: 100) { edges { node { viewerCan user { id } } } } } }";
    let data = app.ok(Some(&viewer.access), q, json!({ "o": org })).await;
    data["organization"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let actions = e["node"]["viewerCan"].as_array().unwrap();
            (
                e["node"]["user"]["id"].as_str().unwrap().to_owned(),
                actions
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Runs `action` by `viewer` on `target` (whose role is `role`).
async fn attempt(
    app: &TestApp,
    w: &World,
    viewer: &Session,
    target: &str,
    action: &str,
    role: &str,
) -> Value {
    let o = &w.acme.org;
    let (q, vars) = match action {
        "CHANGE_ROLE" => {
            let to = if role == "MEMBER" {
                "USER_ADMIN"
            } else {
                "MEMBER"
            };
            (ROLE, json!({ "o": o, "u": target, "r": to }))
        }
        "BLOCK" => (BLOCK, json!({ "o": o, "u": target })),
        "UNBLOCK" => (UNBLOCK, json!({ "o": o, "u": target })),
        "REMOVE" => (
            "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { __typename } }",
            json!({ "o": o, "u": target }),
        ),
        "EDIT_WORKSPACES" => (
            "mutation($o: ID!, $u: ID!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: []) { id } }",
            json!({ "o": o, "u": target }),
        ),
        "MAKE_ASSISTANT_MANAGER" => (
            "mutation($a: ID!, $u: ID!) { setAssistantManager(assistantId: $a, userId: $u, manager: true) { id } }",
            json!({ "a": w.assistant, "u": target }),
        ),
        "TRANSFER_OWNERSHIP" => (
            "mutation($o: ID!, $u: ID!) { requestOwnershipTransfer(organizationId: $o, toUserId: $u) { __typename } }",
            json!({ "o": o, "u": target }),
        ),
        other => panic!("no mutation for {other}"),
    };
    app.gql(Some(&viewer.access), q, vars).await
}

fn role_of(snapshot: &Value, user: &str) -> String {
    snapshot["organization"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["user"]["id"] == user)
        .map(|e| e["node"]["role"].as_str().unwrap().to_owned())
        .unwrap()
}

both_backends! {
    async fn every_action_left_out_is_refused_and_changes_nothing(app) {
        let w = world(&app).await;
        let before = snapshot(&app, &w).await;
        let mut refused = 0;
        for viewer in people(&w.acme, &w.dave) {
            if viewer.user_id == w.dave.user_id {
                continue; // BLOCKED: sees nothing inside.
            }
            for (target, listed) in viewer_can(&app, viewer, &w.acme.org).await {
                for action in ACTIONS.iter().filter(|a| !listed.iter().any(|l| l == *a)) {
                    let role = role_of(&before, &target);
                    let res = attempt(&app, &w, viewer, &target, action, &role).await;
                    assert_eq!(
                        snapshot(&app, &w).await,
                        before,
                        "{action} by {} on {target} changed something: {res}",
                        viewer.user_id
                    );
                    if error_code(&res).is_some() {
                        refused += 1;
                    }
                }
            }
        }
        // Most are refusals; the rest are no-ops (blocking a BLOCKED member).
        assert!(refused > 60, "{refused}");
    }
}

both_backends! {
    async fn every_action_listed_goes_through(app) {
    let w = world(&app).await;
    let before = snapshot(&app, &w).await;
    let mut done = 0;
    for viewer in people(&w.acme, &w.dave) {
        let lists = if viewer.user_id == w.dave.user_id {
            Vec::new()
        } else {
            viewer_can(&app, viewer, &w.acme.org).await
        };
        for (target, listed) in lists {
            for action in &listed {
                let role = role_of(&before, &target);
                let res = attempt(&app, &w, viewer, &target, action, &role).await;
                assert!(
                    error_code(&res).is_none(),
                    "{action} by {} on {target} listed but refused: {res}",
                    viewer.user_id
                );
                done += 1;
                undo(&app, &w, &before, &target, action).await;
                assert_eq!(snapshot(&app, &w).await, before, "undo of {action}");
            }
        }
    }
    assert!(done > 30, "{done}");
}
}

/// Puts the organization back as it was before `action` on `target`.
async fn undo(app: &TestApp, w: &World, before: &Value, target: &str, action: &str) {
    let ada = &w.acme.ada.access;
    let o = &w.acme.org;
    let node = before["organization"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["user"]["id"] == target)
        .unwrap()
        .clone();
    match action {
        "CHANGE_ROLE" => {
            app.ok(
                Some(ada),
                ROLE,
                json!({ "o": o, "u": target, "r": node["role"] }),
            )
            .await;
        }
        "BLOCK" | "UNBLOCK" | "REMOVE" => {
            if action == "REMOVE" {
                let role = node["role"].as_str().unwrap();
                app.seed_membership(o, target, role, "ACTIVE").await;
                assign_everyone(app, w).await;
            }
            let status = node["status"].as_str().unwrap();
            app.set_membership_status(o, target, status).await;
        }
        "MAKE_ASSISTANT_MANAGER" => {
            app.ok(
                Some(ada),
                "mutation($a: ID!, $u: ID!) { setAssistantManager(assistantId: $a, userId: $u, manager: false) { id } }",
                json!({ "a": w.assistant, "u": target }),
            )
            .await;
        }
        "TRANSFER_OWNERSHIP" => {
            app.ok(
                Some(ada),
                "mutation($o: ID!) { cancelOwnershipTransfer(organizationId: $o) }",
                json!({ "o": o }),
            )
            .await;
        }
        _ => {}
    }
}

both_backends! {
    async fn invitations_list_what_the_viewer_may_do_to_them(app) {
    let a = acme(&app).await;
    let member = app.invite(&a.ada, &a.org, "mo@example.com", "MEMBER").await;
    let admin = app.invite(&a.ada, &a.org, "al@example.com", "ADMIN").await;
    let q = "query($o: ID!) { organization(id: $o) { viewerCan viewerCanInviteAs invitations(first: 10) { edges { node { id viewerCan } } } } }";
    let can = |data: &Value, id: &Value| -> Value {
        data["organization"]["invitations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["id"] == *id)
            .map(|e| e["node"]["viewerCan"].clone())
            .unwrap()
    };
    let uma = app.ok(Some(&a.uma.access), q, json!({ "o": a.org })).await;
    assert_eq!(can(&uma, &member["id"]), json!(["RESEND", "REVOKE"]));
    assert_eq!(can(&uma, &admin["id"]), json!([]));
    assert_eq!(uma["organization"]["viewerCanInviteAs"], json!(["MEMBER"]));
    // What uma may not do to the ADMIN's invitation is refused.
    let res = app
        .gql(
            Some(&a.uma.access),
            "mutation($i: ID!) { revokeInvitation(id: $i) { status } }",
            json!({ "i": admin["id"] }),
        )
        .await;
    assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
    let res = app
        .gql(
            Some(&a.uma.access),
            "mutation($i: ID!) { revokeInvitation(id: $i) { status } }",
            json!({ "i": member["id"] }),
        )
        .await;
    assert_eq!(
        res["data"]["revokeInvitation"]["status"], "REVOKED",
        "{res}"
    );

    let ada = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await;
    assert_eq!(
        ada["organization"]["viewerCanInviteAs"],
        json!(["ADMIN", "BILLING_ADMIN", "USER_ADMIN", "MEMBER"])
    );
    assert_eq!(can(&ada, &member["id"]), json!([]), "revoked");
    assert_eq!(can(&ada, &admin["id"]), json!(["RESEND", "REVOKE"]));
    let bill = app
        .ok(
            Some(&a.bill.access),
            "query($o: ID!) { organization(id: $o) { viewerCan viewerCanInviteAs } }",
            json!({ "o": a.org }),
        )
        .await;
    assert_eq!(
        bill["organization"]["viewerCan"],
        json!([
            "VIEW_ORG_INFO",
            "VIEW_BILLING",
            "CHANGE_PLAN",
            "VIEW_MEMBERS",
            "VIEW_WORKSPACES",
            "READ_AUDIT_LOG"
        ])
    );
    assert_eq!(bill["organization"]["viewerCanInviteAs"], json!([]));
}
}
