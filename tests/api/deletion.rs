//! Deleting an organization through the API (rules.md §8, docs/api/lifecycle.md):
//! every member loses access with its very next request (live tokens
//! included), the organization leaves `me.memberships`, its pending
//! invitations are revoked and their links die, nothing of it is mailed
//! any more, and a second delete is `NOT_FOUND`. Restore is in
//! `deletion_restore.rs`, the purge in `deletion_purge.rs`.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, invitation_token};

use super::member_admin::{Acme, acme, audits};

pub const DELETE: &str = "mutation($o: ID!) { deleteOrganization(id: $o) }";
const MEMBERSHIPS: &str = "{ me { memberships { organization { id name } } } }";

pub fn org_vars(org: &str) -> Value {
    json!({ "o": org })
}

/// The ids of the organizations in `me.memberships`.
pub async fn membership_orgs(app: &TestApp, who: &Session) -> Vec<String> {
    let data = app.ok(Some(&who.access), MEMBERSHIPS, json!({})).await;
    data["me"]["memberships"]
        .as_array()
        .expect("memberships")
        .iter()
        .map(|m| m["organization"]["id"].as_str().expect("id").to_owned())
        .collect()
}

/// What a member reads and does in an organization, each answering
/// `NOT_FOUND` once it is deleted: every query field and mutation that
/// names it or an object of it.
fn operations(
    a: &Acme,
    workspace: &str,
    lead: &str,
    invitation: &str,
) -> Vec<(&'static str, Value)> {
    let o = org_vars(&a.org);
    vec![
        (
            "query($o: ID!) { organization(id: $o) { name } }",
            o.clone(),
        ),
        (
            "query($o: ID!) { organization(id: $o) { members { totalCount } } }",
            o.clone(),
        ),
        (
            "query($o: ID!) { organization(id: $o) { workspaces { id } } }",
            o.clone(),
        ),
        (
            "query($o: ID!) { organization(id: $o) { leads { totalCount } } }",
            o.clone(),
        ),
        (
            "query($o: ID!) { organization(id: $o) { dashboard { totalLeads } } }",
            o.clone(),
        ),
        (
            "query($o: ID!) { organization(id: $o) { auditLog { edges { node { id } } } } }",
            o.clone(),
        ),
        (
            "mutation($o: ID!) { inviteMember(organizationId: $o, input: { email: \"new@example.com\" }) { id } }",
            o.clone(),
        ),
        (
            "mutation($o: ID!) { createLead(organizationId: $o, input: { name: \"New\" }) { id } }",
            o.clone(),
        ),
        (
            "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"New\") { id } }",
            o.clone(),
        ),
        (
            "mutation($o: ID!) { updateOrganization(id: $o, input: { name: \"New\" }) { id } }",
            o.clone(),
        ),
        (
            "mutation($w: ID!) { renameWorkspace(id: $w, name: \"New\") { id } }",
            json!({ "w": workspace }),
        ),
        (
            "mutation($l: ID!) { updateLead(id: $l, input: { name: \"New\" }) { id } }",
            json!({ "l": lead }),
        ),
        (
            "mutation($i: ID!) { revokeInvitation(id: $i) { id } }",
            json!({ "i": invitation }),
        ),
        (DELETE, o),
    ]
}

/// The token of the first invitation mailed to `to`.
async fn token_of(app: &TestApp, to: &str) -> String {
    invitation_token(&app.mail_to(to, 1).await, &app.base)
}

