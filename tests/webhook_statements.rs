//! No N+1 in webhooks: listing the endpoints (and their recent deliveries)
//! of every organization a user belongs to runs the same statements for 3
//! organizations as for 30. sqlx reports every statement as a
//! `sqlx::query` tracing event; this binary (a process of its own, one
//! test) counts them.

use roster_tests::serde_json::json;
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, Session, TestApp};

const ENDPOINTS: &str = "{ me { memberships { organization { name webhookEndpoints { id url events \
    enabled createdAt deliveries(first: 5) { id eventId attempt status durationMs at } } } } } }";

/// Statements of one request over `orgs` organizations (the fewest of
/// three: SQLite's pool may open a connection during one).
async fn statements_for(
    app: &TestApp,
    counter: &StatementCounter,
    by: &Session,
    orgs: usize,
) -> usize {
    let (fewest, answers) = counter
        .fewest_of(3, move || app.ok(Some(&by.access), ENDPOINTS, json!({})))
        .await;
    for data in answers {
        let memberships = data["me"]["memberships"].as_array().expect("memberships");
        assert_eq!(memberships.len(), orgs);
        for m in memberships {
            let endpoints = m["organization"]["webhookEndpoints"]
                .as_array()
                .expect("endpoints");
            assert_eq!(endpoints.len(), 2);
        }
    }
    fewest
}

async fn add_organizations(app: &TestApp, ada: &Session, from: usize, to: usize) {
    for i in from..to {
        let org = app.create_org(ada, &format!("Org {i}")).await;
        for path in ["a", "b"] {
            app.ok(
                Some(&ada.access),
                "mutation($o: ID!, $u: String!) { createWebhookEndpoint(organizationId: $o, url: $u) { secret } }",
                json!({ "o": org, "u": format!("http://127.0.0.1:9/{path}") }),
            )
            .await;
        }
    }
}

async fn measure(backend: Backend, counter: &StatementCounter) -> Option<(usize, usize)> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    add_organizations(&app, &ada, 0, 3).await;
    // Warm up (the viewer's activity is written at most once a minute).
    statements_for(&app, counter, &ada, 3).await;
    let small = statements_for(&app, counter, &ada, 3).await;
    add_organizations(&app, &ada, 3, 30).await;
    statements_for(&app, counter, &ada, 30).await;
    let large = statements_for(&app, counter, &ada, 30).await;
    Some((small, large))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_of_every_membership_do_not_grow_with_the_organizations() {
    let counter = StatementCounter::install();
    // session, memberships, organizations, endpoints, deliveries
    let bounds = [("webhook endpoints of 3 organizations vs 30", 5)];
    assert_flat(
        async |backend| measure(backend, &counter).await.map(|m| [m]),
        bounds,
    )
    .await;
}
