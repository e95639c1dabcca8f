//! GraphQL over HTTP (graphql.github.io/graphql-over-http) on `POST
//! /graphql`: which media type answers, which status a failure gets, which
//! bodies are refused before anything runs, and a batch that authenticates
//! each of its operations.

use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What came back, headers included.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub allow: Option<String>,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Reply {
    let res = req.send().await.expect("request");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, allow) = (header("content-type").unwrap_or_default(), header("allow"));
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let body = roster_tests::serde_json::from_str(&text).unwrap_or(json!({ "raw": text }));
    Reply {
        status,
        content_type,
        allow,
        body,
    }
}

/// POSTs `body` with the given `Content-Type` and `Accept` (each left out
/// when `None`).
pub async fn post(
    app: &TestApp,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut req = reqwest::Client::new()
        .post(format!("{}/graphql", app.base))
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(accept) = accept {
        req = req.header("accept", accept);
    }
    send(req).await
}

/// POSTs one operation as JSON, accepting `accept`.
pub async fn post_op(app: &TestApp, accept: Option<&str>, query: &str, variables: Value) -> Reply {
    let body = json!({ "query": query, "variables": variables }).to_string();
    post(app, Some("application/json"), accept, body).await
}

const SIGN_UP: &str = "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery\", displayName: \"Eve\") { accessToken } }";

/// Whether `email` can still sign up: the proof that a refused request
/// created nothing.
async fn still_free(app: &TestApp, email: &str) {
    app.sign_up(email, "Eve").await;
}

