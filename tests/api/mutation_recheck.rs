//! A mutation's root fields run one after the other, each as the caller
//! stands when it starts (docs/api/sessions.md): a session ended,
//! or a membership lost, by an earlier field holds for the later ones. And
//! the write itself reads the caller again under its organization's lock:
//! a block committed after the guard looked still stops it.

use roster_tests::serde_json::{Value, json};
use roster_tests::{TestApp, both_backends};

/// The code of the error at root field `field`.
fn code_at(res: &Value, field: &str) -> Option<String> {
    res["errors"]
        .as_array()?
        .iter()
        .find(|e| e["path"][0] == field)
        .and_then(|e| e["extensions"]["code"].as_str())
        .map(str::to_owned)
}

async fn workspaces_named(app: &TestApp, name: &str) -> i64 {
    app.count_sql(&format!(
        "select count(*) from workspace where name = '{name}'"
    ))
    .await
}

both_backends! {
    async fn a_field_after_log_out_is_unauthenticated(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let q = "mutation($o: ID!) { logOut late: createWorkspace(organizationId: $o, name: \"Late\") { id } }";
        let res = app.gql(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(code_at(&res, "late").as_deref(), Some("UNAUTHENTICATED"), "{res}");
        assert_eq!(workspaces_named(&app, "Late").await, 0);
        // The session did end.
        let me = app.gql(Some(&ada.access), "{ me { id } }", json!({})).await;
        assert_eq!(roster_tests::error_code(&me).as_deref(), Some("UNAUTHENTICATED"));
    }

    async fn a_field_after_the_callers_membership_ended_acts_no_more(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        // The organization (and with it Ada's membership) goes in the
        // first field; the second finds her a member of nothing.
        let q = "mutation($o: ID!) { deleteOrganization(id: $o) late: createWorkspace(organizationId: $o, name: \"Late\") { id } }";
        let res = app.gql(Some(&ada.access), q, json!({ "o": org })).await;
        assert_eq!(code_at(&res, "late").as_deref(), Some("NOT_FOUND"), "{res}");
        assert_eq!(workspaces_named(&app, "Late").await, 0);
    }

    async fn a_write_rereads_the_caller_under_its_lock(app) {
        use roster_domain::{OrgId, ResourceName, UserId};
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let uma = app.join(&org, "uma@example.com", "USER_ADMIN").await;
        // Her guard passed while she was ACTIVE; she is blocked before the
        // store's transaction runs (the interleaving, made deterministic).
        app.set_membership_status(&org, &uma.user_id, "BLOCKED").await;
        let store = app.db.store();
        let (org_id, uma_id): (OrgId, UserId) = (org.parse().expect("org"), uma.user_id.parse().expect("user"));
        let name = ResourceName::parse("Late").expect("name");
        let refused = store.create_workspace(org_id, name, uma_id, app.now()).await;
        assert!(matches!(refused, Err(roster_domain::DomainError::Forbidden)), "{refused:?}");
        assert_eq!(workspaces_named(&app, "Late").await, 0);
    }

    async fn a_field_after_a_password_change_runs_with_the_ended_session(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let q = "mutation($o: ID!, $p: String!) { changePassword(currentPassword: $p, newPassword: \"another horse battery\") { accessToken } \
                 late: createWorkspace(organizationId: $o, name: \"Late\") { id } }";
        let res = app.gql(Some(&ada.access), q, json!({ "o": org, "p": roster_tests::PASSWORD })).await;
        assert_eq!(code_at(&res, "late").as_deref(), Some("UNAUTHENTICATED"), "{res}");
        assert_eq!(workspaces_named(&app, "Late").await, 0);
    }
}
