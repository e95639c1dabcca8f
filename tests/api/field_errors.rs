//! Field errors follow the GraphQL spec ("Handling Field Errors"): the
//! failed field is null, a null in a non-null position goes up to the
//! nearest nullable ancestor (or makes `data` null), and each error keeps
//! the path of the field that failed.

use roster_tests::both_backends;
use roster_tests::serde_json::{Value, json};

/// The one error of a response: its path and code.
fn only_error(res: &Value) -> (Value, String) {
    let errors = res["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {res}"));
    assert_eq!(errors.len(), 1, "one error per failed field: {res}");
    let code = errors[0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (errors[0]["path"].clone(), code)
}

both_backends! {
    async fn a_non_null_field_under_a_non_null_root_field_nulls_data(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&s, "Acme").await;
        // `members` is `MemberConnection!` and `organization` is
        // `Organization!`: nothing nullable between them and `data`.
        let q = "query($id: ID!) { organization(id: $id) { id members(after: \"garbage\") { totalCount } } }";
        let res = app.gql(Some(&s.access), q, json!({ "id": org })).await;
        assert_eq!(res["data"], Value::Null, "{res}");
        assert_eq!(only_error(&res), (json!(["organization", "members"]), "VALIDATION".into()));
    }

    async fn a_non_null_chain_goes_up_to_the_nullable_root_field(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        app.create_org(&s, "Acme").await;
        // members (non-null) → organization (non-null) → the list item
        // (`Member!`) → memberships (`[Member!]!`) → me (nullable).
        let q = "{ me { id memberships { organization { members(after: \"garbage\") { totalCount } } } } }";
        let res = app.gql(Some(&s.access), q, json!({})).await;
        assert_eq!(res["data"], json!({ "me": null }), "{res}");
        assert_eq!(
            only_error(&res),
            (json!(["me", "memberships", 0, "organization", "members"]), "VALIDATION".into())
        );
    }

    async fn one_failed_item_nulls_a_list_of_non_null_items(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        app.create_org(&ada, "Acme").await;
        let bob = app.sign_up("bob@example.com", "Bob").await;
        let other = app.create_org(&bob, "Globex").await;
        app.seed_membership(&other, &ada.user_id, "MEMBER", "ACTIVE").await;
        let ids = app.ok(Some(&ada.access), "{ me { memberships { organization { id } } } }", json!({})).await;
        let index = ids["me"]["memberships"]
            .as_array()
            .and_then(|m| m.iter().position(|m| m["organization"]["id"] == json!(other)))
            .expect("Globex among the memberships");
        // A MEMBER may not see `createdAt` (`DateTime!`) of Globex: that
        // item cannot be null in `[Member!]!`, so `me` is.
        let res = app.gql(Some(&ada.access), "{ me { memberships { organization { createdAt } } } }", json!({})).await;
        assert_eq!(res["data"], json!({ "me": null }), "never a null `Organization!`: {res}");
        assert_eq!(
            only_error(&res),
            (json!(["me", "memberships", index, "organization", "createdAt"]), "FORBIDDEN".into())
        );
    }

    async fn a_nullable_ancestor_takes_the_null_and_its_siblings_stay(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "ADMIN").await;
        app.invite(&bob, &org, "carol@example.com", "MEMBER").await;
        // `invitedBy` (nullable) is Bob, whose `memberships` Ada may not see.
        let q = "query($id: ID!) { organization(id: $id) { name invitations { totalCount edges { node { \
            email invitedBy { id memberships { id } } } } } } }";
        let res = app.gql(Some(&ada.access), q, json!({ "id": org })).await;
        assert_eq!(
            res["data"],
            json!({ "organization": { "name": "Acme", "invitations": { "totalCount": 1, "edges": [
                { "node": { "email": "carol@example.com", "invitedBy": null } }
            ] } } }),
            "{res}"
        );
        let path = json!(["organization", "invitations", "edges", 0, "node", "invitedBy", "memberships"]);
        assert_eq!(only_error(&res), (path, "FORBIDDEN".into()));
    }

    async fn a_failed_nullable_field_is_null_not_missing(app) {
        // A token that does not verify: `me` (nullable) fails, under its
        // alias, and the other root field stays.
        let res = app.gql(Some("not-a-token"), "{ who: me { id } kind: __typename }", json!({})).await;
        assert_eq!(res["data"], json!({ "who": null, "kind": "Query" }), "{res}");
        assert_eq!(only_error(&res), (json!(["who"]), "UNAUTHENTICATED".into()));
    }
}

/// async-graphql alone, without the gateway's engine, on a schema of its
/// own: a failed `Int!` is left out of its parent instead of nulling it,
/// an object whose every field failed is null although `Inner!`, and a
/// failed nullable field is left out instead of null. When an upgrade
/// makes this fail, check async-graphql now propagates nulls as the spec
/// says (the tests above): then the pass that does it,
/// `crates/gateway/src/engine/field_errors.rs`, can go.
#[tokio::test]
async fn async_graphql_alone_still_does_not_propagate_nulls() {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    struct Query;
    #[Object]
    impl Query {
        async fn outer(&self) -> Outer {
            Outer
        }
        async fn inner(&self) -> Inner {
            Inner
        }
        async fn maybe(&self) -> async_graphql::Result<Option<i32>> {
            Err("failed".into())
        }
    }
    struct Outer;
    #[Object]
    impl Outer {
        async fn name(&self) -> &str {
            "kept"
        }
        async fn count(&self) -> async_graphql::Result<i32> {
            Err("failed".into())
        }
    }
    struct Inner;
    #[Object]
    impl Inner {
        async fn count(&self) -> async_graphql::Result<i32> {
            Err("failed".into())
        }
    }

    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    let res = schema
        .execute("{ outer { name count } inner { count } maybe }")
        .await;
    let data = res.data.into_json().expect("data as JSON");
    // The spec's answer: `data` is null (`outer: Outer!` holds a null
    // `count: Int!`), with the same three errors.
    assert_eq!(
        data,
        json!({ "outer": { "name": "kept" }, "inner": null }),
        "async-graphql's answer changed: if it now propagates nulls as the spec \
         says, crates/gateway/src/engine/field_errors.rs can go"
    );
    let paths: Vec<Value> = res
        .errors
        .iter()
        .map(|e| roster_tests::serde_json::to_value(&e.path).expect("a path"))
        .collect();
    assert_eq!(
        paths,
        [
            json!(["outer", "count"]),
            json!(["inner", "count"]),
            json!(["maybe"])
        ]
    );
}
