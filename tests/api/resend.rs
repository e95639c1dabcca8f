//! Resending an EXPIRED invitation (rules.md §3, seed 001): the person whose
//! one-time password lapsed gets a new one valid 24 hours; the invitation
//! is PENDING again and takes a seat. Every scenario runs twice, with the
//! sweep run by the test right after the lifetime ends and without it (the
//! worker's minutely sweep may still run at any moment), and must answer
//! the same.

use chrono::Duration;
use roster_tests::serde_json::{Value, json};
use roster_tests::{
    PASSWORD, Session, TestApp, both_backends, invitation_token, temporary_password,
};

const RESEND: &str =
    "mutation($id: ID!) { resendInvitation(id: $id) { status delivery sentCount expiresAt } }";
const STATE: &str = "query($o: ID!) { organization(id: $o) { seatsUsed members(status: INVITED) { totalCount } \
                     invitations(status: EXPIRED) { totalCount } } }";

/// Ada's organization sending one-time passwords; Ada and the org id.
async fn org(app: &TestApp) -> (Session, String) {
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    app.set_delivery(&ada, &org, "TEMPORARY_PASSWORD", None)
        .await;
    (ada, org)
}

/// Moves past the lifetime; runs the sweep when `swept`. Ada logs in again
/// (her access token lapsed too).
async fn lapse(app: &TestApp, by: Duration, swept: bool) -> Session {
    app.clock.advance(by + Duration::seconds(1));
    if swept {
        // The worker's own sweep may have been first: then this finds none.
        app.db.store().expire_invitations(app.now()).await.unwrap();
    }
    app.log_in("ada@example.com").await
}

/// Seats and invitations as the admin sees them once the sweep has caught
/// up (lists show what the sweep has marked; the rules hold either way).
async fn state(app: &TestApp, ada: &Session, org: &str) -> Value {
    app.db.store().expire_invitations(app.now()).await.unwrap();
    app.ok(Some(&ada.access), STATE, json!({ "o": org })).await["organization"].clone()
}

/// Seed 001: the lapsed invitee gets a new one-time password valid 24 h,
/// logs in with it and joins.
async fn a_lapsed_one_time_password_is_sent_again(app: TestApp, swept: bool) {
    let (ada, org) = org(&app).await;
    let inv = app.invite(&ada, &org, "lapsed@example.com", "MEMBER").await;
    let first = temporary_password(&app.mail_to("lapsed@example.com", 1).await);
    let ada = lapse(&app, Duration::hours(24), swept).await;
    let data = app
        .ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] }))
        .await;
    let resent = &data["resendInvitation"];
    assert_eq!(
        (
            resent["status"].as_str(),
            resent["delivery"].as_str(),
            resent["sentCount"].as_i64()
        ),
        (Some("PENDING"), Some("TEMPORARY_PASSWORD"), Some(2))
    );
    let expires: chrono::DateTime<chrono::Utc> =
        resent["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, app.now() + Duration::hours(24));
    // The INVITED membership (the seat) is back.
    assert_eq!(
        state(&app, &ada, &org).await,
        json!({ "seatsUsed": 2, "members": { "totalCount": 1 }, "invitations": { "totalCount": 0 } })
    );
    let one_time = temporary_password(&app.mail_to("lapsed@example.com", 2).await);
    assert_ne!(one_time, first);
    assert_eq!(app.fails(None, "mutation($p: String!) { logIn(email: \"lapsed@example.com\", password: $p) { accessToken } }", json!({ "p": first })).await, "UNAUTHENTICATED");
    app.clock.advance(Duration::hours(23));
    let login = app.log_in_with("lapsed@example.com", &one_time).await;
    let q = "mutation($c: String!) { changePassword(currentPassword: $c, newPassword: \"my own password\") { accessToken refreshToken user { id } } }";
    let changed = app
        .ok(Some(&login.access), q, json!({ "c": one_time }))
        .await;
    let me = Session::from_payload(&changed["changePassword"]);
    let mine = app
        .ok(
            Some(&me.access),
            "{ me { memberships { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["me"]["memberships"], json!([{ "status": "ACTIVE" }]));
}

/// Reviving takes a seat: none free, `SEAT_LIMIT_REACHED` and nothing
/// changes; once one is free, it works.
async fn reviving_needs_a_free_seat(app: TestApp, swept: bool) {
    let (ada, org) = org(&app).await;
    let inv = app.invite(&ada, &org, "lapsed@example.com", "MEMBER").await;
    let ada = lapse(&app, Duration::hours(24), swept).await;
    // Nine members join meanwhile (straight in the database, so nothing
    // sweeps): with Ada, the BASIC plan's 10 seats are taken.
    for i in 0..9 {
        app.join(&org, &format!("m{i}@example.com"), "MEMBER").await;
    }
    assert_eq!(
        app.fails(Some(&ada.access), RESEND, json!({ "id": inv["id"] }))
            .await,
        "SEAT_LIMIT_REACHED"
    );
    assert_eq!(
        state(&app, &ada, &org).await,
        json!({ "seatsUsed": 10, "members": { "totalCount": 0 }, "invitations": { "totalCount": 1 } })
    );
    app.execute_sql("delete from membership where user_id in (select id from app_user where email = 'm0@example.com')").await;
    let data = app
        .ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] }))
        .await;
    assert_eq!(data["resendInvitation"]["status"], "PENDING");
    assert_eq!(
        state(&app, &ada, &org).await,
        json!({ "seatsUsed": 10, "members": { "totalCount": 1 }, "invitations": { "totalCount": 0 } })
    );
}

