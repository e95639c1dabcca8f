//! Hostile and malformed requests: limits, errors that leak nothing.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp, both_backends, error_code};

fn code_of(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

both_backends! {
    async fn deep_queries_are_refused(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let mut q = String::from("id");
        for _ in 0..8 {
            q = format!("memberships {{ organization {{ owner {{ {q} }} }} }}");
        }
        let code = app.fails(Some(&s.access), &format!("{{ me {{ {q} }} }}"), json!({})).await;
        assert_eq!(code, "VALIDATION");
    }

    async fn alias_bombs_are_refused(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let few: String = (0..5).map(|i| format!("a{i}: me {{ id }} ")).collect();
        app.ok(Some(&s.access), &format!("{{ {few} }}"), json!({})).await;
        let many: String = (0..200).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert_eq!(app.fails(Some(&s.access), &format!("{{ {many} }}"), json!({})).await, "VALIDATION");
        // Hidden in a fragment, too.
        let q = format!("{{ ...F }} fragment F on Query {{ {many} }}");
        assert_eq!(app.fails(Some(&s.access), &q, json!({})).await, "VALIDATION");
    }

    async fn costly_queries_are_refused(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        let wide = "query($id: ID!) { organization(id: $id) { members(first: 100) { edges { node { \
            organization { members(first: 100) { edges { node { id } } } } } } } } }";
        assert_eq!(app.fails(Some(&s.access), wide, json!({ "id": org })).await, "VALIDATION");
    }

    async fn batches_are_bounded(app) {
        let ok: Vec<Value> = (0..2).map(|_| json!({ "query": "{ me { id } }" })).collect();
        let (status, body) = app.post_raw(Value::Array(ok).to_string(), None).await;
        assert_eq!(status, 200);
        assert_eq!(body.as_array().map(Vec::len), Some(2));
        let big: Vec<Value> = (0..11).map(|_| json!({ "query": "mutation { signUp(email: \"x@example.com\", password: \"correct horse\", displayName: \"X\") { accessToken } }" })).collect();
        let (status, body) = app.post_raw(Value::Array(big).to_string(), None).await;
        assert_eq!((status, code_of(&body)), (400, Some("VALIDATION")));
        // Nothing in the refused batch ran.
        app.sign_up("x@example.com", "X").await;
        let (status, body) = app.post_raw("[]", None).await;
        assert_eq!((status, code_of(&body)), (400, Some("VALIDATION")));
    }

    async fn malformed_and_oversized_bodies_are_refused(app) {
        for body in ["{not json", "", "42", "{\"query\": 7}", "{\"variables\": {}}"] {
            let (status, res) = app.post_raw(body, None).await;
            assert_eq!((status, code_of(&res)), (400, Some("VALIDATION")), "{body:?}");
        }
        let huge = json!({ "query": "{ me { id } }", "variables": { "x": "y".repeat(1024 * 1024) } }).to_string();
        let (status, res) = app.post_raw(huge, None).await;
        assert_eq!((status, code_of(&res)), (413, Some("VALIDATION")));
        // Syntax and type errors are the request's fault too.
        let res = app.gql(None, "{ me { id ", json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"));
        let res = app.gql(None, "{ nosuchfield }", json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"));
    }

    async fn internal_errors_say_only_internal_and_roll_back(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        app.execute_sql("drop table audit_event").await;
        let res = app.gql(Some(&s.access), "mutation { createOrganization(name: \"Acme\") { id } }", json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("INTERNAL"));
        let text = res.to_string().to_lowercase();
        for leak in ["audit_event", "sql", "insert", "table", "database", "panicked"] {
            assert!(!text.contains(leak), "{leak} leaked: {res}");
        }
        // The organization's insert was rolled back with the audit event's.
        let me = app.ok(Some(&s.access), "{ me { memberships { id } } }", json!({})).await;
        assert_eq!(me["me"]["memberships"], json!([]));
    }

    async fn health_readiness_playground_and_request_ids(app) {
        assert_eq!(app.get("/healthz").await, (200, "ok".to_owned()));
        assert_eq!(app.get("/readyz").await.0, 200);
        let (status, page) = app.get("/graphql").await;
        assert_eq!(status, 200);
        assert!(page.contains("graphiql"), "GraphiQL page expected");
        let res = reqwest::Client::new()
            .post(format!("{}/graphql", app.base))
            .header("content-type", "application/json")
            .body(json!({ "query": "{ me { id } }" }).to_string())
            .send()
            .await
            .expect("request");
        assert!(res.headers().get("x-request-id").is_some());
        let res = app.gql(None, "{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(res["data"]["__schema"]["queryType"]["name"], "Query");
    }
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, false, |c| c.introspection = false)
        .await
        .expect("app");
    let res = app
        .gql(
            None,
            "{ __schema { queryType { name } } __type(name: \"User\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"],
        json!({ "__schema": null, "__type": null }),
        "introspection answered: {res}"
    );
    assert_eq!(
        app.ok(None, "{ me { id } }", json!({})).await["me"],
        json!(null)
    );
}
