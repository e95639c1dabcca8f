//! Races of ownership transfer, with real concurrency: the requests are in
//! flight together, parked on the organization's lock (held by the test
//! until both have passed their guards), then let go at once. Exactly one
//! wins, and the organization has exactly one owner.

use roster_tests::serde_json::json;
use roster_tests::{TestApp, both_backends, error_code};

use super::member_admin::{acme, audits};
use super::member_admin_races::{hold_lock, one_wins, release_later};
use super::ownership::{ACCEPT, CANCEL, REQUEST, org_vars, owners, pending, request_vars};

async fn one_owner(app: &TestApp, by: &roster_tests::Session, org: &str) -> String {
    let (owner, flagged) = owners(app, by, org).await;
    assert_eq!(
        flagged,
        vec![owner.clone()],
        "exactly one member is the owner"
    );
    owner
}

both_backends! {
    async fn two_accepts_at_once_transfer_once(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let held = hold_lock(&app, &a.org).await;
        let (x, y, ()) = tokio::join!(
            app.gql(Some(&a.bob.access), ACCEPT, org_vars(&a.org)),
            app.gql(Some(&a.bob.access), ACCEPT, org_vars(&a.org)),
            release_later(held),
        );
        assert_eq!(one_wins(&x, &y), "NOT_FOUND");
        assert_eq!(one_owner(&app, &a.ada, &a.org).await, a.bob.user_id);
        assert_eq!(audits(&app, "ownership.transferred").await, 1);
        assert_eq!(pending(&app, &a.bob, &a.org).await, None);
    }

    async fn an_accept_racing_a_cancel_ends_one_way(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let held = hold_lock(&app, &a.org).await;
        let (accept, cancel, ()) = tokio::join!(
            app.gql(Some(&a.bob.access), ACCEPT, org_vars(&a.org)),
            app.gql(Some(&a.ada.access), CANCEL, org_vars(&a.org)),
            release_later(held),
        );
        let owner = one_owner(&app, &a.ada, &a.org).await;
        match error_code(&accept) {
            // The accept went first: Ada no longer owns what she would cancel.
            None => {
                assert_eq!(accept["data"]["acceptOwnershipTransfer"]["owner"]["id"], a.bob.user_id.as_str());
                assert_eq!(error_code(&cancel).as_deref(), Some("FORBIDDEN"), "{cancel}");
                assert_eq!(owner, a.bob.user_id);
                assert_eq!(audits(&app, "ownership.transferred").await, 1);
                assert_eq!(audits(&app, "ownership.transfer_canceled").await, 0);
            }
            // The cancel went first: nothing is left to accept.
            Some(code) => {
                assert_eq!(code, "NOT_FOUND", "{accept}");
                assert_eq!(cancel["data"], json!({ "cancelOwnershipTransfer": true }), "{cancel}");
                assert_eq!(owner, a.ada.user_id);
                assert_eq!(audits(&app, "ownership.transferred").await, 0);
                assert_eq!(audits(&app, "ownership.transfer_canceled").await, 1);
            }
        }
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
    }
}
