//! Races of the deletion, with real concurrency: the requests pass their
//! guards through gateways of their own over the same database, wait on
//! the organization's lock (held by the test), then go at once. Whatever
//! order they commit in, a deleted organization is left with no PENDING
//! invitation and no link that works, and is deleted once.

use roster_tests::serde_json::{Value, json};
use roster_tests::{both_backends, error_code, invitation_token};

use super::deletion::{DELETE, org_vars};
use super::member_admin::{acme, audits};
use super::member_admin_races::{hold_lock, release_later};

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }";
const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"a good password\", displayName: \"New\") { user { id } } }";

/// Either it went through (before the deletion) or it found the
/// organization gone.
fn ok_or(res: &Value, code: &str) -> bool {
    match error_code(res) {
        None => true,
        Some(got) => {
            assert_eq!(got, code, "{res}");
            false
        }
    }
}

both_backends! {
    async fn a_deletion_racing_invites_accepts_and_itself_leaves_nothing_alive(app) {
        let a = acme(&app).await;
        app.invite(&a.ada, &a.org, "joiner@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("joiner@example.com", 1).await, &app.base);
        let (two, three) = (app.spawn_gateway(|_| {}).await, app.spawn_gateway(|_| {}).await);
        let held = hold_lock(&app, &a.org).await;
        let (first, second, invite, accept, ()) = tokio::join!(
            app.gql(Some(&a.ada.access), DELETE, org_vars(&a.org)),
            app.gql_via(&two, Some(&a.bob.access), DELETE, org_vars(&a.org)),
            app.gql_via(&three, Some(&a.uma.access), INVITE, json!({ "o": a.org, "e": "late@example.com" })),
            app.gql(None, ACCEPT_NEW, json!({ "t": token })),
            release_later(held),
        );
        // Deleted exactly once; the second delete found it gone.
        assert_eq!([ok_or(&first, "NOT_FOUND"), ok_or(&second, "NOT_FOUND")].iter().filter(|d| **d).count(), 1);
        assert_eq!(audits(&app, "organization.deleted").await, 1);
        // The invite and the accept either went first or found it gone.
        let invited = ok_or(&invite, "NOT_FOUND");
        let joined = ok_or(&accept, "INVITATION_INVALID");
        // Nothing is left pending: every invitation made before the
        // deletion committed was revoked by it.
        assert_eq!(app.count_sql("select count(*) from invitation where status = 'PENDING'").await, 0);
        assert_eq!(app.count_sql("select count(*) from membership where status = 'INVITED'").await, 0);
        let revoked = app.count_sql("select count(*) from invitation where status = 'REVOKED'").await;
        assert_eq!(revoked, i64::from(invited) + i64::from(!joined));
        assert_eq!(audits(&app, "invitation.revoked").await, revoked);
        // The link is dead whichever way it went.
        let preview = "query($t: String!) { invitationPreview(token: $t) { email } }";
        assert_eq!(app.fails(None, preview, json!({ "t": token })).await, "INVITATION_INVALID");
        let members = app.count_sql("select count(*) from membership where status = 'ACTIVE'").await;
        assert_eq!(members, 5 + i64::from(joined));
    }
}
