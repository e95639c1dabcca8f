//! Invitations end to end (rules.md §3): the email arrives at a real SMTP
//! server, the link or one-time password in it lets the person join.

use roster_tests::serde_json::{Value, json};
use roster_tests::{
    PASSWORD, Session, TestApp, both_backends, error_code, invitation_token, temporary_password,
};

const PREVIEW: &str = "query($t: String!) { invitationPreview(token: $t) { organizationName email role invitedByName expiresAt accountExists } }";
const ACCEPT_NEW: &str = "mutation($t: String!, $p: String, $n: String) { acceptInvitation(token: $t, password: $p, displayName: $n) \
                          { accessToken refreshToken user { id email displayName } } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { accessToken refreshToken user { id } } }";
const MY_ORGS: &str = "{ me { memberships { role status lastActiveAt organization { name } workspaces { name } assistants { name } } } }";

/// Ada's organization with a workspace and an assistant; their ids.
async fn org_with_targets(app: &TestApp) -> (Session, String, String, String) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    let ws = app
        .ok(
            Some(&ada.access),
            "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            json!({ "o": org }),
        )
        .await["createWorkspace"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let assistant = app
        .ok(
            Some(&ada.access),
            "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Outbound\") { id } }",
            json!({ "o": org }),
        )
        .await["createAssistant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (ada, org, ws, assistant)
}

async fn members(app: &TestApp, s: &Session, org: &str, status: &str) -> Value {
    let q = "query($o: ID!, $s: MemberStatus) { organization(id: $o) { seatsUsed members(status: $s) { totalCount edges { node { status lastActiveAt user { email } } } } } }";
    app.ok(Some(&s.access), q, json!({ "o": org, "s": status }))
        .await["organization"]
        .clone()
}

both_backends! {
    async fn the_link_flow_creates_the_account_and_joins(app) {
        let (ada, org, ws, assistant) = org_with_targets(&app).await;
        let invitation = app
            .ok(
                Some(&ada.access),
                "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) \
                 { id status delivery sentCount role invitedBy { email } workspaces { name } assistants { name } } }",
                json!({ "o": org, "i": { "email": "Carol@Example.com", "role": "USER_ADMIN", "workspaceIds": [ws], "assistantIds": [assistant] } }),
            )
            .await["inviteMember"]
            .clone();
        assert_eq!(invitation["status"], "PENDING");
        assert_eq!(invitation["delivery"], "LINK");
        assert_eq!(invitation["sentCount"], 1);
        assert_eq!(invitation["invitedBy"]["email"], "ada@example.com");
        assert_eq!(invitation["workspaces"], json!([{ "name": "Sales" }]));
        // Pending: in the member list as INVITED, never active, holding a seat.
        let pending = members(&app, &ada, &org, "INVITED").await;
        assert_eq!(pending["members"]["edges"][0]["node"], json!({ "status": "INVITED", "lastActiveAt": null, "user": { "email": "Carol@Example.com" } }));
        assert_eq!(pending["seatsUsed"], 2);

        let mail = app.mail_to("Carol@Example.com", 1).await;
        assert_eq!(mail.subject().as_deref(), Some("You're invited to join Acme"));
        assert!(mail.message_id().is_some_and(|id| id.contains(invitation["id"].as_str().unwrap())));
        assert!(mail.header("Content-Type").is_some_and(|c| c.contains("multipart/alternative")));
        let token = invitation_token(&mail, &app.base);
        assert!(token.len() >= 22, "a token of at least 128 bits");

        let preview = app.ok(None, PREVIEW, json!({ "t": token })).await["invitationPreview"].clone();
        assert_eq!(preview["organizationName"], "Acme");
        assert_eq!(preview["email"], "Carol@Example.com");
        assert_eq!(preview["role"], "USER_ADMIN");
        assert_eq!(preview["invitedByName"], "Ada Lovelace");
        assert_eq!(preview["accountExists"], false);
        // Choosing a password and a name is required, and checked.
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token })).await, "VALIDATION");
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token, "p": "short", "n": "Carol" })).await, "VALIDATION");

        let data = app.ok(None, ACCEPT_NEW, json!({ "t": token, "p": PASSWORD, "n": "Carol" })).await;
        let carol = Session::from_payload(&data["acceptInvitation"]);
        assert_eq!(data["acceptInvitation"]["user"]["displayName"], "Carol");
        let mine = app.ok(Some(&carol.access), MY_ORGS, json!({})).await;
        let m = &mine["me"]["memberships"][0];
        assert_eq!((m["role"].as_str(), m["status"].as_str()), (Some("USER_ADMIN"), Some("ACTIVE")));
        assert_eq!(m["workspaces"], json!([{ "name": "Sales" }]));
        assert_eq!(m["assistants"], json!([{ "name": "Outbound" }]));
        assert!(m["lastActiveAt"].is_string());
        // The account is real: Carol logs in with what she chose.
        app.ok(None, "mutation { logIn(email: \"carol@example.com\", password: \"correct horse battery\") { accessToken } }", json!({})).await;
        // The token was single use.
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token, "p": PASSWORD, "n": "Eve" })).await, "INVITATION_INVALID");
        assert_eq!(app.fails(None, PREVIEW, json!({ "t": token })).await, "INVITATION_INVALID");
        let statuses = app
            .ok(Some(&ada.access), "query($o: ID!) { organization(id: $o) { invitations { edges { node { status } } } } }", json!({ "o": org }))
            .await;
        assert_eq!(statuses["organization"]["invitations"]["edges"][0]["node"]["status"], "ACCEPTED");
    }

    async fn a_registered_user_accepts_only_while_logged_in_as_the_invited_email(app) {
        let (ada, org, _, _) = org_with_targets(&app).await;
        let dave = app.sign_up("dave@example.com", "Dave").await;
        // A verified account (an unverified one is taken over by whoever
        // proves the address: tests/api/squatters.rs).
        app.verify_email(&dave, "dave@example.com").await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        app.invite(&ada, &org, "DAVE@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("DAVE@example.com", 1).await, &app.base);
        assert_eq!(app.ok(None, PREVIEW, json!({ "t": token })).await["invitationPreview"]["accountExists"], true);
        // Not logged in: log in first (a password cannot take the account over).
        assert_eq!(app.fails(None, ACCEPT_NEW, json!({ "t": token, "p": "hijacked password", "n": "Mallory" })).await, "UNAUTHENTICATED");
        // Logged in as somebody else.
        assert_eq!(app.fails(Some(&eve.access), ACCEPT, json!({ "t": token })).await, "FORBIDDEN");
        assert!(error_code(&app.gql(Some(&eve.access), MY_ORGS, json!({})).await).is_none());
        let data = app.ok(Some(&dave.access), ACCEPT, json!({ "t": token })).await;
        assert_eq!(data["acceptInvitation"]["user"]["id"], dave.user_id.as_str());
        let mine = app.ok(Some(&dave.access), MY_ORGS, json!({})).await;
        assert_eq!(mine["me"]["memberships"][0]["status"], "ACTIVE");
        // Dave's password is his own still.
        app.ok(None, "mutation($p: String!) { logIn(email: \"dave@example.com\", password: $p) { accessToken } }", json!({ "p": PASSWORD })).await;
    }

    async fn the_temporary_password_flow_forces_a_change_that_activates(app) {
        let (ada, org, ws, _) = org_with_targets(&app).await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { updateOrganization(id: $o, input: { invitationDelivery: TEMPORARY_PASSWORD }) { id } }", json!({ "o": org })).await;
        let inv = app
            .ok(
                Some(&ada.access),
                "mutation($o: ID!, $i: InviteMemberInput!) { inviteMember(organizationId: $o, input: $i) { delivery expiresAt } }",
                json!({ "o": org, "i": { "email": "frank@example.com", "workspaceIds": [ws] } }),
            )
            .await;
        assert_eq!(inv["inviteMember"]["delivery"], "TEMPORARY_PASSWORD");
        let mail = app.mail_to("frank@example.com", 1).await;
        assert_eq!(mail.subject().as_deref(), Some("You're invited to join Acme"));
        let one_time = temporary_password(&mail);
        assert!(mail.text_body().lines().any(|l| l.trim() == format!("{}/login", app.base)), "log-in URL line");

        let login = app
            .ok(None, "mutation($p: String!) { logIn(email: \"frank@example.com\", password: $p) { accessToken refreshToken user { id mustChangePassword } } }", json!({ "p": one_time }))
            .await;
        assert_eq!(login["logIn"]["user"]["mustChangePassword"], true);
        let frank = Session::from_payload(&login["logIn"]);
        // Nothing but me, changePassword and logOut until the change.
        assert_eq!(app.fails(Some(&frank.access), "query($o: ID!) { organization(id: $o) { name } }", json!({ "o": org })).await, "PASSWORD_CHANGE_REQUIRED");
        assert_eq!(app.fails(Some(&frank.access), "mutation { createOrganization(name: \"Mine\") { id } }", json!({})).await, "PASSWORD_CHANGE_REQUIRED");
        let pending = app.ok(Some(&ada.access), "query($o: ID!) { organization(id: $o) { members(status: INVITED) { totalCount } } }", json!({ "o": org })).await;
        assert_eq!(pending["organization"]["members"]["totalCount"], 1);

        let changed = app
            .ok(
                Some(&frank.access),
                "mutation($c: String!) { changePassword(currentPassword: $c, newPassword: \"franks own password\") { accessToken refreshToken user { id mustChangePassword } } }",
                json!({ "c": one_time }),
            )
            .await;
        assert_eq!(changed["changePassword"]["user"]["mustChangePassword"], false);
        let frank = Session::from_payload(&changed["changePassword"]);
        let mine = app.ok(Some(&frank.access), MY_ORGS, json!({})).await;
        assert_eq!(mine["me"]["memberships"][0]["status"], "ACTIVE");
        assert_eq!(mine["me"]["memberships"][0]["workspaces"], json!([{ "name": "Sales" }]));
        // The one-time password stopped working.
        let code = app.fails(None, "mutation($p: String!) { logIn(email: \"frank@example.com\", password: $p) { accessToken } }", json!({ "p": one_time })).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }

    async fn an_existing_account_gets_a_link_even_when_the_org_sends_passwords(app) {
        let (ada, org, _, _) = org_with_targets(&app).await;
        app.sign_up("grace@example.com", "Grace").await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { updateOrganization(id: $o, input: { invitationDelivery: TEMPORARY_PASSWORD }) { id } }", json!({ "o": org })).await;
        let inv = app.invite(&ada, &org, "grace@example.com", "MEMBER").await;
        assert_eq!(inv["delivery"], "LINK");
        let mail = app.mail_to("grace@example.com", 1).await;
        assert!(!mail.text_body().contains("Temporary password"));
        invitation_token(&mail, &app.base);
    }

    async fn a_one_time_password_expires_after_its_lifetime(app) {
        let (ada, org, _, _) = org_with_targets(&app).await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { updateOrganization(id: $o, input: { invitationDelivery: TEMPORARY_PASSWORD }) { id } }", json!({ "o": org })).await;
        app.invite(&ada, &org, "henry@example.com", "MEMBER").await;
        let one_time = temporary_password(&app.mail_to("henry@example.com", 1).await);
        app.clock.advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
        let code = app.fails(None, "mutation($p: String!) { logIn(email: \"henry@example.com\", password: $p) { accessToken } }", json!({ "p": one_time })).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
}
