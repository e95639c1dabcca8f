//! Billing through the API (docs/api/billing.md, rules.md §4, §8): plans
//! and their seats, the downgrade that says how many seats to free, the
//! subscription, the billing email, and the invoices of plan changes,
//! prorated by days at the configured prices.

use chrono::{DateTime, Utc};
use roster_domain::billing::Prices;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, Session, TestApp, both_backends, error_code};

pub const BILLING: &str = "query($o: ID!) { organization(id: $o) { createdAt billing { plan seatLimit seatsUsed \
    subscriptionStatus currentPeriodEnd billingEmail invoices { id issuedAt plan amountCents } } } }";
pub const CHANGE: &str = "mutation($o: ID!, $p: Plan!) { changePlan(organizationId: $o, plan: $p) { plan seatLimit \
    seatsUsed subscriptionStatus invoices { id issuedAt plan amountCents } } }";
pub const CANCEL: &str =
    "mutation($o: ID!) { cancelSubscription(organizationId: $o) { plan subscriptionStatus } }";
const EMAIL: &str = "mutation($o: ID!, $e: String!) { updateBillingEmail(organizationId: $o, billingEmail: $e) { billingEmail } }";
const AUDIT: &str = "query($o: ID!, $a: String) { organization(id: $o) { auditLog(action: $a) { edges { node { action actor { id } detail } } } } }";

/// Prices unlike the defaults, so that a test passing proves they are read.
pub const PRICES: Prices = Prices {
    basic_cents: 150,
    pro_cents: 3_100,
    enterprise_cents: 9_700,
};

pub async fn billing(app: &TestApp, by: &Session, org: &str) -> Value {
    app.ok(Some(&by.access), BILLING, json!({ "o": org })).await["organization"].clone()
}

pub async fn change_plan(app: &TestApp, by: &Session, org: &str, plan: &str) -> Value {
    app.ok(Some(&by.access), CHANGE, json!({ "o": org, "p": plan }))
        .await["changePlan"]
        .clone()
}

pub fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("a time").parse().expect("RFC 3339")
}

