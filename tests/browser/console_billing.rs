//! The console's Billing and Settings screens (docs/api/console.md) in
//! Chromium with the network cut off but for Roster, as the roles the seed
//! help pages name: a BILLING_ADMIN changes the plan but may not cancel, a
//! USER_ADMIN only views billing, the owner hands ownership to an ADMIN who
//! accepts, the owner cancels the subscription, deletes the organization
//! and restores it, and an ADMIN edits the settings and adds a webhook
//! endpoint whose secret is shown once. Each result is checked through the
//! API, with a refusal per flow.

use std::time::{Duration, Instant};

use roster_tests::serde_json::{Value, json};
use roster_tests::webhook_receiver::WebhookReceiver;
use roster_tests::{Session, TestApp, both_backends, error_code};

use super::playground::OFFLINE;
use super::{Browser, WAIT};

const BILLING: &str =
    "query($o: ID!) { organization(id: $o) { billing { plan seatsUsed subscriptionStatus } } }";
const CHANGE_PLAN: &str =
    "mutation($o: ID!, $p: Plan!) { changePlan(organizationId: $o, plan: $p) { plan } }";
const CANCEL: &str =
    "mutation($o: ID!) { cancelSubscription(organizationId: $o) { subscriptionStatus } }";
const OWNER: &str = "query($o: ID!) { organization(id: $o) { owner { id } pendingOwnershipTransfer { from { id } to { id } } } }";
const REQUEST: &str = "mutation($o: ID!, $u: ID!) { requestOwnershipTransfer(organizationId: $o, toUserId: $u) { requestedAt } }";
const NAME: &str = "query($o: ID!) { organization(id: $o) { name } }";
const DELETE: &str = "mutation($o: ID!) { deleteOrganization(id: $o) }";
const RESTORE: &str = "mutation($o: ID!) { restoreOrganization(id: $o) { id } }";
const DELETED: &str = "{ deletedOrganizations { id } }";
const ENDPOINTS: &str = "query($o: ID!) { organization(id: $o) { webhookEndpoints { id url events deliveries { status } } } }";
const CREATE_ENDPOINT: &str = "mutation($o: ID!, $u: String!) { createWebhookEndpoint(organizationId: $o, url: $u) { secret } }";
const SETTINGS: &str =
    "query($o: ID!) { organization(id: $o) { name invitationDelivery invitationTtlHours } }";
const RENAME: &str =
    "mutation($o: ID!) { updateOrganization(id: $o, input: { name: \"Evil\" }) { name } }";
const ROLE: &str = "mutation($o: ID!, $u: ID!, $r: OrgRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";

