//! Member administration through the API (rules.md §2, §4): role changes,
//! block and unblock, with their codes and audit events. The races are in
//! `member_admin_races.rs`.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

pub const ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role status isOwner } }";
pub const BLOCK: &str =
    "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { role status } }";
pub const UNBLOCK: &str =
    "mutation($o: ID!, $u: ID!) { unblockMember(organizationId: $o, userId: $u) { role status } }";
const ORG: &str = "query($o: ID!) { organization(id: $o) { id name } }";

/// Ada's organization "Acme" (Ada owner and ADMIN) with Bob ADMIN, Uma
/// USER_ADMIN, Bill BILLING_ADMIN and Carl MEMBER, all ACTIVE.
pub struct Acme {
    pub org: String,
    pub ada: Session,
    pub bob: Session,
    pub uma: Session,
    pub bill: Session,
    pub carl: Session,
}

pub async fn acme(app: &TestApp) -> Acme {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    Acme {
        bob: app.join(&org, "bob@example.com", "ADMIN").await,
        uma: app.join(&org, "uma@example.com", "USER_ADMIN").await,
        bill: app.join(&org, "bill@example.com", "BILLING_ADMIN").await,
        carl: app.join(&org, "carl@example.com", "MEMBER").await,
        org,
        ada,
    }
}

/// `user`'s role and status in `org`, as `by` sees them in the member list.
pub async fn member(app: &TestApp, by: &Session, org: &str, user: &Session) -> (Value, Value) {
    let q = "query($o: ID!) { organization(id: $o) { members(first: 100) { edges { node { role status user { id } } } } } }";
    let data = app.ok(Some(&by.access), q, json!({ "o": org })).await;
    let edges = data["organization"]["members"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let node = edges
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["user"]["id"] == user.user_id.as_str())
        .unwrap_or_else(|| panic!("{} not listed", user.user_id));
    (node["role"].clone(), node["status"].clone())
}

pub async fn audits(app: &TestApp, action: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from audit_event where action = '{action}'"
    ))
    .await
}

fn vars(org: &str, user: &Session) -> Value {
    json!({ "o": org, "u": user.user_id })
}

fn role_vars(org: &str, user: &Session, role: &str) -> Value {
    json!({ "o": org, "u": user.user_id, "r": role })
}

