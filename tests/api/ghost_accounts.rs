//! An invitation that ends unaccepted (revoked, declined, expired) leaves
//! nothing that blocks a later sign-up or tells a stranger the address was
//! invited (rules.md §3); claiming the account an invitation made never
//! lets the claimer into the organization (docs/api/invitations.md).

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{
    PASSWORD, Session, TestApp, both_backends, error_code, invitation_token, temporary_password,
};

const SIGN_UP: &str = "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) \
                       { accessToken refreshToken user { id email displayName mustChangePassword createdAt } } }";
const LOG_IN: &str = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) \
                      { accessToken refreshToken user { id mustChangePassword } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { status } }";
const DECLINE: &str = "mutation($t: String!) { declineInvitation(token: $t) }";
const MY_ORGS: &str = "{ me { memberships { status organization { name } } } }";
const CHANGE: &str = "mutation($c: String!) { changePassword(currentPassword: $c, newPassword: \"a stranger's password\") \
                      { accessToken refreshToken user { id mustChangePassword } } }";

async fn org(app: &TestApp, delivery: &str) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.set_delivery(&ada, &org, delivery, None).await;
    (ada, org)
}

/// What a stranger sees of `email`: log-in before sign-up, sign-up (its
/// shape, without the tokens and id), log-in after, sign-up again. An
/// address whose invitation ended must look exactly like one never invited.
async fn what_a_stranger_sees(app: &TestApp, email: &str) -> Value {
    let before = app
        .gql(None, LOG_IN, json!({ "e": email, "p": PASSWORD }))
        .await;
    let signed_up = app
        .ok(
            None,
            SIGN_UP,
            json!({ "e": email, "p": PASSWORD, "n": "Someone" }),
        )
        .await;
    let user = &signed_up["signUp"]["user"];
    let session = Session::from_payload(&signed_up["signUp"]);
    let memberships = app.ok(Some(&session.access), MY_ORGS, json!({})).await;
    let logged_in = app
        .ok(None, LOG_IN, json!({ "e": email, "p": PASSWORD }))
        .await;
    assert_eq!(logged_in["logIn"]["user"]["id"], user["id"]);
    let again = app
        .gql(
            None,
            SIGN_UP,
            json!({ "e": email, "p": PASSWORD, "n": "Again" }),
        )
        .await;
    json!({
        "logInBefore": [error_code(&before), before["errors"][0]["message"].clone(), before["data"].clone()],
        "signUp": {
            "email": user["email"],
            "displayName": user["displayName"],
            "mustChangePassword": user["mustChangePassword"],
            "createdNow": user["createdAt"].as_str().and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()) == Some(app.now()),
        },
        "memberships": memberships["me"]["memberships"],
        "logInAfter": logged_in["logIn"]["user"]["mustChangePassword"],
        "signUpAgain": error_code(&again),
        "id": user["id"],
    })
}

/// The same view with the address and the account id set apart, for
/// comparing two addresses; and the id.
async fn seen_as_fresh(app: &TestApp, email: &str) -> (Value, String) {
    let mut seen = what_a_stranger_sees(app, email).await;
    seen["signUp"]["email"] = json!("<address>");
    let id = seen["id"].take().as_str().expect("id").to_owned();
    (seen, id)
}

/// Each of `emails` looks to a stranger exactly like a never-invited
/// address signed up before it: even the account id (a UUID v7, which
/// carries its creation time) is newer, not the invitation's.
async fn all_seen_as_never_invited(app: &TestApp, emails: &[&str]) {
    let (never, mut previous) = seen_as_fresh(app, "never@example.com").await;
    assert_eq!(never["signUpAgain"], "CONFLICT");
    for email in emails {
        let (seen, id) = seen_as_fresh(app, email).await;
        assert_eq!(seen, never, "{email}");
        assert!(
            id > previous,
            "{email}: the account id predates the sign-up"
        );
        previous = id;
    }
}

