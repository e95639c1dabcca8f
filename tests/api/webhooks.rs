//! Managing webhook endpoints (docs/api/webhooks.md, rules.md §9): ADMIN only
//! ("edit organization info and settings"), the secret shown once, https
//! and public addresses only unless the configuration allows private ones,
//! known events only, at most 10 per organization, audited; another
//! organization's endpoint is `NOT_FOUND`. What a refusal answers changes
//! nothing.

use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, Session, TestApp, both_backends, error_code};

pub const CREATE: &str = "mutation($o: ID!, $u: String!, $e: [String!]) { createWebhookEndpoint(organizationId: $o, url: $u, events: $e) \
    { secret endpoint { id url events enabled createdAt } } }";
pub const DELETE: &str = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }";
pub const ENDPOINTS: &str = "query($o: ID!) { organization(id: $o) { webhookEndpoints { id url events enabled \
    deliveries(first: 100) { id eventId attempt status durationMs at } } } }";
const AUDIT: &str = "query($o: ID!, $a: String) { organization(id: $o) { auditLog(action: $a) { edges { node { action actor { id } detail } } } } }";

/// An audit event's detail (the API answers it as a JSON string).
pub fn detail_of(event: &Value) -> Value {
    match &event["detail"] {
        Value::String(s) => roster_tests::serde_json::from_str(s).expect("JSON detail"),
        other => other.clone(),
    }
}

/// Creates an endpoint at `url` for `events`; the `createWebhookEndpoint` payload.
pub async fn create_endpoint(
    app: &TestApp,
    by: &Session,
    org: &str,
    url: &str,
    events: &[&str],
) -> Value {
    app.ok(
        Some(&by.access),
        CREATE,
        json!({ "o": org, "u": url, "e": events }),
    )
    .await["createWebhookEndpoint"]
        .clone()
}

/// The organization's endpoints as `by` sees them.
pub async fn endpoints(app: &TestApp, by: &Session, org: &str) -> Vec<Value> {
    app.ok(Some(&by.access), ENDPOINTS, json!({ "o": org }))
        .await["organization"]["webhookEndpoints"]
        .as_array()
        .expect("endpoints")
        .clone()
}

