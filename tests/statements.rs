//! No N+1: the SQL statements a member-page request runs do not grow with
//! the organization or the page, and are at most three (the goal
//! was four; the floor runs three: docs/operations/performance.md). sqlx
//! reports every statement as a `sqlx::query` tracing event; this binary
//! (a process of its own, one test) counts them.

use roster_tests::member_page::MEMBER_PAGE;
use roster_tests::serde_json::json;
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, Session, TestApp};

/// Statements one request for the member page of `org` runs (the fewest
/// of three: a run may also open a SQLite pool connection).
async fn statements_for(
    counter: &StatementCounter,
    app: &TestApp,
    owner: &Session,
    org: &str,
    members: usize,
) -> usize {
    let (statements, pages) = counter
        .fewest_of(3, || {
            app.ok(
                Some(&owner.access),
                MEMBER_PAGE,
                json!({ "id": org, "first": 100 }),
            )
        })
        .await;
    let members_page = &pages[0]["organization"]["members"];
    // The owner and the seeded members.
    assert_eq!(members_page["totalCount"], members + 1, "total count");
    let edges = members_page["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), (members + 1).min(100), "page size");
    for edge in edges {
        let node = &edge["node"];
        assert_eq!(node["workspaces"].as_array().expect("workspaces").len(), 2);
        assert_eq!(node["assistants"].as_array().expect("assistants").len(), 1);
        assert!(node["user"]["email"].is_string(), "user");
    }
    statements
}

async fn measure(backend: Backend, counter: &StatementCounter) -> Option<[(usize, usize); 2]> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let mut counts = Vec::new();
    for members in [9, 99, 999] {
        let org = app
            .create_org(&ada, &format!("Org of {}", members + 1))
            .await;
        app.seed_member_page(&org, members, &format!("m{members}"))
            .await;
        // Warm up (the viewer's activity is written at most once a minute).
        statements_for(counter, &app, &ada, &org, members).await;
        counts.push(statements_for(counter, &app, &ada, &org, members).await);
    }
    Some([(counts[0], counts[1]), (counts[1], counts[2])])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_page_statements_are_three_whatever_the_size() {
    let counter = StatementCounter::install();
    // The session with the viewer's membership and its organization; the
    // page with its total count and users; the members' workspaces and
    // assistants.
    let bounds = [
        ("the member page: 10 members vs 100", 3),
        ("the member page: 100 members vs 1,000", 3),
    ];
    assert_flat(async |backend| measure(backend, &counter).await, bounds).await;
}
