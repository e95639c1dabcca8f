//! The purge of deleted organizations (rules.md §8, docs/api/lifecycle.md): once
//! the clock passes 30 days after a deletion, the organization's rows are
//! gone from every table; other organizations and the users stay; several
//! purges at once purge each organization once.

use chrono::Duration;
use roster_domain::OrgId;
use roster_store::Database;
use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends};

use super::deletion::{DELETE, org_vars};
use super::deletion_restore::RESTORE;
use super::member_admin::acme;
use super::ownership::{REQUEST, request_vars};
use super::removal::REMOVE;

/// The tables that hold an organization's rows by its id.
const BY_ORG: &[&str] = &[
    "organization",
    "membership",
    "workspace",
    "assistant",
    "invitation",
    "lead",
    "job",
    "ownership_transfer",
    "audit_event",
];
/// The tables that hold them through a membership, invitation or assistant.
const BY_PARENT: &[&str] = &[
    "member_workspace",
    "assistant_user",
    "invitation_send",
    "invitation_workspace",
];

/// `org`'s id as an SQL literal of this backend.
fn id_literal(app: &TestApp, org: &str) -> String {
    match app.db {
        Database::Sqlite(_) => format!("x'{}'", org.replace('-', "")),
        Database::Postgres(_) => format!("'{org}'"),
    }
}

/// `org`'s invoices: kept apart from `BY_ORG` because the worker's billing
/// tick may start a period (an invoice) of a live organization whenever the
/// clock passes a month.
async fn invoices_of(app: &TestApp, org: &str) -> i64 {
    let literal = id_literal(app, org);
    app.count_sql(&format!(
        "select count(*) from invoice where organization_id = {literal}"
    ))
    .await
}

/// `org`'s rows in each table of `BY_ORG`.
async fn rows_of(app: &TestApp, org: &str) -> Vec<i64> {
    let literal = id_literal(app, org);
    let mut counts = Vec::new();
    for table in BY_ORG {
        let column = if *table == "organization" {
            "id"
        } else {
            "organization_id"
        };
        counts.push(
            app.count_sql(&format!(
                "select count(*) from {table} where {column} = {literal}"
            ))
            .await,
        );
    }
    counts
}

async fn rows_by_parent(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in BY_PARENT {
        counts.push(
            app.count_sql(&format!("select count(*) from {table}"))
                .await,
        );
    }
    counts
}

/// An organization with something in every table: a workspace and an
/// assistant with members on them, leads, a revoked invitation naming the
/// workspace, a finished removal job and a pending ownership transfer.
async fn populated(app: &TestApp) -> super::member_admin::Acme {
    let a = acme(app).await;
    let ws = app
        .ok(
            Some(&a.ada.access),
            "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            org_vars(&a.org),
        )
        .await["createWorkspace"]["id"]
        .clone();
    app.ok(Some(&a.ada.access), "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { role } }",
        json!({ "o": a.org, "u": a.bob.user_id, "w": [ws] })).await;
    let bot = app
        .ok(
            Some(&a.ada.access),
            "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Bot\") { id } }",
            org_vars(&a.org),
        )
        .await["createAssistant"]["id"]
        .clone();
    app.ok(Some(&a.ada.access), "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { name } }",
        json!({ "a": bot, "u": [a.bob.user_id] })).await;
    app.seed_leads(&a.org, Some(&a.carl.user_id), 5).await;
    app.ok(
        Some(&a.ada.access),
        "mutation($o: ID!, $w: ID!) { inviteMember(organizationId: $o, \
        input: { email: \"dan@example.com\", workspaceIds: [$w] }) { id } }",
        json!({ "o": a.org, "w": ws }),
    )
    .await;
    app.ok(
        Some(&a.ada.access),
        REMOVE,
        json!({ "o": a.org, "u": a.carl.user_id, "to": a.bob.user_id }),
    )
    .await;
    app.ok(
        Some(&a.ada.access),
        REQUEST,
        request_vars(&a.org, &a.bob.user_id),
    )
    .await;
    a
}

