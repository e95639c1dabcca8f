//! Each TEMPORARY_PASSWORD invitation's one-time password is its own
//! (rules.md §3): a second organization's invitation neither voids the
//! first's nor joins the person to both. Changing the one-time password
//! activates the invitation it belongs to; the others stay PENDING until
//! the person accepts or declines each by id (docs/api/invitations.md).

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{PASSWORD, Session, TestApp, both_backends, temporary_password};

const LOG_IN: &str = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) \
                      { accessToken refreshToken user { id mustChangePassword } } }";
const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) \
                      { accessToken refreshToken user { id mustChangePassword } } }";
const MY_INVITATIONS: &str =
    "{ me { invitations { id organizationId organizationName role expiresAt } } }";
const ACCEPT: &str =
    "mutation($id: ID!) { acceptInvitationById(id: $id) { status role organization { name } } }";
const DECLINE: &str = "mutation($id: ID!) { declineInvitationById(id: $id) }";
const SEATS: &str = "query($o: ID!) { organization(id: $o) { members(status: ACTIVE) { totalCount } \
                     invitations(status: PENDING) { totalCount } } }";
const TINA: &str = "tina@example.com";
const OWN: &str = "tina's own password";

/// An organization named `name` that invites with one-time passwords, and
/// its owner (signed up as `owner`).
async fn org(app: &TestApp, owner: &str, name: &str) -> (Session, String) {
    let admin = app.sign_up(owner, name).await;
    let org = app.create_org(&admin, name).await;
    app.set_delivery(&admin, &org, "TEMPORARY_PASSWORD", None)
        .await;
    (admin, org)
}

/// `by` invites Tina into `org`; the invitation's id and the one-time
/// password of its email (the `nth` to Tina, from `org_name`).
async fn invite_tina(
    app: &TestApp,
    by: &Session,
    org: &str,
    org_name: &str,
    role: &str,
    nth: usize,
) -> (String, String) {
    let inv = app.invite(by, org, TINA, role).await;
    assert_eq!(inv["delivery"], "TEMPORARY_PASSWORD");
    let mail = app.mail_to(TINA, nth).await;
    assert!(mail.data.contains(org_name), "mail #{nth} is {org_name}'s");
    (
        inv["id"].as_str().expect("id").to_owned(),
        temporary_password(&mail),
    )
}

/// Logs in with `password`; the session and its `mustChangePassword`.
async fn log_in(app: &TestApp, password: &str) -> (Session, Value) {
    let data = app
        .ok(None, LOG_IN, json!({ "e": TINA, "p": password }))
        .await;
    let must = data["logIn"]["user"]["mustChangePassword"].clone();
    (Session::from_payload(&data["logIn"]), must)
}

async fn log_in_fails(app: &TestApp, password: &str) -> String {
    app.fails(None, LOG_IN, json!({ "e": TINA, "p": password }))
        .await
}

/// Active members and pending invitations of `org`, as its admin sees them.
async fn seats(app: &TestApp, admin: &Session, org: &str) -> (i64, i64) {
    let data = app
        .ok(Some(&admin.access), SEATS, json!({ "o": org }))
        .await;
    let o = &data["organization"];
    (
        o["members"]["totalCount"].as_i64().expect("members"),
        o["invitations"]["totalCount"]
            .as_i64()
            .expect("invitations"),
    )
}