pub async fn audit(app: &TestApp, by: &Session, org: &str, action: &str) -> Vec<Value> {
    let data = app
        .ok(Some(&by.access), AUDIT, json!({ "o": org, "a": action }))
        .await;
    data["organization"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn create_code(app: &TestApp, by: &Session, org: &str, url: &str, events: &[&str]) -> String {
    let res = app
        .gql(
            Some(&by.access),
            CREATE,
            json!({ "o": org, "u": url, "e": events }),
        )
        .await;
    error_code(&res).unwrap_or_else(|| format!("OK {res}"))
}

both_backends! {
    async fn an_admin_creates_lists_and_deletes_endpoints_with_audit_events(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let url = "http://127.0.0.1:9/hook?token=s3cret";
        let created = create_endpoint(&app, &ada, &org, url, &["member.removed", "member.removed", "plan.changed"]).await;
        let secret = created["secret"].as_str().expect("secret");
        assert!(secret.starts_with("whsec_"), "{secret}");
        assert_eq!(created["endpoint"]["events"], json!(["member.removed", "plan.changed"]));
        assert_eq!(created["endpoint"]["enabled"], true);
        let id = created["endpoint"]["id"].as_str().expect("id").to_owned();

        let listed = endpoints(&app, &ada, &org).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["id"], id.as_str());
        assert_eq!(listed[0]["url"], url);
        assert_eq!(listed[0]["deliveries"], json!([]));
        // The secret is shown once: no field reads it back.
        assert!(!listed[0].to_string().contains(secret));

        let made = audit(&app, &ada, &org, "webhook.created").await;
        assert_eq!(made.len(), 1);
        assert_eq!(made[0]["actor"]["id"], ada.user_id.as_str());
        let detail = made[0]["detail"].to_string();
        assert!(!detail.contains(&secret["whsec_".len()..]), "the audit log holds no secret");
        // Nor the URL's path or query (more roles read the log): its host only.
        assert!(detail.contains("127.0.0.1") && !detail.contains("s3cret"), "{detail}");

        let deleted = app.ok(Some(&ada.access), DELETE, json!({ "id": id })).await;
        assert_eq!(deleted["deleteWebhookEndpoint"], true);
        assert!(endpoints(&app, &ada, &org).await.is_empty());
        assert_eq!(audit(&app, &ada, &org, "webhook.deleted").await.len(), 1);
        // Gone: deleting again is NOT_FOUND.
        assert_eq!(app.fails(Some(&ada.access), DELETE, json!({ "id": id })).await, "NOT_FOUND");
    }

    async fn only_an_admin_manages_or_sees_endpoints_and_other_organizations_are_not_found(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        let id = create_endpoint(&app, &ada, &org, "http://127.0.0.1:9/hook", &[]).await["endpoint"]["id"]
            .as_str().expect("id").to_owned();
        for role in ["BILLING_ADMIN", "USER_ADMIN", "MEMBER"] {
            let who = app.join(&org, &format!("{role}@example.com"), role).await;
            assert_eq!(create_code(&app, &who, &org, "http://127.0.0.1:9/x", &[]).await, "FORBIDDEN", "{role}");
            assert_eq!(app.fails(Some(&who.access), DELETE, json!({ "id": id })).await, "FORBIDDEN", "{role}");
            assert_eq!(app.fails(Some(&who.access), ENDPOINTS, json!({ "o": org })).await, "FORBIDDEN", "{role}");
        }
        // An ADMIN of another organization: this one's endpoint does not exist.
        let eve = app.sign_up("eve@example.com", "Eve").await;
        let globex = app.create_org(&eve, "Globex").await;
        assert_eq!(app.fails(Some(&eve.access), DELETE, json!({ "id": id })).await, "NOT_FOUND");
        assert_eq!(create_code(&app, &eve, &org, "http://127.0.0.1:9/x", &[]).await, "NOT_FOUND");
        assert!(endpoints(&app, &eve, &globex).await.is_empty());
        assert_eq!(app.fails(None, DELETE, json!({ "id": id })).await, "UNAUTHENTICATED");
        // Still there, untouched.
        assert_eq!(endpoints(&app, &ada, &org).await.len(), 1);
    }

    async fn unknown_events_and_an_eleventh_endpoint_are_refused(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        assert_eq!(create_code(&app, &ada, &org, "http://127.0.0.1:9/x", &["member.nope"]).await, "VALIDATION");
        assert_eq!(create_code(&app, &ada, &org, "not a url", &[]).await, "VALIDATION");
        assert!(endpoints(&app, &ada, &org).await.is_empty());
        for i in 0..10 {
            create_endpoint(&app, &ada, &org, &format!("http://127.0.0.1:9/{i}"), &[]).await;
        }
        assert_eq!(create_code(&app, &ada, &org, "http://127.0.0.1:9/11", &[]).await, "VALIDATION");
        assert_eq!(endpoints(&app, &ada, &org).await.len(), 10);
    }

    async fn concurrent_creations_never_pass_the_bound(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let org = app.create_org(&ada, "Acme").await;
        // 14 at once, on two gateways: the organization's lock counts them
        // one after the other.
        let other = app.spawn_gateway(|_| {}).await;
        let tries = (0..14).map(|i| {
            let (app, ada, org, other) = (&app, &ada, &org, &other);
            async move {
                let vars = json!({ "o": org, "u": format!("http://127.0.0.1:9/{i}"), "e": [] });
                let res = if i % 2 == 0 {
                    app.gql(Some(&ada.access), CREATE, vars).await
                } else {
                    app.gql_via(other, Some(&ada.access), CREATE, vars).await
                };
                error_code(&res).unwrap_or_else(|| "OK".to_owned())
            }
        });
        let codes = futures::future::join_all(tries).await;
        assert_eq!(codes.iter().filter(|c| *c == "OK").count(), 10, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| *c == "VALIDATION").count(), 4, "{codes:?}");
        assert_eq!(endpoints(&app, &ada, &org).await.len(), 10);
    }
}

