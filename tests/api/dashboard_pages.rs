//! The dashboard's per-owner and per-assistant figures as pages
//! (docs/api/leads.md): largest first, by keyset on (count desc, key), the
//! same counts as the capped lists, within the viewer's scope (rules.md
//! §2 "see the dashboard"); and the counts the database keeps follow every
//! write that moves a lead.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use crate::dashboard::{dashboard, listed, seeded};
use crate::leads::{UPDATE, create, leads};
use crate::removal::REMOVE;

const PAGE: &str = "query($o: ID!, $first: Int, $after: String) { organization(id: $o) { dashboard { \
    leadsByOwnerConnection(first: $first, after: $after) { pageInfo { hasNextPage endCursor } \
      edges { cursor node { key label count } } } \
    leadsByAssistantConnection(first: $first, after: $after) { pageInfo { hasNextPage endCursor } \
      edges { cursor node { key label count } } } } } }";

/// Every count of one connection (`field`), read `first` at a time.
async fn paged(app: &TestApp, by: &Session, org: &str, field: &str, first: i64) -> Value {
    let (mut all, mut after) = (Vec::new(), Value::Null);
    loop {
        let vars = json!({ "o": org, "first": first, "after": after });
        let data = app.ok(Some(&by.access), PAGE, vars).await;
        let page = &data["organization"]["dashboard"][field];
        let edges = page["edges"].as_array().expect("edges");
        assert!(edges.len() <= first as usize);
        all.extend(edges.iter().map(|e| e["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return json!(all);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The dashboard `by` sees equals what it lists, and its pages of one
/// count at a time equal its capped lists.
async fn consistent(app: &TestApp, by: &Session, org: &str, pending: i64) {
    let got = dashboard(app, by, org).await;
    assert_eq!(got, listed(app, by, org, pending).await);
    for (list, connection) in [
        ("leadsByOwner", "leadsByOwnerConnection"),
        ("leadsByAssistant", "leadsByAssistantConnection"),
    ] {
        for first in [1, 2, 100] {
            assert_eq!(
                paged(app, by, org, connection, first).await,
                got[list],
                "{connection} {first}"
            );
        }
    }
}

both_backends! {
    async fn the_counts_page_largest_first_within_the_viewers_scope(app) {
        let t = seeded(&app).await;
        let o = &t.a.org;
        // ADMIN: kept counts; Mia (manager of North) and Carl: their own.
        consistent(&app, &t.a.ada, o, 0).await;
        consistent(&app, &t.mia, o, 0).await;
        consistent(&app, &t.a.carl, o, 0).await;
        let owners = paged(&app, &t.a.ada, o, "leadsByOwnerConnection", 1).await;
        assert_eq!(owners.as_array().map(Vec::len), Some(4));
        assert_eq!(owners[0]["count"], 2);
        assert_eq!(owners[3]["count"], 1);
    }

    async fn a_bad_cursor_or_page_size_is_validation(app) {
        let t = seeded(&app).await;
        let o = &t.a.org;
        for after in ["nonsense", "bGVhZC1jb3VudDp4Onk"] {
            let vars = json!({ "o": o, "first": 1, "after": after });
            assert_eq!(app.fails(Some(&t.a.ada.access), PAGE, vars).await, "VALIDATION", "{after}");
        }
        for first in [-1, 101] {
            let vars = json!({ "o": o, "first": first });
            assert_eq!(app.fails(Some(&t.a.ada.access), PAGE, vars).await, "VALIDATION", "{first}");
        }
        // A MEMBER's scope holds no other owner, whatever the cursor.
        assert_eq!(app.fails(Some(&t.a.bill.access), PAGE, json!({ "o": o, "first": 1 })).await, "FORBIDDEN");
    }

    async fn kept_counts_follow_every_write_that_moves_a_lead(app) {
        let t = seeded(&app).await;
        let (o, ada) = (&t.a.org, &t.a.ada);
        app.seed_leads(o, Some(&t.tom.user_id), 30).await;
        consistent(&app, ada, o, 0).await;
        // An edit moves a lead to another owner and off its assistant.
        let lead = create(&app, ada, o, json!({ "name": "Moved", "ownerId": t.zoe.user_id, "assistantId": t.north })).await;
        let id = lead["id"].as_str().expect("id");
        app.ok(Some(&ada.access), UPDATE, json!({ "id": id, "i": { "name": "Moved", "ownerId": t.mia.user_id, "assistantId": null } })).await;
        consistent(&app, ada, o, 0).await;
        // A removal's reassignment job moves Tom's 31 leads to Zoe.
        app.ok(Some(&ada.access), REMOVE, json!({ "o": o, "u": t.tom.user_id, "to": t.zoe.user_id })).await;
        app.run_pending_jobs().await;
        consistent(&app, ada, o, 0).await;
        assert_eq!(app.leads_of(o, Some(&t.zoe.user_id)).await, 33);
        // A filtered total is the kept count for one owner, and agrees.
        let zoes = leads(&app, ada, o, json!({ "owner": t.zoe.user_id, "first": 1 })).await;
        assert_eq!(zoes["totalCount"], 33);
        let all = leads(&app, ada, o, json!({ "first": 1 })).await;
        assert_eq!(all["totalCount"], app.count_sql("select count(*) from lead").await);
    }
}