both_backends! {
    async fn link_invitations_that_end_unaccepted_leave_the_address_free(app) {
        let (ada, org) = org(&app, "LINK").await;
        let revoked = app.invite(&ada, &org, "revoked@example.com", "MEMBER").await;
        app.invite(&ada, &org, "declined@example.com", "MEMBER").await;
        app.invite(&ada, &org, "expired@example.com", "MEMBER").await;
        app.ok(Some(&ada.access), REVOKE, json!({ "id": revoked["id"] })).await;
        let token = invitation_token(&app.mail_to("declined@example.com", 1).await, &app.base);
        app.ok(None, DECLINE, json!({ "t": token })).await;
        app.mail_to("expired@example.com", 1).await;
        app.clock.advance(Duration::days(7) + Duration::seconds(1));

        all_seen_as_never_invited(&app, &["revoked@example.com", "declined@example.com", "expired@example.com"]).await;
    }

    async fn temporary_password_invitations_that_end_unaccepted_leave_the_address_free(app) {
        let (ada, org) = org(&app, "TEMPORARY_PASSWORD").await;
        let revoked = app.invite(&ada, &org, "revoked@example.com", "MEMBER").await;
        app.invite(&ada, &org, "expired@example.com", "MEMBER").await;
        app.invite(&ada, &org, "tried@example.com", "MEMBER").await;
        let revoked_password = temporary_password(&app.mail_to("revoked@example.com", 1).await);
        let expired_password = temporary_password(&app.mail_to("expired@example.com", 1).await);
        let tried_password = temporary_password(&app.mail_to("tried@example.com", 1).await);
        app.ok(Some(&ada.access), REVOKE, json!({ "id": revoked["id"] })).await;
        // One invitee logged in with the one-time password but never
        // changed it: the account still ends as a placeholder.
        app.ok(None, LOG_IN, json!({ "e": "tried@example.com", "p": tried_password })).await;
        app.clock.advance(Duration::hours(24) + Duration::seconds(1));
        for (email, one_time) in [("revoked@example.com", &revoked_password), ("expired@example.com", &expired_password), ("tried@example.com", &tried_password)] {
            let code = app.fails(None, LOG_IN, json!({ "e": email, "p": one_time })).await;
            assert_eq!(code, "UNAUTHENTICATED", "{email}: the one-time password died with the invitation");
        }

        all_seen_as_never_invited(&app, &["revoked@example.com", "expired@example.com", "tried@example.com"]).await;
        // Still no member but Ada.
        let q = "query($o: ID!) { organization(id: $o) { seatsUsed members { totalCount } } }";
        let ada = app.log_in("ada@example.com").await;
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"], json!({ "seatsUsed": 1, "members": { "totalCount": 1 } }));
    }

    async fn claiming_a_pending_invitees_account_never_joins_the_organization(app) {
        let (ada, org) = org(&app, "TEMPORARY_PASSWORD").await;
        app.invite(&ada, &org, "victim@example.com", "ADMIN").await;
        let one_time = temporary_password(&app.mail_to("victim@example.com", 1).await);
        // A stranger signs up with the invited address: it answers like
        // any fresh sign-up (nothing tells the address was invited)...
        let stranger = app.sign_up("victim@example.com", "Mallory").await;
        // ...the one-time password is gone with the placeholder...
        assert_eq!(app.fails(None, LOG_IN, json!({ "e": "victim@example.com", "p": one_time })).await, "UNAUTHENTICATED");
        // ...and changing the password is not a way in: only someone who
        // logged in with the one-time password activates the invitation.
        let changed = app.ok(Some(&stranger.access), CHANGE, json!({ "c": PASSWORD })).await;
        let stranger = Session::from_payload(&changed["changePassword"]);
        let mine = app.ok(Some(&stranger.access), MY_ORGS, json!({})).await;
        assert!(
            mine["me"]["memberships"].as_array().unwrap().iter().all(|m| m["status"] != "ACTIVE"),
            "{mine}"
        );
        assert!(app.gql(Some(&stranger.access), "query($o: ID!) { organization(id: $o) { name } }", json!({ "o": org })).await["errors"].is_array());
        let q = "query($o: ID!) { organization(id: $o) { members(status: ACTIVE) { totalCount } invitations(status: PENDING) { totalCount } } }";
        let data = app.ok(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(data["organization"], json!({ "members": { "totalCount": 1 }, "invitations": { "totalCount": 1 } }));
        // The claimed account is an account like any other.
        let again = app.gql(None, SIGN_UP, json!({ "e": "victim@example.com", "p": PASSWORD, "n": "Eve" })).await;
        assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
    }

    async fn a_claimed_link_invitation_still_needs_its_token(app) {
        let (ada, org) = org(&app, "LINK").await;
        app.invite(&ada, &org, "linked@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("linked@example.com", 1).await, &app.base);
        let stranger = app.sign_up("linked@example.com", "Mallory").await;
        let mine = app.ok(Some(&stranger.access), MY_ORGS, json!({})).await;
        assert!(mine["me"]["memberships"].as_array().unwrap().iter().all(|m| m["status"] != "ACTIVE"), "{mine}");
        // The claimer joins only with the token (without a session, the
        // token's holder would take the unverified account's address over
        // instead: tests/api/squatters.rs).
        let accept = "mutation($t: String!) { acceptInvitation(token: $t) { accessToken } }";
        app.ok(Some(&stranger.access), accept, json!({ "t": token })).await;
        let mine = app.ok(Some(&stranger.access), MY_ORGS, json!({})).await;
        assert_eq!(mine["me"]["memberships"][0]["status"], "ACTIVE");
    }
}
