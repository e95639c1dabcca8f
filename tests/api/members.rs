//! The member list: a cursor connection with search and filters.

use std::collections::HashSet;

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends};

const MEMBERS: &str = "query($id: ID!, $first: Int, $after: String, $search: String, $role: OrgRole, $status: MemberStatus) { \
    organization(id: $id) { members(first: $first, after: $after, search: $search, role: $role, status: $status) { \
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id role status isOwner user { email displayName } } } } } }";

/// An organization of Ada (owner) and 24 more: 8 of each of MEMBER,
/// USER_ADMIN and BILLING_ADMIN, two of them blocked.
async fn populated(app: &TestApp) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    let roles = ["MEMBER", "USER_ADMIN", "BILLING_ADMIN"];
    for i in 0..24 {
        let user = app
            .seed_user(
                &format!("Person{i:02}@Example.com"),
                &format!("Person {i:02}"),
            )
            .await;
        let status = if i == 3 || i == 4 {
            "BLOCKED"
        } else {
            "ACTIVE"
        };
        app.seed_membership(&org, &user, roles[i % 3], status).await;
    }
    (ada, org)
}

async fn page(app: &TestApp, s: &Session, vars: Value) -> Value {
    app.ok(Some(&s.access), MEMBERS, vars).await["organization"]["members"].clone()
}

