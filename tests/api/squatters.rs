//! An account that never proved its address (rules.md §1,
//! docs/api/sessions.md) is not matched to invitations by email and never
//! blocks the address's owner: she proves the address by the invitation's
//! mailed link, without the squatter's password, and takes it over (the
//! squatter's account is retired, its sessions ended).

use roster_tests::serde_json::{Value, json};
use roster_tests::{
    PASSWORD, Session, TestApp, both_backends, invitation_token, verification_token,
};

const ME: &str = "{ me { id email emailVerified invitations { id } memberships { status organization { name } } } }";
const BY_ID: &str = "mutation($id: ID!) { acceptInvitationById(id: $id) { status } }";
const PREVIEW: &str = "query($t: String!) { invitationPreview(token: $t) { accountExists } }";
const ACCEPT_NEW: &str = "mutation($t: String!, $p: String, $n: String) { acceptInvitation(token: $t, password: $p, displayName: $n) \
                          { accessToken refreshToken user { id email displayName emailVerified } } }";
const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
const VERIFY: &str = "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }";
const MEMBERS: &str = "query($o: ID!) { organization(id: $o) { members { edges { node { status user { id email } } } } } }";
const OWNER_PASSWORD: &str = "kate's very own password";

/// Ada's organization with `delivery`, and a squatter who signed up with
/// `email` (Kate's address, or a spelling that folds to it) and made an
/// organization of its own.
async fn squatted(app: &TestApp, delivery: &str, email: &str) -> (Session, String, Session) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.set_delivery(&ada, &org, delivery, None).await;
    let squatter = app.sign_up(email, "Not Kate").await;
    app.create_org(&squatter, "Squat").await;
    (ada, org, squatter)
}

async fn me(app: &TestApp, who: &Session) -> Value {
    app.ok(Some(&who.access), ME, json!({})).await["me"].clone()
}

/// Kate accepts the invitation mailed to her as a new person.
async fn owner_accepts(app: &TestApp) -> Value {
    let token = invitation_token(&app.mail_to("kate@example.com", 1).await, &app.base);
    let preview = app.ok(None, PREVIEW, json!({ "t": token })).await;
    assert_eq!(
        preview["invitationPreview"]["accountExists"], false,
        "the page offers a new account"
    );
    let accepted = app
        .ok(
            None,
            ACCEPT_NEW,
            json!({ "t": token, "p": OWNER_PASSWORD, "n": "Kate" }),
        )
        .await;
    accepted["acceptInvitation"].clone()
}

