//! The dashboard (rules.md §2 "see the dashboard"): ADMIN the whole
//! organization; a MEMBER its own numbers, an assistant manager also its
//! assistant's; BILLING_ADMIN and USER_ADMIN `FORBIDDEN`. Every figure is
//! checked against what the same viewer lists through the API, and
//! against the values the seeded data must give.

use std::collections::BTreeMap;

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use crate::assistant_managers::{Team, team};
use crate::leads::create;

const DASHBOARD: &str = "query($o: ID!) { organization(id: $o) { dashboard { totalLeads \
    leadsByOwner { key label count } leadsByAssistant { key label count } \
    activeMembers pendingInvitations } } }";
const LISTED: &str = "query($o: ID!) { organization(id: $o) { \
    leads(first: 100) { totalCount edges { node { owner { user { id displayName } } assistant { id name } } } } \
    members(first: 100, status: ACTIVE) { totalCount } } }";

/// Team's organization with leads: T (Tom's), ZN (Zoe's, North), Z
/// (Zoe's), M (Mia's), N (nobody's, North), X (nobody's), C1 and C2
/// (Carl's, South), S (nobody's, South).
pub async fn seeded(app: &TestApp) -> Team {
    let t = team(app).await;
    let (o, ada) = (&t.a.org, &t.a.ada);
    for input in [
        json!({ "name": "T", "ownerId": t.tom.user_id }),
        json!({ "name": "ZN", "ownerId": t.zoe.user_id, "assistantId": t.north }),
        json!({ "name": "Z", "ownerId": t.zoe.user_id }),
        json!({ "name": "M", "ownerId": t.mia.user_id }),
        json!({ "name": "N", "ownerId": null, "assistantId": t.north }),
        json!({ "name": "X", "ownerId": null }),
        json!({ "name": "C1", "ownerId": t.a.carl.user_id, "assistantId": t.south }),
        json!({ "name": "C2", "ownerId": t.a.carl.user_id, "assistantId": t.south }),
        json!({ "name": "S", "ownerId": null, "assistantId": t.south }),
    ] {
        create(app, ada, o, input).await;
    }
    t
}

pub async fn dashboard(app: &TestApp, by: &Session, org: &str) -> Value {
    app.ok(Some(&by.access), DASHBOARD, json!({ "o": org }))
        .await["organization"]["dashboard"]
        .clone()
}

/// Counts sorted as the dashboard sorts them: count desc, then key (a
/// UUID's text sorts as its bytes do).
fn sorted(counts: BTreeMap<String, (String, i64)>) -> Value {
    by_count(
        counts
            .into_iter()
            .map(|(key, (label, n))| count(&key, &label, n))
            .collect(),
    )
}

/// `counts` in the dashboard's order.
pub fn by_count(mut counts: Vec<Value>) -> Value {
    counts.sort_by(|a, b| {
        let key = |v: &Value| (-v["count"].as_i64().expect("count"), v["key"].to_string());
        key(a).cmp(&key(b))
    });
    json!(counts)
}

/// The dashboard `by` should see, computed from what it lists: its leads
/// grouped by owner and assistant, its ACTIVE members (`pending` given).
pub async fn listed(app: &TestApp, by: &Session, org: &str, pending: i64) -> Value {
    let data = app.ok(Some(&by.access), LISTED, json!({ "o": org })).await;
    let org_data = &data["organization"];
    let edges = org_data["leads"]["edges"].as_array().expect("edges");
    assert!(edges.len() < 100, "one page holds every lead");
    let (mut owners, mut assistants) = (BTreeMap::new(), BTreeMap::new());
    for e in edges {
        let n = &e["node"];
        if let Some(user) = n["owner"]["user"].as_object() {
            let entry = owners
                .entry(user["id"].as_str().expect("id").to_owned())
                .or_insert((user["displayName"].as_str().expect("name").to_owned(), 0));
            entry.1 += 1;
        }
        if let Some(a) = n["assistant"].as_object() {
            let entry = assistants
                .entry(a["id"].as_str().expect("id").to_owned())
                .or_insert((a["name"].as_str().expect("name").to_owned(), 0));
            entry.1 += 1;
        }
    }
    json!({
        "totalLeads": org_data["leads"]["totalCount"],
        "leadsByOwner": sorted(owners),
        "leadsByAssistant": sorted(assistants),
        "activeMembers": org_data["members"]["totalCount"],
        "pendingInvitations": pending,
    })
}

pub fn count(key: &str, label: &str, n: i64) -> Value {
    json!({ "key": key, "label": label, "count": n })
}

