//! Names that go into Roster's emails (docs/operations/limits.md): an organization,
//! workspace, assistant or display name holding a web or email address is
//! refused with `VALIDATION` and changes nothing, and a long organization
//! name is cut in a subject.

use roster_tests::serde_json::json;
use roster_tests::{PASSWORD, both_backends};

const PHISHING: &str = "IT Helpdesk: your account expires, log in at https://evil.example/sso";

both_backends! {
    async fn names_holding_links_are_refused_and_change_nothing(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let links = [PHISHING, "write to helpdesk@evil.example", "www.evil.example", "evil.example/sso"];
        for name in links {
            let v = json!({ "n": name });
            let code = app.fails(Some(&ada.access), "mutation($n: String!) { createOrganization(name: $n) { id } }", v.clone()).await;
            assert_eq!(code, "VALIDATION", "{name}");
            let v = json!({ "o": org, "n": name });
            let code = app.fails(Some(&ada.access), "mutation($o: ID!, $n: String!) { updateOrganization(id: $o, input: { name: $n }) { name } }", v.clone()).await;
            assert_eq!(code, "VALIDATION", "{name}");
            let code = app.fails(Some(&ada.access), "mutation($o: ID!, $n: String!) { createWorkspace(organizationId: $o, name: $n) { id } }", v.clone()).await;
            assert_eq!(code, "VALIDATION", "{name}");
            let code = app.fails(Some(&ada.access), "mutation($o: ID!, $n: String!) { createAssistant(organizationId: $o, name: $n) { id } }", v).await;
            assert_eq!(code, "VALIDATION", "{name}");
            let v = json!({ "e": "eve@example.com", "p": PASSWORD, "n": name });
            let code = app.fails(None, "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) { accessToken } }", v).await;
            assert_eq!(code, "VALIDATION", "{name}");
        }
        let me = app.ok(Some(&ada.access), "{ me { memberships { organization { name workspaces { id } assistants { id } } } } }", json!({})).await;
        assert_eq!(me["me"]["memberships"], json!([{ "organization": { "name": "Acme", "workspaces": [], "assistants": [] } }]));
        let code = app.fails(None, "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }", json!({ "e": "eve@example.com", "p": PASSWORD })).await;
        assert_eq!(code, "UNAUTHENTICATED", "no account was made");
        // Dotted company names are still names.
        app.create_org(&ada, "Acme.io").await;
    }

    async fn a_long_organization_name_is_cut_in_the_subject(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let name = format!("Acme {}", "Very Long Name ".repeat(6)).trim().to_owned();
        assert!(name.chars().count() > 80);
        let org = app.create_org(&ada, &name).await;
        app.invite(&ada, &org, "bob@example.com", "MEMBER").await;
        let mail = app.mail_to("bob@example.com", 1).await;
        let subject = mail.subject().expect("a subject");
        assert!(subject.starts_with("You're invited to join Acme Very Long Name"), "{subject}");
        assert!(subject.ends_with('…') && subject.chars().count() <= 64, "{subject}");
        assert!(mail.text_body().contains(&name), "the body names it whole");
    }
}
