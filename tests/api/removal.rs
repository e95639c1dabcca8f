//! Removing a member through the API (rules.md §5): who may remove whom,
//! with exact codes and nothing changed on refusal; what goes with the
//! membership and what stays; the leads moved by the job, polled with
//! `job(id)`; and a removed person invited again. The races are in
//! `removal_races.rs`, the crash of the job's worker in `tests/reassign_crash.rs`.

use std::time::Duration;

use roster_domain::JobId;
use roster_domain::job::BatchOutcome;

use roster_tests::leads::JOB;
use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, both_backends, invitation_token};

use super::member_admin::{Acme, acme};
use super::webhooks::{audit, detail_of};

pub const REMOVE: &str = "mutation($o: ID!, $u: ID!, $to: ID) { removeMember(organizationId: $o, userId: $u, reassignLeadsTo: $to) \
                          { removedUserId reassignment { id kind state done total } } }";
const ORG: &str =
    "query($o: ID!) { organization(id: $o) { name members(first: 100) { totalCount } } }";

fn vars(org: &str, user: &str, to: Option<&str>) -> Value {
    json!({ "o": org, "u": user, "to": to })
}

/// What a refused removal must not have touched: members, audit events,
/// jobs and both queues.
async fn nothing_removed(app: &TestApp, a: &Acme, members: i64) {
    let data = app
        .ok(Some(&a.ada.access), ORG, json!({ "o": a.org }))
        .await;
    assert_eq!(data["organization"]["members"]["totalCount"], members);
    let removed = app
        .count_sql("select count(*) from audit_event where action = 'member.removed'")
        .await;
    assert_eq!(removed, 0);
    assert_eq!(app.count_sql("select count(*) from job").await, 0);
    assert_eq!(app.tasks_on("member-notice").await, 0);
    assert_eq!(app.tasks_on("lead-reassignment").await, 0);
}

async fn remove(app: &TestApp, by: &Session, org: &str, user: &str, to: Option<&str>) -> Value {
    app.ok(Some(&by.access), REMOVE, vars(org, user, to)).await["removeMember"].clone()
}