/// The audit events of `action`, newest first.
async fn audit(app: &TestApp, by: &Session, org: &str, action: &str) -> Vec<Value> {
    let data = app
        .ok(Some(&by.access), AUDIT, json!({ "o": org, "a": action }))
        .await;
    data["organization"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Adds `n` ACTIVE members to `org` without signing them up.
pub async fn seed_members(app: &TestApp, org: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut users = Vec::new();
    for i in 0..n {
        let user = app
            .seed_user(&format!("{prefix}{i}@example.com"), "Seeded")
            .await;
        app.seed_membership(org, &user, "MEMBER", "ACTIVE").await;
        users.push(user);
    }
    users
}

/// What a change from `old` to `new` cents a month costs for the rest of
/// the period, computed here on its own: days left (a started day counts)
/// over days in the period, rounded to the cent.
fn prorated(
    old: i64,
    new: i64,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> i64 {
    let days =
        |a: DateTime<Utc>, b: DateTime<Utc>| ((b - a).num_seconds() as f64 / 86_400.0).ceil();
    let (total, left) = (days(start, end), days(now, end));
    ((new - old) as f64 * left / total).round() as i64
}

both_backends! {
    async fn a_new_organization_is_on_basic_with_its_first_invoice(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let o = billing(&app, &ada, &org).await;
        let created = time(&o["createdAt"]);
        let b = &o["billing"];
        assert_eq!(b["plan"], "BASIC");
        assert_eq!(b["seatLimit"], 10);
        assert_eq!(b["seatsUsed"], 1);
        assert_eq!(b["subscriptionStatus"], "ACTIVE");
        assert_eq!(b["billingEmail"], Value::Null);
        // One calendar month from creation.
        assert_eq!(time(&b["currentPeriodEnd"]), created.checked_add_months(chrono::Months::new(1)).unwrap());
        let invoices = b["invoices"].as_array().unwrap();
        assert_eq!(invoices.len(), 1);
        assert_eq!(invoices[0]["plan"], "BASIC");
        assert_eq!(invoices[0]["amountCents"], Prices::default().basic_cents);
        assert_eq!(time(&invoices[0]["issuedAt"]), created);
    }

    async fn downgrade_below_the_seats_in_use_says_how_many_to_free(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        // 12 seats: the owner, 10 members and a PENDING invitation.
        let members = seed_members(&app, &org, "m", 10).await;
        let inv = app.invite(&ada, &org, "late@example.com", "MEMBER").await;
        let before = billing(&app, &ada, &org).await;
        let res = app.gql(Some(&ada.access), CHANGE, json!({ "o": org, "p": "BASIC" })).await;
        assert_eq!(error_code(&res).as_deref(), Some("SEAT_LIMIT_REACHED"), "{res}");
        let error = &res["errors"][0];
        assert_eq!(error["message"], "12 seats are in use and BASIC allows 10: free 2 first");
        assert_eq!(error["extensions"]["seatsUsed"], 12);
        assert_eq!(error["extensions"]["seatLimit"], 10);
        assert_eq!(error["extensions"]["seatsToFree"], 2);
        // Nothing changed: plan, invoices, audit.
        assert_eq!(billing(&app, &ada, &org).await, before);
        assert_eq!(audit(&app, &ada, &org, "plan.changed").await.len(), 1);
        // Free two seats (revoke the invitation, remove a member): it fits.
        app.ok(Some(&ada.access), "mutation($id: ID!) { revokeInvitation(id: $id) { status } }", json!({ "id": inv["id"] })).await;
        let remove = "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }";
        app.ok(Some(&ada.access), remove, json!({ "o": org, "u": members[0] })).await;
        let b = change_plan(&app, &ada, &org, "BASIC").await;
        assert_eq!((b["plan"].clone(), b["seatsUsed"].clone()), (json!("BASIC"), json!(10)));
        // ENTERPRISE is unlimited.
        assert_eq!(change_plan(&app, &ada, &org, "ENTERPRISE").await["seatLimit"], Value::Null);
    }

    async fn the_billing_email_is_validated_and_audited(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let bill = app.join(&org, "bill@example.com", "BILLING_ADMIN").await;
        let set = app.ok(Some(&bill.access), EMAIL, json!({ "o": org, "e": " invoices@acme.example " })).await;
        assert_eq!(set["updateBillingEmail"]["billingEmail"], "invoices@acme.example");
        for bad in ["", "not an email", "no-at.example", "a@b"] {
            let code = app.fails(Some(&bill.access), EMAIL, json!({ "o": org, "e": bad })).await;
            assert_eq!(code, "VALIDATION", "{bad:?}");
        }
        assert_eq!(billing(&app, &ada, &org).await["billing"]["billingEmail"], "invoices@acme.example");
        // The same address again changes nothing.
        app.ok(Some(&ada.access), EMAIL, json!({ "o": org, "e": "invoices@acme.example" })).await;
        let events = audit(&app, &ada, &org, "billing.email_changed").await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["actor"]["id"], bill.user_id.as_str());
    }

    async fn canceling_keeps_the_plan_and_a_change_reactivates(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        let canceled = app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
        assert_eq!(canceled["cancelSubscription"], json!({ "plan": "PRO", "subscriptionStatus": "CANCELED" }));
        // Canceling again is a no-op.
        let again = app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
        assert_eq!(again, canceled);
        assert_eq!(audit(&app, &ada, &org, "subscription.canceled").await.len(), 1);
        // The plan it holds reactivates, without an invoice.
        let invoices = billing(&app, &ada, &org).await["billing"]["invoices"].clone();
        let b = change_plan(&app, &ada, &org, "PRO").await;
        assert_eq!((b["plan"].clone(), b["subscriptionStatus"].clone()), (json!("PRO"), json!("ACTIVE")));
        assert_eq!(b["invoices"], invoices);
        assert_eq!(audit(&app, &ada, &org, "subscription.reactivated").await.len(), 1);
        // Another plan reactivates too, with its invoice.
        app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
        let b = change_plan(&app, &ada, &org, "ENTERPRISE").await;
        assert_eq!(b["subscriptionStatus"], "ACTIVE");
        assert_eq!(b["invoices"][0]["plan"], "ENTERPRISE");
    }

    async fn me_lists_the_billing_of_each_of_its_organizations(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        for name in ["Acme", "Globex", "Initech"] {
            let org = app.create_org(&ada, name).await;
            change_plan(&app, &ada, &org, "PRO").await;
        }
        let q = "{ me { memberships { organization { name billing { plan invoices { plan } } } } } }";
        let data = app.ok(Some(&ada.access), q, json!({})).await;
        let orgs = data["me"]["memberships"].as_array().unwrap();
        assert_eq!(orgs.len(), 3);
        for m in orgs {
            let b = &m["organization"]["billing"];
            assert_eq!(b["plan"], "PRO");
            assert_eq!(b["invoices"], json!([{ "plan": "PRO" }, { "plan": "BASIC" }]), "{}", m["organization"]["name"]);
        }
    }
}

/// On an app whose gateway bills at `PRICES`.
async fn each_change_writes_its_audit_event_and_a_prorated_invoice(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, false, |c| c.prices = PRICES).await else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let bill = app.sign_up("bill@example.com", "Bill").await;
    let org = app.create_org(&ada, "Acme").await;
    app.seed_membership(&org, &bill.user_id, "BILLING_ADMIN", "ACTIVE")
        .await;
    let o = billing(&app, &ada, &org).await;
    let (start, end) = (
        time(&o["createdAt"]),
        time(&o["billing"]["currentPeriodEnd"]),
    );
    assert_eq!(
        o["billing"]["invoices"][0]["amountCents"],
        PRICES.basic_cents
    );

    // Ten days and an hour in, the BILLING_ADMIN moves to PRO.
    app.clock.advance(chrono::Duration::hours(10 * 24 + 1));
    let (ada, bill) = (
        app.log_in("ada@example.com").await,
        app.log_in("bill@example.com").await,
    );
    let now = app.now();
    let b = change_plan(&app, &bill, &org, "PRO").await;
    let up = prorated(PRICES.basic_cents, PRICES.pro_cents, now, start, end);
    assert!(up > 0);
    assert_eq!(b["plan"], "PRO");
    assert_eq!(b["invoices"][0]["plan"], "PRO");
    assert_eq!(b["invoices"][0]["amountCents"], up);
    assert_eq!(time(&b["invoices"][0]["issuedAt"]), now);

    // The plan it holds: nothing happens.
    let same = change_plan(&app, &ada, &org, "PRO").await;
    assert_eq!(same["invoices"], b["invoices"]);

    // Five days later, down to BASIC: a credit.
    app.clock.advance(chrono::Duration::days(5));
    let ada = app.log_in("ada@example.com").await;
    let now = app.now();
    let b = change_plan(&app, &ada, &org, "BASIC").await;
    let down = prorated(PRICES.pro_cents, PRICES.basic_cents, now, start, end);
    assert!(down < 0);
    let invoices = b["invoices"].as_array().unwrap();
    let amounts: Vec<&Value> = invoices.iter().map(|i| &i["amountCents"]).collect();
    // Newest first, each id its own.
    assert_eq!(
        amounts,
        [&json!(down), &json!(up), &json!(PRICES.basic_cents)]
    );
    let mut ids: Vec<&Value> = invoices.iter().map(|i| &i["id"]).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);

    // One audit event per change, with who and the before and after.
    let events = audit(&app, &ada, &org, "plan.changed").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["actor"]["id"], ada.user_id.as_str());
    assert_eq!(events[1]["actor"]["id"], bill.user_id.as_str());
    let detail: Value =
        roster_tests::serde_json::from_str(events[1]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["before"]["plan"], "BASIC");
    assert_eq!(detail["after"]["plan"], "PRO");
}

mod prorated_invoices_at_configured_prices {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        each_change_writes_its_audit_event_and_a_prorated_invoice(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        each_change_writes_its_audit_event_and_a_prorated_invoice(Backend::Postgres).await
    }
}
