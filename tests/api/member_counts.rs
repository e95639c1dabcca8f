//! The member counters that seats, active ADMINs and `totalCount` read
//! (docs/operations/performance.md, "Large organizations") stay exact
//! while invitations, revocations, role changes, blocks and removals race
//! each other on two gateways.

use futures::future::join_all;
use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

use super::removal::REMOVE;

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { status } }";
const ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";
const BLOCK: &str =
    "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }";
const COUNTS: &str = "query($o: ID!) { organization(id: $o) { seatsUsed \
    all: members(first: 0) { totalCount } admins: members(first: 0, role: ADMIN, status: ACTIVE) { totalCount } \
    blocked: members(first: 0, status: BLOCKED) { totalCount } invited: members(first: 0, status: INVITED) { totalCount } } }";

/// `sql` counted among the memberships of the organization named "Acme".
async fn acme_count(app: &TestApp, condition: &str) -> i64 {
    let sql = format!(
        "select count(*) from membership m join organization o on o.id = m.organization_id \
         where o.name = 'Acme' and {condition}"
    );
    app.count_sql(&sql).await
}

both_backends! {
    async fn counters_stay_exact_while_members_change_concurrently(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        app.execute_sql("update organization set plan = 'PRO'").await;
        let mut members = Vec::new();
        for i in 0..12 {
            members.push(app.join(&org, &format!("m{i}@example.com"), if i < 4 { "ADMIN" } else { "MEMBER" }).await);
        }
        let mut pending: Vec<Value> = Vec::new();
        for i in 0..6 {
            pending.push(app.invite(&ada, &org, &format!("p{i}@example.com"), "MEMBER").await);
        }
        let other = app.spawn_gateway(|_| {}).await;
        let via = |i: usize| if i.is_multiple_of(2) { app.base.clone() } else { other.clone() };
        let mut writes = Vec::new();
        for i in 0..10 {
            writes.push((via(i), INVITE, json!({ "o": org, "e": format!("n{i}@example.com") })));
        }
        for (i, inv) in pending.iter().enumerate() {
            writes.push((via(i), REVOKE, json!({ "id": inv["id"] })));
        }
        for (i, m) in members.iter().enumerate() {
            let (query, vars) = match i % 3 {
                0 => (ROLE, json!({ "o": org, "u": m.user_id, "r": if i < 4 { "MEMBER" } else { "ADMIN" } })),
                1 => (BLOCK, json!({ "o": org, "u": m.user_id })),
                _ => (REMOVE, json!({ "o": org, "u": m.user_id })),
            };
            writes.push((via(i), query, vars));
        }
        let answers = join_all(writes.iter().map(|(base, query, vars)| app.gql_via(base, Some(&ada.access), query, vars.clone()))).await;
        for answer in &answers {
            assert!(answer.get("errors").is_none(), "{answer}");
        }
        app.assert_member_counts_exact().await;
        let counts = app.ok(Some(&ada.access), COUNTS, json!({ "o": org })).await["organization"].clone();
        assert_eq!(counts["seatsUsed"], acme_count(&app, "m.status in ('ACTIVE', 'INVITED')").await);
        assert_eq!(counts["all"]["totalCount"], acme_count(&app, "true").await);
        assert_eq!(counts["admins"]["totalCount"], acme_count(&app, "m.role = 'ADMIN' and m.status = 'ACTIVE'").await);
        assert_eq!(counts["blocked"]["totalCount"], acme_count(&app, "m.status = 'BLOCKED'").await);
        assert_eq!(counts["invited"]["totalCount"], acme_count(&app, "m.status = 'INVITED'").await);
        // 1 owner + 12 joined - 4 removed, 6 pending - 6 revoked + 10 invited.
        assert_eq!(counts["all"]["totalCount"], 19);
    }
}
