//! Invitation limits (docs/operations/limits.md): every send (an invite, a resend)
//! counts against its inviter per hour and its recipient's address per
//! day, in the send's own transaction: the send past a limit answers
//! `RATE_LIMITED` with `retryAfterSeconds` and leaves no invitation, no
//! account and no mail job; concurrent sends through gateways on their
//! own connection pools never pass the limit.

use std::sync::Arc;

use chrono::Duration;
use roster_domain::RatePolicy;
use roster_gateway::GatewayConfig;
use roster_store::Database;
use roster_tests::serde_json::{Value, json};
use roster_tests::{JWT_SECRET, Session, TestApp, both_backends, error_code};

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id sentCount } }";
const BULK: &str = "mutation($o: ID!, $i: [InviteMemberInput!]!) { inviteMembers(organizationId: $o, inputs: $i) { email errorCode } }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(id: $id) { sentCount } }";
const COUNT: &str = "query($o: ID!) { organization(id: $o) { invitations { totalCount } } }";

fn policy(s: &str) -> RatePolicy {
    s.parse().expect("a limit")
}

/// No other limit in the way; `inviter` and `recipient` as given.
fn limits(inviter: &'static str, recipient: &'static str) -> impl Fn(&mut GatewayConfig) {
    move |c| {
        roster_tests::unthrottled(c);
        c.rate_limits.invite_per_inviter = policy(inviter);
        c.rate_limits.invite_per_recipient = policy(recipient);
    }
}

