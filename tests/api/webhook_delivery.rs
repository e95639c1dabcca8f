//! Delivering membership events to webhook endpoints (docs/api/webhooks.md,
//! rules.md §9), checked by a receiver on loopback with an independent
//! implementation of the Standard Webhooks signature (the
//! `standardwebhooks` crate): signed deliveries of the subscribed actions
//! only; a receiver that fails three times gets the same `webhook-id`
//! each time and one success is recorded; a 410 disables the endpoint at
//! once, a day of failures too, each with an audit event.

use std::time::Duration;

use roster_tests::serde_json::{Value, json};
use roster_tests::webhook_receiver::{Received, WebhookReceiver};
use roster_tests::{Backend, Session, TestApp, both_backends};

use super::webhooks::{DELETE, audit, create_endpoint, detail_of, endpoints};

const CHANGE_ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";
const BLOCK: &str =
    "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }";

/// Checks `r`'s signature with the standardwebhooks crate and `secret`.
fn verify(secret: &str, r: &Received) {
    let webhook = standardwebhooks::Webhook::new(secret).expect("a whsec_ secret");
    webhook
        .verify(&r.body, &r.headers)
        .unwrap_or_else(|e| panic!("signature rejected ({e}): {r:?}"));
    // And a body changed in transit is rejected.
    let mut forged = r.body.to_vec();
    forged.push(b' ');
    assert!(webhook.verify(&forged, &r.headers).is_err());
}

async fn change_role(app: &TestApp, by: &Session, org: &str, user: &str, role: &str) {
    app.ok(
        Some(&by.access),
        CHANGE_ROLE,
        json!({ "o": org, "u": user, "r": role }),
    )
    .await;
}

/// The endpoint `id` of `org`, as `by` reads it.
async fn endpoint(app: &TestApp, by: &Session, org: &str, id: &str) -> Value {
    let all = endpoints(app, by, org).await;
    all.iter()
        .find(|e| e["id"] == id)
        .expect("the endpoint")
        .clone()
}

