//! The dashboard runs at most one SQL statement per figure, whatever the
//! organization's size: the statements for 10 leads and for 10,000 are
//! the same. sqlx reports every statement as a `sqlx::query` tracing
//! event; this binary (a process of its own, one test) counts them.

use roster_tests::serde_json::json;
use roster_tests::statements::{StatementCounter, assert_flat};
use roster_tests::{Backend, Session, TestApp};

/// One figure: only its statement runs (docs/api/leads.md).
const TOTAL_ONLY: &str = "query($o: ID!) { organization(id: $o) { dashboard { totalLeads } } }";
const DASHBOARD: &str = "query($o: ID!) { organization(id: $o) { dashboard { totalLeads \
    leadsByOwner { key label count } leadsByAssistant { key label count } \
    activeMembers pendingInvitations } } }";

/// Statements one dashboard request of `by` runs, and its `totalLeads`:
/// the fewest of five requests, because SQLite's pool may open a
/// connection during one of them and its setup counts as statements too
/// (a count that grew with the leads grows in every request).
async fn statements_for(
    app: &TestApp,
    counter: &StatementCounter,
    by: &Session,
    org: &str,
) -> (usize, i64) {
    let (fewest, answers) = counter
        .fewest_of(5, move || {
            app.ok(Some(&by.access), DASHBOARD, json!({ "o": org }))
        })
        .await;
    let totals: Vec<i64> = answers
        .iter()
        .map(|data| {
            data["organization"]["dashboard"]["totalLeads"]
                .as_i64()
                .expect("totalLeads")
        })
        .collect();
    (fewest, *totals.last().expect("five answers"))
}

/// Statements of the ADMIN's and the MEMBER's dashboards at 10 leads
/// each and at 10,000 each.
async fn measure(backend: Backend, counter: &StatementCounter) -> Option<[(usize, usize); 2]> {
    let app = TestApp::spawn_without_worker(backend).await?;
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    let carl = app.join(&org, "carl@example.com", "MEMBER").await;
    app.seed_leads(&org, Some(&ada.user_id), 5).await;
    app.seed_leads(&org, Some(&carl.user_id), 5).await;
    app.seed_leads(&org, None, 5).await;
    // Warm up (the viewer's activity is written at most once a minute).
    statements_for(&app, counter, &ada, &org).await;
    statements_for(&app, counter, &carl, &org).await;
    let (admin_small, n) = statements_for(&app, counter, &ada, &org).await;
    assert_eq!(n, 15);
    let (member_small, n) = statements_for(&app, counter, &carl, &org).await;
    assert_eq!(n, 5);
    let (only_total, _) = counter
        .fewest_of(5, || {
            app.ok(Some(&ada.access), TOTAL_ONLY, json!({ "o": org }))
        })
        .await;
    assert_eq!(
        only_total + 4,
        admin_small,
        "one figure selected, one counted"
    );
    app.seed_leads(&org, Some(&ada.user_id), 4_995).await;
    app.seed_leads(&org, Some(&carl.user_id), 4_995).await;
    app.seed_leads(&org, None, 4_995).await;
    let (admin_large, n) = statements_for(&app, counter, &ada, &org).await;
    assert_eq!(n, 15_000);
    let (member_large, n) = statements_for(&app, counter, &carl, &org).await;
    assert_eq!(n, 5_000);
    Some([(admin_small, admin_large), (member_small, member_large)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_statements_do_not_grow_with_the_leads() {
    let counter = StatementCounter::install();
    // session, viewer membership, organization, then one per figure
    // selected: total, by owner, by assistant, active members, and (ADMIN
    // only) pending invitations.
    let bounds = [
        ("ADMIN's dashboard, 15 leads vs 15,000", 8),
        ("MEMBER's dashboard, 5 leads vs 5,000", 7),
    ];
    assert_flat(async |backend| measure(backend, &counter).await, bounds).await;
}