both_backends! {
    async fn graphql_response_json_is_answered_when_accepted(app) {
        let res = post_op(&app, Some(GRAPHQL_RESPONSE), "{ __typename }", json!({})).await;
        assert_eq!(res.status, 200);
        assert!(res.content_type.starts_with(GRAPHQL_RESPONSE), "{}", res.content_type);
        assert_eq!(res.body["data"]["__typename"], "Query");
        // Preference order: the client's q-values decide.
        let res = post_op(&app, Some("application/json;q=0.9, application/graphql-response+json"), "{ __typename }", json!({})).await;
        assert!(res.content_type.starts_with(GRAPHQL_RESPONSE), "{}", res.content_type);
        let res = post_op(&app, Some("application/json, application/graphql-response+json;q=0.5"), "{ __typename }", json!({})).await;
        assert!(res.content_type.starts_with("application/json"), "{}", res.content_type);
        // Legacy clients (no Accept, */*, application/json) keep JSON.
        for accept in [None, Some("*/*"), Some("application/json")] {
            let res = post_op(&app, accept, "{ __typename }", json!({})).await;
            assert_eq!(res.status, 200);
            assert!(res.content_type.starts_with("application/json"), "{accept:?}: {}", res.content_type);
        }
    }

    async fn request_errors_are_400_without_data_for_graphql_response_json(app) {
        let coercion = "query($id: ID!) { organization(id: $id) { id } }";
        let cases = [
            ("{ me { id ", json!({})),                 // parse failure
            ("{ nosuchfield }", json!({})),            // validation failure
            (coercion, json!({ "id": null })),       // a null for a non-null variable
            (coercion, json!({})),                   // a missing non-null variable
            (coercion, json!({ "id": { "a": 1 } })), // a variable of the wrong type
        ];
        for (query, variables) in &cases {
            let res = post_op(&app, Some(GRAPHQL_RESPONSE), query, variables.clone()).await;
            assert_eq!(res.status, 400, "{query} {variables}: {}", res.body);
            assert!(res.content_type.starts_with(GRAPHQL_RESPONSE));
            assert!(res.body.get("data").is_none(), "no data key expected: {}", res.body);
            assert_eq!(res.code(), Some("VALIDATION"), "{}", res.body);
            // The legacy media type keeps 200 for the same failures.
            let res = post_op(&app, Some("application/json"), query, variables.clone()).await;
            assert_eq!(res.status, 200, "{query} {variables}: {}", res.body);
            assert_eq!(res.code(), Some("VALIDATION"), "{}", res.body);
        }
        // A mutation whose variable is missing runs nothing.
        let res = post_op(&app, Some(GRAPHQL_RESPONSE), SIGN_UP, json!({})).await;
        assert_eq!((res.status, res.code()), (400, Some("VALIDATION")), "{}", res.body);
        // A field error during execution is a partial response: 200, with data.
        let res = reqwest::Client::new()
            .post(format!("{}/graphql", app.base))
            .header("content-type", "application/json")
            .header("accept", GRAPHQL_RESPONSE)
            .header("authorization", "Bearer not-a-token")
            .body(json!({ "query": "{ me { id } }" }).to_string());
        let res = send(res).await;
        assert_eq!((res.status, res.code()), (200, Some("UNAUTHENTICATED")), "{}", res.body);
        assert!(res.body.get("data").is_some(), "a partial response keeps data: {}", res.body);
    }

    async fn a_body_that_is_not_json_is_415(app) {
        let body = json!({ "query": SIGN_UP, "variables": { "e": "eve@example.com" } }).to_string();
        for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/json; charset=latin1")] {
            let res = post(&app, ct, None, body.clone()).await;
            assert_eq!((res.status, res.code()), (415, Some("VALIDATION")), "{ct:?}: {}", res.body);
        }
        // None of those signed anyone up (text/plain is what a cross-site
        // form can send without a preflight).
        still_free(&app, "eve@example.com").await;
        for ct in ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8"] {
            let res = post(&app, Some(ct), None, json!({ "query": "{ __typename }" }).to_string()).await;
            assert_eq!(res.status, 200, "{ct}: {}", res.body);
        }
    }

    async fn an_accept_nothing_can_satisfy_is_406(app) {
        let body = json!({ "query": SIGN_UP, "variables": { "e": "eve@example.com" } }).to_string();
        for accept in ["text/html", "application/xml", "application/json;q=0"] {
            let res = post(&app, Some("application/json"), Some(accept), body.clone()).await;
            assert_eq!((res.status, res.code()), (406, Some("VALIDATION")), "{accept}: {}", res.body);
        }
        still_free(&app, "eve@example.com").await;
    }

    async fn malformed_parameters_are_400(app) {
        let bodies = [
            json!({ "query": { "obj": "ect" } }),
            json!({ "query": ["array"] }),
            json!({ "qeury": "{ __typename }" }),
            json!({ "query": "{ __typename }", "operationName": 0 }),
            json!({ "query": "{ __typename }", "operationName": false }),
            json!({ "query": "{ __typename }", "variables": "string" }),
            json!({ "query": "{ __typename }", "variables": ["array"] }),
            json!({ "query": "{ __typename }", "extensions": "string" }),
            json!({ "query": "{ __typename }", "extensions": 0 }),
        ];
        for body in bodies {
            for accept in [None, Some(GRAPHQL_RESPONSE)] {
                let res = post(&app, Some("application/json"), accept, body.to_string()).await;
                assert_eq!((res.status, res.code()), (400, Some("VALIDATION")), "{body}: {}", res.body);
            }
        }
        // Null stands for "not given".
        for key in ["operationName", "variables", "extensions"] {
            let body = json!({ "query": "{ __typename }", key: null });
            let res = post(&app, Some("application/json"), None, body.to_string()).await;
            assert_eq!(res.status, 200, "{body}: {}", res.body);
            assert!(res.body.get("errors").is_none(), "{}", res.body);
        }
        let res = post(&app, Some("application/json"), Some(GRAPHQL_RESPONSE), "{ \"not a JSON").await;
        assert_eq!((res.status, res.code()), (400, Some("VALIDATION")));
    }

    async fn each_operation_of_a_batch_is_authenticated_when_it_runs(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let batch = json!([{ "query": "mutation { logOut }" }, { "query": "{ me { id } }" }]).to_string();
        let (status, body) = app.post_raw(batch, Some(&s.access)).await;
        assert_eq!(status, 200);
        assert_eq!(body[0]["data"]["logOut"], true, "{body}");
        assert_eq!(body[1]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
        assert_eq!(body[1]["data"]["me"], Value::Null, "{body}");
    }
}