fn emails(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["user"]["email"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn pages_walk_every_member_once(app) {
        let (ada, org) = populated(&app).await;
        let mut seen = HashSet::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let conn = page(&app, &ada, json!({ "id": org, "first": 10, "after": after })).await;
            assert_eq!(conn["totalCount"], 25);
            for e in emails(&conn) {
                assert!(seen.insert(e.clone()), "{e} twice");
            }
            pages += 1;
            if conn["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!((pages, seen.len()), (3, 25));
        // Oldest first: the owner leads.
        let first = page(&app, &ada, json!({ "id": org, "first": 1 })).await;
        assert_eq!(first["edges"][0]["node"]["isOwner"], true);
        assert_eq!(first["edges"][0]["node"]["user"]["displayName"], "Ada Lovelace");
        // The default page holds everyone.
        assert_eq!(emails(&page(&app, &ada, json!({ "id": org })).await).len(), 25);
        let empty = page(&app, &ada, json!({ "id": org, "first": 0 })).await;
        assert_eq!((empty["edges"].as_array().unwrap().len(), &empty["totalCount"]), (0, &json!(25)));
    }

    async fn search_matches_name_or_email_ignoring_case(app) {
        let (ada, org) = populated(&app).await;
        let by_name = page(&app, &ada, json!({ "id": org, "search": "person 1" })).await;
        assert_eq!(by_name["totalCount"], 10);
        let by_email = page(&app, &ada, json!({ "id": org, "search": "PERSON07@example" })).await;
        assert_eq!(emails(&by_email), ["Person07@Example.com"]);
        let ada_only = page(&app, &ada, json!({ "id": org, "search": "lovelace" })).await;
        assert_eq!(emails(&ada_only), ["ada@example.com"]);
        // Wildcards are literal.
        for wild in ["%", "_", "\\"] {
            assert_eq!(page(&app, &ada, json!({ "id": org, "search": wild })).await["totalCount"], 0, "{wild}");
        }
    }

    async fn role_and_status_filter_and_combine(app) {
        let (ada, org) = populated(&app).await;
        assert_eq!(page(&app, &ada, json!({ "id": org, "role": "MEMBER" })).await["totalCount"], 8);
        assert_eq!(page(&app, &ada, json!({ "id": org, "role": "ADMIN" })).await["totalCount"], 1);
        assert_eq!(page(&app, &ada, json!({ "id": org, "status": "BLOCKED" })).await["totalCount"], 2);
        let both = page(&app, &ada, json!({ "id": org, "role": "MEMBER", "status": "BLOCKED" })).await;
        assert_eq!(emails(&both), ["Person03@Example.com"]);
        let filtered_pages = page(&app, &ada, json!({ "id": org, "role": "USER_ADMIN", "first": 3 })).await;
        assert_eq!((filtered_pages["totalCount"].clone(), filtered_pages["pageInfo"]["hasNextPage"].clone()), (json!(8), json!(true)));
    }

    async fn bad_page_arguments_are_validation_errors(app) {
        let (ada, org) = populated(&app).await;
        for vars in [
            json!({ "id": org, "first": -1 }),
            json!({ "id": org, "first": 101 }),
            json!({ "id": org, "after": "not a cursor" }),
            json!({ "id": org, "after": base64_of("member:not-a-uuid") }),
            json!({ "id": org, "after": base64_of(&format!("lead:{}", uuid::Uuid::now_v7())) }),
            json!({ "id": org, "search": "s".repeat(101) }),
            json!({ "id": org, "role": "OWNER" }),
        ] {
            assert_eq!(app.fails(Some(&ada.access), MEMBERS, vars.clone()).await, "VALIDATION", "{vars}");
        }
    }

    async fn a_member_lists_only_itself_and_reads_no_other_memberships(app) {
        let (ada, org) = populated(&app).await;
        let bob = app.sign_up("bob@example.com", "Bob").await;
        app.seed_membership(&org, &bob.user_id, "MEMBER", "ACTIVE").await;
        let own = page(&app, &bob, json!({ "id": org })).await;
        assert_eq!((emails(&own), own["totalCount"].clone()), (vec!["bob@example.com".to_owned()], json!(1)));
        // Admin roles see everyone.
        assert_eq!(page(&app, &ada, json!({ "id": org })).await["totalCount"], 26);
        // `User.memberships` is the caller's own only.
        let q = "query($id: ID!) { organization(id: $id) { members(first: 2) { edges { node { user { memberships { id } } } } } } }";
        assert_eq!(app.fails(Some(&ada.access), q, json!({ "id": org })).await, "FORBIDDEN");
    }
}

/// The member page asking for every field its members, users, workspaces
/// and assistants can answer inline (without a future per field: the
/// gateway's `resolve/inline.rs`), with `__typename`s, an alias, a leaf
/// asked twice and an object asked twice (its selections merge); `extra`
/// goes in each member's selection.
fn plain(extra: &str) -> String {
    format!(
        "query($id: ID!) {{ organization(id: $id) {{ members(first: 50) {{ edges {{ __typename cursor \
         node {{ __typename id role status isOwner joinedAt lastActiveAt {extra} \
         user {{ __typename id email }} who: user {{ email id }} user {{ displayName mustChangePassword createdAt }} \
         workspaces {{ __typename id name }} assistants {{ id name __typename }} role }} }} }} }} }}"
    )
}

/// The same selection through fragments, which async-graphql resolves one
/// field at a time.
fn through_fragments(extra: &str) -> String {
    format!(
        "query($id: ID!) {{ organization(id: $id) {{ members(first: 50) {{ edges {{ ... on MemberEdge \
         {{ __typename cursor node {{ ...M }} }} }} }} }} }} \
         fragment M on Member {{ __typename id role status isOwner joinedAt lastActiveAt {extra} \
         user {{ ... on User {{ __typename id email }} }} who: user {{ ... on User {{ email id }} }} \
         user {{ ... on User {{ displayName mustChangePassword createdAt }} }} workspaces {{ ... on Workspace {{ __typename id name }} }} \
         assistants {{ ... on Assistant {{ id name __typename }} }} role }}"
    )
}

both_backends! {
    async fn fields_answered_inline_answer_as_the_general_way_does(app) {
        let (ada, org) = populated(&app).await;
        app.seed_member_page(&org, 3, "placed").await;
        let vars = json!({ "id": org });
        // Alone, and beside a field that sends the member the general way
        // (its user, workspaces and assistants still inline).
        for extra in ["", "organization { name }"] {
            let inline = app.answer_text(&ada.access, &plain(extra), vars.clone()).await;
            let general = app.answer_text(&ada.access, &through_fragments(extra), vars.clone()).await;
            assert_eq!(inline, general, "{extra}");
            let page: Value = roster_tests::serde_json::from_str(&inline).unwrap();
            let edges = page["data"]["organization"]["members"]["edges"].as_array().unwrap().clone();
            assert_eq!(edges.len(), 28);
            let placed = edges.iter().filter(|e| e["node"]["workspaces"].as_array().unwrap().len() == 2);
            assert_eq!(placed.count(), 28, "everyone is placed");
            let ada_node = edges.iter().map(|e| &e["node"]).find(|n| n["who"]["email"] == "ada@example.com").expect("Ada");
            assert_eq!((&ada_node["role"], &ada_node["isOwner"]), (&json!("ADMIN"), &json!(true)));
            assert_eq!((&ada_node["user"]["email"], &ada_node["user"]["displayName"]), (&json!("ada@example.com"), &json!("Ada Lovelace")));
        }
    }

    async fn every_field_of_the_inline_types_answers_as_the_general_way_does(app) {
        let (ada, org) = populated(&app).await;
        app.seed_member_page(&org, 3, "placed").await;
        let vars = json!({ "id": org });
        let mut asked = 0;
        for (ty, wrap) in inline_types_on_the_member_page(&app).await {
            for (field, selection) in fields_of(&app, &ty).await {
                let plain = wrap.replace("SEL", &selection);
                let general = wrap.replace("SEL", &format!("... on {ty} {{ {selection} }}"));
                let plain = outcome(&app.answer_text(&ada.access, &plain, vars.clone()).await);
                let general = outcome(&app.answer_text(&ada.access, &general, vars.clone()).await);
                assert_eq!(plain, general, "{ty}.{field}");
                asked += 1;
            }
        }
        // MemberEdge 2, Member 11, User 7, Workspace 3, Assistant 4, at least.
        assert!(asked >= 27, "only {asked} fields walked");
    }
}

/// The types whose fields the gateway may answer inline (an `Inline`
/// implementation, `crates/gateway/src/resolve/inline.rs`);
/// `gateway_layers` checks the list against the sources.
pub const INLINE_TYPES: [&str; 5] = ["MemberEdge", "Member", "User", "Workspace", "Assistant"];

/// Each inline type and a query reaching it from the member page, its
/// selection `SEL`: walked from `MemberEdge` through the schema's fields
/// (introspection), each type the first way it is met.
async fn inline_types_on_the_member_page(app: &TestApp) -> Vec<(String, String)> {
    let start =
        "query($id: ID!) { organization(id: $id) { members(first: 50) { edges { SEL } } } }";
    let mut found = vec![("MemberEdge".to_owned(), start.to_owned())];
    let mut at = 0;
    while at < found.len() {
        let (ty, wrap) = found[at].clone();
        for field in registry_fields(app, &ty).await {
            let named = named_type(&field["type"]);
            let name = field["name"].as_str().unwrap();
            if INLINE_TYPES.contains(&named) && found.iter().all(|(t, _)| t != named) {
                found.push((
                    named.to_owned(),
                    wrap.replace("SEL", &format!("{name} {{ SEL }}")),
                ));
            }
        }
        at += 1;
    }
    assert_eq!(found.len(), INLINE_TYPES.len(), "{found:?}");
    found
}

/// The fields of `ty` a selection may ask for without arguments, each with
/// its selection (`__typename` under an object).
async fn fields_of(app: &TestApp, ty: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for field in registry_fields(app, ty).await {
        let required = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
        if required {
            continue;
        }
        let name = field["name"].as_str().unwrap().to_owned();
        let leaf = matches!(named_kind(&field["type"]), "SCALAR" | "ENUM");
        let selection = if leaf {
            name.clone()
        } else {
            format!("{name} {{ __typename }}")
        };
        fields.push((name, selection));
    }
    fields
}

async fn registry_fields(app: &TestApp, ty: &str) -> Vec<Value> {
    let q = "query($name: String!) { __type(name: $name) { fields { name args { defaultValue type { kind } } \
             type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }";
    let found = app.ok(None, q, json!({ "name": ty })).await;
    found["__type"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no type {ty}"))
        .clone()
}

fn innermost(ty: &Value) -> &Value {
    if ty["ofType"].is_object() {
        innermost(&ty["ofType"])
    } else {
        ty
    }
}

fn named_type(ty: &Value) -> &str {
    innermost(ty)["name"].as_str().unwrap_or_default()
}

fn named_kind(ty: &Value) -> &str {
    innermost(ty)["kind"].as_str().unwrap_or_default()
}

/// An answer's `data`, and each error's path and code (their locations
/// differ between the two queries).
fn outcome(text: &str) -> (Value, Vec<(Value, Value)>) {
    let answer: Value = roster_tests::serde_json::from_str(text).unwrap();
    let errors = answer["errors"].as_array().into_iter().flatten();
    let errors = errors
        .map(|e| (e["path"].clone(), e["extensions"]["code"].clone()))
        .collect();
    (answer["data"].clone(), errors)
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}
