//! Ownership transfer through the API (rules.md §2, §7): only the owner
//! asks, only an ACTIVE ADMIN is asked, only the one asked accepts, the
//! previous owner stays ADMIN, a request lapses when either side stops
//! being an ACTIVE ADMIN, and the one asked gets one email. The email's
//! delivery and the races are in `ownership_mail.rs` and
//! `ownership_races.rs`.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, error_code};

use super::member_admin::{Acme, BLOCK, ROLE, UNBLOCK, acme, audits, member};
use super::webhooks::{audit, detail_of};

pub const REQUEST: &str = "mutation($o: ID!, $u: ID!) { requestOwnershipTransfer(organizationId: $o, toUserId: $u) { from { id } to { id } requestedAt } }";
pub const ACCEPT: &str = "mutation($o: ID!) { acceptOwnershipTransfer(organizationId: $o) { id viewerRole owner { id } } }";
pub const CANCEL: &str = "mutation($o: ID!) { cancelOwnershipTransfer(organizationId: $o) }";
const PENDING: &str = "query($o: ID!) { organization(id: $o) { pendingOwnershipTransfer { from { id } to { id } requestedAt } } }";

pub fn request_vars(org: &str, to: &str) -> Value {
    json!({ "o": org, "u": to })
}

pub fn org_vars(org: &str) -> Value {
    json!({ "o": org })
}

/// The pending transfer as `by` sees it: `(from, to)` ids, or `None`.
pub async fn pending(app: &TestApp, by: &Session, org: &str) -> Option<(String, String)> {
    let data = app.ok(Some(&by.access), PENDING, org_vars(org)).await;
    let t = &data["organization"]["pendingOwnershipTransfer"];
    if t.is_null() {
        return None;
    }
    Some((
        t["from"]["id"].as_str().expect("from").to_owned(),
        t["to"]["id"].as_str().expect("to").to_owned(),
    ))
}

/// The owner's id and who is flagged `isOwner` in the member list.
pub async fn owners(app: &TestApp, by: &Session, org: &str) -> (String, Vec<String>) {
    let q = "query($o: ID!) { organization(id: $o) { owner { id } members(first: 100) { edges { node { isOwner user { id } } } } } }";
    let data = app.ok(Some(&by.access), q, org_vars(org)).await;
    let flagged = data["organization"]["members"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["node"]["isOwner"] == true)
        .map(|e| e["node"]["user"]["id"].as_str().expect("id").to_owned())
        .collect();
    let owner = data["organization"]["owner"]["id"].as_str().expect("owner");
    (owner.to_owned(), flagged)
}

fn pair(from: &Session, to: &Session) -> Option<(String, String)> {
    Some((from.user_id.clone(), to.user_id.clone()))
}

/// Nothing of a transfer happened: no request, no event, no job.
async fn nothing_requested(app: &TestApp, owner: &Session, org: &str) {
    assert_eq!(pending(app, owner, org).await, None);
    assert_eq!(audits(app, "ownership.transfer_requested").await, 0);
    assert_eq!(app.queued_jobs().await, 0, "no email job");
}

/// The details of `a.org`'s audit events `action`, as Ada (an ADMIN
/// throughout) reads them, newest first.
async fn details(app: &TestApp, a: &Acme, action: &str) -> Vec<Value> {
    let events = audit(app, &a.ada, &a.org, action).await;
    events.iter().map(detail_of).collect()
}