both_backends! {
    async fn a_second_organizations_one_time_password_neither_voids_the_first_nor_joins_both(app) {
        let (ada, acme) = org(&app, "ada@example.com", "Acme").await;
        let (eve, evil) = org(&app, "eve@example.com", "Evil").await;
        let (acme_inv, acme_otp) = invite_tina(&app, &ada, &acme, "Acme", "MEMBER", 1).await;
        let (_, evil_otp) = invite_tina(&app, &eve, &evil, "Evil", "ADMIN", 2).await;
        assert_ne!(acme_otp, evil_otp);

        // Both one-time passwords log in, each to a password change.
        let (_, must) = log_in(&app, &acme_otp).await;
        assert_eq!(must, true);
        let (tina, must) = log_in(&app, &evil_otp).await;
        assert_eq!(must, true);
        // Nothing but the password change yet.
        assert_eq!(app.fails(Some(&tina.access), ACCEPT, json!({ "id": acme_inv })).await, "PASSWORD_CHANGE_REQUIRED");

        // Changing Evil's one-time password joins Evil only.
        let changed = app.ok(Some(&tina.access), CHANGE, json!({ "c": evil_otp, "n": OWN })).await;
        assert_eq!(changed["changePassword"]["user"]["mustChangePassword"], false);
        assert_eq!(seats(&app, &eve, &evil).await, (2, 0));
        assert_eq!(seats(&app, &ada, &acme).await, (1, 1), "Acme's invitation stays PENDING");

        // Her own password works from now on; the one-time passwords not
        // any more (she accepts the rest by id).
        let tina = app.log_in_with(TINA, OWN).await;
        assert_eq!(log_in_fails(&app, &acme_otp).await, "UNAUTHENTICATED");
        assert_eq!(log_in_fails(&app, &evil_otp).await, "UNAUTHENTICATED");

        let mine = app.ok(Some(&tina.access), MY_INVITATIONS, json!({})).await;
        let listed = mine["me"]["invitations"].as_array().expect("invitations").clone();
        assert_eq!(listed.len(), 1, "{mine}");
        assert_eq!(listed[0]["id"], acme_inv.as_str());
        assert_eq!(listed[0]["organizationId"], acme.as_str());
        assert_eq!(listed[0]["organizationName"], "Acme");
        assert_eq!(listed[0]["role"], "MEMBER");

        // Only Tina accepts it: not a stranger, not another user (Acme's
        // own admin, Evil's), not another address.
        assert_eq!(app.fails(None, ACCEPT, json!({ "id": acme_inv })).await, "UNAUTHENTICATED");
        let bob = app.sign_up("bob@example.com", "Bob").await;
        for other in [&ada, &eve, &bob] {
            assert_eq!(app.fails(Some(&other.access), ACCEPT, json!({ "id": acme_inv })).await, "NOT_FOUND");
            assert_eq!(app.fails(Some(&other.access), DECLINE, json!({ "id": acme_inv })).await, "NOT_FOUND");
            let theirs = app.ok(Some(&other.access), MY_INVITATIONS, json!({})).await;
            assert_eq!(theirs["me"]["invitations"], json!([]));
        }
        assert_eq!(app.fails(Some(&tina.access), ACCEPT, json!({ "id": "not-an-id" })).await, "NOT_FOUND");
        assert_eq!(seats(&app, &ada, &acme).await, (1, 1), "nothing changed");

        let accepted = app.ok(Some(&tina.access), ACCEPT, json!({ "id": acme_inv })).await;
        assert_eq!(
            accepted["acceptInvitationById"],
            json!({ "status": "ACTIVE", "role": "MEMBER", "organization": { "name": "Acme" } })
        );
        assert_eq!(seats(&app, &ada, &acme).await, (2, 0));
        let mine = app.ok(Some(&tina.access), MY_INVITATIONS, json!({})).await;
        assert_eq!(mine["me"]["invitations"], json!([]));
        // Once only.
        assert_eq!(app.fails(Some(&tina.access), ACCEPT, json!({ "id": acme_inv })).await, "INVITATION_INVALID");
    }

    async fn declining_by_id_ends_that_invitation_only(app) {
        let (ada, acme) = org(&app, "ada@example.com", "Acme").await;
        let (gil, globex) = org(&app, "gil@example.com", "Globex").await;
        let (_, acme_otp) = invite_tina(&app, &ada, &acme, "Acme", "MEMBER", 1).await;
        let (globex_inv, _) = invite_tina(&app, &gil, &globex, "Globex", "MEMBER", 2).await;
        let (tina, _) = log_in(&app, &acme_otp).await;
        app.ok(Some(&tina.access), CHANGE, json!({ "c": acme_otp, "n": OWN })).await;
        let tina = app.log_in_with(TINA, OWN).await;
        assert_eq!(app.ok(Some(&tina.access), DECLINE, json!({ "id": globex_inv })).await["declineInvitationById"], true);
        assert_eq!(seats(&app, &gil, &globex).await, (1, 0));
        assert_eq!(seats(&app, &ada, &acme).await, (2, 0));
        let q = "query($o: ID!) { organization(id: $o) { invitations(status: DECLINED) { totalCount } } }";
        let data = app.ok(Some(&gil.access), q, json!({ "o": globex })).await;
        assert_eq!(data["organization"]["invitations"]["totalCount"], 1);
        let mine = app.ok(Some(&tina.access), MY_INVITATIONS, json!({})).await;
        assert_eq!(mine["me"]["invitations"], json!([]));
        assert_eq!(app.fails(Some(&tina.access), ACCEPT, json!({ "id": globex_inv })).await, "INVITATION_INVALID");
    }

    async fn resend_renews_one_invitations_password_and_revoked_or_expired_ones_stop(app) {
        let (ada, acme) = org(&app, "ada@example.com", "Acme").await;
        let (eve, evil) = org(&app, "eve@example.com", "Evil").await;
        let (acme_inv, acme_first) = invite_tina(&app, &ada, &acme, "Acme", "MEMBER", 1).await;
        let (evil_inv, evil_otp) = invite_tina(&app, &eve, &evil, "Evil", "MEMBER", 2).await;

        let resend = "mutation($id: ID!) { resendInvitation(id: $id) { sentCount } }";
        app.ok(Some(&ada.access), resend, json!({ "id": acme_inv })).await;
        let acme_second = temporary_password(&app.mail_to(TINA, 3).await);
        assert_ne!(acme_second, acme_first);
        assert_eq!(log_in_fails(&app, &acme_first).await, "UNAUTHENTICATED");
        log_in(&app, &acme_second).await;
        log_in(&app, &evil_otp).await;

        let revoke = "mutation($id: ID!) { revokeInvitation(id: $id) { status } }";
        app.ok(Some(&eve.access), revoke, json!({ "id": evil_inv })).await;
        assert_eq!(log_in_fails(&app, &evil_otp).await, "UNAUTHENTICATED");
        log_in(&app, &acme_second).await;

        app.clock.advance(Duration::hours(24) + Duration::seconds(1));
        assert_eq!(log_in_fails(&app, &acme_second).await, "UNAUTHENTICATED");
    }

    async fn an_account_claimed_by_sign_up_cannot_accept_by_id(app) {
        let (ada, acme) = org(&app, "ada@example.com", "Acme").await;
        let (acme_inv, one_time) = invite_tina(&app, &ada, &acme, "Acme", "ADMIN", 1).await;
        // A stranger signs up with the invited address: the pending
        // invitation follows the address, but the stranger never proved
        // the mailbox, so it is neither listed nor accepted.
        let stranger = app.sign_up(TINA, "Mallory").await;
        assert_eq!(log_in_fails(&app, &one_time).await, "UNAUTHENTICATED");
        let mine = app.ok(Some(&stranger.access), MY_INVITATIONS, json!({})).await;
        assert_eq!(mine["me"]["invitations"], json!([]));
        assert_eq!(app.fails(Some(&stranger.access), ACCEPT, json!({ "id": acme_inv })).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&stranger.access), DECLINE, json!({ "id": acme_inv })).await, "FORBIDDEN");
        // Changing the password (the stranger's own, not a one-time one)
        // proves nothing either.
        let changed = app.ok(Some(&stranger.access), CHANGE, json!({ "c": PASSWORD, "n": OWN })).await;
        let stranger = Session::from_payload(&changed["changePassword"]);
        assert_eq!(app.fails(Some(&stranger.access), ACCEPT, json!({ "id": acme_inv })).await, "FORBIDDEN");
        assert_eq!(seats(&app, &ada, &acme).await, (1, 1));
    }
}
