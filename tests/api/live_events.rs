//! Live membership events (rules.md §9) at the protocol's level: the
//! frames and close codes of graphql-transport-ws (live_client.rs hears
//! every kind of change through a maintained client): an assistant's
//! manager, access lost ends the stream, authentication in
//! `connection_init`, expiry, shutdown, a subscriber too slow.

use std::time::Duration;

use roster_tests::live::{Frame, LiveClient, actions};
use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};

use crate::member_admin::BLOCK;

const WAIT: Duration = Duration::from_secs(5);
const REMOVE: &str =
    "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }";

fn who(action: &str, user: Option<&str>) -> (String, Option<String>) {
    (action.to_owned(), user.map(str::to_owned))
}

both_backends! {
    async fn an_assistant_manager_hears_its_assistants_users(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let ben = app.join(&org, "ben@example.com", "MEMBER").await;
        let cy = app.join(&org, "cy@example.com", "MEMBER").await;
        let assistant = app.ok(Some(&ada.access), "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Bot\") { id } }",
            json!({ "o": org })).await["createAssistant"]["id"].clone();
        app.ok(Some(&ada.access), "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { id } }",
            json!({ "a": assistant, "u": [mia.user_id, ben.user_id] })).await;
        app.ok(Some(&ada.access), "mutation($a: ID!, $u: ID!) { setAssistantManager(assistantId: $a, userId: $u, manager: true) { id } }",
            json!({ "a": assistant, "u": mia.user_id })).await;
        let mut manager = LiveClient::connect(&app.base, &mia.access).await;
        manager.subscribe("m", &org).await;
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": cy.user_id })).await;
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": ben.user_id })).await;
        let heard = manager.events("m", 1, WAIT).await;
        assert_eq!(actions(&heard), [who("member.blocked", Some(&ben.user_id))]);
        manager.quiet(Duration::from_millis(500)).await;
    }

    async fn a_removed_member_and_a_deleted_organization_end_streams(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let mut member = LiveClient::connect(&app.base, &mia.access).await;
        member.subscribe("m", &org).await;
        let mut admin = LiveClient::connect(&app.base, &ada.access).await;
        admin.subscribe("a", &org).await;
        app.ok(Some(&ada.access), REMOVE, json!({ "o": org, "u": mia.user_id })).await;
        assert!(matches!(member.frame(Duration::from_secs(2)).await, Some(Frame::Next(_, p)) if p["errors"].is_array()));
        assert_eq!(member.frame(Duration::from_secs(1)).await, Some(Frame::Complete("m".into())));
        assert_eq!(actions(&admin.events("a", 1, WAIT).await), [who("member.removed", Some(&mia.user_id))]);
        app.ok(Some(&ada.access), "mutation($o: ID!) { deleteOrganization(id: $o) }", json!({ "o": org })).await;
        assert!(matches!(admin.frame(Duration::from_secs(2)).await, Some(Frame::Next(_, p)) if p["errors"][0]["extensions"]["code"] == "NOT_FOUND"));
        assert_eq!(admin.frame(Duration::from_secs(1)).await, Some(Frame::Complete("a".into())));
    }

    async fn connection_init_without_a_valid_token_closes_4403(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        for payload in [json!({}), json!({ "Authorization": "Bearer not-a-token" }), json!({ "Authorization": ada.access })] {
            let mut client = LiveClient::open(&app.base, payload.clone()).await;
            match client.frame(WAIT).await {
                Some(Frame::Closed(4403, _)) => {}
                other => panic!("{payload}: expected close 4403, got {other:?}"),
            }
        }
        // Another organization's id is NOT_FOUND, like over HTTP.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let org = app.create_org(&ada, "Acme").await;
        let mut client = LiveClient::connect(&app.base, &eve.access).await;
        client.send(json!({ "id": "x", "type": "subscribe", "payload": {
            "query": roster_tests::live::MEMBERSHIP_EVENTS, "variables": { "o": org } } })).await;
        match client.frame(WAIT).await {
            Some(Frame::Next(_, payload)) => assert_eq!(payload["errors"][0]["extensions"]["code"], "NOT_FOUND"),
            other => panic!("expected NOT_FOUND, got {other:?}"),
        }
        // The server answers pings.
        client.send(json!({ "type": "ping" })).await;
        loop {
            match client.frame(WAIT).await {
                Some(Frame::Pong) => break,
                Some(Frame::Complete(_)) => continue,
                other => panic!("expected pong, got {other:?}"),
            }
        }
    }

    async fn a_change_through_one_gateway_reaches_a_subscriber_on_another_within_a_second(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let other = app.spawn_gateway(|_| {}).await;
        let mut admin = LiveClient::connect(&other, &ada.access).await;
        admin.subscribe("a", &org).await;
        let started = std::time::Instant::now();
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": mia.user_id })).await;
        let heard = admin.events("a", 1, Duration::from_secs(1)).await;
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        assert_eq!(actions(&heard), [who("member.blocked", Some(&mia.user_id))]);
    }
}

