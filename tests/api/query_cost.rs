//! What one query may cost: lists without `first` count their expected
//! size, `first` stays within 0..=100, fragments expand to a bounded number
//! of fields, and all are refused before anything runs; the response has a size cap and a bounded number of errors.

use std::time::{Duration, Instant};

use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp, both_backends, error_code};

/// The fuzzed query that took 26 s, 285 MB and 6.8 GB of RSS, with its
/// `first` (a negative page asked of every organization of every owner).
const FUZZED: &str = "{ me { memberships { organization { \
    owner { memberships { organization { members(first: -62747) { totalCount edges { node { id } } } } } } \
    assistants { managers { workspaces { members { id user { email } } } } } } } } }";

/// Unpaginated lists nested four deep under 1,000 memberships: cheap by a
/// count of fields, millions of objects by a count of items.
const NESTED_LISTS: &str = "{ me { memberships { organization { assistants { managers { \
    workspaces { members { id user { email } } } } } } } } }";

/// The member page of the web client: it must stay allowed.
const MEMBER_PAGE: &str = "query($id: ID!) { organization(id: $id) { members(first: 100) { totalCount \
    edges { node { role status lastActiveAt user { id email displayName } workspaces { id name } \
    assistants { id name } } } } } }";

/// Runs `query`, which must be refused before execution: within a second,
/// with `VALIDATION` and no data at all.
async fn refused_at_once(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let started = Instant::now();
    let res = tokio::time::timeout(
        Duration::from_secs(10),
        app.gql(Some(token), query, variables),
    )
    .await
    .expect("answered within 10 s");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}: {query}");
    assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
    assert_eq!(res["data"], Value::Null, "nothing ran: {res}");
    res
}

both_backends! {
    async fn the_fuzzed_query_is_refused_before_execution(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        app.seed_organizations(1_000, &s.user_id, None).await;
        refused_at_once(&app, &s.access, FUZZED, json!({})).await;
        // Without the bad `first`, its lists alone are too costly.
        let unpaged = FUZZED.replace("(first: -62747)", "");
        let res = refused_at_once(&app, &s.access, &unpaged, json!({})).await;
        assert!(res.to_string().contains("too complex"), "{res}");
        let res = refused_at_once(&app, &s.access, NESTED_LISTS, json!({})).await;
        assert!(res.to_string().contains("too complex"), "{res}");
        // The server still answers, and the seeded memberships are there:
        // the list's first 100, and all of them a page at a time.
        let me = app.ok(Some(&s.access), "{ me { memberships { id } } }", json!({})).await;
        assert_eq!(me["me"]["memberships"].as_array().map(Vec::len), Some(100));
        let q = "{ me { membershipsConnection(first: 100) { totalCount edges { node { organization { name } } } } } }";
        let me = app.ok(Some(&s.access), q, json!({})).await;
        assert_eq!(me["me"]["membershipsConnection"]["totalCount"], 1_000);
    }

    async fn first_outside_0_to_100_is_refused_before_execution(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        let members = "query($id: ID!, $n: Int) { me { id } organization(id: $id) { id members(first: $n) { totalCount } } }";
        for n in [-5, -62747, 101, 100_000] {
            let res = refused_at_once(&app, &s.access, members, json!({ "id": org, "n": n })).await;
            assert!(res.to_string().contains("first must be between 0 and 100"), "{n}: {res}");
        }
        let literal = "query($id: ID!) { organization(id: $id) { invitations(first: -1) { totalCount } } }";
        refused_at_once(&app, &s.access, literal, json!({ "id": org })).await;
        for n in [json!(0), json!(100), json!(null)] {
            let data = app.ok(Some(&s.access), members, json!({ "id": org, "n": n })).await;
            assert_eq!(data["organization"]["members"]["totalCount"], 1);
        }
    }

    async fn fragments_that_fan_out_are_refused_before_validation(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        // Eight fragments, each spreading the next thirty times: 1.5 kB of
        // text, 30^7 fields once expanded (it held a core for minutes).
        let mut query = String::from("{ ...F0 }");
        for i in 0..8 {
            let body = if i < 7 { vec![format!("...F{}", i + 1); 30].join(" ") } else { "__typename".into() };
            query.push_str(&format!(" fragment F{i} on Query {{ {body} }}"));
        }
        let res = refused_at_once(&app, &s.access, &query, json!({})).await;
        assert!(res.to_string().contains("fragments are inlined"), "{res}");
        // Fragments spread a few times still work.
        let few = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { me { id } }";
        assert_eq!(app.ok(Some(&s.access), few, json!({})).await["me"]["id"], json!(s.user_id));
    }

    async fn the_member_page_stays_allowed(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        let data = app.ok(Some(&s.access), MEMBER_PAGE, json!({ "id": org })).await;
        assert_eq!(data["organization"]["members"]["totalCount"], 1);
    }
}

/// The same app on SQLite with small caps, to reach them cheaply.
async fn capped(max_response_bytes: usize, max_errors: usize) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, false, |c| {
        c.limits.max_response_bytes = max_response_bytes;
        c.limits.max_errors = max_errors;
    })
    .await
    .expect("app")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_over_the_cap_is_one_error() {
    let app = capped(4 * 1024, 100).await;
    let s = app.sign_up("ada@example.com", "Ada").await;
    app.seed_organizations(200, &s.user_id, None).await;
    let q = "{ me { memberships { id organization { id name } } } }";
    let (status, body) = app
        .post_raw(json!({ "query": q }).to_string(), Some(&s.access))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], Value::Null, "no partial body: {body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"));
    assert!(body.to_string().len() < 1024, "{body}");
    // Under the cap, the same server answers.
    app.ok(Some(&s.access), "{ me { id email } }", json!({}))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_in_one_response_are_bounded() {
    let app = capped(4 * 1024 * 1024, 5).await;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let bob = app.sign_up("bob@example.com", "Bob").await;
    // Ada is a MEMBER of 20 organizations, none of whose `createdAt` she
    // may see: 20 field errors.
    app.seed_organizations(20, &bob.user_id, Some((&ada.user_id, "MEMBER")))
        .await;
    let q = "{ me { memberships { organization { createdAt } } } }";
    let res = app.gql(Some(&ada.access), q, json!({})).await;
    let errors = res["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 6, "5 errors and a summary: {res}");
    assert!(
        errors[..5]
            .iter()
            .all(|e| e["extensions"]["code"] == "FORBIDDEN"),
        "{res}"
    );
    assert!(
        errors[5]["message"]
            .as_str()
            .is_some_and(|m| m.contains("15 more errors")),
        "{res}"
    );
    assert_eq!(errors[5]["extensions"]["code"], "VALIDATION");
    // The same query over the websocket: the same six errors, the summary
    // counting the fifteen left out (not summed up a second time).
    let mut client = roster_tests::live::LiveClient::connect(&app.base, &ada.access).await;
    client
        .send(json!({ "id": "q", "type": "subscribe", "payload": { "query": q } }))
        .await;
    match client.frame(Duration::from_secs(5)).await {
        Some(roster_tests::live::Frame::Next(_, payload)) => {
            assert_eq!(payload["errors"], res["errors"], "{payload}");
        }
        other => panic!("expected the query's answer, got {other:?}"),
    }
}
