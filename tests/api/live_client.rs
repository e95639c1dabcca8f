//! Live membership events as a client application hears them, through
//! graphql-ws-client (a maintained graphql-transport-ws client): every kind
//! of change, who hears it, in commit order, and nothing (no event, no
//! webhook) from a change whose transaction rolled back after its event
//! was written.
//! (live_events.rs checks the protocol's frames and close codes.)

use std::time::Duration;

use roster_store::Database;
use roster_tests::live::actions;
use roster_tests::live::client::{MembershipEvents, connect, next_events, next_within, subscribe};
use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends, error_code, invitation_token};

use roster_tests::webhook_receiver::WebhookReceiver;

use crate::member_admin::{BLOCK, ROLE, UNBLOCK};
use crate::ownership::{ACCEPT as ACCEPT_OWNERSHIP, REQUEST as REQUEST_OWNERSHIP};
use crate::webhooks::create_endpoint;

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(500);
const PLAN: &str = "mutation($o: ID!) { changePlan(organizationId: $o, plan: PRO) { plan } }";
const REVOKE: &str = "mutation($i: ID!) { revokeInvitation(id: $i) { status } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { user { id } } }";
const DECLINE: &str = "mutation($t: String!) { declineInvitation(token: $t) }";
const WORKSPACE: &str =
    "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }";
const ASSIGN: &str = "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { status } }";
const REMOVE: &str =
    "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) { removedUserId } }";

/// Makes every write that queues a member notice (the removal email) fail
/// inside its transaction, after its audit event (and so its membership
/// event) was written: the whole change rolls back.
async fn fail_member_notices(app: &TestApp) {
    match app.db {
        Database::Sqlite(_) => {
            app.execute_sql(
                "create trigger fail_member_notice before insert on Jobs \
                 when new.job_type = 'member-notice' \
                 begin select raise(abort, 'injected failure'); end",
            )
            .await
        }
        Database::Postgres(_) => {
            app.execute_sql(
                "create function fail_member_notice() returns trigger language plpgsql \
                 as $$ begin raise exception 'injected failure'; end $$",
            )
            .await;
            app.execute_sql(
                "create trigger fail_member_notice before insert on apalis.jobs for each row \
                 when (new.job_type = 'member-notice') execute function fail_member_notice()",
            )
            .await
        }
    }
}

async fn restore_member_notices(app: &TestApp) {
    app.execute_sql(match app.db {
        Database::Sqlite(_) => "drop trigger fail_member_notice",
        Database::Postgres(_) => "drop trigger fail_member_notice on apalis.jobs",
    })
    .await;
}

fn user(action: &str, user: &str) -> (String, Option<String>) {
    (action.to_owned(), Some(user.to_owned()))
}

