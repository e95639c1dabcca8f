//! A downgrade racing invitations for the last seats (docs/api/billing.md, rules.md
//! §4), with real concurrency: each request through a gateway of its own
//! over the same database, all parked on the organization's lock (held by
//! the test) and let go at once. Whatever order they run in, the seats in
//! use never exceed what the final plan allows, and every request either
//! succeeds or answers SEAT_LIMIT_REACHED.

use std::time::Duration;

use futures::future::join_all;
use roster_tests::serde_json::{Value, json};
use roster_tests::{both_backends, error_code};

use super::billing::{CHANGE, billing, change_plan, seed_members};
use super::member_admin_races::{hold_lock, release_later};

const ROUNDS: usize = 9;
const INVITES: usize = 4;
const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }";

both_backends! {
    async fn a_downgrade_racing_invitations_never_leaves_more_seats_than_the_plan_allows(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let gateways = [app.spawn_gateway(|_| {}).await, app.spawn_gateway(|_| {}).await];
        let mut downgrades = 0;
        for round in 0..ROUNDS {
            // PRO with 8 seats in use: BASIC's 10 leave room for 2 of the 4.
            let org = app.create_org(&ada, &format!("Acme {round}")).await;
            change_plan(&app, &ada, &org, "PRO").await;
            seed_members(&app, &org, &format!("r{round}m"), 7).await;
            let held = hold_lock(&app, &org).await;
            // The downgrade joins the queue on the lock first, among the
            // invitations, or after them, by round.
            let wait = Duration::from_millis(150 * (round % 3) as u64);
            let downgrade = async {
                tokio::time::sleep(wait).await;
                app.gql_via(&gateways[0], Some(&ada.access), CHANGE, json!({ "o": org, "p": "BASIC" })).await
            };
            let invites = join_all((0..INVITES).map(|i| {
                let email = format!("r{round}i{i}@example.com");
                let via = gateways[i % 2].clone();
                let ada = ada.access.clone();
                let app = &app;
                let org = org.clone();
                async move { app.gql_via(&via, Some(&ada), INVITE, json!({ "o": org, "e": email })).await }
            }));
            let (downgraded, invited, ()) = tokio::join!(downgrade, invites, release_later(held));
            let outcome = |res: &Value| match error_code(res).as_deref() {
                None => true,
                Some("SEAT_LIMIT_REACHED") => false,
                Some(other) => panic!("unexpected {other}: {res}"),
            };
            let took = invited.iter().filter(|r| outcome(r)).count() as i64;
            let b = billing(&app, &ada, &org).await["billing"].clone();
            let seats = b["seatsUsed"].as_i64().unwrap();
            assert_eq!(seats, 8 + took, "round {round}");
            if outcome(&downgraded) {
                downgrades += 1;
                assert_eq!(b["plan"], "BASIC", "round {round}");
                assert!(seats <= 10, "round {round}: {seats} seats on BASIC");
            } else {
                assert_eq!(b["plan"], "PRO", "round {round}");
                // Refused only because more than 10 seats were in use then.
                assert!(seats > 10, "round {round}: refused with {seats} seats");
                assert!(downgraded["errors"][0]["extensions"]["seatsToFree"].as_i64().unwrap() > 0);
            }
        }
        eprintln!("{downgrades} of {ROUNDS} downgrades won");
        app.assert_member_counts_exact().await;
    }
}
