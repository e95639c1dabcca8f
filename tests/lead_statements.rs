//! No N+1 in the lead list: the SQL statements a page of leads runs, with
//! each lead's owner (and its user), assistant and workspace, do not grow
//! with the page size, because each kind loads in one batch. sqlx reports
//! every statement as a `sqlx::query` tracing event; this binary (a process
//! of its own, one test) counts them, as `statements.rs` does for members.

use roster_tests::serde_json::{Value, json};
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, Session, TestApp};

/// Every field of a lead page, the nested objects included.
const PAGE: &str = "query($id: ID!, $first: Int) { organization(id: $id) { leads(first: $first) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name email company status \
    createdAt owner { id role user { id email } } assistant { id name } workspace { id name } } } } } }";

/// Statements one request for a page of `first` leads runs.
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
    let edges = data["organization"]["leads"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), first, "page size");
    // Every lead has its own owner, assistant and workspace.
    assert!(edges.iter().all(|e| {
        let n = &e["node"];
        n["owner"]["user"]["email"].is_string()
            && n["assistant"]["name"].is_string()
            && n["workspace"]["name"].is_string()
    }));
    statements
}

async fn create(app: &TestApp, by: &Session, query: &str, vars: Value, field: &str) -> String {
    app.ok(Some(&by.access), query, vars).await[field]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn measure(backend: Backend, counter: &StatementCounter) -> Option<(usize, usize)> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    for i in 0..110 {
        let user = app
            .seed_user(&format!("person{i}@example.com"), &format!("Person {i}"))
            .await;
        app.seed_membership(&org, &user, "MEMBER", "ACTIVE").await;
        let assistant = create(
            &app,
            &ada,
            "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id } }",
            json!({ "o": org, "n": format!("Assistant {i}") }),
            "createAssistant",
        )
        .await;
        let workspace = create(
            &app,
            &ada,
            "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id } }",
            json!({ "o": org, "n": format!("Workspace {i}") }),
            "createWorkspace",
        )
        .await;
        create(
            &app,
            &ada,
            "mutation($o: ID!, $i: LeadInput!) { createLead(organizationId: $o, input: $i) { id } }",
            json!({ "o": org, "i": { "name": format!("Lead {i}"), "ownerId": user,
                "assistantId": assistant, "workspaceId": workspace } }),
            "createLead",
        )
        .await;
    }
    // Warm up (the viewer's activity is written at most once a minute).
    statements_for(&app, counter, &ada.access, &org, 1).await;
    let small = statements_for(&app, counter, &ada.access, &org, 10).await;
    let large = statements_for(&app, counter, &ada.access, &org, 100).await;
    Some((small, large))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_list_statements_do_not_grow_with_the_page() {
    let counter = StatementCounter::install();
    // session, viewer membership, organization, page, count, owners,
    // owners' users, assistants, workspaces
    let bounds = [("a page of 10 leads vs 100", 9)];
    assert_flat(
        async |backend| measure(backend, &counter).await.map(|m| [m]),
        bounds,
    )
    .await;
}