/// The squatter is retired: its session ended, its password opens
/// nothing, and Kate holds the address.
async fn squatter_is_retired(app: &TestApp, squatter: &Session, kate: &Value, as_typed: &str) {
    assert_eq!(
        app.fails(Some(&squatter.access), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let code = app
        .fails(None, LOG_IN, json!({ "e": as_typed, "p": PASSWORD }))
        .await;
    assert_eq!(code, "UNAUTHENTICATED");
    let again = app.log_in_with(as_typed, OWNER_PASSWORD).await;
    assert_eq!(again.user_id, kate["user"]["id"].as_str().expect("id"));
    let mine = me(app, &again).await;
    assert_eq!(mine["emailVerified"], true);
    // Her memberships are hers only: the squatter's own organization stays
    // with the retired account.
    assert_eq!(
        mine["memberships"],
        json!([{ "status": "ACTIVE", "organization": { "name": "Acme" } }])
    );
}

both_backends! {
    async fn a_squatter_neither_sees_nor_blocks_the_owners_invitation(app) {
        let (ada, org, squatter) = squatted(&app, "TEMPORARY_PASSWORD", "kate@example.com").await;
        let invitation = app.invite(&ada, &org, "kate@example.com", "MEMBER").await;
        // An address with an account of its own gets a link, never a
        // one-time password the squatter could log in with.
        assert_eq!(invitation["delivery"], "LINK");
        let seen = me(&app, &squatter).await;
        assert_eq!(seen["emailVerified"], false);
        assert_eq!(seen["invitations"], json!([]));
        let code = app.fails(Some(&squatter.access), BY_ID, json!({ "id": invitation["id"] })).await;
        assert_eq!(code, "FORBIDDEN");

        let kate = owner_accepts(&app).await;
        assert_ne!(kate["user"]["id"], squatter.user_id.as_str(), "a fresh account");
        assert_eq!(kate["user"]["emailVerified"], true);
        squatter_is_retired(&app, &squatter, &kate, "kate@example.com").await;
        let members = app.ok(Some(&ada.access), MEMBERS, json!({ "o": org })).await;
        let kate_row = members["organization"]["members"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|m| m["node"]["user"]["id"] == kate["user"]["id"])
            .cloned()
            .expect("Kate is a member");
        assert_eq!(kate_row["node"]["status"], "ACTIVE");
    }

    async fn a_kelvin_sign_squatter_is_taken_over_like_any_other(app) {
        let kelvin = "\u{212A}ate@example.com";
        let (ada, org, squatter) = squatted(&app, "LINK", kelvin).await;
        app.invite(&ada, &org, "kate@example.com", "MEMBER").await;
        assert_eq!(me(&app, &squatter).await["invitations"], json!([]));
        let kate = owner_accepts(&app).await;
        assert_eq!(kate["user"]["email"], "kate@example.com");
        squatter_is_retired(&app, &squatter, &kate, "kate@example.com").await;
        let code = app.fails(None, LOG_IN, json!({ "e": kelvin, "p": PASSWORD })).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }

    async fn the_squatters_verification_link_is_useless_to_it_and_dies_at_the_take_over(app) {
        let (ada, org, squatter) = squatted(&app, "LINK", "kate@example.com").await;
        // The link went to Kate's mailbox; clicking it signed in as nobody,
        // or as herself later, verifies nothing for the squatter.
        let mails = app.verification_mails_to("kate@example.com").await;
        let token = verification_token(&mails[0], &app.base);
        assert_eq!(app.fails(None, VERIFY, json!({ "t": token })).await, "UNAUTHENTICATED");
        app.invite(&ada, &org, "kate@example.com", "MEMBER").await;
        let kate = owner_accepts(&app).await;
        let kate_session = Session::from_payload(&kate);
        assert_eq!(app.fails(Some(&kate_session.access), VERIFY, json!({ "t": token })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&squatter.access), VERIFY, json!({ "t": token })).await, "UNAUTHENTICATED");
    }

    async fn a_verified_account_is_never_taken_over(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let kate = app.sign_up("kate@example.com", "Kate").await;
        let mails = app.verification_mails_to("kate@example.com").await;
        let token = verification_token(&mails[0], &app.base);
        app.ok(Some(&kate.access), VERIFY, json!({ "t": token })).await;
        app.invite(&ada, &org, "kate@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("kate@example.com", 1).await, &app.base);
        let preview = app.ok(None, PREVIEW, json!({ "t": token })).await;
        assert_eq!(preview["invitationPreview"]["accountExists"], true);
        let code = app
            .fails(None, ACCEPT_NEW, json!({ "t": token, "p": OWNER_PASSWORD, "n": "Mallory" }))
            .await;
        assert_eq!(code, "UNAUTHENTICATED");
        // Nothing changed: Kate still logs in, still verified, only invited.
        let seen = me(&app, &app.log_in("kate@example.com").await).await;
        assert_eq!(seen["id"], kate.user_id.as_str());
        assert_eq!(seen["emailVerified"], true);
        assert_eq!(seen["memberships"], json!([{ "status": "INVITED", "organization": { "name": "Acme" } }]));
        assert_eq!(seen["invitations"].as_array().map(Vec::len), Some(1));
        let code = app.fails(None, LOG_IN, json!({ "e": "kate@example.com", "p": OWNER_PASSWORD })).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
}
