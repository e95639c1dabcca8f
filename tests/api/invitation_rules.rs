//! The rules around invitations: who may invite whom, what a token may no
//! longer do, conflicts, limits. Every refusal changes nothing.

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, Session, TestApp, both_backends, error_code, invitation_token};

const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"correct horse battery\", displayName: \"New\") { accessToken } }";
const PREVIEW: &str = "query($t: String!) { invitationPreview(token: $t) { email } }";
const INVITE: &str = "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) { id sentCount status } }";
const RESEND: &str =
    "mutation($id: ID!) { resendInvitation(id: $id) { id sentCount status expiresAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { id status } }";

async fn org(app: &TestApp) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    (ada, org)
}

/// Status of `email` in the member list, or null when absent.
async fn status_of(app: &TestApp, admin: &Session, org: &str, email: &str) -> Value {
    let q = "query($o: ID!, $s: String) { organization(id: $o) { members(search: $s) { edges { node { status } } } } }";
    app.ok(Some(&admin.access), q, json!({ "o": org, "s": email }))
        .await["organization"]["members"]["edges"][0]["node"]["status"]
        .clone()
}

async fn token_for(app: &TestApp, email: &str, nth: usize) -> String {
    invitation_token(&app.mail_to(email, nth).await, &app.base)
}

