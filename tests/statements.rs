//! No N+1: the SQL statements a member-list request runs do not grow with
//! the page size. sqlx reports every statement as a `sqlx::query` tracing
//! event; this binary (a process of its own, one test) counts them.

use roster_tests::serde_json::json;
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, TestApp};

/// Every nested list field of a member page. (`owner`, a single top-level
/// load, is left out: whether it shares a loader batch with the page's
/// users is timing, 0 or 1 statement, and never grows with the page.)
const PAGE: &str = "query($id: ID!, $first: Int) { organization(id: $id) { name plan seatsUsed \
    members(first: $first) { totalCount edges { node { id role status isOwner lastActiveAt \
    user { id email displayName } organization { name } } } } } }";

/// Statements one request for a page of `first` members runs.
async fn statements_for(
    app: &TestApp,
    counter: &StatementCounter,
    token: &str,
    org: &str,
    first: usize,
) -> usize {
    let (statements, data) = counter
        .during(app.ok(Some(token), PAGE, json!({ "id": org, "first": first })))
        .await;
    let edges = data["organization"]["members"]["edges"]
        .as_array()
        .expect("edges")
        .len();
    assert_eq!(edges, first, "page size");
    statements
}

async fn measure(backend: Backend, counter: &StatementCounter) -> Option<(usize, usize)> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    for i in 0..120 {
        let user = app
            .seed_user(&format!("person{i}@example.com"), &format!("Person {i}"))
            .await;
        app.seed_membership(&org, &user, "MEMBER", "ACTIVE").await;
    }
    // Warm up (the viewer's activity is written at most once a minute).
    statements_for(&app, counter, &ada.access, &org, 1).await;
    let small = statements_for(&app, counter, &ada.access, &org, 10).await;
    let large = statements_for(&app, counter, &ada.access, &org, 100).await;
    Some((small, large))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_list_statements_do_not_grow_with_the_page() {
    let counter = StatementCounter::install();
    // session, viewer membership, organization, seats, page, count, users
    let bounds = [("a page of 10 members vs 100", 7)];
    assert_flat(
        async |backend| measure(backend, &counter).await.map(|m| [m]),
        bounds,
    )
    .await;
}