/// Waits until a visible element of `role` has a name containing `part`.
async fn shown_containing(browser: &Browser, role: &str, part: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let names = browser.names_of(role).await;
        if let Some(found) = names.iter().find(|n| n.contains(part)) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {role} containing {part:?}; shown: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn log_out(browser: &Browser) {
    browser.press("Log out").await;
    browser.by_role("heading", "Log in to Roster").await;
}

async fn plan_of(app: &TestApp, by: &Session, org: &str) -> Value {
    app.ok(Some(&by.access), BILLING, json!({ "o": org })).await["organization"]["billing"].clone()
}

/// Ada (owner, ADMIN) and Acme, with `others` joined as `(email, role)`.
async fn acme(app: &TestApp, others: &[(&str, &str)]) -> (Session, String, Vec<Session>) {
    let ada = app.sign_up("ada@example.com", "Ada Lovelace").await;
    let org = app.create_org(&ada, "Acme").await;
    let mut joined = Vec::new();
    for (email, role) in others {
        joined.push(app.join(&org, email, role).await);
    }
    (ada, org, joined)
}

both_backends! {
    async fn a_billing_admin_changes_the_plan_but_may_not_cancel(app) {
        let (ada, org, people) = acme(&app, &[("bill@example.com", "BILLING_ADMIN")]).await;
        let bill = &people[0];
        // Nine more members: eleven seats, more than BASIC's ten.
        for n in 0..9 {
            let user = app.seed_user(&format!("m{n}@example.com"), &format!("m{n}")).await;
            app.seed_membership(&org, &user, "MEMBER", "ACTIVE").await;
        }

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "bill@example.com").await;
        browser.tab("Billing").await;
        assert_eq!(browser.options_of("New plan").await, ["Basic", "Pro", "Enterprise"]);
        browser.choose("New plan", "Pro").await;
        browser.press("Change plan").await;
        browser.by_role("status", "The plan is now Pro.").await;
        shown_containing(&browser, "cell", "Pro").await;
        assert_eq!(plan_of(&app, &ada, &org).await["plan"], "PRO");

        // Back to BASIC is refused in words: eleven seats are in use.
        browser.choose("New plan", "Basic").await;
        browser.press("Change plan").await;
        let refusal = shown_containing(&browser, "alert", "SEAT_LIMIT_REACHED").await;
        assert_eq!(
            refusal,
            "The new plan has fewer seats than are in use: 11 seats are in use and BASIC allows 10: free 1 first. (SEAT_LIMIT_REACHED)"
        );
        assert_eq!(plan_of(&app, &ada, &org).await, json!({ "plan": "PRO", "seatsUsed": 11, "subscriptionStatus": "ACTIVE" }));

        // Cancelling is the ADMIN's: not offered, and refused.
        let buttons = browser.names_of("button").await;
        assert!(!buttons.iter().any(|b| b.starts_with("Cancel subscription")), "{buttons:?}");
        browser.close().await;
        let res = app.gql(Some(&bill.access), CANCEL, json!({ "o": org })).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        assert_eq!(plan_of(&app, &ada, &org).await["subscriptionStatus"], "ACTIVE");
    }

    async fn a_user_admin_sees_billing_read_only_and_a_member_sees_no_billing(app) {
        let (ada, org, people) = acme(&app, &[("uma@example.com", "USER_ADMIN"), ("carl@example.com", "MEMBER")]).await;
        let uma = &people[0];

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "uma@example.com").await;
        browser.tab("Billing").await;
        shown_containing(&browser, "cell", "Basic").await;
        let buttons = browser.names_of("button").await;
        assert!(!buttons.iter().any(|b| b == "Change plan" || b.starts_with("Cancel subscription")), "{buttons:?}");
        assert!(browser.names_of("combobox").await.iter().all(|c| c != "New plan"));
        // Settings: viewed, not edited; no webhooks, no deletion.
        browser.tab("Settings").await;
        browser.by_role("heading", "Ownership").await;
        let headings = browser.names_of("heading").await;
        assert!(!headings.iter().any(|h| h == "Webhook endpoints" || h == "Delete organization"), "{headings:?}");
        assert!(browser.names_of("textbox").await.iter().all(|t| t != "Name"));
        log_out(&browser).await;

        browser.console_as(&app, "carl@example.com").await;
        browser.by_role("heading", "Users").await;
        let tabs = browser.names_of("link").await;
        assert!(!tabs.iter().any(|t| t == "Billing" || t == "Settings"), "{tabs:?}");
        browser.close().await;

        let res = app.gql(Some(&uma.access), CHANGE_PLAN, json!({ "o": org, "p": "PRO" })).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        assert_eq!(plan_of(&app, &ada, &org).await["plan"], "BASIC");
    }

    async fn the_owner_asks_an_admin_to_become_owner_and_the_admin_accepts(app) {
        let (ada, org, people) = acme(&app, &[("bob@example.com", "ADMIN"), ("uma@example.com", "USER_ADMIN")]).await;
        let (bob, uma) = (&people[0], &people[1]);

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.tab("Settings").await;
        // Only the ACTIVE ADMIN is offered; asking the USER_ADMIN is refused.
        assert_eq!(browser.options_of("New owner").await, ["bob (bob@example.com)"]);
        let res = app.gql(Some(&ada.access), REQUEST, json!({ "o": org, "u": uma.user_id })).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"), "{res}");
        browser.choose("New owner", "bob (bob@example.com)").await;
        browser.press("Ask to become owner").await;
        browser.by_role("status", "bob is asked to become owner; they accept in their console.").await;
        let t = app.ok(Some(&ada.access), OWNER, json!({ "o": org })).await["organization"].clone();
        assert_eq!(t["pendingOwnershipTransfer"], json!({ "from": { "id": ada.user_id }, "to": { "id": bob.user_id } }));
        // The owner may withdraw it; the one asked may not ask.
        browser.by_role("button", "Withdraw the request").await;
        assert!(!browser.names_of("button").await.contains(&"Accept ownership".to_owned()));
        let res = app.gql(Some(&bob.access), REQUEST, json!({ "o": org, "u": ada.user_id })).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");
        log_out(&browser).await;

        browser.console_as(&app, "bob@example.com").await;
        browser.tab("Settings").await;
        shown_containing(&browser, "button", "Accept ownership").await;
        assert!(!browser.names_of("button").await.contains(&"Withdraw the request".to_owned()));
        browser.press("Accept ownership").await;
        browser.by_role("status", "You are now the owner of Acme.").await;
        browser.close().await;
        let t = app.ok(Some(&ada.access), OWNER, json!({ "o": org })).await["organization"].clone();
        assert_eq!(t, json!({ "owner": { "id": bob.user_id }, "pendingOwnershipTransfer": null }));
    }

    async fn the_owner_cancels_the_subscription_deletes_the_organization_and_restores_it(app) {
        let (ada, org, people) = acme(&app, &[("bob@example.com", "ADMIN"), ("bill@example.com", "BILLING_ADMIN")]).await;
        let (bob, bill) = (&people[0], &people[1]);
        let res = app.gql(Some(&bill.access), DELETE, json!({ "o": org })).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        // The ADMIN cancels the subscription, in a dialog.
        browser.tab("Billing").await;
        browser.press("Cancel subscription…").await;
        browser.by_role("dialog", "Cancel the subscription?").await;
        browser.press("Cancel subscription").await;
        shown_containing(&browser, "status", "The subscription is canceled.").await;
        assert!(!browser.names_of("button").await.contains(&"Cancel subscription…".to_owned()));
        assert_eq!(plan_of(&app, &ada, &org).await["subscriptionStatus"], "CANCELED");

        browser.tab("Settings").await;
        browser.press("Delete organization…").await;
        browser.by_role("dialog", "Delete Acme?").await;
        // A name mistyped deletes nothing.
        browser.enter("Type the organization's name to confirm", "Acme Corp").await;
        browser.press("Delete organization").await;
        browser.by_role("alert", "Type the organization's name exactly: Acme. (VALIDATION)").await;
        assert_eq!(app.ok(Some(&bob.access), NAME, json!({ "o": org })).await["organization"]["name"], "Acme");
        browser.enter("Type the organization's name to confirm", "Acme").await;
        browser.press("Delete organization").await;
        // The console shows it gone (the screen may hear of it first from
        // its live events) and offers the owner the restore.
        shown_containing(&browser, "alert", "Acme").await;
        browser.by_role("button", "Restore Acme").await;
        assert_eq!(app.fails(Some(&bob.access), NAME, json!({ "o": org })).await, "NOT_FOUND");
        // Restoring is the owner's: another ADMIN is offered nothing and refused.
        assert_eq!(app.ok(Some(&bob.access), DELETED, json!({})).await["deletedOrganizations"], json!([]));
        assert_eq!(app.fails(Some(&bob.access), RESTORE, json!({ "o": org })).await, "FORBIDDEN");

        browser.press("Restore Acme").await;
        browser.by_role("heading", "Acme").await;
        browser.by_role("heading", "Settings").await;
        browser.by_role("button", "Delete organization…").await;
        browser.close().await;
        assert_eq!(app.ok(Some(&bob.access), NAME, json!({ "o": org })).await["organization"]["name"], "Acme");
        assert_eq!(app.ok(Some(&ada.access), DELETED, json!({})).await["deletedOrganizations"], json!([]));
    }

    async fn an_admin_edits_the_settings_and_adds_a_webhook_endpoint_whose_secret_shows_once(app) {
        let hook = WebhookReceiver::start(&[]).await;
        let (ada, org, people) = acme(&app, &[("bob@example.com", "MEMBER"), ("bill@example.com", "BILLING_ADMIN")]).await;
        let (bob, bill) = (&people[0], &people[1]);
        let res = app.gql(Some(&bill.access), CREATE_ENDPOINT, json!({ "o": org, "u": hook.url })).await;
        assert_eq!(error_code(&res).as_deref(), Some("FORBIDDEN"), "{res}");

        let Some(browser) = Browser::start_with(&OFFLINE).await else { return };
        browser.console_as(&app, "ada@example.com").await;
        browser.tab("Settings").await;
        // The settings first: a new name and the one-time password delivery.
        browser.enter("Name", "Acme Inc").await;
        browser.choose("How invitations are delivered", "A one-time password by email (24 hours unless set)").await;
        browser.press("Save settings").await;
        browser.by_role("status", "The settings are saved.").await;
        browser.by_role("heading", "Acme Inc").await;
        assert_eq!(
            app.ok(Some(&bill.access), SETTINGS, json!({ "o": org })).await["organization"],
            json!({ "name": "Acme Inc", "invitationDelivery": "TEMPORARY_PASSWORD", "invitationTtlHours": 24 })
        );
        assert_eq!(app.fails(Some(&bill.access), RENAME, json!({ "o": org })).await, "FORBIDDEN");

        browser.enter("Endpoint URL", &hook.url).await;
        browser.enter("Events (audit actions, separated by commas; empty for all)", "member.role_changed").await;
        browser.press("Add endpoint").await;
        let secret = browser.by_label("Signing secret").await.prop("value").await.expect("read").expect("a value");
        assert!(secret.starts_with("whsec_"), "{secret}");
        browser.press("I have copied the secret").await;
        assert!(browser.names_of("textbox").await.iter().all(|t| t != "Signing secret"));
        let endpoints = app.ok(Some(&ada.access), ENDPOINTS, json!({ "o": org })).await;
        assert_eq!(endpoints["organization"]["webhookEndpoints"][0]["events"], json!(["member.role_changed"]));

        // An event the endpoint is subscribed to goes out, signed with that secret.
        app.ok(Some(&ada.access), ROLE, json!({ "o": org, "u": bob.user_id, "r": "USER_ADMIN" })).await;
        let got = hook.wait_for("the role change", |r| !r.is_empty()).await;
        standardwebhooks::Webhook::new(&secret).expect("a whsec_ secret").verify(&got[0].body, &got[0].headers).expect("signed with the secret shown");
        let deadline = Instant::now() + WAIT;
        while !browser.names_of("cell").await.contains(&"HTTP 204".to_owned()) {
            assert!(Instant::now() < deadline, "the delivery is never listed");
            browser.press("Refresh deliveries").await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        browser.press(&format!("Delete {}", hook.url)).await;
        browser.press("Delete endpoint").await;
        browser.by_role("status", &format!("The endpoint {} is deleted.", hook.url)).await;
        let deadline = Instant::now() + WAIT;
        while browser.names_of("heading").await.contains(&hook.url) {
            assert!(Instant::now() < deadline, "the endpoint is still listed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        browser.close().await;
        let endpoints = app.ok(Some(&ada.access), ENDPOINTS, json!({ "o": org })).await;
        assert_eq!(endpoints["organization"]["webhookEndpoints"], json!([]));
    }
}