/// Another gateway over the app's database and clock with a connection
/// pool of its own, as another process would have; its base URL.
async fn own_gateway(app: &TestApp, configure: impl Fn(&mut GatewayConfig)) -> String {
    let db = Database::connect(&app.url).await.expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let mut config = GatewayConfig::new(JWT_SECRET.as_bytes().to_vec(), app.base.clone());
    configure(&mut config);
    let live = db.live_events(config.live.buffer);
    let state =
        roster_gateway::AppState::new(db.store(), Arc::new(app.clock.clone()), config, live);
    let router =
        roster_gateway::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A `RATE_LIMITED` answer with `retryAfterSeconds` in 1..=`most`.
fn assert_limited(res: &Value, most: u64) {
    assert_eq!(error_code(res).as_deref(), Some("RATE_LIMITED"), "{res}");
    let after = res["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("retryAfterSeconds in {res}"));
    assert!((1..=most).contains(&after), "retryAfterSeconds {after}");
}

/// Ada's ENTERPRISE organization (no seat limit in the way).
async fn org(app: &TestApp, name: &str, owner: &str) -> (Session, String) {
    let owner = app.sign_up(owner, name).await;
    let org = app.create_org(&owner, name).await;
    app.execute_sql("update organization set plan = 'ENTERPRISE'")
        .await;
    (owner, org)
}

async fn invitations(app: &TestApp, base: &str, by: &Session, org: &str) -> i64 {
    let res = app
        .gql_via(base, Some(&by.access), COUNT, json!({ "o": org }))
        .await;
    res["data"]["organization"]["invitations"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{res}"))
}

/// Invitation mail jobs in the queue, whatever their state.
async fn mail_jobs(app: &TestApp) -> i64 {
    let table = match app.db {
        Database::Sqlite(_) => "Jobs",
        Database::Postgres(_) => "apalis.jobs",
    };
    app.count_sql(&format!(
        "select count(*) from {table} where job_type = 'invitation-email'"
    ))
    .await
}

async fn accounts(app: &TestApp, email: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from app_user where email_normalized = '{email}'"
    ))
    .await
}

async fn invite(app: &TestApp, base: &str, by: &Session, org: &str, email: &str) -> Value {
    app.gql_via(
        base,
        Some(&by.access),
        INVITE,
        json!({ "o": org, "e": email }),
    )
    .await
}

both_backends! {
    async fn an_inviter_past_its_hourly_limit_is_refused_and_nothing_is_made(app) {
        let base = own_gateway(&app, limits("3/1h", "10/24h")).await;
        let (ada, acme) = org(&app, "Acme", "ada@example.com").await;
        let bob = app.join(&acme, "bob@example.com", "ADMIN").await;
        for i in 0..3 {
            let res = invite(&app, &base, &ada, &acme, &format!("p{i}@example.com")).await;
            assert!(res.get("errors").is_none(), "{res}");
        }
        let jobs = mail_jobs(&app).await;
        assert_eq!(jobs, 3);
        let refused = invite(&app, &base, &ada, &acme, "p3@example.com").await;
        assert_limited(&refused, 3600);
        assert_eq!(invitations(&app, &base, &ada, &acme).await, 3, "no invitation");
        assert_eq!(accounts(&app, "p3@example.com").await, 0, "no placeholder account");
        assert_eq!(mail_jobs(&app).await, jobs, "no mail job");
        // Inviting an address already pending sends nothing, so it still
        // answers that invitation.
        let again = invite(&app, &base, &ada, &acme, "p0@example.com").await;
        assert_eq!(again["data"]["inviteMember"]["sentCount"], 1, "{again}");
        // A resend is a send too.
        let id = again["data"]["inviteMember"]["id"].clone();
        assert_limited(&app.gql_via(&base, Some(&ada.access), RESEND, json!({ "id": id })).await, 3600);
        // inviteMembers answers each row past the limit on its own.
        let bulk = app.gql_via(&base, Some(&ada.access), BULK, json!({ "o": acme, "i": [{ "email": "q@example.com" }] })).await;
        assert_eq!(bulk["data"]["inviteMembers"][0]["errorCode"], "RATE_LIMITED", "{bulk}");
        // Another inviter is unaffected.
        assert!(invite(&app, &base, &bob, &acme, "p3@example.com").await.get("errors").is_none());
        // The next hour, Ada invites again.
        app.clock.advance(Duration::hours(1));
        let ada = app.log_in("ada@example.com").await;
        let res = invite(&app, &base, &ada, &acme, "p4@example.com").await;
        assert!(res.get("errors").is_none(), "{res}");
        assert_eq!(invitations(&app, &base, &ada, &acme).await, 5);
        assert_eq!(mail_jobs(&app).await, 5);
    }

    async fn an_address_past_its_daily_limit_is_refused_by_every_organization(app) {
        let base = own_gateway(&app, limits("100/1h", "2/24h")).await;
        let (ada, acme) = org(&app, "Acme", "ada@example.com").await;
        let (eve, globex) = org(&app, "Globex", "eve@example.com").await;
        let first = invite(&app, &base, &ada, &acme, "x@example.com").await;
        let id = first["data"]["inviteMember"]["id"].clone();
        let resent = app.gql_via(&base, Some(&ada.access), RESEND, json!({ "id": id })).await;
        assert_eq!(resent["data"]["resendInvitation"]["sentCount"], 2, "{resent}");
        // The same address, however written, from another organization.
        let jobs = mail_jobs(&app).await;
        assert_limited(&invite(&app, &base, &eve, &globex, "X@Example.COM").await, 24 * 3600);
        assert_eq!(invitations(&app, &base, &eve, &globex).await, 0);
        assert_eq!(mail_jobs(&app).await, jobs);
        // A resend to it is refused too, and changes nothing.
        assert_limited(&app.gql_via(&base, Some(&ada.access), RESEND, json!({ "id": id })).await, 24 * 3600);
        let q = "query($o: ID!) { organization(id: $o) { invitations { edges { node { sentCount } } } } }";
        let listed = app.gql_via(&base, Some(&ada.access), q, json!({ "o": acme })).await;
        assert_eq!(listed["data"]["organization"]["invitations"]["edges"][0]["node"]["sentCount"], 2);
        assert_eq!(mail_jobs(&app).await, jobs);
        // Another address is unaffected.
        assert!(invite(&app, &base, &eve, &globex, "y@example.com").await.get("errors").is_none());
        // The next day the address may be invited again.
        app.clock.advance(Duration::hours(24));
        let eve = app.log_in("eve@example.com").await;
        assert!(invite(&app, &base, &eve, &globex, "x@example.com").await.get("errors").is_none());
    }

    async fn a_refused_send_counts_against_nothing(app) {
        let base = own_gateway(&app, limits("2/1h", "1/24h")).await;
        let (ada, acme) = org(&app, "Acme", "ada@example.com").await;
        let (eve, globex) = org(&app, "Globex", "eve@example.com").await;
        assert!(invite(&app, &base, &ada, &acme, "x@example.com").await.get("errors").is_none());
        // Refused for X's address: Eve's own count is rolled back with it.
        assert_limited(&invite(&app, &base, &eve, &globex, "x@example.com").await, 24 * 3600);
        for email in ["y@example.com", "z@example.com"] {
            let res = invite(&app, &base, &eve, &globex, email).await;
            assert!(res.get("errors").is_none(), "{email}: {res}");
        }
        assert_limited(&invite(&app, &base, &eve, &globex, "w@example.com").await, 3600);
        assert_eq!(accounts(&app, "w@example.com").await, 0);
    }

    async fn concurrent_invites_on_two_gateways_never_pass_the_limit(app) {
        // Six organizations, so that no organization lock lines the
        // sends up: only the counters do.
        let (ada, first) = org(&app, "Org 0", "ada@example.com").await;
        let mut orgs = vec![first];
        for i in 1..6 {
            orgs.push(app.create_org(&ada, &format!("Org {i}")).await);
        }
        app.execute_sql("update organization set plan = 'ENTERPRISE'").await;
        let app = Arc::new(app);
        // 18 invites by Ada to 18 addresses across the six, past 5 an hour.
        let one = own_gateway(&app, limits("5/1h", "10/24h")).await;
        let two = own_gateway(&app, limits("5/1h", "10/24h")).await;
        let codes = race(&app, &ada, (0..18).map(|i| {
            (if i % 2 == 0 { one.clone() } else { two.clone() }, orgs[i % 6].clone(), format!("c{i}@example.com"))
        })).await;
        assert_eq!(outcome(&codes), (5, 13), "{codes:?}");
        assert_eq!(mail_jobs(&app).await, 5);
        // One address invited by all six at once, past 2 a day.
        let three = own_gateway(&app, limits("100/1h", "2/24h")).await;
        let four = own_gateway(&app, limits("100/1h", "2/24h")).await;
        let codes = race(&app, &ada, (0..6).map(|i| {
            (if i % 2 == 0 { three.clone() } else { four.clone() }, orgs[i].clone(), "same@example.com".to_owned())
        })).await;
        assert_eq!(outcome(&codes), (2, 4), "{codes:?}");
        assert_eq!(mail_jobs(&app).await, 7);
        let mut total = 0;
        for org in &orgs {
            total += invitations(&app, &one, &ada, org).await;
        }
        assert_eq!(total, 7);
        app.assert_member_counts_exact().await;
    }
}

/// Runs every (gateway, organization, email) invite by `by` at once;
/// each one's error code.
async fn race(
    app: &Arc<TestApp>,
    by: &Session,
    invites: impl Iterator<Item = (String, String, String)>,
) -> Vec<Option<String>> {
    let tries = invites.map(|(base, org, email)| {
        let (app, by) = (app.clone(), by.clone());
        tokio::spawn(async move { error_code(&invite(&app, &base, &by, &org, &email).await) })
    });
    futures::future::join_all(tries)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

/// How many were created and how many were `RATE_LIMITED`.
fn outcome(codes: &[Option<String>]) -> (usize, usize) {
    let created = codes.iter().filter(|c| c.is_none()).count();
    let limited = codes
        .iter()
        .filter(|c| c.as_deref() == Some("RATE_LIMITED"))
        .count();
    (created, limited)
}