both_backends! {
    async fn each_kind_of_change_reaches_exactly_who_may_hear_it_in_commit_order(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let ben = app.join(&org, "ben@example.com", "MEMBER").await;
        let cy = app.join(&org, "cy@example.com", "MEMBER").await;
        let dan = app.sign_up("dan@example.com", "Dan").await;
        let admin = connect(&app.base, &ada.access).await.expect("ADMIN connects");
        let member = connect(&app.base, &mia.access).await.expect("MEMBER connects");
        let mut heard_by_admin = subscribe(&admin, &org).await;
        let mut heard_by_member = subscribe(&member, &org).await;
        let as_ada = Some(ada.access.as_str());
        let pair = |u: &str| json!({ "o": org, "u": u });

        app.ok(as_ada, PLAN, json!({ "o": org })).await;
        let cat = app.invite(&ada, &org, "cat@example.com", "MEMBER").await;
        app.ok(as_ada, REVOKE, json!({ "i": cat["id"] })).await;
        app.invite(&ada, &org, "dan@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("dan@example.com", 1).await, &app.base);
        app.ok(Some(&dan.access), ACCEPT, json!({ "t": token })).await;
        app.invite(&ada, &org, "fay@example.com", "MEMBER").await;
        let token = invitation_token(&app.mail_to("fay@example.com", 1).await, &app.base);
        app.ok(None, DECLINE, json!({ "t": token })).await;
        app.invite(&ada, &org, "gus@example.com", "MEMBER").await;
        // The worker's sweep, a week and a day later.
        let later = app.now() + chrono::Duration::days(8);
        assert_eq!(app.db.store().expire_invitations(later).await.expect("sweep"), 1);
        app.ok(as_ada, ROLE, json!({ "o": org, "u": ben.user_id, "r": "ADMIN" })).await;
        app.ok(as_ada, BLOCK, pair(&cy.user_id)).await;
        app.ok(as_ada, UNBLOCK, pair(&cy.user_id)).await;
        let ws = app.ok(as_ada, WORKSPACE, json!({ "o": org })).await["createWorkspace"]["id"].clone();
        app.ok(as_ada, ASSIGN, json!({ "o": org, "u": mia.user_id, "w": [ws] })).await;
        // Rolled back after its event was written: nobody hears it.
        fail_member_notices(&app).await;
        let failed = app.gql(as_ada, REMOVE, pair(&cy.user_id)).await;
        assert_eq!(error_code(&failed).as_deref(), Some("INTERNAL"), "{failed}");
        restore_member_notices(&app).await;
        app.ok(as_ada, REQUEST_OWNERSHIP, pair(&ben.user_id)).await;
        app.ok(Some(&ben.access), ACCEPT_OWNERSHIP, json!({ "o": org })).await;
        // Had the failed removal committed, this would be NOT_FOUND.
        app.ok(Some(&ben.access), REMOVE, pair(&cy.user_id)).await;

        let heard = next_events(&mut heard_by_admin, 17, WAIT).await;
        let names: Vec<String> = actions(&heard).into_iter().map(|(a, _)| a).collect();
        assert_eq!(names, [
            "plan.changed",
            "invitation.created", "invitation.revoked",
            "invitation.created", "invitation.accepted",
            "invitation.created", "invitation.declined",
            "invitation.created", "invitation.expired",
            "member.role_changed", "member.blocked", "member.unblocked",
            "workspace.created", "member.workspaces_changed",
            "ownership.transfer_requested", "ownership.transferred",
            "member.removed",
        ]);
        let who = actions(&heard);
        assert_eq!(who[4], user("invitation.accepted", &dan.user_id));
        assert_eq!(who[9], user("member.role_changed", &ben.user_id));
        assert_eq!(who[10..12], [user("member.blocked", &cy.user_id), user("member.unblocked", &cy.user_id)]);
        assert_eq!(who[13], user("member.workspaces_changed", &mia.user_id));
        assert_eq!(who[15], user("ownership.transferred", &ben.user_id));
        assert_eq!(who[16], user("member.removed", &cy.user_id));
        assert_eq!(heard[16]["actorId"], json!(ben.user_id));
        for event in &heard {
            assert_eq!(event["organizationId"], json!(org));
            assert!(event["at"].is_string(), "{event}");
        }
        // Ids are UUID v7, written in commit order.
        let ids: Vec<&str> = heard.iter().map(|e| e["id"].as_str().expect("id")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(next_within(&mut heard_by_admin, QUIET).await.is_none(), "one event too many");

        // The MEMBER hears what is about itself, and nothing else.
        let own = next_events(&mut heard_by_member, 1, WAIT).await;
        assert_eq!(actions(&own), [user("member.workspaces_changed", &mia.user_id)]);
        assert!(next_within(&mut heard_by_member, QUIET).await.is_none(), "one event too many");
    }

    async fn blocking_a_subscribed_member_ends_its_stream_at_once(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let mia = app.join(&org, "mia@example.com", "MEMBER").await;
        let member = connect(&app.base, &mia.access).await.expect("MEMBER connects");
        let mut stream = subscribe(&member, &org).await;
        let blocked = std::time::Instant::now();
        app.ok(Some(&ada.access), BLOCK, json!({ "o": org, "u": mia.user_id })).await;
        // The stream's last word is why it ends; then it is over.
        let last: Value = match next_within(&mut stream, Duration::from_secs(2)).await {
            Some(Some(Ok(payload))) => payload,
            other => panic!("expected the stream's last word, got {other:?}"),
        };
        assert_eq!(last["errors"][0]["extensions"]["code"], "FORBIDDEN", "{last}");
        assert!(matches!(next_within(&mut stream, Duration::from_secs(1)).await, Some(None)));
        assert!(blocked.elapsed() < Duration::from_secs(2), "{:?}", blocked.elapsed());
        // Subscribing again is refused.
        let mut again = member.subscribe(MembershipEvents::of(&org)).await.expect("subscribe");
        match next_within(&mut again, WAIT).await {
            Some(Some(Ok(payload))) => assert_eq!(payload["errors"][0]["extensions"]["code"], "FORBIDDEN"),
            other => panic!("expected FORBIDDEN, got {other:?}"),
        }
    }

    async fn a_rolled_back_change_enqueues_no_webhook(app) {
        let hook = WebhookReceiver::start(&[]).await;
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let cy = app.join(&org, "cy@example.com", "MEMBER").await;
        create_endpoint(&app, &ada, &org, &hook.url, &["member.removed", "member.role_changed"]).await;
        let pair = json!({ "o": org, "u": cy.user_id });
        fail_member_notices(&app).await;
        let failed = app.gql(Some(&ada.access), REMOVE, pair.clone()).await;
        assert_eq!(error_code(&failed).as_deref(), Some("INTERNAL"), "{failed}");
        restore_member_notices(&app).await;
        app.ok(Some(&ada.access), ROLE, json!({ "o": org, "u": cy.user_id, "r": "USER_ADMIN" })).await;

        // Every delivery enqueued (a wrong one for the removal too) runs.
        app.run_pending_jobs().await;
        let got: Vec<Value> = hook.received().iter().map(|r| r.json()["type"].clone()).collect();
        assert_eq!(got, [json!("member.role_changed")]);
    }
}