both_backends! {
    async fn an_admin_changes_a_role_once_with_its_audit_event(app) {
        let a = acme(&app).await;
        let data = app.ok(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.carl, "USER_ADMIN")).await;
        assert_eq!(data["changeMemberRole"], json!({ "role": "USER_ADMIN", "status": "ACTIVE", "isOwner": false }));
        assert_eq!(member(&app, &a.ada, &a.org, &a.carl).await.0, "USER_ADMIN");
        let detail = "select count(*) from audit_event where action = 'member.role_changed' \
                      and detail like '%\"before\":{\"role\":\"MEMBER\"}%' and detail like '%\"after\":{\"role\":\"USER_ADMIN\"}%'";
        assert_eq!(app.count_sql(detail).await, 1);
        // The role it has already: the member as it is, and no event.
        let again = app.ok(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.carl, "USER_ADMIN")).await;
        assert_eq!(again["changeMemberRole"]["role"], "USER_ADMIN");
        assert_eq!(audits(&app, "member.role_changed").await, 1);
        // An admin may be demoted while another ACTIVE ADMIN stays.
        app.ok(Some(&a.ada.access), ROLE, role_vars(&a.org, &a.bob, "MEMBER")).await;
        assert_eq!(member(&app, &a.ada, &a.org, &a.bob).await.0, "MEMBER");
        assert_eq!(audits(&app, "member.role_changed").await, 2);
    }

    async fn only_an_admin_changes_roles(app) {
        let a = acme(&app).await;
        for (who, target, role) in [
            (&a.uma, &a.carl, "USER_ADMIN"),
            (&a.uma, &a.carl, "ADMIN"),
            (&a.uma, &a.bob, "MEMBER"),
            (&a.bill, &a.carl, "BILLING_ADMIN"),
            (&a.carl, &a.carl, "ADMIN"),
        ] {
            let code = app.fails(Some(&who.access), ROLE, role_vars(&a.org, target, role)).await;
            assert_eq!(code, "FORBIDDEN", "{role}");
        }
        assert_eq!(member(&app, &a.ada, &a.org, &a.carl).await.0, "MEMBER");
        assert_eq!(member(&app, &a.ada, &a.org, &a.bob).await.0, "ADMIN");
        assert_eq!(audits(&app, "member.role_changed").await, 0);
        let code = app.fails(None, ROLE, role_vars(&a.org, &a.carl, "ADMIN")).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }

    async fn nobody_changes_the_owners_role(app) {
        let a = acme(&app).await;
        assert_eq!(app.fails(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.ada, "MEMBER")).await, "FORBIDDEN");
        // The owner itself transfers ownership first: FORBIDDEN while
        // another ADMIN exists, LAST_ADMIN when it is the only one.
        assert_eq!(app.fails(Some(&a.ada.access), ROLE, role_vars(&a.org, &a.ada, "MEMBER")).await, "FORBIDDEN");
        let solo = app.create_org(&a.bob, "Solo").await;
        assert_eq!(app.fails(Some(&a.bob.access), ROLE, role_vars(&solo, &a.bob, "MEMBER")).await, "LAST_ADMIN");
        assert_eq!(member(&app, &a.bob, &a.org, &a.ada).await.0, "ADMIN");
        assert_eq!(member(&app, &a.bob, &solo, &a.bob).await.0, "ADMIN");
        assert_eq!(audits(&app, "member.role_changed").await, 0);
    }

    async fn demoting_the_last_active_admin_is_last_admin(app) {
        let a = acme(&app).await;
        // The owner out of the picture (only the database reaches this
        // state): Bob is the organization's only ACTIVE ADMIN.
        app.set_membership_status(&a.org, &a.ada.user_id, "BLOCKED").await;
        assert_eq!(app.fails(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.bob, "MEMBER")).await, "LAST_ADMIN");
        assert_eq!(member(&app, &a.bob, &a.org, &a.bob).await.0, "ADMIN");
        // With a second ACTIVE ADMIN, Bob may step down.
        app.ok(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.carl, "ADMIN")).await;
        app.ok(Some(&a.bob.access), ROLE, role_vars(&a.org, &a.bob, "MEMBER")).await;
        assert_eq!(member(&app, &a.carl, &a.org, &a.bob).await.0, "MEMBER");
    }

    async fn the_target_is_an_active_or_blocked_member_of_that_organization(app) {
        let a = acme(&app).await;
        app.invite(&a.ada, &a.org, "ivy@example.com", "MEMBER").await;
        let ivy = app.count_sql("select count(*) from membership where status = 'INVITED'").await;
        assert_eq!(ivy, 1);
        let q = "query($o: ID!) { organization(id: $o) { members(status: INVITED) { edges { node { user { id } } } } } }";
        let data = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await;
        let invited = data["organization"]["members"]["edges"][0]["node"]["user"]["id"].clone();
        let eve = app.sign_up("eve@example.com", "Eve").await;
        app.create_org(&eve, "Evil").await;
        for user in [invited, json!(eve.user_id), json!("not-an-id"), json!(uuid::Uuid::now_v7().to_string())] {
            for (q, v) in [
                (ROLE, json!({ "o": a.org, "u": user, "r": "ADMIN" })),
                (BLOCK, json!({ "o": a.org, "u": user })),
                (UNBLOCK, json!({ "o": a.org, "u": user })),
            ] {
                assert_eq!(app.fails(Some(&a.ada.access), q, v).await, "NOT_FOUND", "{user}");
            }
        }
        // Another organization's admin reaches nothing here.
        assert_eq!(app.fails(Some(&eve.access), ROLE, role_vars(&a.org, &a.carl, "ADMIN")).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&eve.access), BLOCK, vars(&a.org, &a.carl)).await, "NOT_FOUND");
        // A BLOCKED member's role can change.
        app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.carl)).await;
        let data = app.ok(Some(&a.ada.access), ROLE, role_vars(&a.org, &a.carl, "USER_ADMIN")).await;
        assert_eq!(data["changeMemberRole"]["status"], "BLOCKED");
        assert_eq!(audits(&app, "member.role_changed").await, 1);
    }

    async fn a_blocked_member_is_forbidden_at_once_and_back_after_unblock(app) {
        let a = acme(&app).await;
        // Carl's access token, issued before the block, still verifies.
        app.ok(Some(&a.carl.access), ORG, json!({ "o": a.org })).await;
        let data = app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.carl)).await;
        assert_eq!(data["blockMember"], json!({ "role": "MEMBER", "status": "BLOCKED" }));
        assert_eq!(app.fails(Some(&a.carl.access), ORG, json!({ "o": a.org })).await, "FORBIDDEN");
        let members = "query($o: ID!) { organization(id: $o) { members { totalCount } } }";
        assert_eq!(app.fails(Some(&a.carl.access), members, json!({ "o": a.org })).await, "FORBIDDEN");
        // It keeps its place in the list.
        assert_eq!(member(&app, &a.ada, &a.org, &a.carl).await, (json!("MEMBER"), json!("BLOCKED")));
        let detail = "select count(*) from audit_event where action = 'member.blocked' \
                      and detail like '%\"before\":{\"status\":\"ACTIVE\"}%' and detail like '%\"after\":{\"status\":\"BLOCKED\"}%'";
        assert_eq!(app.count_sql(detail).await, 1);
        // Blocking a BLOCKED member: the member as it is, no event.
        let again = app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.carl)).await;
        assert_eq!(again["blockMember"]["status"], "BLOCKED");
        assert_eq!(audits(&app, "member.blocked").await, 1);

        let data = app.ok(Some(&a.bob.access), UNBLOCK, vars(&a.org, &a.carl)).await;
        assert_eq!(data["unblockMember"], json!({ "role": "MEMBER", "status": "ACTIVE" }));
        app.ok(Some(&a.carl.access), ORG, json!({ "o": a.org })).await;
        assert_eq!(audits(&app, "member.unblocked").await, 1);
        // Unblocking an ACTIVE member: the same, no event.
        let again = app.ok(Some(&a.bob.access), UNBLOCK, vars(&a.org, &a.carl)).await;
        assert_eq!(again["unblockMember"]["status"], "ACTIVE");
        assert_eq!(audits(&app, "member.unblocked").await, 1);
    }

    async fn a_user_admin_blocks_members_only(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.uma.access), BLOCK, vars(&a.org, &a.carl)).await;
        app.ok(Some(&a.uma.access), UNBLOCK, vars(&a.org, &a.carl)).await;
        let other = app.join(&a.org, "ulla@example.com", "USER_ADMIN").await;
        for target in [&a.bob, &a.ada, &a.bill, &other] {
            assert_eq!(app.fails(Some(&a.uma.access), BLOCK, vars(&a.org, target)).await, "FORBIDDEN");
            assert_eq!(member(&app, &a.ada, &a.org, target).await.1, "ACTIVE");
        }
        // A BLOCKED ADMIN stays out of a USER_ADMIN's reach too.
        app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.bob)).await;
        assert_eq!(app.fails(Some(&a.uma.access), UNBLOCK, vars(&a.org, &a.bob)).await, "FORBIDDEN");
        for who in [&a.bill, &a.carl] {
            assert_eq!(app.fails(Some(&who.access), BLOCK, vars(&a.org, &other)).await, "FORBIDDEN");
        }
        assert_eq!(member(&app, &a.ada, &a.org, &a.bob).await.1, "BLOCKED");
        assert_eq!(audits(&app, "member.blocked").await, 2);
        assert_eq!(audits(&app, "member.unblocked").await, 1);
    }

    async fn nobody_blocks_itself_or_the_owner(app) {
        let a = acme(&app).await;
        // Self-blocking is FORBIDDEN (another authorized member must act).
        assert_eq!(app.fails(Some(&a.bob.access), BLOCK, vars(&a.org, &a.bob)).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&a.uma.access), BLOCK, vars(&a.org, &a.uma)).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&a.bob.access), BLOCK, vars(&a.org, &a.ada)).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&a.ada.access), BLOCK, vars(&a.org, &a.ada)).await, "FORBIDDEN");
        let solo = app.create_org(&a.carl, "Solo").await;
        assert_eq!(app.fails(Some(&a.carl.access), BLOCK, vars(&solo, &a.carl)).await, "LAST_ADMIN");
        for who in [&a.ada, &a.bob, &a.uma] {
            assert_eq!(member(&app, &a.ada, &a.org, who).await.1, "ACTIVE");
        }
        assert_eq!(audits(&app, "member.blocked").await, 0);
    }

    async fn unblocking_needs_a_free_seat(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.carl)).await;
        // 4 ACTIVE + 5 seeded + 1 PENDING invitation = the BASIC plan's 10.
        for i in 0..5 {
            let user = app.seed_user(&format!("m{i}@example.com"), "M").await;
            app.seed_membership(&a.org, &user, "MEMBER", "ACTIVE").await;
        }
        app.invite(&a.ada, &a.org, "last@example.com", "MEMBER").await;
        assert_eq!(app.fails(Some(&a.ada.access), UNBLOCK, vars(&a.org, &a.carl)).await, "SEAT_LIMIT_REACHED");
        assert_eq!(member(&app, &a.ada, &a.org, &a.carl).await.1, "BLOCKED");
        assert_eq!(audits(&app, "member.unblocked").await, 0);
        // Blocking frees a seat; then Carl fits again.
        app.ok(Some(&a.ada.access), BLOCK, vars(&a.org, &a.bill)).await;
        app.ok(Some(&a.ada.access), UNBLOCK, vars(&a.org, &a.carl)).await;
        assert_eq!(member(&app, &a.ada, &a.org, &a.carl).await.1, "ACTIVE");
    }
}
