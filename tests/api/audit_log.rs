//! `Organization.auditLog` through the API (rules.md §2 "read the audit
//! log", §7): events written by the changes themselves, newest first, paged
//! and filtered, for ADMIN, BILLING_ADMIN and USER_ADMIN only.

use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

use super::member_admin::{Acme, BLOCK, ROLE, acme};

const LOG: &str = "query($o: ID!, $first: Int, $after: String, $action: String, $target: ID) { \
    organization(id: $o) { auditLog(first: $first, after: $after, action: $action, targetUserId: $target) { \
    totalCount pageInfo { hasNextPage endCursor } \
    edges { cursor node { id at action targetUserEmail detail actor { id email } } } } } }";
const CREATE_WS: &str =
    "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { status } }";

/// The audit log as `token` reads it with `vars` (besides the organization).
async fn log(app: &TestApp, token: &str, org: &str, mut vars: Value) -> Value {
    vars["o"] = json!(org);
    let data = app.ok(Some(token), LOG, vars).await;
    data["organization"]["auditLog"].clone()
}

fn actions(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["action"].as_str().expect("action").to_owned())
        .collect()
}

/// Acme, then: Ada creates a workspace, invites Dora and revokes it, Bob
/// makes Carl USER_ADMIN, Ada blocks Carl.
async fn history(app: &TestApp) -> Acme {
    let a = acme(app).await;
    app.ok(
        Some(&a.ada.access),
        CREATE_WS,
        json!({ "o": a.org, "n": "Sales" }),
    )
    .await;
    let invitation = app
        .invite(&a.ada, &a.org, "dora@example.com", "MEMBER")
        .await;
    app.ok(
        Some(&a.ada.access),
        REVOKE,
        json!({ "id": invitation["id"] }),
    )
    .await;
    app.ok(
        Some(&a.bob.access),
        ROLE,
        json!({ "o": a.org, "u": a.carl.user_id, "r": "USER_ADMIN" }),
    )
    .await;
    app.ok(
        Some(&a.ada.access),
        BLOCK,
        json!({ "o": a.org, "u": a.carl.user_id }),
    )
    .await;
    a
}

