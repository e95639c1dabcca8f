//! `me.membershipsConnection` (docs/api/sessions.md, "Your memberships"):
//! a person in many organizations pages through its memberships, oldest
//! first; `me.memberships` holds the first 100 of the same order; both are
//! the caller's own only.

use std::collections::BTreeSet;

use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

const PAGE: &str = "query($first: Int, $after: String) { me { membershipsConnection(first: $first, after: $after) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id role status organization { id name } } } } } }";
const LIST: &str = "{ me { memberships { id organization { id } } } }";

/// Every membership id of the caller's pages of `first`, in order.
async fn paged(app: &TestApp, token: &str, first: i64) -> (Vec<String>, Value) {
    let (mut ids, mut after) = (Vec::new(), Value::Null);
    loop {
        let data = app
            .ok(Some(token), PAGE, json!({ "first": first, "after": after }))
            .await;
        let page = &data["me"]["membershipsConnection"];
        let total = page["totalCount"].clone();
        for e in page["edges"].as_array().expect("edges") {
            assert!(e["node"]["organization"]["name"].is_string());
            ids.push(e["node"]["id"].as_str().expect("id").to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return (ids, total);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

both_backends! {
    async fn a_person_in_250_organizations_pages_through_them(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        app.seed_organizations(250, &ada.user_id, None).await;
        let (ids, total) = paged(&app, &ada.access, 100).await;
        assert_eq!(total, 250);
        assert_eq!(ids.len(), 250);
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 250, "no membership twice");
        let (by_seven, _) = paged(&app, &ada.access, 7).await;
        assert_eq!(by_seven, ids, "the same order whatever the page size");
        // The list: the first 100 of the same order.
        let list = app.ok(Some(&ada.access), LIST, json!({})).await;
        let listed: Vec<&str> = list["me"]["memberships"]
            .as_array()
            .expect("memberships")
            .iter()
            .map(|m| m["id"].as_str().expect("id"))
            .collect();
        assert_eq!(listed, ids[..100].iter().map(String::as_str).collect::<Vec<_>>());
    }

    async fn only_the_caller_pages_its_memberships(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bob = app.join(&org, "bob@example.com", "MEMBER").await;
        let q = "query($o: ID!) { organization(id: $o) { owner { membershipsConnection { totalCount } } } }";
        let got = app.fails(Some(&bob.access), q, json!({ "o": org })).await;
        let listed = "query($o: ID!) { organization(id: $o) { owner { memberships { id } } } }";
        assert_eq!(got, app.fails(Some(&bob.access), listed, json!({ "o": org })).await);
        for bad in [json!({ "first": 101 }), json!({ "first": 1, "after": "nonsense" })] {
            assert_eq!(app.fails(Some(&bob.access), PAGE, bad.clone()).await, "VALIDATION", "{bad}");
        }
        let (ids, total) = paged(&app, &bob.access, 1).await;
        assert_eq!((ids.len(), total), (1, json!(1)));
    }
}