both_backends! {
    async fn who_may_invite_whom_follows_the_table(app) {
        let (ada, org) = org(&app).await;
        let users = app.join(&org, "users@example.com", "USER_ADMIN").await;
        let billing = app.join(&org, "billing@example.com", "BILLING_ADMIN").await;
        let plain = app.join(&org, "plain@example.com", "MEMBER").await;
        for role in ["ADMIN", "BILLING_ADMIN", "USER_ADMIN"] {
            let code = app.fails(Some(&users.access), INVITE, json!({ "o": org, "i": { "email": "x@example.com", "role": role } })).await;
            assert_eq!(code, "FORBIDDEN", "USER_ADMIN inviting {role}");
        }
        for s in [&billing, &plain] {
            let code = app.fails(Some(&s.access), INVITE, json!({ "o": org, "i": { "email": "x@example.com" } })).await;
            assert_eq!(code, "FORBIDDEN");
        }
        assert_eq!(status_of(&app, &ada, &org, "x@example.com").await, Value::Null);
        app.ok(Some(&users.access), INVITE, json!({ "o": org, "i": { "email": "x@example.com", "role": "MEMBER" } })).await;
        app.ok(Some(&ada.access), INVITE, json!({ "o": org, "i": { "email": "y@example.com", "role": "ADMIN" } })).await;
        // Whoever may not invite may not see invitations either.
        let q = "query($o: ID!) { organization(id: $o) { invitations { totalCount } } }";
        assert_eq!(app.fails(Some(&billing.access), q, json!({ "o": org })).await, "FORBIDDEN");
        assert_eq!(app.ok(Some(&users.access), q, json!({ "o": org })).await["organization"]["invitations"]["totalCount"], 2);
    }

    async fn the_role_is_checked_again_when_accepted(app) {
        let (ada, org) = org(&app).await;
        let carl = app.join(&org, "carl@example.com", "ADMIN").await;
        app.invite(&carl, &org, "boss@example.com", "ADMIN").await;
        let token = token_for(&app, "boss@example.com", 1).await;
        // Carl is no longer an ADMIN: he could not invite an ADMIN now.
        app.execute_sql("update membership set role = 'USER_ADMIN' where role = 'ADMIN' and joined_at is not null and user_id <> (select owner_id from organization)").await;
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "INVITATION_INVALID");
        assert_eq!(status_of(&app, &ada, &org, "boss@example.com").await, "INVITED");
    }

    async fn dead_tokens_fail_and_change_nothing(app) {
        let (ada, org) = org(&app).await;
        // Revoked.
        let revoked = app.invite(&ada, &org, "revoked@example.com", "MEMBER").await;
        let token = token_for(&app, "revoked@example.com", 1).await;
        let data = app.ok(Some(&ada.access), REVOKE, json!({ "id": revoked["id"] })).await;
        assert_eq!(data["revokeInvitation"]["status"], "REVOKED");
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "INVITATION_INVALID");
        assert_eq!(app.fails(None, PREVIEW, json!({ "t": token })).await, "INVITATION_INVALID");
        assert_eq!(status_of(&app, &ada, &org, "revoked@example.com").await, Value::Null);
        assert_eq!(app.fails(Some(&ada.access), REVOKE, json!({ "id": revoked["id"] })).await, "INVITATION_INVALID");
        // Declined.
        app.invite(&ada, &org, "declined@example.com", "MEMBER").await;
        let token = token_for(&app, "declined@example.com", 1).await;
        assert_eq!(app.ok(None, "mutation($t: String!) { declineInvitation(token: $t) }", json!({ "t": token })).await["declineInvitation"], true);
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "INVITATION_INVALID");
        assert_eq!(status_of(&app, &ada, &org, "declined@example.com").await, Value::Null);
        // Resent away: the old token dies, the new one works.
        let resent = app.invite(&ada, &org, "resent@example.com", "MEMBER").await;
        let old = token_for(&app, "resent@example.com", 1).await;
        let data = app.ok(Some(&ada.access), RESEND, json!({ "id": resent["id"] })).await;
        assert_eq!(data["resendInvitation"]["sentCount"], 2);
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": old })).await, "INVITATION_INVALID");
        let new = token_for(&app, "resent@example.com", 2).await;
        assert_ne!(old, new);
        app.ok(None, ACCEPT_NEW, json!({ "t": new })).await;
        // Already used.
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": new })).await, "INVITATION_INVALID");
        // Garbage.
        for garbage in ["", "nope", &"x".repeat(10_000)] {
            assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": garbage })).await, "INVITATION_INVALID");
        }
    }

    async fn expired_links_fail_whether_or_not_swept(app) {
        let (ada, org) = org(&app).await;
        app.invite(&ada, &org, "late@example.com", "MEMBER").await;
        let token = token_for(&app, "late@example.com", 1).await;
        app.clock.advance(Duration::days(7) - Duration::seconds(5));
        app.ok(None, PREVIEW, json!({ "t": token })).await;
        app.clock.advance(Duration::seconds(10));
        let ada = app.log_in("ada@example.com").await;
        assert_eq!(app.fails(None, PREVIEW, json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_eq!(app.fails(None, "mutation($t: String!) { declineInvitation(token: $t) }", json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_ne!(status_of(&app, &ada, &org, "late@example.com").await, "ACTIVE");
        // The sweep marks it EXPIRED and frees the seat (the worker's
        // minutely sweep may already have done so: then this finds none).
        let swept = app.db.store().expire_invitations(app.now()).await.unwrap();
        assert!(swept <= 1, "{swept}");
        let q = "query($o: ID!) { organization(id: $o) { seatsUsed invitations(status: EXPIRED) { totalCount } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!((data["organization"]["seatsUsed"].clone(), data["organization"]["invitations"]["totalCount"].clone()), (json!(1), json!(1)));
        // Swept or not, its link says it expired (a resend gives a new one).
        assert_eq!(app.fails(None, PREVIEW, json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_eq!(app.fails(None, "mutation($t: String!) { declineInvitation(token: $t) }", json!({ "t": token })).await, "INVITATION_EXPIRED");
        assert_eq!(status_of(&app, &ada, &org, "late@example.com").await, json!(null), "nobody joined");
    }

    async fn members_conflict_and_pending_emails_return_their_invitation(app) {
        let (ada, org) = org(&app).await;
        app.join(&org, "bob@example.com", "MEMBER").await;
        let code = app.fails(Some(&ada.access), INVITE, json!({ "o": org, "i": { "email": "BOB@example.com" } })).await;
        assert_eq!(code, "CONFLICT");
        app.execute_sql("update membership set status = 'BLOCKED' where role = 'MEMBER'").await;
        assert_eq!(app.fails(Some(&ada.access), INVITE, json!({ "o": org, "i": { "email": "bob@example.com" } })).await, "CONFLICT");
        let first = app.invite(&ada, &org, "carol@example.com", "MEMBER").await;
        let again = app.invite(&ada, &org, "Carol@Example.com", "ADMIN").await;
        assert_eq!((again["id"].clone(), again["sentCount"].clone(), again["role"].clone()), (first["id"].clone(), json!(1), json!("MEMBER")));
        app.mail_to("carol@example.com", 1).await;
        assert_eq!(app.mails_to("carol@example.com").len(), 1, "inviting again sends nothing");
    }

    async fn what_an_invitation_names_is_checked(app) {
        let (ada, org) = org(&app).await;
        let mut workspaces = Vec::new();
        for i in 0..11 {
            let q = "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id } }";
            workspaces.push(app.ok(Some(&ada.access), q, json!({ "o": org, "n": format!("Space {i}") })).await["createWorkspace"]["id"].clone());
        }
        let eleven = json!({ "o": org, "i": { "email": "x@example.com", "workspaceIds": workspaces } });
        assert_eq!(app.fails(Some(&ada.access), INVITE, eleven).await, "VALIDATION");
        let ten = json!({ "o": org, "i": { "email": "x@example.com", "workspaceIds": &workspaces[..10] } });
        app.ok(Some(&ada.access), INVITE, ten).await;
        // Another organization's workspace is not found, and nothing is made.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let evil = app.create_org(&eve, "Evil").await;
        let theirs = app.ok(Some(&eve.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Theirs\") { id } }", json!({ "o": evil })).await;
        let code = app.fails(Some(&ada.access), INVITE, json!({ "o": org, "i": { "email": "y@example.com", "workspaceIds": [theirs["createWorkspace"]["id"]] } })).await;
        assert_eq!(code, "NOT_FOUND");
        assert_eq!(status_of(&app, &ada, &org, "y@example.com").await, Value::Null);
        for bad in ["not an email", "", &format!("{}@example.com", "a".repeat(300))] {
            assert_eq!(app.fails(Some(&ada.access), INVITE, json!({ "o": org, "i": { "email": bad } })).await, "VALIDATION");
        }
        // Others' invitations are not found.
        let inv = app.invite(&ada, &org, "z@example.com", "MEMBER").await;
        assert_eq!(app.fails(Some(&eve.access), REVOKE, json!({ "id": inv["id"] })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&eve.access), RESEND, json!({ "id": inv["id"] })).await, "NOT_FOUND");
    }

    async fn accepting_rechecks_the_seats(app) {
        let (ada, org) = org(&app).await;
        app.invite(&ada, &org, "late@example.com", "MEMBER").await;
        let token = token_for(&app, "late@example.com", 1).await;
        // Seats filled behind the invitation's back (as a plan change would).
        for i in 0..9 {
            let user = app.seed_user(&format!("m{i}@example.com"), "M").await;
            app.seed_membership(&org, &user, "MEMBER", "ACTIVE").await;
        }
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "SEAT_LIMIT_REACHED");
        assert_eq!(status_of(&app, &ada, &org, "late@example.com").await, "INVITED");
        // A seat frees up: the same token now works.
        app.execute_sql("delete from membership where user_id in (select id from app_user where email = 'm0@example.com')").await;
        app.ok(None, ACCEPT_NEW, json!({ "t": token })).await;
        assert_eq!(status_of(&app, &ada, &org, "late@example.com").await, "ACTIVE");
    }

    async fn at_most_five_sends_a_day(app) {
        let (ada, org) = org(&app).await;
        let inv = app.invite(&ada, &org, "spam@example.com", "MEMBER").await;
        for n in 2..=5 {
            let data = app.ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] })).await;
            assert_eq!(data["resendInvitation"]["sentCount"], n);
        }
        assert_eq!(app.fails(Some(&ada.access), RESEND, json!({ "id": inv["id"] })).await, "RATE_LIMITED");
        app.clock.advance(Duration::hours(24) + Duration::seconds(1));
        let ada = app.log_in("ada@example.com").await;
        let data = app.ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] })).await;
        assert_eq!(data["resendInvitation"]["sentCount"], 6);
        // The resend restarted the lifetime.
        let expires: chrono::DateTime<chrono::Utc> = data["resendInvitation"]["expiresAt"].as_str().unwrap().parse().unwrap();
        assert_eq!(expires, app.now() + Duration::days(7));
    }

    async fn bulk_invites_answer_row_by_row(app) {
        let (ada, org) = org(&app).await;
        app.join(&org, "bob@example.com", "MEMBER").await;
        let q = "mutation($o: ID!, $rows: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $rows) \
                 { email errorCode error invitation { email status } } }";
        let rows = json!([
            { "email": "one@example.com" },
            { "email": "not-an-email" },
            { "email": "bob@example.com" },
            { "email": "two@example.com", "role": "USER_ADMIN" },
        ]);
        let data = app.ok(Some(&ada.access), q, json!({ "o": org, "rows": rows })).await;
        let results = data["inviteMembers"].as_array().unwrap();
        let codes: Vec<Value> = results.iter().map(|r| r["errorCode"].clone()).collect();
        assert_eq!(codes, [Value::Null, json!("VALIDATION"), json!("CONFLICT"), Value::Null]);
        assert_eq!(results[3]["invitation"]["status"], "PENDING");
        assert!(results[1]["error"].is_string());
        app.mail_to("one@example.com", 1).await;
        app.mail_to("two@example.com", 1).await;
        let too_many: Vec<Value> = (0..101).map(|i| json!({ "email": format!("p{i}@example.com") })).collect();
        assert_eq!(app.fails(Some(&ada.access), q, json!({ "o": org, "rows": too_many })).await, "VALIDATION");
        assert!(error_code(&app.gql(Some(&ada.access), "{ me { id } }", json!({})).await).is_none());
        let _ = PASSWORD;
    }
}
