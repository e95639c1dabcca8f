//! No N+1 in the audit log: the SQL statements a page of events runs do not
//! grow with the page size, because the page's actors load in one batch.
//! sqlx reports every statement as a `sqlx::query` tracing event; this
//! binary (a process of its own, one test) counts them, as `statements.rs`
//! does for the member list.

use chrono::Utc;
use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, TestApp};
use uuid::Uuid;

/// Every field of an audit page, the actor included.
const PAGE: &str = "query($id: ID!, $first: Int) { organization(id: $id) { auditLog(first: $first) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id at action targetUserEmail \
    detail actor { id email displayName } } } } } }";

/// Statements one request for a page of `first` events runs.
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
    let edges = data["organization"]["auditLog"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), first, "page size");
    // Each event has its own actor: a batch, not one user per statement.
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["actor"]["email"].is_string())
    );
    statements
}

/// An event by `actor` in `org`, written as `record_audit` writes one.
async fn seed_event(db: &Database, org: &str, actor: &str) {
    let sql = "insert into audit_event (id, organization_id, actor_id, action, target_user_id, \
               target_email, detail, at) values ($1, $2, $3, 'workspace.created', null, null, $4, $5)";
    let (id, org, actor) = (Uuid::now_v7(), Uuid::parse_str(org), Uuid::parse_str(actor));
    let (org, actor) = (org.expect("org id"), actor.expect("user id"));
    let detail = r#"{"after":{"name":"Sales"}}"#;
    let done = match db {
        Database::Sqlite(pool) => sqlx::query(sql)
            .bind(id)
            .bind(org)
            .bind(actor)
            .bind(detail)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()),
        Database::Postgres(pool) => sqlx::query(sql)
            .bind(id)
            .bind(org)
            .bind(actor)
            .bind(detail)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()),
    };
    done.expect("seed audit event");
}

async fn measure(backend: Backend, counter: &StatementCounter) -> Option<(usize, usize)> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    for i in 0..120 {
        let user = app
            .seed_user(&format!("person{i}@example.com"), &format!("Person {i}"))
            .await;
        app.seed_membership(&org, &user, "ADMIN", "ACTIVE").await;
        seed_event(&app.db, &org, &user).await;
    }
    // Warm up (the viewer's activity is written at most once a minute).
    statements_for(&app, counter, &ada.access, &org, 1).await;
    let small = statements_for(&app, counter, &ada.access, &org, 10).await;
    let large = statements_for(&app, counter, &ada.access, &org, 100).await;
    Some((small, large))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_log_statements_do_not_grow_with_the_page() {
    let counter = StatementCounter::install();
    // session, viewer membership, organization, page, count, actors
    let bounds = [("a page of 10 events vs 100", 6)];
    assert_flat(
        async |backend| measure(backend, &counter).await.map(|m| [m]),
        bounds,
    )
    .await;
}
