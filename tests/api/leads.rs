//! Leads (rules.md §2, §6): `createLead`, `updateLead` and
//! `Organization.leads`. ADMIN sees and edits all; BILLING_ADMIN and
//! USER_ADMIN none; a MEMBER its own, and as an assistant manager those of
//! the assistant's users and those whose assistant it manages.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

use crate::assistant_managers::{Team, team};

pub const CREATE: &str = "mutation($o: ID!, $i: LeadInput!) { createLead(organizationId: $o, input: $i) { \
    id name email company status createdAt owner { user { id } } assistant { id } workspace { id } } }";
pub const UPDATE: &str = "mutation($id: ID!, $i: LeadInput!) { updateLead(id: $id, input: $i) { \
    id name email company status owner { user { id } } assistant { id } workspace { id } } }";
pub const LEADS: &str = "query($o: ID!, $first: Int, $after: String, $owner: ID, $assistant: ID, $unassigned: Boolean) { \
    organization(id: $o) { leads(first: $first, after: $after, ownerId: $owner, assistantId: $assistant, \
    unassigned: $unassigned) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } } }";

/// Creates a lead as `by`; the lead.
pub async fn create(app: &TestApp, by: &Session, org: &str, input: Value) -> Value {
    app.ok(Some(&by.access), CREATE, json!({ "o": org, "i": input }))
        .await["createLead"]
        .clone()
}

/// The leads `by` sees with `vars` (the organization added).
pub async fn leads(app: &TestApp, by: &Session, org: &str, mut vars: Value) -> Value {
    vars["o"] = json!(org);
    app.ok(Some(&by.access), LEADS, vars).await["organization"]["leads"].clone()
}