both_backends! {
    async fn a_removal_ends_the_membership_and_moves_the_leads_to_the_target(app) {
        let a = acme(&app).await;
        // Carl: in a workspace, on an assistant as its manager, with leads.
        let ws = app.ok(Some(&a.ada.access), "mutation($o: ID!) { createWorkspace(organizationId: $o, name: \"Sales\") { id } }",
            json!({ "o": a.org })).await["createWorkspace"]["id"].clone();
        app.ok(Some(&a.ada.access), "mutation($o: ID!, $u: ID!, $w: [ID!]!) { setMemberWorkspaces(organizationId: $o, userId: $u, workspaceIds: $w) { role } }",
            json!({ "o": a.org, "u": a.carl.user_id, "w": [ws] })).await;
        let assistant = app.ok(Some(&a.ada.access), "mutation($o: ID!) { createAssistant(organizationId: $o, name: \"Bot\") { id } }",
            json!({ "o": a.org })).await["createAssistant"]["id"].clone();
        app.ok(Some(&a.ada.access), "mutation($a: ID!, $u: [ID!]!) { setAssistantUsers(assistantId: $a, userIds: $u) { name } }",
            json!({ "a": assistant, "u": [a.carl.user_id, a.bob.user_id] })).await;
        app.execute_sql("update assistant_user set is_manager = true").await;
        app.seed_leads(&a.org, Some(&a.carl.user_id), 5).await;
        app.seed_leads(&a.org, Some(&a.bob.user_id), 2).await;
        // Carl's own organization, which the removal must not touch.
        let carls = app.create_org(&a.carl, "Carl's").await;

        // USER_ADMIN removes a MEMBER.
        let removed = remove(&app, &a.uma, &a.org, &a.carl.user_id, Some(&a.bob.user_id)).await;
        assert_eq!(removed["removedUserId"], a.carl.user_id.as_str());
        let job = &removed["reassignment"];
        assert_eq!(job["kind"], "lead_reassignment");
        assert_eq!(job["total"], 5);
        let id = job["id"].as_str().expect("job id").to_owned();

        // The membership and what hangs on it are gone at once.
        let data = app.ok(Some(&a.ada.access), ORG, json!({ "o": a.org })).await;
        assert_eq!(data["organization"]["members"]["totalCount"], 4);
        assert_eq!(app.count_sql("select count(*) from member_workspace").await, 0);
        assert_eq!(app.count_sql("select count(*) from assistant_user").await, 1);
        assert_eq!(app.count_sql("select count(*) from assistant_user where is_manager").await, 1);
        // Carl's live token: this organization answers as for a stranger;
        // its own still works, and so does its account.
        let code = app.fails(Some(&a.carl.access), ORG, json!({ "o": a.org })).await;
        assert_eq!(code, "NOT_FOUND");
        let job_code = app.fails(Some(&a.carl.access), JOB, json!({ "id": id })).await;
        assert_eq!(job_code, "NOT_FOUND");
        let own = app.ok(Some(&a.carl.access), ORG, json!({ "o": carls })).await;
        assert_eq!(own["organization"]["name"], "Carl's");
        app.log_in("carl@example.com").await;

        // One audit event, one removal notice, one reassignment task.
        let events = audit(&app, &a.ada, &a.org, "member.removed").await;
        assert_eq!(events.len(), 1, "{events:?}");
        let detail = detail_of(&events[0]);
        assert_eq!(detail["before"], json!({ "role": "MEMBER", "status": "ACTIVE" }));
        assert_eq!(detail["after"], Value::Null);
        let text = detail.to_string();
        assert!(text.contains(&a.bob.user_id) && text.contains(&id), "{text}");
        assert!(audit(&app, &a.carl, &carls, "member.removed").await.is_empty(), "Carl's untouched");
        assert_eq!(app.tasks_on("member-notice").await, 1);
        assert_eq!(app.tasks_on("lead-reassignment").await, 1);

        // The job moves every lead, polled by ADMIN and USER_ADMIN.
        let done = app.finished_job(&a.uma, &id).await;
        assert_eq!(done, json!({ "id": id, "kind": "lead_reassignment", "state": "DONE", "done": 5, "total": 5 }));
        let seen = app.ok(Some(&a.bob.access), JOB, json!({ "id": id })).await;
        assert_eq!(seen["job"]["state"], "DONE");
        assert_eq!(app.leads_of(&a.org, Some(&a.carl.user_id)).await, 0);
        assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 7);
        // The account and the data it made stay.
        assert_eq!(app.count_sql("select count(*) from app_user where email = 'carl@example.com'").await, 1);
    }

    async fn without_a_target_the_leads_become_unassigned(app) {
        let a = acme(&app).await;
        app.seed_leads(&a.org, Some(&a.carl.user_id), 3).await;
        app.seed_leads(&a.org, Some(&a.bob.user_id), 1).await;
        let removed = remove(&app, &a.bob, &a.org, &a.carl.user_id, None).await;
        let id = removed["reassignment"]["id"].as_str().expect("id").to_owned();
        let done = app.finished_job(&a.bob, &id).await;
        assert_eq!((done["state"].clone(), done["done"].clone(), done["total"].clone()), (json!("DONE"), json!(3), json!(3)));
        assert_eq!(app.leads_of(&a.org, None).await, 3);
        assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 1);
        let events = audit(&app, &a.bob, &a.org, "member.removed").await;
        assert_eq!(events.len(), 1, "{events:?}");
        let detail = detail_of(&events[0]);
        assert_eq!(detail.get("reassignLeadsTo"), Some(&Value::Null), "{detail}");
    }

    async fn a_member_without_leads_gets_a_job_that_finishes_at_once(app) {
        let a = acme(&app).await;
        let removed = remove(&app, &a.ada, &a.org, &a.bill.user_id, None).await;
        assert_eq!(removed["reassignment"]["total"], 0);
        let id = removed["reassignment"]["id"].as_str().expect("id").to_owned();
        let done = app.finished_job(&a.ada, &id).await;
        assert_eq!((done["state"].clone(), done["done"].clone(), done["total"].clone()), (json!("DONE"), json!(0), json!(0)));
    }

    async fn an_admin_removes_any_non_owner_and_a_blocked_member(app) {
        let a = acme(&app).await;
        remove(&app, &a.bob, &a.org, &a.uma.user_id, None).await;
        app.ok(Some(&a.bob.access), "mutation($o: ID!, $u: ID!) { blockMember(organizationId: $o, userId: $u) { status } }",
            json!({ "o": a.org, "u": a.carl.user_id })).await;
        remove(&app, &a.bob, &a.org, &a.carl.user_id, None).await;
        remove(&app, &a.ada, &a.org, &a.bob.user_id, None).await;
        let data = app.ok(Some(&a.ada.access), ORG, json!({ "o": a.org })).await;
        assert_eq!(data["organization"]["members"]["totalCount"], 2);
        assert_eq!(app.tasks_on("member-notice").await, 3);
        let events = audit(&app, &a.ada, &a.org, "member.removed").await;
        let blocked = events.iter().filter(|e| detail_of(e).to_string().contains(r#""status":"BLOCKED""#)).count();
        assert_eq!(blocked, 1, "{events:?}");
    }

    async fn who_may_remove_whom_is_the_tables_with_exact_codes(app) {
        let a = acme(&app).await;
        let (org, o) = (a.org.as_str(), |u: &Session| u.user_id.clone());
        let cases: Vec<(&Session, String, &str)> = vec![
            // USER_ADMIN: MEMBER role only.
            (&a.uma, o(&a.bob), "FORBIDDEN"),
            (&a.uma, o(&a.bill), "FORBIDDEN"),
            (&a.uma, o(&a.ada), "FORBIDDEN"),
            // BILLING_ADMIN and MEMBER: nobody.
            (&a.bill, o(&a.carl), "FORBIDDEN"),
            (&a.carl, o(&a.uma), "FORBIDDEN"),
            // Nobody removes the owner, nor itself.
            (&a.bob, o(&a.ada), "FORBIDDEN"),
            (&a.ada, o(&a.ada), "FORBIDDEN"),
            (&a.bob, o(&a.bob), "FORBIDDEN"),
            (&a.uma, o(&a.uma), "FORBIDDEN"),
        ];
        for (by, user, code) in cases {
            let got = app.fails(Some(&by.access), REMOVE, vars(org, &user, None)).await;
            assert_eq!(got, code, "{} removing {user}", by.user_id);
        }
        nothing_removed(&app, &a, 5).await;
    }

    async fn unknown_targets_and_bad_lead_targets_change_nothing(app) {
        let a = acme(&app).await;
        let org = a.org.as_str();
        let stranger = app.sign_up("stranger@example.com", "S").await;
        let theirs = app.create_org(&stranger, "Theirs").await;
        let invited = app.invite(&a.ada, org, "ivy@example.com", "MEMBER").await;
        let ivy = app.count_sql("select count(*) from invitation").await;
        assert_eq!(ivy, 1);
        let ivy_id = app.sign_up("ivy@example.com", "Ivy").await.user_id;
        let _ = invited;
        // Not a member, only invited, malformed, another organization's.
        for user in [stranger.user_id.as_str(), ivy_id.as_str(), "not-an-id"] {
            assert_eq!(app.fails(Some(&a.ada.access), REMOVE, vars(org, user, None)).await, "NOT_FOUND", "{user}");
        }
        assert_eq!(app.fails(Some(&a.ada.access), REMOVE, vars(&theirs, &stranger.user_id, None)).await, "NOT_FOUND");
        // reassignLeadsTo: a stranger, the removed member, a BLOCKED one, an invitee, junk.
        app.set_membership_status(org, &a.bill.user_id, "BLOCKED").await;
        for to in [stranger.user_id.as_str(), a.carl.user_id.as_str(), a.bill.user_id.as_str(), ivy_id.as_str(), "junk"] {
            let code = app.fails(Some(&a.ada.access), REMOVE, vars(org, &a.carl.user_id, Some(to))).await;
            assert_eq!(code, "VALIDATION", "reassignLeadsTo {to}");
        }
        nothing_removed(&app, &a, 6).await;
    }

    async fn job_is_for_admins_and_user_admins_of_its_organization(app) {
        let a = acme(&app).await;
        let removed = remove(&app, &a.ada, &a.org, &a.carl.user_id, None).await;
        let id = removed["reassignment"]["id"].as_str().expect("id").to_owned();
        for by in [&a.ada, &a.bob, &a.uma] {
            let data = app.ok(Some(&by.access), JOB, json!({ "id": id })).await;
            assert_eq!(data["job"]["id"], id.as_str());
        }
        assert_eq!(app.fails(Some(&a.bill.access), JOB, json!({ "id": id })).await, "FORBIDDEN");
        let stranger = app.sign_up("stranger@example.com", "S").await;
        app.create_org(&stranger, "Theirs").await;
        assert_eq!(app.fails(Some(&stranger.access), JOB, json!({ "id": id })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&a.ada.access), JOB, json!({ "id": uuid::Uuid::now_v7().to_string() })).await, "NOT_FOUND");
        assert_eq!(app.fails(Some(&a.ada.access), JOB, json!({ "id": "junk" })).await, "NOT_FOUND");
        assert_eq!(app.fails(None, JOB, json!({ "id": id })).await, "UNAUTHENTICATED");
    }

    async fn a_removed_member_can_be_invited_again_as_a_new_member(app) {
        let a = acme(&app).await;
        let q = "query($o: ID!) { organization(id: $o) { members(first: 100, search: \"carl\") { edges { node { id role status } } } } }";
        let before = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await;
        let old_id = before["organization"]["members"]["edges"][0]["node"]["id"].clone();
        remove(&app, &a.ada, &a.org, &a.carl.user_id, None).await;
        let invitation = app.invite(&a.ada, &a.org, "carl@example.com", "MEMBER").await;
        assert_eq!(invitation["status"], "PENDING");
        // Carl's two emails: the removal notice and the new invitation, in
        // either order (two workers send them).
        app.mail_to("carl@example.com", 2).await;
        let mails = app.mails_to("carl@example.com");
        let removal = mails.iter().filter(|m| m.subject().as_deref() == Some("You were removed from Acme")).count();
        assert_eq!(removal, 1);
        let invitation = mails.iter().find(|m| m.subject().as_deref() != Some("You were removed from Acme")).expect("the invitation");
        let token = invitation_token(invitation, &app.base);
        app.ok(Some(&a.carl.access), "mutation($t: String!) { acceptInvitation(token: $t) { accessToken } }", json!({ "t": token })).await;
        let after = app.ok(Some(&a.ada.access), q, json!({ "o": a.org })).await;
        let node = &after["organization"]["members"]["edges"][0]["node"];
        assert_eq!((node["role"].clone(), node["status"].clone()), (json!("MEMBER"), json!("ACTIVE")));
        assert_ne!(node["id"], old_id);
        let data = app.ok(Some(&a.carl.access), ORG, json!({ "o": a.org })).await;
        assert_eq!(data["organization"]["name"], "Acme");
    }

    async fn two_deliveries_of_one_task_move_each_lead_once(app) {
        let a = acme(&app).await;
        app.seed_leads(&a.org, Some(&a.carl.user_id), 3_000).await;
        let removed = remove(&app, &a.ada, &a.org, &a.carl.user_id, Some(&a.bob.user_id)).await;
        let id = removed["reassignment"]["id"].as_str().expect("id").to_owned();
        let job: JobId = id.parse().expect("job id");
        // Two more runners of the same job at once, next to the app's worker.
        let run = || async {
            let store = app.db.store();
            let mut moved = 0u64;
            loop {
                match store.run_reassignment_batch(job, 200, app.now()).await.expect("batch") {
                    BatchOutcome::Moved(n) => moved += n,
                    BatchOutcome::Busy => tokio::time::sleep(Duration::from_millis(5)).await,
                    BatchOutcome::Finished => return moved,
                    BatchOutcome::Suspended => panic!("the organization is not deleted"),
                }
            }
        };
        let (x, y) = tokio::join!(run(), run());
        assert!(x + y <= 3_000, "moved {x} + {y}");
        let done = app.finished_job(&a.ada, &id).await;
        assert_eq!((done["state"].clone(), done["done"].clone(), done["total"].clone()), (json!("DONE"), json!(3_000), json!(3_000)));
        assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 3_000);
        assert_eq!(app.leads_of(&a.org, Some(&a.carl.user_id)).await, 0);
    }
}