both_backends! {
    async fn the_owner_asks_an_active_admin(app) {
        let a = acme(&app).await;
        let data = app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let t = &data["requestOwnershipTransfer"];
        assert_eq!(t["from"]["id"], a.ada.user_id.as_str());
        assert_eq!(t["to"]["id"], a.bob.user_id.as_str());
        let at: chrono::DateTime<chrono::Utc> = t["requestedAt"].as_str().unwrap().parse().unwrap();
        assert!((at - app.now()).num_milliseconds().abs() < 1, "{at}");
        // Whoever may view the organization's information sees it.
        for who in [&a.ada, &a.bob, &a.uma, &a.bill] {
            assert_eq!(pending(&app, who, &a.org).await, pair(&a.ada, &a.bob));
        }
        let asked = json!({ "after": { "toUserId": a.bob.user_id } });
        let requested = details(&app, &a, "ownership.transfer_requested").await;
        assert_eq!(requested.iter().filter(|d| **d == asked).count(), 1, "{requested:?}");
        // Asking is not transferring: Ada is still the owner.
        assert_eq!(owners(&app, &a.ada, &a.org).await, (a.ada.user_id.clone(), vec![a.ada.user_id.clone()]));
    }

    async fn a_member_may_not_see_the_pending_transfer(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let res = app.gql(Some(&a.carl.access), PENDING, org_vars(&a.org)).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        assert_eq!(res["errors"][0]["path"], json!(["organization", "pendingOwnershipTransfer"]));
        assert_eq!(res["data"]["organization"]["pendingOwnershipTransfer"], Value::Null);
    }

    async fn only_the_owner_asks(app) {
        let a = acme(&app).await;
        for who in [&a.bob, &a.uma, &a.bill, &a.carl] {
            let code = app.fails(Some(&who.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
            assert_eq!(code, "FORBIDDEN", "{}", who.user_id);
        }
        let eve = app.sign_up("eve@example.com", "Eve").await;
        assert_eq!(app.fails(Some(&eve.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await, "NOT_FOUND");
        assert_eq!(app.fails(None, REQUEST, request_vars(&a.org, &a.bob.user_id)).await, "UNAUTHENTICATED");
        nothing_requested(&app, &a.ada, &a.org).await;
    }

    async fn only_an_active_admin_may_be_asked(app) {
        let a = acme(&app).await;
        let dan = app.join(&a.org, "dan@example.com", "ADMIN").await;
        app.ok(Some(&a.ada.access), BLOCK, json!({ "o": a.org, "u": dan.user_id })).await;
        app.invite(&a.ada, &a.org, "ivy@example.com", "ADMIN").await;
        let q = "query($o: ID!) { organization(id: $o) { members(status: INVITED) { edges { node { user { id } } } } } }";
        let data = app.ok(Some(&a.ada.access), q, org_vars(&a.org)).await;
        let ivy = data["organization"]["members"]["edges"][0]["node"]["user"]["id"].as_str().unwrap().to_owned();
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let jobs_before = app.queued_jobs().await; // Ivy's invitation email
        for to in [
            a.carl.user_id.clone(),      // MEMBER
            a.uma.user_id.clone(),       // USER_ADMIN
            a.bill.user_id.clone(),      // BILLING_ADMIN
            dan.user_id.clone(),         // BLOCKED ADMIN
            ivy,                         // INVITED ADMIN
            eve.user_id.clone(),         // not a member
            a.ada.user_id.clone(),       // the owner itself
            "not-an-id".to_owned(),
            uuid::Uuid::now_v7().to_string(),
        ] {
            let code = app.fails(Some(&a.ada.access), REQUEST, request_vars(&a.org, &to)).await;
            assert_eq!(code, "VALIDATION", "{to}");
        }
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        assert_eq!(audits(&app, "ownership.transfer_requested").await, 0);
        assert_eq!(app.queued_jobs().await, jobs_before, "no email job");
    }

    async fn a_new_request_replaces_the_pending_one(app) {
        let a = acme(&app).await;
        let dan = app.join(&a.org, "dan@example.com", "ADMIN").await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &dan.user_id)).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.ada, &dan));
        let replaced = details(&app, &a, "ownership.transfer_requested").await.into_iter()
            .filter(|d| d["before"] == json!({ "toUserId": a.bob.user_id }) && d["after"] == json!({ "toUserId": dan.user_id }))
            .count();
        assert_eq!(replaced, 1);
        assert_eq!(audits(&app, "ownership.transfer_requested").await, 2);
        // Bob is no longer the one asked.
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "FORBIDDEN");
        let data = app.ok(Some(&dan.access), ACCEPT, org_vars(&a.org)).await;
        assert_eq!(data["acceptOwnershipTransfer"]["owner"]["id"], dan.user_id.as_str());
    }

    async fn the_one_asked_accepts_and_the_previous_owner_stays_admin(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let data = app.ok(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await;
        assert_eq!(
            data["acceptOwnershipTransfer"],
            json!({ "id": a.org, "viewerRole": "ADMIN", "owner": { "id": a.bob.user_id } })
        );
        assert_eq!(owners(&app, &a.ada, &a.org).await, (a.bob.user_id.clone(), vec![a.bob.user_id.clone()]));
        let (role, status) = member(&app, &a.bob, &a.org, &a.ada).await;
        assert_eq!((role, status), (json!("ADMIN"), json!("ACTIVE")));
        assert_eq!(pending(&app, &a.bob, &a.org).await, None);
        let moved = details(&app, &a, "ownership.transferred").await.into_iter()
            .filter(|d| d["before"] == json!({ "ownerId": a.ada.user_id }) && d["after"] == json!({ "ownerId": a.bob.user_id }))
            .count();
        assert_eq!(moved, 1);
        // The owner's powers moved with the flag.
        assert_eq!(app.fails(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await, "FORBIDDEN");
        assert_eq!(app.fails(Some(&a.ada.access), ROLE, json!({ "o": a.org, "u": a.bob.user_id, "r": "MEMBER" })).await, "FORBIDDEN");
        app.ok(Some(&a.ada.access), ROLE, json!({ "o": a.org, "u": a.carl.user_id, "r": "USER_ADMIN" })).await;
        app.ok(Some(&a.bob.access), REQUEST, request_vars(&a.org, &a.ada.user_id)).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.bob, &a.ada));
    }

    async fn only_the_one_asked_accepts(app) {
        let a = acme(&app).await;
        let dan = app.join(&a.org, "dan@example.com", "ADMIN").await;
        // Nothing pending: nothing to accept.
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        for who in [&dan, &a.ada, &a.uma, &a.bill, &a.carl] {
            assert_eq!(app.fails(Some(&who.access), ACCEPT, org_vars(&a.org)).await, "FORBIDDEN", "{}", who.user_id);
        }
        let eve = app.sign_up("eve@example.com", "Eve").await;
        assert_eq!(app.fails(Some(&eve.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(app.fails(None, ACCEPT, org_vars(&a.org)).await, "UNAUTHENTICATED");
        assert_eq!(owners(&app, &a.ada, &a.org).await.0, a.ada.user_id);
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.ada, &a.bob));
        assert_eq!(audits(&app, "ownership.transferred").await, 0);
    }

    async fn the_owner_cancels(app) {
        let a = acme(&app).await;
        let data = app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        assert_eq!(data["cancelOwnershipTransfer"], false);
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        for who in [&a.bob, &a.uma, &a.bill, &a.carl] {
            assert_eq!(app.fails(Some(&who.access), CANCEL, org_vars(&a.org)).await, "FORBIDDEN");
        }
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.ada, &a.bob));
        assert_eq!(audits(&app, "ownership.transfer_canceled").await, 0);
        let data = app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        assert_eq!(data["cancelOwnershipTransfer"], true);
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        let withdrawn = json!({ "before": { "toUserId": a.bob.user_id } });
        let canceled = details(&app, &a, "ownership.transfer_canceled").await;
        assert_eq!(canceled.iter().filter(|d| **d == withdrawn).count(), 1, "{canceled:?}");
        let data = app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        assert_eq!(data["cancelOwnershipTransfer"], false);
        assert_eq!(audits(&app, "ownership.transfer_canceled").await, 1);
    }

    async fn a_request_lapses_when_the_one_asked_is_demoted(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        app.ok(Some(&a.ada.access), ROLE, json!({ "o": a.org, "u": a.bob.user_id, "r": "USER_ADMIN" })).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        // Promoted again, Bob is not asked again: the request is over.
        app.ok(Some(&a.ada.access), ROLE, json!({ "o": a.org, "u": a.bob.user_id, "r": "ADMIN" })).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        let data = app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        assert_eq!(data["cancelOwnershipTransfer"], false);
        assert_eq!(owners(&app, &a.ada, &a.org).await.0, a.ada.user_id);
        assert_eq!(audits(&app, "ownership.transferred").await, 0);
    }

    async fn a_request_lapses_when_the_one_asked_is_blocked(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        app.ok(Some(&a.ada.access), BLOCK, json!({ "o": a.org, "u": a.bob.user_id })).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        // A BLOCKED member is refused everything in the organization.
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "FORBIDDEN");
        app.ok(Some(&a.ada.access), UNBLOCK, json!({ "o": a.org, "u": a.bob.user_id })).await;
        assert_eq!(pending(&app, &a.ada, &a.org).await, None);
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(owners(&app, &a.ada, &a.org).await.0, a.ada.user_id);
    }

    async fn a_request_lapses_when_the_owner_is_no_longer_an_active_admin(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        // Only the database reaches this state (nobody blocks the owner).
        app.set_membership_status(&a.org, &a.ada.user_id, "BLOCKED").await;
        assert_eq!(pending(&app, &a.bob, &a.org).await, None);
        assert_eq!(app.fails(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await, "FORBIDDEN");
        assert_eq!(owners(&app, &a.bob, &a.org).await.0, a.ada.user_id);
    }

    async fn a_transfer_in_one_organization_is_not_seen_from_another(app) {
        let a = acme(&app).await;
        let other = app.create_org(&a.bob, "Other").await;
        app.seed_membership(&other, &a.ada.user_id, "ADMIN", "ACTIVE").await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        assert_eq!(pending(&app, &a.bob, &other).await, None);
        // Ada is asked nothing in Other, and Bob owns Other already.
        assert_eq!(app.fails(Some(&a.ada.access), ACCEPT, org_vars(&other)).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&a.ada.access), REQUEST, request_vars(&other, &a.bob.user_id)).await, "FORBIDDEN");
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let evil = app.create_org(&eve, "Evil").await;
        assert_eq!(app.fails(Some(&a.ada.access), CANCEL, org_vars(&evil)).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&a.ada.access), PENDING, org_vars(&evil)).await, "NOT_FOUND");
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.ada, &a.bob));
    }

    async fn the_transfer_says_who_may_accept_and_who_may_cancel(app) {
        let a = acme(&app).await;
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let q = "query($o: ID!) { organization(id: $o) { pendingOwnershipTransfer { viewerCan } } }";
        for (who, listed) in [(&a.ada, json!(["CANCEL"])), (&a.bob, json!(["ACCEPT"])), (&a.uma, json!([])), (&a.bill, json!([]))] {
            let data = app.ok(Some(&who.access), q, org_vars(&a.org)).await;
            assert_eq!(data["organization"]["pendingOwnershipTransfer"]["viewerCan"], listed, "{}", who.user_id);
        }
        // What is not listed is refused and changes nothing.
        for (who, mutation) in [(&a.ada, ACCEPT), (&a.bob, CANCEL), (&a.uma, ACCEPT), (&a.uma, CANCEL), (&a.bill, ACCEPT)] {
            let res = app.gql(Some(&who.access), mutation, org_vars(&a.org)).await;
            assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        }
        assert_eq!(pending(&app, &a.ada, &a.org).await, pair(&a.ada, &a.bob));
        // What is listed goes through: the owner withdraws, asks again, and Bob accepts.
        let data = app.ok(Some(&a.ada.access), CANCEL, org_vars(&a.org)).await;
        assert_eq!(data["cancelOwnershipTransfer"], true);
        app.ok(Some(&a.ada.access), REQUEST, request_vars(&a.org, &a.bob.user_id)).await;
        let data = app.ok(Some(&a.bob.access), ACCEPT, org_vars(&a.org)).await;
        assert_eq!(data["acceptOwnershipTransfer"]["owner"]["id"], a.bob.user_id.as_str());
    }
}