/// The names of a page's leads, in order.
fn names(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The sorted names of every lead `by` sees, and the total count.
async fn visible(app: &TestApp, by: &Session, org: &str) -> (Vec<String>, i64) {
    let page = leads(app, by, org, json!({ "first": 100 })).await;
    let mut n = names(&page);
    n.sort();
    (n, page["totalCount"].as_i64().expect("totalCount"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn id(lead: &Value) -> String {
    lead["id"].as_str().expect("lead id").to_owned()
}

/// Ada's leads around Team: T (Tom's), ZN (Zoe's, assistant North),
/// Z (Zoe's), M (Mia's), N (nobody's, North), X (nobody's).
async fn seeded(app: &TestApp, t: &Team) -> Vec<Value> {
    let (o, ada) = (&t.a.org, &t.a.ada);
    let mut out = Vec::new();
    for input in [
        json!({ "name": "T", "ownerId": t.tom.user_id }),
        json!({ "name": "ZN", "ownerId": t.zoe.user_id, "assistantId": t.north }),
        json!({ "name": "Z", "ownerId": t.zoe.user_id }),
        json!({ "name": "M", "ownerId": t.mia.user_id }),
        json!({ "name": "N", "ownerId": null, "assistantId": t.north }),
        json!({ "name": "X", "ownerId": null }),
    ] {
        out.push(create(app, ada, o, input).await);
    }
    out
}

both_backends! {
    async fn a_lead_is_created_with_defaults_for_its_creator(app) {
        let t = team(&app).await;
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": "  Initech  " })).await;
        assert_eq!(lead["name"], "Initech");
        assert_eq!(lead["status"], "NEW");
        assert_eq!(lead["email"], Value::Null);
        assert_eq!(lead["company"], Value::Null);
        assert_eq!(lead["owner"]["user"]["id"], t.a.ada.user_id.as_str());
        assert_eq!(lead["assistant"], Value::Null);
        assert_eq!(lead["workspace"], Value::Null);
        assert!(lead["createdAt"].is_string());
        // An explicit null owner: unassigned.
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": "Nobody's", "ownerId": null })).await;
        assert_eq!(lead["owner"], Value::Null);
        // Every field.
        let ws = app.ok(Some(&t.a.ada.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            json!({ "o": t.a.org })).await["createWorkspace"]["id"].clone();
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": "Full", "email": " pat@initech.example ",
            "company": "Initech", "status": "QUALIFIED", "ownerId": t.tom.user_id, "assistantId": t.north,
            "workspaceId": ws })).await;
        assert_eq!(lead["email"], "pat@initech.example");
        assert_eq!(lead["company"], "Initech");
        assert_eq!(lead["status"], "QUALIFIED");
        assert_eq!(lead["owner"]["user"]["id"], t.tom.user_id.as_str());
        assert_eq!(lead["assistant"]["id"], t.north.as_str());
        assert_eq!(lead["workspace"]["id"], ws);
        // Leads write no audit event (rules.md §7 does not list them).
        assert_eq!(app.count_sql("select count(*) from audit_event where action like 'lead%'").await, 0);
    }

    async fn bad_input_is_validation_and_changes_nothing(app) {
        let t = team(&app).await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let other = app.create_org(&eve, "Other").await;
        let theirs = crate::assistant_managers::create_assistant(&app, &eve, &other, "Theirs", &[]).await;
        let their_ws = app.ok(Some(&eve.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"W\") { id } }",
            json!({ "o": other })).await["createWorkspace"]["id"].clone();
        app.set_membership_status(&t.a.org, &t.zoe.user_id, "BLOCKED").await;
        let long = |n: usize| "x".repeat(n);
        for input in [
            json!({ "name": "" }),
            json!({ "name": "   " }),
            json!({ "name": long(201) }),
            json!({ "name": "L", "email": "not an email" }),
            json!({ "name": "L", "email": "" }),
            json!({ "name": "L", "company": long(201) }),
            json!({ "name": "L", "status": long(41) }),
            json!({ "name": "L", "status": "" }),
            json!({ "name": "L", "ownerId": t.zoe.user_id }),
            json!({ "name": "L", "ownerId": eve.user_id }),
            json!({ "name": "L", "ownerId": "not-an-id" }),
            json!({ "name": "L", "assistantId": theirs }),
            json!({ "name": "L", "workspaceId": their_ws }),
            json!({ "name": "L", "workspaceId": "0190a0a0-0000-7000-8000-000000000000" }),
        ] {
            let code = app.fails(Some(&t.a.ada.access), CREATE, json!({ "o": t.a.org, "i": input.clone() })).await;
            assert_eq!(code, "VALIDATION", "{input}");
        }
        assert_eq!(visible(&app, &t.a.ada, &t.a.org).await.1, 0);
        // The bounds themselves are accepted.
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": long(200), "company": long(200), "status": long(40) })).await;
        assert_eq!(lead["name"].as_str().unwrap().chars().count(), 200);
        // The same checks on update, which then changes nothing.
        for input in [
            json!({ "name": "" }),
            json!({ "name": "L", "email": "nope" }),
            json!({ "name": "L", "ownerId": t.zoe.user_id }),
            json!({ "name": "L", "assistantId": theirs }),
        ] {
            let code = app.fails(Some(&t.a.ada.access), UPDATE, json!({ "id": id(&lead), "i": input.clone() })).await;
            assert_eq!(code, "VALIDATION", "{input}");
        }
        let page = leads(&app, &t.a.ada, &t.a.org, json!({})).await;
        assert_eq!(names(&page), vec![long(200)]);
    }

    async fn billing_and_user_admins_get_forbidden(app) {
        let t = team(&app).await;
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": "L" })).await;
        for who in [&t.a.uma, &t.a.bill] {
            assert_eq!(app.fails(Some(&who.access), LEADS, json!({ "o": t.a.org })).await, "FORBIDDEN");
            let vars = json!({ "o": t.a.org, "i": { "name": "Mine" } });
            assert_eq!(app.fails(Some(&who.access), CREATE, vars).await, "FORBIDDEN");
            let vars = json!({ "id": id(&lead), "i": { "name": "Theirs" } });
            assert_eq!(app.fails(Some(&who.access), UPDATE, vars).await, "FORBIDDEN");
        }
        assert_eq!(app.fails(None, LEADS, json!({ "o": t.a.org })).await, "UNAUTHENTICATED");
        assert_eq!(visible(&app, &t.a.ada, &t.a.org).await, (strings(&["L"]), 1));
    }

    async fn a_member_sees_and_edits_only_its_own(app) {
        let t = team(&app).await;
        let leads_of_ada = seeded(&app, &t).await;
        let carl = &t.a.carl;
        let mine = create(&app, carl, &t.a.org, json!({ "name": "Carl's" })).await;
        assert_eq!(mine["owner"]["user"]["id"], carl.user_id.as_str());
        assert_eq!(visible(&app, carl, &t.a.org).await, (strings(&["Carl's"]), 1));
        // Not for someone else, not unassigned.
        for input in [json!({ "name": "L", "ownerId": t.tom.user_id }), json!({ "name": "L", "ownerId": null })] {
            let code = app.fails(Some(&carl.access), CREATE, json!({ "o": t.a.org, "i": input.clone() })).await;
            assert_eq!(code, "FORBIDDEN", "{input}");
        }
        // Another's lead does not exist for it; its own it may not give away.
        let vars = json!({ "id": id(&leads_of_ada[0]), "i": { "name": "Mine now" } });
        assert_eq!(app.fails(Some(&carl.access), UPDATE, vars).await, "NOT_FOUND");
        let vars = json!({ "id": id(&mine), "i": { "name": "Carl's", "ownerId": t.tom.user_id } });
        assert_eq!(app.fails(Some(&carl.access), UPDATE, vars).await, "FORBIDDEN");
        let renamed = app.ok(Some(&carl.access), UPDATE, json!({ "id": id(&mine), "i": { "name": "Carl's lead" } })).await;
        assert_eq!(renamed["updateLead"]["name"], "Carl's lead");
        // A non-manager on an assistant sees its own only.
        assert_eq!(visible(&app, &t.tom, &t.a.org).await, (strings(&["T"]), 1));
        assert_eq!(visible(&app, &t.zoe, &t.a.org).await, (strings(&["Z", "ZN"]), 2));
        assert_eq!(visible(&app, &t.a.ada, &t.a.org).await.1, 7);
    }

    async fn a_manager_sees_and_edits_its_assistants_leads(app) {
        let t = team(&app).await;
        let l = seeded(&app, &t).await;
        let (mia, org) = (&t.mia, &t.a.org);
        assert_eq!(visible(&app, mia, org).await, (strings(&["M", "N", "T", "ZN"]), 4));
        // Edits those: Tom's, and Zoe's lead on North.
        for lead in [&l[0], &l[1], &l[4]] {
            let vars = json!({ "id": id(lead), "i": { "name": format!("{} (Mia)", lead["name"].as_str().unwrap()) } });
            app.ok(Some(&mia.access), UPDATE, vars).await;
        }
        // Zoe's lead without an assistant does not exist for Mia.
        let vars = json!({ "id": id(&l[2]), "i": { "name": "Z" } });
        assert_eq!(app.fails(Some(&mia.access), UPDATE, vars).await, "NOT_FOUND");
        // Giving Tom's lead to Zoe without North would put it out of sight.
        let vars = json!({ "id": id(&l[0]), "i": { "name": "T", "ownerId": t.zoe.user_id } });
        assert_eq!(app.fails(Some(&mia.access), UPDATE, vars).await, "FORBIDDEN");
        let vars = json!({ "id": id(&l[0]), "i": { "name": "T", "ownerId": t.zoe.user_id, "assistantId": t.north } });
        let moved = app.ok(Some(&mia.access), UPDATE, vars).await;
        assert_eq!(moved["updateLead"]["owner"]["user"]["id"], t.zoe.user_id.as_str());
        // Creating: for a user of North, or on North; not for Zoe alone.
        create(&app, mia, org, json!({ "name": "For Tom", "ownerId": t.tom.user_id })).await;
        create(&app, mia, org, json!({ "name": "On North", "ownerId": null, "assistantId": t.north })).await;
        let vars = json!({ "o": org, "i": { "name": "For Zoe", "ownerId": t.zoe.user_id } });
        assert_eq!(app.fails(Some(&mia.access), CREATE, vars).await, "FORBIDDEN");
        let vars = json!({ "o": org, "i": { "name": "On South", "ownerId": null, "assistantId": t.south } });
        assert_eq!(app.fails(Some(&mia.access), CREATE, vars).await, "FORBIDDEN");
        assert_eq!(visible(&app, mia, org).await.1, 6);
        // No longer manager: its own only.
        crate::assistant_managers::set_manager(&app, &t.a.ada, &t.north, mia, false).await;
        assert_eq!(visible(&app, mia, org).await, (strings(&["M"]), 1));
        let vars = json!({ "id": id(&l[4]), "i": { "name": "N" } });
        assert_eq!(app.fails(Some(&mia.access), UPDATE, vars).await, "NOT_FOUND");
    }

    async fn update_replaces_the_name_and_keeps_or_clears_the_rest(app) {
        let t = team(&app).await;
        let ws = app.ok(Some(&t.a.ada.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            json!({ "o": t.a.org })).await["createWorkspace"]["id"].clone();
        let lead = create(&app, &t.a.ada, &t.a.org, json!({ "name": "Full", "email": "pat@initech.example",
            "company": "Initech", "status": "WON", "ownerId": t.tom.user_id, "assistantId": t.north,
            "workspaceId": ws })).await;
        let update = |input: Value| {
            let vars = json!({ "id": id(&lead), "i": input });
            let (app, ada) = (&app, &t.a.ada);
            async move { app.ok(Some(&ada.access), UPDATE, vars).await["updateLead"].clone() }
        };
        let kept = update(json!({ "name": "Renamed" })).await;
        assert_eq!(kept["name"], "Renamed");
        assert_eq!(kept["email"], "pat@initech.example");
        assert_eq!(kept["company"], "Initech");
        assert_eq!(kept["status"], "WON");
        assert_eq!(kept["owner"]["user"]["id"], t.tom.user_id.as_str());
        assert_eq!(kept["assistant"]["id"], t.north.as_str());
        assert_eq!(kept["workspace"]["id"], ws);
        let cleared = update(json!({ "name": "Renamed", "email": null, "company": null, "status": null,
            "ownerId": null, "assistantId": null, "workspaceId": null })).await;
        assert_eq!(cleared, json!({ "id": id(&lead), "name": "Renamed", "email": null, "company": null,
            "status": "NEW", "owner": null, "assistant": null, "workspace": null }));
        let set = update(json!({ "name": "Again", "status": "LOST", "ownerId": t.mia.user_id })).await;
        assert_eq!(set["status"], "LOST");
        assert_eq!(set["owner"]["user"]["id"], t.mia.user_id.as_str());
        // As read back.
        let page = leads(&app, &t.a.ada, &t.a.org, json!({ "owner": t.mia.user_id })).await;
        assert_eq!(names(&page), strings(&["Again"]));
    }

    async fn leads_page_newest_first_with_filters_and_total_count(app) {
        let t = team(&app).await;
        let (ada, org) = (&t.a.ada, &t.a.org);
        for i in 0..5 {
            create(&app, ada, org, json!({ "name": format!("A{i}") })).await;
        }
        for i in 0..3 {
            create(&app, ada, org, json!({ "name": format!("T{i}"), "ownerId": t.tom.user_id, "assistantId": t.north })).await;
        }
        for i in 0..2 {
            create(&app, ada, org, json!({ "name": format!("U{i}"), "ownerId": null })).await;
        }
        let all = ["U1", "U0", "T2", "T1", "T0", "A4", "A3", "A2", "A1", "A0"];
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        for expected_next in [true, true, false] {
            let page = leads(&app, ada, org, json!({ "first": 4, "after": after })).await;
            assert_eq!(page["totalCount"], 10);
            assert_eq!(page["pageInfo"]["hasNextPage"], expected_next);
            seen.extend(names(&page));
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, strings(&all));
        for (vars, expected) in [
            (json!({ "owner": t.tom.user_id }), vec!["T2", "T1", "T0"]),
            (json!({ "assistant": t.north }), vec!["T2", "T1", "T0"]),
            (json!({ "unassigned": true }), vec!["U1", "U0"]),
            (json!({ "owner": ada.user_id, "unassigned": false }), vec!["A4", "A3", "A2", "A1", "A0"]),
            (json!({ "owner": t.tom.user_id, "first": 2 }), vec!["T2", "T1"]),
            (json!({ "first": 0 }), vec![]),
        ] {
            let page = leads(&app, ada, org, vars.clone()).await;
            assert_eq!(names(&page), strings(&expected), "{vars}");
        }
        let page = leads(&app, ada, org, json!({ "owner": t.tom.user_id, "first": 2 })).await;
        assert_eq!(page["totalCount"], 3);
        assert_eq!(leads(&app, ada, org, json!({ "unassigned": false })).await["totalCount"], 8);
        // The manager's total counts its scope: Tom's three, none of Ada's.
        assert_eq!(leads(&app, &t.mia, org, json!({})).await["totalCount"], 3);
        assert_eq!(leads(&app, &t.mia, org, json!({ "owner": ada.user_id })).await["totalCount"], 0);
        assert_eq!(leads(&app, &t.mia, org, json!({ "unassigned": true })).await["totalCount"], 0);
        // Bad arguments.
        let member_cursor = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("member:{}", uuid::Uuid::now_v7()))
        };
        for vars in [
            json!({ "o": org, "owner": ada.user_id, "unassigned": true }),
            json!({ "o": org, "first": 101 }),
            json!({ "o": org, "first": -1 }),
            json!({ "o": org, "after": "not a cursor" }),
            json!({ "o": org, "after": member_cursor }),
        ] {
            assert_eq!(app.fails(Some(&ada.access), LEADS, vars.clone()).await, "VALIDATION", "{vars}");
        }
    }

    async fn a_blocked_member_gets_forbidden(app) {
        let t = team(&app).await;
        let lead = create(&app, &t.a.carl, &t.a.org, json!({ "name": "Carl's" })).await;
        app.set_membership_status(&t.a.org, &t.a.carl.user_id, "BLOCKED").await;
        let carl = &t.a.carl;
        assert_eq!(app.fails(Some(&carl.access), LEADS, json!({ "o": t.a.org })).await, "FORBIDDEN");
        let vars = json!({ "o": t.a.org, "i": { "name": "More" } });
        assert_eq!(app.fails(Some(&carl.access), CREATE, vars).await, "FORBIDDEN");
        let vars = json!({ "id": id(&lead), "i": { "name": "Changed" } });
        assert_eq!(app.fails(Some(&carl.access), UPDATE, vars).await, "FORBIDDEN");
        assert_eq!(visible(&app, &t.a.ada, &t.a.org).await, (strings(&["Carl's"]), 1));
    }

    async fn another_organizations_leads_are_not_found(app) {
        let t = team(&app).await;
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let other = app.create_org(&eve, "Other").await;
        let theirs = create(&app, &eve, &other, json!({ "name": "Eve's" })).await;
        let vars = json!({ "id": id(&theirs), "i": { "name": "Ada's now" } });
        assert_eq!(app.fails(Some(&t.a.ada.access), UPDATE, vars).await, "NOT_FOUND");
        for lead in ["0190a0a0-0000-7000-8000-000000000000", "nope"] {
            let vars = json!({ "id": lead, "i": { "name": "X" } });
            assert_eq!(app.fails(Some(&t.a.ada.access), UPDATE, vars).await, "NOT_FOUND", "{lead}");
        }
        assert_eq!(app.fails(Some(&t.a.ada.access), LEADS, json!({ "o": other })).await, "NOT_FOUND");
        let vars = json!({ "o": other, "i": { "name": "Sneaky" } });
        assert_eq!(app.fails(Some(&t.a.ada.access), CREATE, vars).await, "NOT_FOUND");
        assert_eq!(visible(&app, &eve, &other).await, (strings(&["Eve's"]), 1));
    }

    async fn an_owner_who_is_no_longer_a_member_reads_as_null(app) {
        let t = team(&app).await;
        create(&app, &t.a.ada, &t.a.org, json!({ "name": "Tom's", "ownerId": t.tom.user_id })).await;
        app.execute_sql("delete from membership where role = 'MEMBER' and user_id in \
            (select id from app_user where email = 'tom@example.com')").await;
        let q = "query($o: ID!) { organization(id: $o) { leads { edges { node { name owner { id } } } } } }";
        let data = app.ok(Some(&t.a.ada.access), q, json!({ "o": t.a.org })).await;
        assert_eq!(data["organization"]["leads"]["edges"], json!([{ "node": { "name": "Tom's", "owner": null } }]));
    }
}