/// Five sends per 24 hours, expired or not.
async fn the_send_limit_still_applies(app: TestApp, swept: bool) {
    let (ada, org) = org(&app).await;
    app.set_delivery(&ada, &org, "TEMPORARY_PASSWORD", Some(1))
        .await;
    let inv = app.invite(&ada, &org, "lapsed@example.com", "MEMBER").await;
    for _ in 2..=5 {
        app.ok(Some(&ada.access), RESEND, json!({ "id": inv["id"] }))
            .await;
    }
    let ada = lapse(&app, Duration::hours(1), swept).await;
    assert_eq!(
        app.fails(Some(&ada.access), RESEND, json!({ "id": inv["id"] }))
            .await,
        "RATE_LIMITED"
    );
    assert_eq!(
        state(&app, &ada, &org).await["invitations"]["totalCount"],
        1
    );
}

/// The address joined meanwhile: `CONFLICT`. It has a real account now: the
/// resend goes as a LINK.
async fn what_happened_to_the_address_meanwhile_counts(app: TestApp, swept: bool) {
    let (ada, org) = org(&app).await;
    let joined = app.invite(&ada, &org, "joined@example.com", "MEMBER").await;
    let registered = app
        .invite(&ada, &org, "registered@example.com", "MEMBER")
        .await;
    app.mail_to("registered@example.com", 1).await;
    let ada = lapse(&app, Duration::hours(24), swept).await;
    let user = app.sign_up("joined@example.com", "Joined").await;
    app.seed_membership(&org, &user.user_id, "MEMBER", "ACTIVE")
        .await;
    assert_eq!(
        app.fails(Some(&ada.access), RESEND, json!({ "id": joined["id"] }))
            .await,
        "CONFLICT"
    );

    let grace = app.sign_up("registered@example.com", "Grace").await;
    let data = app
        .ok(Some(&ada.access), RESEND, json!({ "id": registered["id"] }))
        .await;
    assert_eq!(data["resendInvitation"]["delivery"], "LINK");
    assert_eq!(
        data["resendInvitation"]["expiresAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        app.now() + Duration::days(7)
    );
    let token = invitation_token(&app.mail_to("registered@example.com", 2).await, &app.base);
    let accept = "mutation($t: String!) { acceptInvitation(token: $t) { user { id } } }";
    app.ok(Some(&grace.access), accept, json!({ "t": token }))
        .await;
    // Grace's own password still works: no one-time password replaced it.
    app.log_in_with("registered@example.com", PASSWORD).await;
}

both_backends! {
    async fn a_lapsed_one_time_password_is_sent_again_before_the_sweep(app) { a_lapsed_one_time_password_is_sent_again(app, false).await; }
    async fn a_lapsed_one_time_password_is_sent_again_after_the_sweep(app) { a_lapsed_one_time_password_is_sent_again(app, true).await; }
    async fn reviving_needs_a_free_seat_before_the_sweep(app) { reviving_needs_a_free_seat(app, false).await; }
    async fn reviving_needs_a_free_seat_after_the_sweep(app) { reviving_needs_a_free_seat(app, true).await; }
    async fn the_send_limit_still_applies_before_the_sweep(app) { the_send_limit_still_applies(app, false).await; }
    async fn the_send_limit_still_applies_after_the_sweep(app) { the_send_limit_still_applies(app, true).await; }
    async fn what_happened_to_the_address_meanwhile_counts_before_the_sweep(app) { what_happened_to_the_address_meanwhile_counts(app, false).await; }
    async fn what_happened_to_the_address_meanwhile_counts_after_the_sweep(app) { what_happened_to_the_address_meanwhile_counts(app, true).await; }
}