/// Without the private-address flag (the default outside tests): https
/// only, and no host that is or resolves to an address that is not
/// globally reachable.
async fn only_public_https_urls_are_accepted(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, false, |c| c.webhooks_allow_private = false).await
    else {
        eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let ada = app.sign_up("ada@example.com", "Ada").await;
    let org = app.create_org(&ada, "Acme").await;
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://localhost:8443/x",
        "https://10.0.0.7/x",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://[fd00::1]/x",
        // Not globally reachable by the IANA special-purpose registries,
        // or an IPv6 form of an IPv4 address that is not (docs/api/webhooks.md).
        "https://[::7f00:1]/x",
        "https://[64:ff9b::7f00:1]/x",
        "https://[::ffff:0:7f00:1]/x",
        "https://[2002:7f00:1::]/x",
        "https://[fec0::1]/x",
        "https://240.0.0.1/x",
        "https://198.18.0.1/x",
        "https://192.0.0.170/x",
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
    ] {
        let code = create_code(&app, &ada, &org, url, &[]).await;
        assert_eq!(code, "VALIDATION", "{url}");
    }
    assert!(endpoints(&app, &ada, &org).await.is_empty());
    assert!(audit(&app, &ada, &org, "webhook.created").await.is_empty());
}

roster_tests::each_backend!(only_public_https_urls_are_accepted,);

/// Every action the store writes to the audit log can be subscribed to.
/// The store records changes as `AuditChange`s (the audit row takes no
/// other type), each naming its `AuditAction`, and `webhook::EVENTS`
/// derives from `AuditAction::ALL`; this scans the store's shared code
/// (where all audit events are written) for each `AuditChange::X` it
/// writes and each string literal of the form `area.verb` left there, and
/// finds every one among the events.
#[test]
fn every_audit_action_is_a_known_event() {
    use roster_domain::AuditAction;
    use roster_domain::webhook::{EVENTS, parse_events};

    fn walk(dir: &std::path::Path, literals: &mut Vec<String>, variants: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("store sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, literals, variants);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for literal in text.split('"').skip(1).step_by(2) {
                    let action = literal.split_once('.').is_some_and(|(area, verb)| {
                        // Longer than a table alias (`e.id`, `o.name`).
                        area.len() >= 4
                            && verb.len() >= 4
                            && area.chars().all(|c| c.is_ascii_lowercase())
                            && verb.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                    if action {
                        literals.push(literal.to_owned());
                    }
                }
                for used in text.split("AuditChange::").skip(1) {
                    let name: String = used
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if !name.is_empty() {
                        variants.push(name);
                    }
                }
            }
        }
    }
    let (mut literals, mut variants) = (Vec::new(), Vec::new());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/store/src/shared");
    walk(std::path::Path::new(dir), &mut literals, &mut variants);
    variants.sort();
    variants.dedup();
    // 24 kinds of change, some naming several actions (a billing change,
    // an invitation's end): `audit::change` tests that together they
    // name every action.
    assert!(variants.len() >= 24, "found only {variants:?}");
    let mut actions = literals;
    actions.extend(AuditAction::ALL.iter().map(|a| a.as_str().to_owned()));
    actions.sort();
    actions.dedup();
    for action in actions {
        assert!(
            EVENTS.contains(&action.as_str()),
            "{action} is written to the audit log but is not in webhook::EVENTS"
        );
        assert!(
            parse_events(std::slice::from_ref(&action)).is_ok(),
            "{action}"
        );
    }
}
