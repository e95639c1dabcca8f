//! Arguments that grant something are checked against the permission
//! table like the operation itself (rules.md §10): an invitation naming
//! assistants needs the right to assign users to assistants, when it is
//! made and again when it is accepted. (Every role × argument cell is
//! walked by `matrix.rs`.)

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, invitation_token};

const INVITE: &str = "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) { id } }";
const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"correct horse battery\", displayName: \"New\") { accessToken } }";
const ASSISTANT_USERS: &str =
    "query($o: ID!) { organization(id: $o) { assistants { users { user { email } } } } }";
const LOG: &str =
    "query($o: ID!, $a: String) { organization(id: $o) { auditLog(action: $a) { totalCount } } }";

struct Acme {
    ada: Session,
    org: String,
    assistant: Value,
}

async fn acme(app: &TestApp) -> Acme {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let q = "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Bot\") { id } }";
    let assistant =
        app.ok(Some(&ada.access), q, json!({ "o": org })).await["createAssistant"]["id"].clone();
    Acme {
        ada,
        org,
        assistant,
    }
}

/// The emails on the organization's (one) assistant.
async fn assistant_users(app: &TestApp, a: &Acme) -> Vec<String> {
    let data = app
        .ok(Some(&a.ada.access), ASSISTANT_USERS, json!({ "o": a.org }))
        .await;
    data["organization"]["assistants"][0]["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["user"]["email"].as_str().expect("email").to_owned())
        .collect()
}

async fn events(app: &TestApp, a: &Acme, action: &str) -> i64 {
    let data = app
        .ok(Some(&a.ada.access), LOG, json!({ "o": a.org, "a": action }))
        .await;
    data["organization"]["auditLog"]["totalCount"]
        .as_i64()
        .expect("count")
}

both_backends! {
    async fn a_user_admin_may_not_invite_onto_assistants(app) {
        let a = acme(&app).await;
        let uma = app.join(&a.org, "uma@example.com", "USER_ADMIN").await;
        let with_assistant = json!({ "o": a.org, "i": { "email": "vic@example.com", "role": "MEMBER", "assistantIds": [a.assistant] } });
        // setAssistantUsers is FORBIDDEN to her; so is the same grant
        // carried by an invitation, and nothing is made.
        assert_eq!(app.fails(Some(&uma.access), INVITE, with_assistant).await, "FORBIDDEN");
        let pending = app.count_sql("select count(*) from invitation where email = 'vic@example.com'").await;
        assert_eq!(pending, 0);
        // Without assistants she may invite a MEMBER, with workspaces too.
        let q = "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }";
        let ws = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await["createWorkspace"]["id"].clone();
        let with_workspace = json!({ "o": a.org, "i": { "email": "vic@example.com", "role": "MEMBER", "workspaceIds": [ws] } });
        app.ok(Some(&uma.access), INVITE, with_workspace).await;
    }

    async fn assistants_named_by_an_invitation_are_checked_again_when_accepted(app) {
        let a = acme(&app).await;
        let bob = app.join(&a.org, "bob@example.com", "ADMIN").await;
        let invite = json!({ "o": a.org, "i": { "email": "vic@example.com", "role": "MEMBER", "assistantIds": [a.assistant] } });
        app.ok(Some(&bob.access), INVITE, invite).await;
        let vic_token = invitation_token(&app.mail_to("vic@example.com", 1).await, &app.base);
        // Bob, now a USER_ADMIN, could still invite a MEMBER, but could no
        // longer place her on an assistant.
        let q = "mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: USER_ADMIN) { role } }";
        app.ok(Some(&a.ada.access), q, json!({ "o": a.org, "u": bob.user_id })).await;
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": vic_token })).await, "INVITATION_INVALID");
        assert!(assistant_users(&app, &a).await.is_empty());
        assert_eq!(events(&app, &a, "assistant.users_changed").await, 0);
    }

    async fn an_accepted_invitation_places_its_invitee_on_assistants_with_an_event(app) {
        let a = acme(&app).await;
        let invite = json!({ "o": a.org, "i": { "email": "vic@example.com", "role": "MEMBER", "assistantIds": [a.assistant] } });
        app.ok(Some(&a.ada.access), INVITE, invite).await;
        let vic_token = invitation_token(&app.mail_to("vic@example.com", 1).await, &app.base);
        app.ok(None, ACCEPT_NEW, json!({ "t": vic_token })).await;
        assert_eq!(assistant_users(&app, &a).await, ["vic@example.com"]);
        assert_eq!(events(&app, &a, "assistant.users_changed").await, 1);
    }

    async fn an_invite_form_is_told_what_each_inviter_may_name(app) {
        let a = acme(&app).await;
        let uma = app.join(&a.org, "uma@example.com", "USER_ADMIN").await;
        let bill = app.join(&a.org, "bill@example.com", "BILLING_ADMIN").await;
        let q = "query($o: ID!) { organization(id: $o) { member: viewerCanInviteWith(role: MEMBER) admin: viewerCanInviteWith(role: ADMIN) } }";
        let ada = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await;
        assert_eq!(ada["organization"]["member"], json!(["WORKSPACE_IDS", "ASSISTANT_IDS"]));
        assert_eq!(ada["organization"]["admin"], json!(["WORKSPACE_IDS", "ASSISTANT_IDS"]));
        // A USER_ADMIN names workspaces for a MEMBER, never assistants
        // (the API refuses them: a_user_admin_may_not_invite_onto_assistants),
        // and may not invite an ADMIN at all.
        let ua = app.ok(Some(&uma.access), q, json!({ "o": a.org })).await;
        assert_eq!(ua["organization"]["member"], json!(["WORKSPACE_IDS"]));
        assert_eq!(ua["organization"]["admin"], json!([]));
        let b = app.ok(Some(&bill.access), q, json!({ "o": a.org })).await;
        assert_eq!(b["organization"]["member"], json!([]));
    }
}