both_backends! {
    async fn members_lose_access_with_their_next_request(app) {
        let a = acme(&app).await;
        let ws = app.ok(Some(&a.ada.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            org_vars(&a.org)).await["createWorkspace"]["id"].as_str().expect("id").to_owned();
        let lead = app.ok(Some(&a.carl.access), "mutation($o: ID!) { createLead(organizationId: $o, input: { name: \"Carl's\" }) { id } }",
            org_vars(&a.org)).await["createLead"]["id"].as_str().expect("id").to_owned();
        let inv = app.invite(&a.ada, &a.org, "dan@example.com", "MEMBER").await["id"].as_str().expect("id").to_owned();
        // Carl's own organization, which the deletion must not touch.
        let carls = app.create_org(&a.carl, "Carl's").await;
        // Every operation works before (the tokens are live).
        for who in [&a.ada, &a.carl] {
            assert!(membership_orgs(&app, who).await.contains(&a.org));
            app.ok(Some(&who.access), "query($o: ID!) { organization(id: $o) { name } }", org_vars(&a.org)).await;
        }

        assert_eq!(app.ok(Some(&a.bob.access), DELETE, org_vars(&a.org)).await["deleteOrganization"], true);

        // The same tokens, the very next request: every role, every operation.
        for who in [&a.ada, &a.bob, &a.uma, &a.bill, &a.carl] {
            for (query, vars) in operations(&a, &ws, &lead, &inv) {
                let code = app.fails(Some(&who.access), query, vars).await;
                assert_eq!(code, "NOT_FOUND", "{query} by {}", who.user_id);
            }
            assert!(!membership_orgs(&app, who).await.contains(&a.org));
        }
        // Everything else of theirs works as before.
        assert_eq!(membership_orgs(&app, &a.carl).await, vec![carls.clone()]);
        app.ok(Some(&a.carl.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Mine\") { id } }",
            org_vars(&carls)).await;
        // One event for the deletion, one per revoked invitation; the rest stays.
        assert_eq!(audits(&app, "organization.deleted").await, 1);
        assert_eq!(audits(&app, "invitation.revoked").await, 1);
        assert_eq!(app.count_sql("select count(*) from invitation where status = 'REVOKED'").await, 1);
        assert_eq!(app.count_sql("select count(*) from lead").await, 1);
        assert_eq!(app.count_sql("select count(*) from membership where status = 'ACTIVE'").await, 6);
    }

    async fn the_links_of_its_invitations_die(app) {
        let a = acme(&app).await;
        // A new person, someone with an account, and someone who will decline.
        app.invite(&a.ada, &a.org, "new@example.com", "MEMBER").await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        app.invite(&a.ada, &a.org, "eve@example.com", "MEMBER").await;
        app.invite(&a.ada, &a.org, "no@example.com", "MEMBER").await;
        let (new, eves, no) = (
            token_of(&app, "new@example.com").await,
            token_of(&app, "eve@example.com").await,
            token_of(&app, "no@example.com").await,
        );
        let preview = "query($t: String!) { invitationPreview(token: $t) { organizationName } }";
        app.ok(None, preview, json!({ "t": new })).await;

        app.ok(Some(&a.ada.access), DELETE, org_vars(&a.org)).await;

        for t in [&new, &eves, &no] {
            assert_eq!(app.fails(None, preview, json!({ "t": t })).await, "INVITATION_INVALID");
        }
        let accept_new = "mutation($t: String!) { acceptInvitation(token: $t, password: \"a good password\", displayName: \"New\") { user { id } } }";
        assert_eq!(app.fails(None, accept_new, json!({ "t": new })).await, "INVITATION_INVALID");
        let accept = "mutation($t: String!) { acceptInvitation(token: $t) { user { id } } }";
        assert_eq!(app.fails(Some(&eve.access), accept, json!({ "t": eves })).await, "INVITATION_INVALID");
        let decline = "mutation($t: String!) { declineInvitation(token: $t) }";
        assert_eq!(app.fails(None, decline, json!({ "t": no })).await, "INVITATION_INVALID");
        // Revoked (audited as such), seats freed, nobody joined.
        assert_eq!(app.count_sql("select count(*) from invitation where status = 'REVOKED'").await, 3);
        assert_eq!(audits(&app, "invitation.revoked").await, 3);
        assert_eq!(app.count_sql("select count(*) from membership where status = 'INVITED'").await, 0);
        assert!(membership_orgs(&app, &eve).await.is_empty());
    }

    async fn only_an_admin_deletes_and_a_refusal_changes_nothing(app) {
        let a = acme(&app).await;
        let nina = app.sign_up("nina@example.com", "Nina").await;
        for who in [&a.uma, &a.bill, &a.carl] {
            assert_eq!(app.fails(Some(&who.access), DELETE, org_vars(&a.org)).await, "FORBIDDEN");
        }
        assert_eq!(app.fails(Some(&nina.access), DELETE, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(app.fails(None, DELETE, org_vars(&a.org)).await, "UNAUTHENTICATED");
        assert_eq!(app.fails(Some(&a.ada.access), DELETE, json!({ "o": "not-an-id" })).await, "NOT_FOUND");
        // A BLOCKED admin is refused like for everything else.
        app.set_membership_status(&a.org, &a.bob.user_id, "BLOCKED").await;
        assert_eq!(app.fails(Some(&a.bob.access), DELETE, org_vars(&a.org)).await, "FORBIDDEN");
        assert_eq!(audits(&app, "organization.deleted").await, 0);
        assert_eq!(app.count_sql("select count(*) from organization where deleted_at is not null").await, 0);
        assert!(membership_orgs(&app, &a.carl).await.contains(&a.org));
        // Deleted once; a second time it is gone.
        app.ok(Some(&a.ada.access), DELETE, org_vars(&a.org)).await;
        assert_eq!(app.fails(Some(&a.ada.access), DELETE, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(audits(&app, "organization.deleted").await, 1);
    }
}