/// Waits (up to 20 s) until the endpoint `id` satisfies `done`, for
/// retries the queue runs at their time; the endpoint.
async fn wait_endpoint(
    app: &TestApp,
    by: &Session,
    org: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..400 {
        let e = endpoint(app, by, org, id).await;
        if done(&e) {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "endpoint {id} never got there: {:?}",
        endpoints(app, by, org).await
    );
}

both_backends! {
    async fn deliveries_are_signed_and_carry_the_event_of_a_subscribed_action_only(app) {
        let hook = WebhookReceiver::start(&[]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let secret = created["secret"].as_str().expect("secret").to_owned();

        // Not subscribed: blocking, then subscribed: the role change.
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": bob.user_id })).await;
        let carol = app.join(&org, "carol@example.com", "MEMBER").await;
        change_role(&app, &ada, &org, &carol.user_id, "USER_ADMIN").await;

        // Every delivery enqueued (a wrong one for the block too) runs.
        app.run_pending_jobs().await;
        let got = hook.received();
        assert_eq!(got.len(), 1, "{got:?}");
        let r = &got[0];
        verify(&secret, r);
        let body = r.json();
        let event = audit(&app, &ada, &org, "member.role_changed").await;
        assert_eq!(event.len(), 1);
        assert_eq!(body["type"], "member.role_changed");
        assert_eq!(body["data"]["action"], "member.role_changed");
        assert_eq!(body["data"]["organizationId"], org.as_str());
        assert_eq!(body["data"]["userId"], carol.user_id.as_str());
        assert_eq!(body["data"]["actorId"], ada.user_id.as_str());
        assert_eq!(r.header("webhook-id"), body["data"]["id"].as_str().expect("event id"));
        assert_eq!(r.header("content-type"), "application/json");

        // The attempt is listed with its status and latency.
        let id = created["endpoint"]["id"].as_str().expect("id");
        let e = endpoint(&app, &ada, &org, id).await;
        let d = &e["deliveries"][0];
        assert_eq!(d["eventId"], r.header("webhook-id"));
        assert_eq!((d["attempt"].clone(), d["status"].clone()), (json!(1), json!(204)));
        assert!(d["durationMs"].as_i64().is_some_and(|ms| ms >= 0), "{d}");
    }

    async fn a_receiver_failing_three_times_gets_the_same_event_until_it_succeeds(app) {
        let hook = WebhookReceiver::start(&[500, 503, 500]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let secret = created["secret"].as_str().expect("secret").to_owned();
        change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;

        let got = hook.wait_for("a success", |r| r.iter().any(|r| r.status == 204)).await;
        // Nothing more comes after the success.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let got_after = hook.received();
        assert_eq!(got_after.len(), 4, "{got_after:?}");
        assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), [500, 503, 500, 204]);
        let id = got[0].header("webhook-id");
        for r in &got {
            verify(&secret, r);
            assert_eq!(r.header("webhook-id"), id, "the same event on every attempt");
            assert_eq!(r.body, got[0].body);
        }

        let endpoint = created["endpoint"]["id"].as_str().expect("id");
        let e = wait_endpoint(&app, &ada, &org, endpoint, |e| e["deliveries"].as_array().is_some_and(|d| d.len() == 4)).await;
        let attempts: Vec<(Value, Value)> = e["deliveries"].as_array().expect("deliveries").iter()
            .map(|d| (d["attempt"].clone(), d["status"].clone())).collect();
        // Newest first: exactly one success, the last attempt.
        assert_eq!(attempts, [(json!(4), json!(204)), (json!(3), json!(500)), (json!(2), json!(503)), (json!(1), json!(500))]);
        assert_eq!(e["enabled"], true);
    }

    async fn a_410_disables_the_endpoint_at_once_with_an_audit_event(app) {
        let hook = WebhookReceiver::start(&[410]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
        change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;

        app.run_pending_jobs().await;
        let e = endpoint(&app, &ada, &org, &id).await;
        assert_eq!(e["enabled"], false);
        assert_eq!(e["deliveries"][0]["status"], 410);
        assert_eq!(e["deliveries"].as_array().map(Vec::len), Some(1), "never retried");
        let disabled = audit(&app, &ada, &org, "webhook.disabled").await;
        assert_eq!(disabled.len(), 1);
        assert_eq!(disabled[0]["actor"], Value::Null);
        let detail: Value = detail_of(&disabled[0]);
        assert_eq!(detail["reason"], "gone");
        assert_eq!(detail["endpoint"], id.as_str());

        // Disabled: later events are not delivered.
        change_role(&app, &ada, &org, &bob.user_id, "MEMBER").await;
        app.run_pending_jobs().await;
        assert_eq!(hook.received().len(), 1);
    }

    async fn an_endpoint_keeps_its_last_100_attempts_and_lists_at_most_100(app) {
        let hook = WebhookReceiver::start(&[]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
        seed_deliveries(&app, &id, 100).await;
        change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;
        app.run_pending_jobs().await;
        let got = hook.received();
        assert_eq!(got.len(), 1, "the role change: {got:?}");

        let e = endpoint(&app, &ada, &org, &id).await;
        assert_eq!(e["deliveries"][0]["status"], 204);
        let kept = e["deliveries"].as_array().expect("deliveries");
        assert_eq!(kept.len(), 100, "the oldest attempt was pruned");
        assert_eq!(kept[0]["eventId"], got[0].header("webhook-id"));
        assert_eq!(kept.iter().filter(|d| d["status"] == 500).count(), 99);
        let default = "query($o: ID!) { organization(id: $o) { webhookEndpoints { deliveries { id } } } }";
        let data = app.ok(Some(&ada.access), default, json!({ "o": org })).await;
        assert_eq!(data["organization"]["webhookEndpoints"][0]["deliveries"].as_array().map(Vec::len), Some(20));
        let too_many = "query($o: ID!) { organization(id: $o) { webhookEndpoints { deliveries(first: 101) { id } } } }";
        assert!(app.gql(Some(&ada.access), too_many, json!({ "o": org })).await["errors"][0]["message"].is_string());
    }

    async fn a_deleted_endpoint_gets_no_more_retries(app) {
        let hook = WebhookReceiver::start(&[500; 1000]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
        change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;
        hook.wait_for("a failed attempt", |r| !r.is_empty()).await;
        app.ok(Some(&ada.access), DELETE, json!({ "id": id })).await;
        // An attempt already under way may still land; none after it.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let n = hook.received().len();
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(hook.received().len(), n, "retried after deletion");
    }

    async fn an_endpoint_failing_for_a_day_is_disabled(app) {
        let hook = WebhookReceiver::start(&[500; 1000]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let created = create_endpoint(&app, &ada, &org, &hook.url, &["member.role_changed"]).await;
        let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
        change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;
        hook.wait_for("two failed attempts", |r| r.len() >= 2).await;
        let still = endpoints(&app, &ada, &org).await;
        assert_eq!(still[0]["enabled"], true, "a few failures do not disable");

        // A day after the first failure, the next one disables.
        app.clock.advance(chrono::Duration::hours(24));
        // (The access token expired with the day.)
        let ada = app.log_in("ada@example.com").await;
        let e = wait_endpoint(&app, &ada, &org, &id, |e| e["enabled"] == false).await;
        assert!(e["deliveries"].as_array().expect("deliveries").iter().all(|d| d["status"] == 500));
        let disabled = audit(&app, &ada, &org, "webhook.disabled").await;
        assert_eq!(disabled.len(), 1);
        assert_eq!(detail_of(&disabled[0])["reason"], "failing");
        let n = hook.received().len();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(hook.received().len(), n, "no attempt after disabling");
    }
}

/// Adds `n` old attempts (an hour ago) to endpoint `id`.
async fn seed_deliveries(app: &TestApp, id: &str, n: usize) {
    let sql = "insert into webhook_delivery (id, endpoint_id, event_id, attempt, status, duration_ms, at) \
               values ($1, $2, $3, 1, 500, 3, $4)";
    let (endpoint, at) = (
        uuid::Uuid::parse_str(id).expect("id"),
        app.now() - chrono::Duration::hours(1),
    );
    for _ in 0..n {
        let (row, event) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        match &app.db {
            roster_store::Database::Sqlite(pool) => sqlx::query(sql)
                .bind(row)
                .bind(endpoint)
                .bind(event)
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ()),
            roster_store::Database::Postgres(pool) => sqlx::query(sql)
                .bind(row)
                .bind(endpoint)
                .bind(event)
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .expect(sql);
    }
}

/// At send time the worker checks the address again: an endpoint created
/// while private addresses were allowed is not delivered to by a worker
/// that does not allow them (the same check defeats DNS rebinding: the
/// worker's resolver refuses the addresses it would connect to).
async fn the_worker_refuses_a_private_address_at_send_time(backend: Backend) {
    let Some(app) = TestApp::spawn_without_worker(backend).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let hook = WebhookReceiver::start(&[]).await;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let bob = app.join(&org, "bob@example.com", "MEMBER").await;
    // By name, so that the check is the resolver's, not the literal's.
    let url = hook.url.replace("127.0.0.1", "localhost");
    let created = create_endpoint(&app, &ada, &org, &url, &[]).await;
    let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
    let mut config = roster_tests::fast_worker();
    config.webhooks.allow_private = false;
    app.start_worker_with(config);
    change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;

    let e = wait_endpoint(&app, &ada, &org, &id, |e| {
        e["deliveries"].as_array().is_some_and(|d| !d.is_empty())
    })
    .await;
    assert_eq!(
        e["deliveries"][0]["status"],
        Value::Null,
        "no answer: refused"
    );
    assert!(hook.received().is_empty(), "{:?}", hook.received());
}

/// An attempt waits for its answer only as long as the timeout (10 s by
/// default; 300 ms here): then it is recorded with no status and retried.
async fn an_attempt_that_times_out_is_retried(backend: Backend) {
    let Some(app) = TestApp::spawn_without_worker(backend).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let hook = WebhookReceiver::start_slow(&[], &[Duration::from_secs(3)]).await;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let bob = app.join(&org, "bob@example.com", "MEMBER").await;
    let created = create_endpoint(&app, &ada, &org, &hook.url, &[]).await;
    let id = created["endpoint"]["id"].as_str().expect("id").to_owned();
    let mut config = roster_tests::fast_worker();
    config.webhooks.timeout = Duration::from_millis(300);
    app.start_worker_with(config);
    change_role(&app, &ada, &org, &bob.user_id, "USER_ADMIN").await;

    let e = wait_endpoint(&app, &ada, &org, &id, |e| {
        e["deliveries"][0]["status"] == 204
    })
    .await;
    let d = e["deliveries"].as_array().expect("deliveries");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[1]["status"], Value::Null, "the first attempt timed out");
    let waited = d[1]["durationMs"].as_i64().expect("its duration");
    assert!((300..2000).contains(&waited), "waited {waited} ms");
}

roster_tests::each_backend!(
    an_attempt_that_times_out_is_retried,
    the_worker_refuses_a_private_address_at_send_time,
);