/// A lead committed for the removed member just before the removal may
/// sort below the checkpoint: the job's last pass moves it, and counts it.
/// Without a worker of its own, so that the test runs the first batch.
async fn a_lead_sorting_below_the_checkpoint_is_not_left_behind(app: TestApp) {
    let a = acme(&app).await;
    app.seed_leads(&a.org, Some(&a.carl.user_id), 2_500).await;
    let removed = remove(&app, &a.ada, &a.org, &a.carl.user_id, Some(&a.bob.user_id)).await;
    let id = removed["reassignment"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let job: JobId = id.parse().expect("job id");
    let first = app
        .db
        .store()
        .run_reassignment_batch(job, 1_000, app.now())
        .await
        .expect("batch");
    assert_eq!(first, BatchOutcome::Moved(1_000));
    let late = "insert into lead (id, organization_id, name, owner_id, created_at, updated_at) \
                select $1, organization_id, 'Late', from_user_id, created_at, created_at from job";
    let low = uuid::Uuid::from_u128(1);
    match &app.db {
        roster_store::Database::Sqlite(pool) => {
            sqlx::query(late).bind(low).execute(pool).await.map(|_| ())
        }
        roster_store::Database::Postgres(pool) => {
            sqlx::query(late).bind(low).execute(pool).await.map(|_| ())
        }
    }
    .expect("late lead");
    app.start_worker();
    let done = app.finished_job(&a.ada, &id).await;
    assert_eq!(
        done,
        json!({ "id": id, "kind": "lead_reassignment", "state": "DONE", "done": 2_501, "total": 2_501 })
    );
    assert_eq!(app.leads_of(&a.org, Some(&a.bob.user_id)).await, 2_501);
    assert_eq!(app.leads_of(&a.org, Some(&a.carl.user_id)).await, 0);
}

mod a_lead_sorting_below_the_checkpoint {
    use roster_tests::{Backend, TestApp};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_without_worker(Backend::Sqlite)
            .await
            .expect("SQLite always runs");
        super::a_lead_sorting_below_the_checkpoint_is_not_left_behind(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = TestApp::spawn_without_worker(Backend::Postgres).await else {
            eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
            return;
        };
        super::a_lead_sorting_below_the_checkpoint_is_not_left_behind(app).await;
    }
}
