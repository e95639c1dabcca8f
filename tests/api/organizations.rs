//! Organizations: creation, settings, and what each role sees of them.

use chrono::Duration;
use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};

const ORG: &str = "query($id: ID!) { organization(id: $id) { id name createdAt viewerRole owner { id email } plan seatLimit \
                   seatsUsed invitationDelivery invitationTtlHours } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) \
                      { name invitationDelivery invitationTtlHours } }";

async fn member_of(
    app: &TestApp,
    org: &str,
    email: &str,
    role: &str,
    status: &str,
) -> roster_tests::Session {
    let s = app
        .sign_up(email, email.split('@').next().unwrap_or(email))
        .await;
    app.seed_membership(org, &s.user_id, role, status).await;
    s
}

both_backends! {
    async fn the_creator_is_owner_and_admin_on_the_basic_plan(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let data = app
            .ok(Some(&ada.access), "mutation { createOrganization(name: \"  Acme  \") { id name viewerRole plan seatLimit seatsUsed invitationDelivery invitationTtlHours owner { id } } }", json!({}))
            .await;
        let org = &data["createOrganization"];
        assert_eq!(org["name"], "Acme");
        assert_eq!(org["viewerRole"], "ADMIN");
        assert_eq!(org["owner"]["id"], ada.user_id.as_str());
        assert_eq!(org["plan"], "BASIC");
        assert_eq!(org["seatLimit"], 10);
        assert_eq!(org["seatsUsed"], 1);
        assert_eq!(org["invitationDelivery"], "LINK");
        assert_eq!(org["invitationTtlHours"], 168);
        let me = app.ok(Some(&ada.access), "{ me { memberships { role status isOwner joinedAt organization { id } } } }", json!({})).await;
        let m = &me["me"]["memberships"][0];
        assert_eq!(m["organization"]["id"], org["id"]);
        assert_eq!((m["role"].as_str(), m["status"].as_str(), m["isOwner"].as_bool()), (Some("ADMIN"), Some("ACTIVE"), Some(true)));
        assert!(m["joinedAt"].is_string());
    }

    async fn a_user_belongs_to_many_organizations_with_a_role_in_each(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let bob = app.sign_up("bob@example.com", "Bob").await;
        let acme = app.create_org(&ada, "Acme").await;
        let _globex = app.create_org(&bob, "Globex").await;
        app.seed_membership(&acme, &bob.user_id, "BILLING_ADMIN", "ACTIVE").await;
        let me = app.ok(Some(&bob.access), "{ me { memberships { role organization { name viewerRole } } } }", json!({})).await;
        let mut seen: Vec<(String, String)> = me["me"]["memberships"]
            .as_array()
            .expect("list")
            .iter()
            .map(|m| (m["organization"]["name"].as_str().unwrap().to_owned(), m["organization"]["viewerRole"].as_str().unwrap().to_owned()))
            .collect();
        seen.sort();
        assert_eq!(seen, [("Acme".to_owned(), "BILLING_ADMIN".to_owned()), ("Globex".to_owned(), "ADMIN".to_owned())]);
    }

    async fn bad_organization_names_create_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        for name in ["", "   ", &"x".repeat(101), "bad\u{7}name"] {
            let code = app.fails(Some(&ada.access), "mutation($n: String!) { createOrganization(name: $n) { id } }", json!({ "n": name })).await;
            assert_eq!(code, "VALIDATION");
        }
        let code = app.fails(None, "mutation { createOrganization(name: \"Acme\") { id } }", json!({})).await;
        assert_eq!(code, "UNAUTHENTICATED");
        let me = app.ok(Some(&ada.access), "{ me { memberships { id } } }", json!({})).await;
        assert_eq!(me["me"]["memberships"], json!([]));
    }

    async fn an_admin_edits_settings_and_each_delivery_keeps_its_lifetime(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let data = app.ok(Some(&ada.access), UPDATE, json!({ "id": org, "input": { "name": "Acme Inc", "invitationTtlHours": 72 } })).await;
        assert_eq!(data["updateOrganization"], json!({ "name": "Acme Inc", "invitationDelivery": "LINK", "invitationTtlHours": 72 }));
        let data = app.ok(Some(&ada.access), UPDATE, json!({ "id": org, "input": { "invitationDelivery": "TEMPORARY_PASSWORD" } })).await;
        assert_eq!(data["updateOrganization"]["invitationTtlHours"], 24);
        let data = app.ok(Some(&ada.access), UPDATE, json!({ "id": org, "input": { "invitationDelivery": "LINK" } })).await;
        assert_eq!(data["updateOrganization"]["invitationTtlHours"], 72);
    }

    async fn bad_settings_change_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        for input in [
            json!({ "name": "Renamed", "invitationTtlHours": 0 }),
            json!({ "name": "Renamed", "invitationTtlHours": 721 }),
            json!({ "name": "", "invitationTtlHours": 48 }),
            json!({ "name": "x".repeat(101) }),
        ] {
            assert_eq!(app.fails(Some(&ada.access), UPDATE, json!({ "id": org, "input": input })).await, "VALIDATION");
        }
        let code = app.fails(Some(&ada.access), UPDATE, json!({ "id": org, "input": { "invitationDelivery": "CARRIER_PIGEON" } })).await;
        assert_eq!(code, "VALIDATION");
        let data = app.ok(Some(&ada.access), ORG, json!({ "id": org })).await;
        assert_eq!(data["organization"]["name"], "Acme");
        assert_eq!(data["organization"]["invitationTtlHours"], 168);
    }

    async fn other_organizations_are_not_found(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let acme = app.create_org(&ada, "Acme").await;
        app.create_org(&eve, "Evil").await;
        let random = uuid::Uuid::now_v7().to_string();
        for id in [acme.as_str(), random.as_str(), "not-a-uuid"] {
            assert_eq!(app.fails(Some(&eve.access), ORG, json!({ "id": id })).await, "NOT_FOUND", "{id}");
            let code = app.fails(Some(&eve.access), UPDATE, json!({ "id": id, "input": { "name": "Pwned" } })).await;
            assert_eq!(code, "NOT_FOUND", "{id}");
        }
        assert_eq!(app.fails(None, ORG, json!({ "id": acme })).await, "UNAUTHENTICATED");
        let data = app.ok(Some(&ada.access), ORG, json!({ "id": acme })).await;
        assert_eq!(data["organization"]["name"], "Acme");
    }

    async fn each_role_sees_what_the_table_grants(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let billing = member_of(&app, &org, "billing@example.com", "BILLING_ADMIN", "ACTIVE").await;
        let users = member_of(&app, &org, "users@example.com", "USER_ADMIN", "ACTIVE").await;
        let member = member_of(&app, &org, "member@example.com", "MEMBER", "ACTIVE").await;
        // Info and billing: the three admin roles.
        for s in [&ada, &billing, &users] {
            let data = app.ok(Some(&s.access), ORG, json!({ "id": org })).await;
            assert_eq!(data["organization"]["plan"], "BASIC");
            assert_eq!(data["organization"]["seatsUsed"], 4);
        }
        // A MEMBER sees the name and its own role, nothing else.
        let data = app.ok(Some(&member.access), "query($id: ID!) { organization(id: $id) { name viewerRole } }", json!({ "id": org })).await;
        assert_eq!(data["organization"], json!({ "name": "Acme", "viewerRole": "MEMBER" }));
        for field in ["createdAt", "owner { id }", "plan", "seatLimit", "seatsUsed", "invitationDelivery", "invitationTtlHours"] {
            let q = format!("query($id: ID!) {{ organization(id: $id) {{ {field} }} }}");
            assert_eq!(app.fails(Some(&member.access), &q, json!({ "id": org })).await, "FORBIDDEN", "{field}");
        }
        // Only ADMIN edits settings.
        for s in [&billing, &users, &member] {
            let code = app.fails(Some(&s.access), UPDATE, json!({ "id": org, "input": { "name": "Pwned" } })).await;
            assert_eq!(code, "FORBIDDEN");
        }
        assert_eq!(app.ok(Some(&ada.access), ORG, json!({ "id": org })).await["organization"]["name"], "Acme");
    }

    async fn blocked_and_invited_members_get_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let blocked = member_of(&app, &org, "blocked@example.com", "ADMIN", "BLOCKED").await;
        let invited = member_of(&app, &org, "invited@example.com", "ADMIN", "INVITED").await;
        assert_eq!(app.fails(Some(&blocked.access), ORG, json!({ "id": org })).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&blocked.access), UPDATE, json!({ "id": org, "input": { "name": "Pwned" } })).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&invited.access), ORG, json!({ "id": org })).await, "NOT_FOUND");
        // Through its own membership list a blocked member sees the name only.
        let code = app.fails(Some(&blocked.access), "{ me { memberships { organization { plan } } } }", json!({})).await;
        assert_eq!(code, "FORBIDDEN");
        // A blocked member holds no seat; an invited one does.
        let data = app.ok(Some(&ada.access), ORG, json!({ "id": org })).await;
        assert_eq!(data["organization"]["seatsUsed"], 2);
    }

    async fn last_active_is_written_at_most_once_a_minute(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = member_of(&app, &org, "bob@example.com", "MEMBER", "ACTIVE").await;
        const BOB: &str = "query($id: ID!) { organization(id: $id) { members(search: \"bob@\") { edges { node { lastActiveAt } } } } }";
        let last_active = |data: roster_tests::serde_json::Value| data["organization"]["members"]["edges"][0]["node"]["lastActiveAt"].as_str().map(str::to_owned);
        let seeded = last_active(app.ok(Some(&ada.access), BOB, json!({ "id": org })).await);
        app.clock.advance(Duration::minutes(5));
        // Bob acts: written.
        app.ok(Some(&bob.access), "query($id: ID!) { organization(id: $id) { name } }", json!({ "id": org })).await;
        let first = last_active(app.ok(Some(&ada.access), BOB, json!({ "id": org })).await);
        assert_ne!(first, seeded);
        // Acts again within the minute: not written.
        app.clock.advance(Duration::seconds(30));
        app.ok(Some(&bob.access), "query($id: ID!) { organization(id: $id) { name } }", json!({ "id": org })).await;
        assert_eq!(last_active(app.ok(Some(&ada.access), BOB, json!({ "id": org })).await), first);
        // A minute later: written again.
        app.clock.advance(Duration::seconds(31));
        app.ok(Some(&bob.access), "query($id: ID!) { organization(id: $id) { name } }", json!({ "id": org })).await;
        assert_ne!(last_active(app.ok(Some(&ada.access), BOB, json!({ "id": org })).await), first);
    }
}
