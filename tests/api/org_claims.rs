//! An organization in the access token: `refreshSession(organizationId:)`
//! (docs/api/sessions.md). The claims are read from the database when the
//! token is issued; a refusal spends nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

const REFRESH_IN: &str = "mutation($t: String!, $o: ID) { refreshSession(refreshToken: $t, organizationId: $o) \
                          { accessToken refreshToken user { id } } }";
const ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";
const BLOCK: &str =
    "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }";
const ME: &str = "{ me { id } }";

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    roster_tests::serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64"))
        .expect("json")
}

async fn refresh_in(app: &TestApp, refresh: &str, org: Option<&str>) -> Value {
    app.gql(None, REFRESH_IN, json!({ "t": refresh, "o": org }))
        .await
}

/// The refresh token still works once: a refusal left it unspent.
async fn still_unspent(app: &TestApp, s: &Session) {
    let res = refresh_in(app, &s.refresh, None).await;
    assert!(
        res.get("errors").is_none(),
        "the refresh token was spent: {res}"
    );
}

both_backends! {
    async fn a_member_gets_its_organization_role_and_status_in_the_token(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "USER_ADMIN").await;

        let res = refresh_in(&app, &bob.refresh, Some(&org)).await;
        let pair = Session::from_payload(&res["data"]["refreshSession"]);
        let claims = claims_of(&pair.access);
        assert_eq!(claims["org_id"], org.as_str());
        assert_eq!(claims["org_role"], "USER_ADMIN");
        assert_eq!(claims["org_status"], "ACTIVE");
        assert_eq!(claims["sub"], bob.user_id.as_str());
        // The token works as any other.
        app.ok(Some(&pair.access), ME, json!({})).await;

        // Without organizationId there are no organization claims.
        let res = refresh_in(&app, &pair.refresh, None).await;
        let plain = claims_of(res["data"]["refreshSession"]["accessToken"].as_str().expect("token"));
        for claim in ["org_id", "org_role", "org_status"] {
            assert!(plain.get(claim).is_none(), "{claim} in {plain}");
        }
        // Sign-up and log-in tokens carry none either.
        assert!(claims_of(&ada.access).get("org_id").is_none());
    }

    async fn the_claims_follow_the_database_at_the_next_refresh(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let first = Session::from_payload(&refresh_in(&app, &bob.refresh, Some(&org)).await["data"]["refreshSession"]);
        assert_eq!(claims_of(&first.access)["org_role"], "MEMBER");

        app.ok(Some(&ada.access), ROLE, json!({ "o": org, "u": bob.user_id, "r": "BILLING_ADMIN" })).await;
        let second = Session::from_payload(&refresh_in(&app, &first.refresh, Some(&org)).await["data"]["refreshSession"]);
        assert_eq!(claims_of(&second.access)["org_role"], "BILLING_ADMIN");

        // Blocked: no token says otherwise, and the refusal spends nothing.
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": bob.user_id })).await;
        let res = refresh_in(&app, &second.refresh, Some(&org)).await;
        assert_eq!(roster_tests::error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        still_unspent(&app, &second).await;
    }

    async fn strangers_and_bad_ids_get_no_token_and_spend_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let carl = app.sign_up("carl@example.com", "Carl").await;
        app.invite(&ada, &org, "carl@example.com", "MEMBER").await;
        let unknown = "0190a0b0-0000-7000-8000-000000000000";
        let cases = [
            (&eve, org.as_str(), "NOT_FOUND"),
            (&eve, unknown, "NOT_FOUND"),
            (&eve, "not-an-id", "NOT_FOUND"),
            // Invited, not yet a member: as a stranger.
            (&carl, org.as_str(), "NOT_FOUND"),
        ];
        for (who, id, code) in cases {
            let res = refresh_in(&app, &who.refresh, Some(id)).await;
            assert_eq!(roster_tests::error_code(&res).as_deref(), Some(code), "{id}: {res}");
            assert!(res["data"].is_null(), "{res}");
        }
        still_unspent(&app, &eve).await;
        still_unspent(&app, &carl).await;
    }

    async fn a_spent_refresh_token_still_ends_its_session_with_an_organization(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let next = Session::from_payload(&refresh_in(&app, &ada.refresh, Some(&org)).await["data"]["refreshSession"]);
        // Replaying the spent token, organization or not, is reuse.
        let res = refresh_in(&app, &ada.refresh, Some(&org)).await;
        assert_eq!(roster_tests::error_code(&res).as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(app.fails(Some(&next.access), ME, json!({})).await, "UNAUTHENTICATED");
    }

    async fn an_organization_deleted_gives_no_claims(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { deleteOrganization(id: $o) }", json!({ "o": org })).await;
        let res = refresh_in(&app, &ada.refresh, Some(&org)).await;
        assert_eq!(roster_tests::error_code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
        still_unspent(&app, &ada).await;
    }
}