/// The token's expiry and the end of the session close the connection
/// with 4403 (checked every `recheck` against Roster's clock).
async fn expiry_and_log_out_close_the_connection(app: TestApp) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let mut client = LiveClient::connect(&app.base, &ada.access).await;
    client.subscribe("a", &org).await;
    app.ok(Some(&ada.access), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(
        client.frame(WAIT).await,
        Some(Frame::Closed(4403, "session ended".into()))
    );

    let ada = app.log_in("ada@example.com").await;
    let mut client = LiveClient::connect(&app.base, &ada.access).await;
    client.subscribe("a", &org).await;
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        client.frame(WAIT).await,
        Some(Frame::Closed(4403, "access token expired".into()))
    );
}

fn quick_recheck(c: &mut roster_gateway::GatewayConfig) {
    c.live.recheck = Duration::from_millis(100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_and_log_out_close_the_connection_sqlite() {
    let app = TestApp::spawn_with(roster_tests::Backend::Sqlite, false, quick_recheck)
        .await
        .expect("SQLite");
    expiry_and_log_out_close_the_connection(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_and_log_out_close_the_connection_postgres() {
    let Some(app) =
        TestApp::spawn_with(roster_tests::Backend::Postgres, false, quick_recheck).await
    else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    expiry_and_log_out_close_the_connection(app).await;
}

both_backends! {
    async fn shutting_down_closes_live_connections_with_1001(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mut client = LiveClient::connect(&app.base, &ada.access).await;
        client.subscribe("a", &org).await;
        app.close_live_connections();
        assert!(matches!(client.frame(WAIT).await, Some(Frame::Closed(1001, _))));
    }
}

/// A subscriber that falls more than `live.buffer` events behind the feed
/// is dropped with 4008; a subscriber elsewhere is not.
async fn a_subscriber_that_falls_behind_is_dropped_with_4008(app: TestApp) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!) { changePlan(organizationId: $o, plan: ENTERPRISE) { plan } }",
        json!({ "o": org }),
    )
    .await;
    let inputs: Vec<_> = (0..30)
        .map(|i| json!({ "email": format!("p{i}@example.com") }))
        .collect();
    app.ok(Some(&ada.access), "mutation($o: ID!, $i: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $i) { email } }",
        json!({ "o": org, "i": inputs })).await;
    let roomy = app.spawn_gateway(|_| {}).await;
    let mut slow = LiveClient::connect(&app.base, &ada.access).await;
    slow.subscribe("s", &org).await;
    let mut other = LiveClient::connect(&roomy, &ada.access).await;
    other.subscribe("o", &org).await;
    // One transaction writes 31 events (the deletion and a revocation per
    // pending invitation): they reach the feed at once, and a subscriber
    // with room for one falls behind.
    app.ok(
        Some(&ada.access),
        "mutation($o: ID!) { deleteOrganization(id: $o) }",
        json!({ "o": org }),
    )
    .await;
    loop {
        match slow.frame(WAIT).await {
            Some(Frame::Next(..)) => continue,
            Some(Frame::Closed(code, reason)) => {
                assert_eq!(code, 4008, "{reason}");
                assert!(reason.contains("too slow"), "{reason}");
                break;
            }
            other => panic!("expected close 4008, got {other:?}"),
        }
    }
    // The other gateway's subscriber hears the deletion: its stream ends
    // with its access, normally.
    loop {
        match other.frame(WAIT).await {
            Some(Frame::Next(..)) => continue,
            Some(Frame::Complete(id)) => break assert_eq!(id, "o"),
            other => panic!("expected the stream to complete, got {other:?}"),
        }
    }
}

fn room_for_one_event(c: &mut roster_gateway::GatewayConfig) {
    c.live.buffer = 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_is_dropped_with_4008_sqlite() {
    let app = TestApp::spawn_with(roster_tests::Backend::Sqlite, false, room_for_one_event)
        .await
        .expect("SQLite");
    a_subscriber_that_falls_behind_is_dropped_with_4008(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_is_dropped_with_4008_postgres() {
    let Some(app) =
        TestApp::spawn_with(roster_tests::Backend::Postgres, false, room_for_one_event).await
    else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    a_subscriber_that_falls_behind_is_dropped_with_4008(app).await;
}