both_backends! {
    async fn an_admin_sees_the_whole_organization(app) {
        let t = seeded(&app).await;
        let (o, ada) = (&t.a.org, &t.a.ada);
        // Not counted: a BLOCKED member, an INVITED one's membership, an
        // invitation past its lifetime (swept or not); counted: one PENDING.
        let blocked = app.join(o, "ben@example.com", "MEMBER").await;
        app.set_membership_status(o, &blocked.user_id, "BLOCKED").await;
        app.set_delivery(ada, o, "LINK", Some(1)).await;
        app.invite(ada, o, "late@example.com", "MEMBER").await;
        app.set_delivery(ada, o, "LINK", Some(48)).await;
        app.invite(ada, o, "soon@example.com", "MEMBER").await;
        app.clock.advance(Duration::hours(1) + Duration::seconds(1));
        let ada = app.log_in("ada@example.com").await;

        let got = dashboard(&app, &ada, o).await;
        assert_eq!(got, listed(&app, &ada, o, 1).await);
        assert_eq!(got["totalLeads"], 9);
        assert_eq!(got["leadsByOwner"], by_count(vec![
            count(&t.a.carl.user_id, "carl", 2),
            count(&t.zoe.user_id, "zoe", 2),
            count(&t.mia.user_id, "mia", 1),
            count(&t.tom.user_id, "tom", 1),
        ]));
        assert_eq!(got["leadsByAssistant"], json!([
            count(&t.south, "South", 3),
            count(&t.north, "North", 2),
        ]));
        // Ada, Bob, Uma, Bill, Carl, Mia, Tom, Zoe.
        assert_eq!(got["activeMembers"], 8);
        assert_eq!(got["pendingInvitations"], 1);
        // The same straight from the database.
        let mut owned = 0;
        for entry in got["leadsByOwner"].as_array().expect("owners") {
            let n = app.leads_of(o, Some(entry["key"].as_str().expect("key"))).await;
            assert_eq!(entry["count"], n);
            owned += n;
        }
        assert_eq!(got["totalLeads"], owned + app.leads_of(o, None).await);
        // Another ADMIN sees the same.
        assert_eq!(dashboard(&app, &app.log_in("bob@example.com").await, o).await, got);
    }

    async fn a_member_sees_its_own_numbers(app) {
        let t = seeded(&app).await;
        let (o, carl, tom) = (&t.a.org, &t.a.carl, &t.tom);
        app.invite(&t.a.ada, o, "new@example.com", "MEMBER").await;
        let got = dashboard(&app, carl, o).await;
        assert_eq!(got, listed(&app, carl, o, 0).await);
        assert_eq!(got, json!({
            "totalLeads": 2,
            "leadsByOwner": [count(&carl.user_id, "carl", 2)],
            "leadsByAssistant": [count(&t.south, "South", 2)],
            "activeMembers": 1,
            "pendingInvitations": 0,
        }));
        // Tom is on North but does not manage it: his one lead only.
        let got = dashboard(&app, tom, o).await;
        assert_eq!(got, listed(&app, tom, o, 0).await);
        assert_eq!(got, json!({
            "totalLeads": 1,
            "leadsByOwner": [count(&tom.user_id, "tom", 1)],
            "leadsByAssistant": [],
            "activeMembers": 1,
            "pendingInvitations": 0,
        }));
    }

    async fn an_assistant_manager_also_sees_its_assistants_numbers(app) {
        let t = seeded(&app).await;
        let (o, mia) = (&t.a.org, &t.mia);
        // Mia manages North (Mia, Tom): M, T, and North's ZN and N.
        let got = dashboard(&app, mia, o).await;
        assert_eq!(got, listed(&app, mia, o, 0).await);
        assert_eq!(got, json!({
            "totalLeads": 4,
            "leadsByOwner": by_count(vec![
                count(&mia.user_id, "mia", 1),
                count(&t.tom.user_id, "tom", 1),
                count(&t.zoe.user_id, "zoe", 1),
            ]),
            "leadsByAssistant": [count(&t.north, "North", 2)],
            "activeMembers": 2,
            "pendingInvitations": 0,
        }));
    }

    async fn billing_and_user_admins_blocked_members_and_strangers_are_refused(app) {
        let t = seeded(&app).await;
        let o = &t.a.org;
        for s in [&t.a.bill, &t.a.uma] {
            assert_eq!(app.fails(Some(&s.access), DASHBOARD, json!({ "o": o })).await, "FORBIDDEN");
        }
        app.set_membership_status(o, &t.a.carl.user_id, "BLOCKED").await;
        assert_eq!(app.fails(Some(&t.a.carl.access), DASHBOARD, json!({ "o": o })).await, "FORBIDDEN");
        app.set_membership_status(o, &t.a.bob.user_id, "BLOCKED").await;
        assert_eq!(app.fails(Some(&t.a.bob.access), DASHBOARD, json!({ "o": o })).await, "FORBIDDEN");
        // Another organization's ADMIN, and Acme's ADMIN on it.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let other = app.create_org(&eve, "Other").await;
        assert_eq!(app.fails(Some(&eve.access), DASHBOARD, json!({ "o": o })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&t.a.ada.access), DASHBOARD, json!({ "o": other })).await, "NOT_FOUND");
        // Eve's own organization: only her, nothing else leaks in.
        assert_eq!(dashboard(&app, &eve, &other).await, json!({
            "totalLeads": 0, "leadsByOwner": [], "leadsByAssistant": [],
            "activeMembers": 1, "pendingInvitations": 0,
        }));
    }
}