both_backends! {
    async fn events_are_listed_newest_first_with_actor_target_and_detail(app) {
        let a = history(&app).await;
        let page = log(&app, &a.ada.access, &a.org, json!({})).await;
        assert_eq!(
            actions(&page),
            ["member.blocked", "member.role_changed", "invitation.revoked", "invitation.created",
             "workspace.created", "organization.created"]
        );
        assert_eq!(page["totalCount"], 6);
        assert_eq!(page["pageInfo"]["hasNextPage"], false);
        let node = |i: usize| page["edges"][i]["node"].clone();
        let actor = |i: usize| node(i)["actor"]["email"].clone();
        assert_eq!(
            (0..6).map(actor).collect::<Vec<_>>(),
            ["ada@example.com", "bob@example.com", "ada@example.com", "ada@example.com",
             "ada@example.com", "ada@example.com"]
        );
        assert_eq!(node(0)["actor"]["id"], a.ada.user_id.as_str());
        assert_eq!(node(0)["targetUserEmail"], "carl@example.com");
        assert_eq!(node(1)["targetUserEmail"], "carl@example.com");
        assert_eq!(node(3)["targetUserEmail"], "dora@example.com");
        // The owner of a new organization is its target.
        assert_eq!(node(5)["targetUserEmail"], "ada@example.com");
        assert_eq!(node(4)["targetUserEmail"], Value::Null);
        let detail: Value = roster_tests::serde_json::from_str(node(1)["detail"].as_str().expect("detail"))
            .expect("detail is JSON");
        assert_eq!(detail["before"]["role"], "MEMBER");
        assert_eq!(detail["after"]["role"], "USER_ADMIN");
        let times: Vec<&str> = (0..6).map(|i| page["edges"][i]["node"]["at"].as_str().expect("at")).collect::<Vec<_>>();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    }

    async fn pages_follow_their_cursors(app) {
        let a = history(&app).await;
        let all = actions(&log(&app, &a.ada.access, &a.org, json!({ "first": 100 })).await);
        let (mut seen, mut after) = (Vec::new(), Value::Null);
        loop {
            let page = log(&app, &a.ada.access, &a.org, json!({ "first": 4, "after": after })).await;
            assert_eq!(page["totalCount"], 6);
            seen.extend(actions(&page));
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            assert_eq!(page["pageInfo"]["endCursor"], page["edges"][3]["cursor"]);
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, all);
        assert_eq!(seen.len(), 6);
        let empty = log(&app, &a.ada.access, &a.org, json!({ "first": 0 })).await;
        assert_eq!((actions(&empty).len(), empty["totalCount"].clone()), (0, json!(6)));
    }

    async fn filters_by_action_and_target_user(app) {
        let a = history(&app).await;
        let roles = log(&app, &a.ada.access, &a.org, json!({ "action": "member.role_changed" })).await;
        assert_eq!((actions(&roles), roles["totalCount"].clone()), (vec!["member.role_changed".to_owned()], json!(1)));
        // Exact match: a prefix is not an action.
        let prefix = log(&app, &a.ada.access, &a.org, json!({ "action": "member." })).await;
        assert_eq!(prefix["totalCount"], 0);
        let carl = log(&app, &a.ada.access, &a.org, json!({ "target": a.carl.user_id })).await;
        assert_eq!(actions(&carl), ["member.blocked", "member.role_changed"]);
        assert_eq!(carl["totalCount"], 2);
        let both = log(&app, &a.ada.access, &a.org, json!({ "target": a.carl.user_id, "action": "member.blocked", "first": 1 })).await;
        assert_eq!((actions(&both), both["totalCount"].clone()), (vec!["member.blocked".to_owned()], json!(1)));
        let code = app.fails(Some(&a.ada.access), LOG, json!({ "o": a.org, "target": "not-an-id" })).await;
        assert_eq!(code, "NOT_FOUND");
    }

    async fn admins_billing_and_user_admins_read_it_members_do_not(app) {
        let a = history(&app).await;
        for who in [&a.ada, &a.bob, &a.uma, &a.bill] {
            assert_eq!(log(&app, &who.access, &a.org, json!({})).await["totalCount"], 6);
        }
        let code = app.fails(Some(&a.carl.access), LOG, json!({ "o": a.org })).await;
        // Carl is BLOCKED by now (rules.md §4); a fresh ACTIVE MEMBER is refused too.
        assert_eq!(code, "FORBIDDEN");
        let mia = app.join(&a.org, "mia@example.com", "MEMBER").await;
        assert_eq!(app.fails(Some(&mia.access), LOG, json!({ "o": a.org })).await, "FORBIDDEN");
        assert_eq!(app.fails(None, LOG, json!({ "o": a.org })).await, "UNAUTHENTICATED");
    }

    async fn another_organizations_events_never_show(app) {
        let a = history(&app).await;
        let solo = app.create_org(&a.bob, "Solo").await;
        app.ok(Some(&a.bob.access), CREATE_WS, json!({ "o": solo, "n": "Secret" })).await;
        let acme_log = log(&app, &a.ada.access, &a.org, json!({ "first": 100 })).await;
        assert_eq!(acme_log["totalCount"], 6);
        let solo_log = log(&app, &a.bob.access, &solo, json!({ "first": 100 })).await;
        assert_eq!(actions(&solo_log), ["workspace.created", "organization.created"]);
        // Ada is no member of Solo: no such organization for her.
        assert_eq!(app.fails(Some(&a.ada.access), LOG, json!({ "o": solo })).await, "NOT_FOUND");
        // An Acme cursor in Solo's log starts below it and finds none of Acme's.
        let cursor = acme_log["edges"][0]["cursor"].clone();
        let solo_after = log(&app, &a.bob.access, &solo, json!({ "after": cursor })).await;
        assert!(actions(&solo_after).iter().all(|x| x != "member.blocked"));
        assert_eq!(solo_after["totalCount"], 2);
    }

    async fn bad_page_arguments_are_validation_errors(app) {
        let a = history(&app).await;
        // The bounds themselves are pages.
        for first in [0, 100] {
            let page = log(&app, &a.ada.access, &a.org, json!({ "first": first })).await;
            assert_eq!(page["totalCount"], 6);
        }
        let member_cursor = base64_of(&format!("member:{}", uuid::Uuid::now_v7()));
        for vars in [
            json!({ "o": a.org, "first": 101 }),
            json!({ "o": a.org, "first": -1 }),
            json!({ "o": a.org, "after": "not a cursor" }),
            json!({ "o": a.org, "after": member_cursor }),
        ] {
            assert_eq!(app.fails(Some(&a.ada.access), LOG, vars.clone()).await, "VALIDATION", "{vars}");
        }
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
