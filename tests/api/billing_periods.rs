//! Billing periods (docs/api/billing.md): a canceled plan falls back to
//! BASIC when its period ends, without removing anyone, and the seats then
//! refuse newcomers until enough are freed; each period gets one invoice,
//! however many periods the clock skipped and however many workers roll
//! them over at once. The tests move the clock and call the store's
//! roll-over as a worker's tick does.

use chrono::{Duration, Months};
use futures::future::join_all;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp, both_backends, invitation_token};

use super::billing::{CANCEL, PRICES, billing, change_plan, seed_members, time};

const ACCEPT_NEW: &str = "mutation($t: String!) { acceptInvitation(token: $t, password: \"correct horse battery\", displayName: \"Late\") { accessToken } }";
const UNBLOCK: &str =
    "mutation($o: ID!, $u: ID!) { unblockMember(organizationId: $o, userId: $u) { status } }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(id: $id) { status } }";
const REMOVE: &str =
    "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }";
const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }";

both_backends! {
    async fn a_canceled_plan_falls_back_to_basic_and_over_limit_seats_refuse_newcomers(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        // 11 ACTIVE (the owner and 10), one more BLOCKED (no seat), and an
        // invitation that will have expired when the period ends.
        let members = seed_members(&app, &org, "m", 11).await;
        app.set_membership_status(&org, &members[10], "BLOCKED").await;
        let expired = app.invite(&ada, &org, "old@example.com", "MEMBER").await;
        app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
        let end = time(&billing(&app, &ada, &org).await["billing"]["currentPeriodEnd"]);

        // A day before the end, still PRO: one more invitation fits.
        app.clock.advance(end - app.now() - Duration::days(1));
        let ada = app.log_in("ada@example.com").await;
        app.invite(&ada, &org, "late@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("late@example.com", 1).await, &app.base);

        // The period ends: BASIC, and nobody is removed.
        app.clock.advance(Duration::days(1) + Duration::minutes(1));
        app.db.store().roll_billing_periods(app.now(), &Default::default()).await.unwrap();
        let ada = app.log_in("ada@example.com").await;
        let b = billing(&app, &ada, &org).await["billing"].clone();
        assert_eq!(b["plan"], "BASIC");
        assert_eq!(b["subscriptionStatus"], "ACTIVE");
        assert_eq!(b["seatsUsed"], 12, "11 ACTIVE and 1 PENDING, over BASIC's 10");
        assert!(time(&b["currentPeriodEnd"]) > app.now());
        let q = "query($o: ID!) { organization(id: $o) { members(status: ACTIVE) { totalCount } } }";
        assert_eq!(app.ok(Some(&ada.access), q, json!({ "o": org })).await["organization"]["members"]["totalCount"], 11);
        let ended = app.count_sql("select count(*) from audit_event where action = 'subscription.ended' and actor_id is null").await;
        assert_eq!(ended, 1);

        // Over the limit: inviting, accepting, unblocking and reviving an
        // expired invitation all refuse.
        let refused = [
            app.fails(Some(&ada.access), INVITE, json!({ "o": org, "e": "new@example.com" })).await,
            app.fails(None, ACCEPT_NEW, json!({ "t": token })).await,
            app.fails(Some(&ada.access), UNBLOCK, json!({ "o": org, "u": members[10] })).await,
            app.fails(Some(&ada.access), RESEND, json!({ "id": expired["id"] })).await,
        ];
        assert_eq!(refused, ["SEAT_LIMIT_REACHED"; 4].map(String::from));

        // Three members leave: 9 seats, and the pending invitee gets in,
        // then one more invitation fits (10).
        for user in &members[..3] {
            app.ok(Some(&ada.access), REMOVE, json!({ "o": org, "u": user })).await;
        }
        app.ok(None, ACCEPT_NEW, json!({ "t": token })).await;
        app.ok(Some(&ada.access), INVITE, json!({ "o": org, "e": "new@example.com" })).await;
        assert_eq!(billing(&app, &ada, &org).await["billing"]["seatsUsed"], 10);
        assert_eq!(app.fails(Some(&ada.access), INVITE, json!({ "o": org, "e": "one-more@example.com" })).await, "SEAT_LIMIT_REACHED");
    }
}

both_backends! {
    async fn the_worker_ends_a_canceled_period_on_its_own(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
        let end = time(&billing(&app, &ada, &org).await["billing"]["currentPeriodEnd"]);
        app.clock.advance(end - app.now() + Duration::minutes(1));
        let ada = app.log_in("ada@example.com").await;
        // The roll-over ticks every minute (at second 30, real time).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(75);
        loop {
            let b = billing(&app, &ada, &org).await["billing"].clone();
            if b["plan"] == "BASIC" {
                assert_eq!(b["subscriptionStatus"], "ACTIVE");
                assert_eq!(b["invoices"][0]["plan"], "BASIC");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no roll-over within a minute: {b}");
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}

/// Runs a test body on an app without a worker (only the test rolls
/// periods over) whose gateway bills at `PRICES`, on SQLite and PostgreSQL.
macro_rules! without_worker {
    ($(async fn $name:ident($app:ident) $body:block)*) => { $(
        mod $name {
            use super::*;
            async fn run(backend: Backend) {
                let Some($app) = TestApp::spawn_with(backend, false, |c| c.prices = PRICES).await else {
                    eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { run(Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { run(Backend::Postgres).await }
        }
    )* };
}

without_worker! {
    async fn each_period_gets_one_invoice_however_far_the_clock_moved(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        let created = time(&billing(&app, &ada, &org).await["createdAt"]);
        let month = |n: u32| created.checked_add_months(Months::new(n)).unwrap();

        // Three periods end before the worker ticks again.
        app.clock.advance(month(3) - app.now() + Duration::days(1));
        let store = app.db.store();
        assert_eq!(store.roll_billing_periods(app.now(), &PRICES).await.unwrap(), 3);
        assert_eq!(store.roll_billing_periods(app.now(), &PRICES).await.unwrap(), 0);

        let ada = app.log_in("ada@example.com").await;
        let b = billing(&app, &ada, &org).await["billing"].clone();
        assert_eq!(time(&b["currentPeriodEnd"]), month(4));
        let invoices = b["invoices"].as_array().unwrap();
        let line = |i: &Value| (time(&i["issuedAt"]), i["plan"].as_str().unwrap().to_owned(), i["amountCents"].as_i64().unwrap());
        let lines: Vec<_> = invoices.iter().map(line).collect();
        // Newest first: the three periods at PRO's price, the change, the
        // first period at BASIC's.
        assert_eq!(lines.len(), 5);
        for (i, n) in [3, 2, 1].into_iter().enumerate() {
            assert_eq!(lines[i], (month(n), "PRO".to_owned(), PRICES.pro_cents));
        }
        assert_eq!(lines[3].1, "PRO");
        assert_eq!(lines[4], (created, "BASIC".to_owned(), PRICES.basic_cents));
    }

    async fn a_deleted_organization_starts_no_period_until_it_is_restored(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        change_plan(&app, &ada, &org, "PRO").await;
        let created = time(&billing(&app, &ada, &org).await["createdAt"]);
        let period_end = created.checked_add_months(Months::new(1)).unwrap();
        // Deleted two days before its period ends; two days after, still
        // within the restore window, the roll-over leaves it alone.
        app.clock.advance(period_end - app.now() - Duration::days(2));
        let ada = app.log_in("ada@example.com").await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { deleteOrganization(id: $o) }", json!({ "o": org })).await;
        app.clock.advance(Duration::days(4));
        let store = app.db.store();
        let invoices = || app.count_sql("select count(*) from invoice");
        let before = invoices().await;
        assert_eq!(store.roll_billing_periods(app.now(), &PRICES).await.unwrap(), 0);
        assert_eq!(invoices().await, before);
        // Restored, the period it missed starts at the next tick.
        let ada = app.log_in("ada@example.com").await;
        app.ok(Some(&ada.access), "mutation($o: ID!) { restoreOrganization(id: $o) { id } }", json!({ "o": org })).await;
        assert_eq!(store.roll_billing_periods(app.now(), &PRICES).await.unwrap(), 1);
        let b = billing(&app, &ada, &org).await["billing"].clone();
        assert_eq!(time(&b["currentPeriodEnd"]), created.checked_add_months(Months::new(2)).unwrap());
        assert_eq!(b["invoices"][0]["amountCents"], json!(PRICES.pro_cents));
    }

    async fn concurrent_roll_overs_issue_each_invoice_once(app) {
        const ORGS: usize = 6;
        const WORKERS: usize = 4;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        for i in 0..ORGS {
            let org = app.create_org(&ada, &format!("Org {i}")).await;
            if i % 2 == 0 {
                // Half of them canceled: the fall-back happens once too.
                change_plan(&app, &ada, &org, "ENTERPRISE").await;
                app.ok(Some(&ada.access), CANCEL, json!({ "o": org })).await;
            }
        }
        app.clock.advance(Duration::days(2 * 31 + 1));
        let later = app.now();
        let rolls = (0..WORKERS).map(|_| {
            let store = app.db.store();
            tokio::spawn(async move { store.roll_billing_periods(later, &PRICES).await })
        });
        let issued: u64 = join_all(rolls).await.into_iter().map(|r| r.expect("task").expect("roll")).sum();
        assert_eq!(issued, (ORGS * 2) as u64);
        let count = |sql: &'static str| app.count_sql(sql);
        assert_eq!(count("select count(*) from invoice where kind = 'PERIOD'").await, (ORGS * 3) as i64);
        assert_eq!(count("select count(*) from audit_event where action = 'subscription.ended'").await, (ORGS / 2) as i64);
        assert_eq!(count("select count(*) from organization where plan = 'BASIC' and subscription_status = 'ACTIVE'").await, ORGS as i64);
        // The periods after the fall-back bill BASIC.
        assert_eq!(count("select count(*) from invoice where kind = 'PERIOD' and plan = 'ENTERPRISE'").await, 0);
    }
}