both_backends! {
    async fn thirty_days_after_its_deletion_every_row_of_it_is_gone(app) {
        let a = populated(&app).await;
        // Another organization, kept, and one deleted later than Acme.
        let gus = app.sign_up("gus@example.com", "Gus").await;
        let globex = app.create_org(&gus, "Globex").await;
        app.seed_leads(&globex, Some(&gus.user_id), 3).await;
        let initech = app.create_org(&gus, "Initech").await;
        app.ok(Some(&a.ada.access), DELETE, org_vars(&a.org)).await;
        let acme_rows = rows_of(&app, &a.org).await;
        for (table, n) in BY_ORG.iter().zip(&acme_rows) {
            assert!(*n > 0, "Acme has nothing in {table}: the test would prove nothing");
        }
        for (table, n) in BY_PARENT.iter().zip(rows_by_parent(&app).await) {
            assert!(n > 0, "nothing in {table}: the test would prove nothing");
        }
        assert!(invoices_of(&app, &a.org).await > 0, "Acme has no invoice: the test would prove nothing");
        let users = app.count_sql("select count(*) from app_user").await;

        // Within the window nothing is purged.
        app.clock.advance(Duration::days(29));
        let gus = app.log_in("gus@example.com").await;
        app.ok(Some(&gus.access), DELETE, org_vars(&initech)).await;
        let store = app.db.store();
        assert_eq!(store.purge_deleted_organizations(app.now()).await.expect("purge"), Vec::<OrgId>::new());
        assert_eq!(rows_of(&app, &a.org).await, acme_rows);
        let (globex_rows, initech_rows) = (rows_of(&app, &globex).await, rows_of(&app, &initech).await);

        // Past it, Acme goes with everything of it; Initech (deleted 2 days
        // ago), Globex and every user stay.
        app.clock.advance(Duration::days(2));
        let purged = store.purge_deleted_organizations(app.now()).await.expect("purge");
        assert_eq!(purged, vec![a.org.parse::<OrgId>().expect("id")]);
        assert_eq!(rows_of(&app, &a.org).await, vec![0; BY_ORG.len()]);
        assert_eq!(invoices_of(&app, &a.org).await, 0);
        assert_eq!(rows_by_parent(&app).await, vec![0; BY_PARENT.len()], "only Acme had any");
        assert_eq!(rows_of(&app, &globex).await, globex_rows);
        assert_eq!(rows_of(&app, &initech).await, initech_rows);
        assert_eq!(app.count_sql("select count(*) from app_user").await, users);
        // It cannot be restored; Globex and Initech's owner is unharmed.
        let ada = app.log_in("ada@example.com").await;
        assert_eq!(app.fails(Some(&ada.access), RESTORE, org_vars(&a.org)).await, "NOT_FOUND");
        let gus = app.log_in("gus@example.com").await;
        let q = "query($o: ID!) { organization(id: $o) { leads { totalCount } } }";
        assert_eq!(app.ok(Some(&gus.access), q, org_vars(&globex)).await["organization"]["leads"]["totalCount"], 3);
        app.ok(Some(&gus.access), RESTORE, org_vars(&initech)).await;
        assert!(store.purge_deleted_organizations(app.now()).await.expect("purge").is_empty());
    }

    async fn concurrent_purges_purge_each_organization_once(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let mut orgs = Vec::new();
        for i in 0..6 {
            let org = app.create_org(&ada, &format!("Org {i}")).await;
            app.seed_leads(&org, Some(&ada.user_id), 50).await;
            app.ok(Some(&ada.access), DELETE, org_vars(&org)).await;
            orgs.push(org.parse::<OrgId>().expect("id"));
        }
        let later = app.now() + Duration::days(31);
        let purges: Vec<_> = (0..3)
            .map(|_| {
                let store = app.db.store();
                tokio::spawn(async move { store.purge_deleted_organizations(later).await })
            })
            .collect();
        let mut purged = Vec::new();
        for purge in purges {
            purged.extend(purge.await.expect("purge task").expect("purge"));
        }
        purged.sort();
        orgs.sort();
        assert_eq!(purged, orgs, "each organization purged exactly once");
        assert_eq!(app.count_sql("select count(*) from organization").await, 0);
        assert_eq!(app.count_sql("select count(*) from lead").await, 0);
        assert_eq!(app.count_sql("select count(*) from app_user").await, 1);
    }
}
