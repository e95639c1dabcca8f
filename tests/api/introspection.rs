//! Introspection as real clients send it passes the limits; an
//! introspection bomb, and a depth bomb hidden in fragments, do not.

use roster_tests::serde_json::{Value, json};
use roster_tests::{both_backends, error_code};

/// The queries, as the client libraries themselves print them (see the
/// header of each file for the command).
const CLIENT_QUERIES: [(&str, &str); 3] = [
    (
        "graphql-js getIntrospectionQuery()",
        include_str!("fixtures/introspection_graphql_js.graphql"),
    ),
    (
        "graphql-js, every option on (GraphiQL 4's included)",
        include_str!("fixtures/introspection_graphql_js_all_options.graphql"),
    ),
    (
        "Python gql, type_recursion_level 7",
        include_str!("fixtures/introspection_python_gql.graphql"),
    ),
];

fn type_names(schema: &Value) -> Vec<&str> {
    schema["types"]
        .as_array()
        .map(|types| types.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default()
}

both_backends! {
    async fn standard_introspection_queries_pass(app) {
        for (client, query) in CLIENT_QUERIES {
            let res = app.gql(None, query, json!({})).await;
            assert!(res.get("errors").is_none(), "{client}: {res}");
            let schema = &res["data"]["__schema"];
            assert_eq!(schema["queryType"]["name"], "Query", "{client}");
            assert_eq!(schema["mutationType"]["name"], "Mutation", "{client}");
            let names = type_names(schema);
            for name in ["Organization", "Member", "MemberConnection", "OrgRole"] {
                assert!(names.contains(&name), "{client}: no {name} in {names:?}");
            }
        }
    }

    async fn introspection_passes_for_a_signed_in_caller_too(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let res = app.gql(Some(&s.access), CLIENT_QUERIES[0].1, json!({})).await;
        assert!(res.get("errors").is_none(), "{res}");
        assert!(res["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 10));
    }

    async fn introspection_bombs_are_refused(app) {
        // Nested lists of types multiply: types × fields × fields × ...
        let bomb = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        let res = app.gql(None, bomb, json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
        assert_eq!(res["data"], Value::Null, "{res}");
        // The same through fragments and `__type`.
        let hidden = "{ __type(name: \"Query\") { ...T } } \
            fragment T on __Type { fields { type { ...U } } } \
            fragment U on __Type { fields { type { fields { type { fields { name } } } } } }";
        let res = app.gql(None, hidden, json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
    }

    async fn depth_bombs_in_fragments_are_refused(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        // Each fragment adds three levels; five of them, under `me`, nest 16.
        let mut doc = String::from("{ me { ...F0 } }");
        for i in 0..5 {
            let inner = if i == 4 { "id".to_owned() } else { format!("...F{}", i + 1) };
            doc.push_str(&format!(
                " fragment F{i} on User {{ memberships {{ organization {{ owner {{ {inner} }} }} }} }}"
            ));
        }
        assert_eq!(app.fails(Some(&s.access), &doc, json!({})).await, "VALIDATION");
        // Introspection next to a deep query does not excuse it.
        let deep = doc.replacen("{ me {", "{ __schema { queryType { name } } me {", 1);
        assert_eq!(app.fails(Some(&s.access), &deep, json!({})).await, "VALIDATION");
        // Two fragment levels (7 deep) are fine.
        let shallow = "{ me { ...A } } fragment A on User { memberships { organization { owner { ...B } } } } \
            fragment B on User { memberships { id } }";
        app.ok(Some(&s.access), shallow, json!({})).await;
    }
}
