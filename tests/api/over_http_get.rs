//! GraphQL over HTTP on `GET /graphql`: queries run from the URL, a
//! mutation never does, and a browser still gets the playground.

use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

use super::over_http::{GRAPHQL_RESPONSE, Reply, send};

/// GETs `/graphql` with these query parameters and `Accept`.
async fn get(app: &TestApp, params: &[(&str, &str)], accept: Option<&str>) -> Reply {
    let mut req = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .query(params);
    if let Some(accept) = accept {
        req = req.header("accept", accept);
    }
    send(req).await
}

const BY_NAME: &str = "query Type($name: String!) { __type(name: $name) { name } }";

both_backends! {
    async fn get_runs_queries(app) {
        for accept in [Some("application/json"), Some("*/*"), None] {
            let res = get(&app, &[("query", "{ __typename }")], accept).await;
            assert_eq!(res.status, 200, "{accept:?}: {}", res.body);
            assert!(res.content_type.starts_with("application/json"), "{}", res.content_type);
            assert_eq!(res.body["data"]["__typename"], "Query");
        }
        let vars = json!({ "name": "User" }).to_string();
        let res = get(&app, &[("query", BY_NAME), ("variables", &vars), ("operationName", "Type")], Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.content_type.starts_with(GRAPHQL_RESPONSE), "{}", res.content_type);
        assert_eq!(res.body["data"]["__type"]["name"], "User");
        // Request errors follow the media type's rules, as on POST.
        let res = get(&app, &[("query", "{ nosuchfield }")], Some(GRAPHQL_RESPONSE)).await;
        assert_eq!((res.status, res.code()), (400, Some("VALIDATION")), "{}", res.body);
        assert!(res.body.get("data").is_none(), "{}", res.body);
    }

    async fn get_never_runs_mutations(app) {
        let sign_up = "mutation { signUp(email: \"eve@example.com\", password: \"correct horse battery\", displayName: \"Eve\") { accessToken } }";
        let both = format!("query Q {{ __typename }} {sign_up}").replace("mutation {", "mutation M {");
        let cases: [&[(&str, &str)]; 2] = [&[("query", sign_up)], &[("query", &both), ("operationName", "M")]];
        for params in cases {
            for accept in ["application/json", GRAPHQL_RESPONSE] {
                let res = get(&app, params, Some(accept)).await;
                assert_eq!((res.status, res.code()), (405, Some("VALIDATION")), "{params:?}: {}", res.body);
                assert_eq!(res.allow.as_deref(), Some("POST"));
            }
        }
        // The query of the same document still runs.
        let res = get(&app, &[("query", &both), ("operationName", "Q")], Some("application/json")).await;
        assert_eq!(res.body["data"]["__typename"], "Query", "{}", res.body);
        // Nothing was signed up.
        app.sign_up("eve@example.com", "Eve").await;
    }

    async fn get_with_malformed_parameters_is_400(app) {
        for vars in ["{not json", "[1]", "\"string\""] {
            let res = get(&app, &[("query", BY_NAME), ("variables", vars)], Some("application/json")).await;
            assert_eq!((res.status, res.code()), (400, Some("VALIDATION")), "{vars}: {}", res.body);
        }
        let res = get(&app, &[("query", "{ __typename }"), ("extensions", "7")], Some("application/json")).await;
        assert_eq!((res.status, res.code()), (400, Some("VALIDATION")), "{}", res.body);
        let res = get(&app, &[("query", "{ __typename }")], Some("application/xml")).await;
        assert_eq!((res.status, res.code()), (406, Some("VALIDATION")), "{}", res.body);
    }

    async fn a_browser_still_gets_the_playground(app) {
        let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        for (params, accept) in [(&[][..], Some(html)), (&[][..], None), (&[("query", "{ __typename }")][..], Some(html))] {
            let res = get(&app, params, accept).await;
            assert_eq!(res.status, 200);
            assert!(res.content_type.starts_with("text/html"), "{params:?} {accept:?}: {}", res.content_type);
            assert!(matches!(&res.body["raw"], Value::String(page) if page.contains("graphiql")));
        }
    }
}
