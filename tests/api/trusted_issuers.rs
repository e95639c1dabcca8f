//! A product's own log-in (docs/api/own-log-in.md, rules.md §1): a
//! "product" with its own RSA key pair and JWKS endpoint, served here,
//! signs its users' tokens; through Roster its admin makes an
//! organization and invites bob, who accepts through the product's own
//! link while logged in only through the product. Tokens from an
//! untrusted issuer, for another audience, with an unverified email (and
//! so on) are refused and create nothing; keys are fetched again for an
//! unknown `kid`, at most once a minute.
//!
//! The product: `trusted_issuers/product.rs`; keys and algorithms:
//! `trusted_issuers/keys.rs`.
mod keys;
mod product;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp, each_backend, error_code};

use product::{PUBLIC_KEYS, Product, STRANGER_KEY};

pub(crate) const ME: &str =
    "{ me { id email displayName memberships { status organization { name } } } }";
const CREATE_ORG: &str = "mutation($n: String!) { createOrganization(name: $n) { id } }";
const INVITE: &str = "mutation($org: ID!, $e: String!) { inviteMember(organizationId: $org, input: { email: $e, role: MEMBER }) { id } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { user { email } } }";
const MEMBERS: &str = "query($org: ID!) { organization(id: $org) { members(first: 20) { edges { node { status user { email } } } } } }";
const SIGN_UP: &str = "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery\", displayName: \"Someone\") { accessToken } }";
const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
const LOG_OUT: &str = "mutation { logOut }";
const CHANGE: &str = "mutation { changePassword(currentPassword: \"anything at all\", newPassword: \"a new password here\") { accessToken } }";
/// What must not grow when a token is refused.
async fn footprint(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count_sql("select count(*) from app_user").await,
        app.count_sql("select count(*) from identity_link").await,
        app.count_sql("select count(*) from organization").await,
    )
}

fn reason(res: &Value) -> Option<&str> {
    res["errors"][0]["extensions"]["reason"].as_str()
}

async fn a_products_users_join_through_its_own_log_in(backend: Backend) {
    let product = Product::start().await;
    let Some(mut app) = TestApp::spawn_with(backend, false, product.configure(false)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    // The invitation email's link points at the product's own page.
    let page = format!("{}/join?invite=", product.base);
    app.invite_url =
        roster_worker::invite_url::InviteUrl::parse(&format!("{page}{{token}}")).unwrap();

    let alice = product.token(&app, "user-alice", "alice@example.com");
    let me = app.ok(Some(&alice), ME, json!({})).await;
    assert_eq!(me["me"]["email"], "alice@example.com");
    assert_eq!(me["me"]["displayName"], "alice");
    let org = app
        .ok(Some(&alice), CREATE_ORG, json!({ "n": "Acme" }))
        .await["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        Some(&alice),
        INVITE,
        json!({ "org": org, "e": "bob@example.com" }),
    )
    .await;
    app.run_pending_jobs().await;
    let mail = app.mail_to("bob@example.com", 1).await;
    let token = mail
        .text_body()
        .lines()
        .find_map(|l| l.trim().strip_prefix(&page).map(str::to_owned))
        .unwrap_or_else(|| panic!("no link to the product's page in:\n{}", mail.text_body()));

    // Bob has only the product's log-in; its page accepts with his token.
    let bob = product.token(&app, "user-bob", "bob@example.com");
    let accepted = app.ok(Some(&bob), ACCEPT, json!({ "t": token })).await;
    assert_eq!(
        accepted["acceptInvitation"]["user"]["email"],
        "bob@example.com"
    );
    let members = app.ok(Some(&alice), MEMBERS, json!({ "org": org })).await;
    let mut seen: Vec<(String, String)> = members["organization"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["user"]["email"].as_str().unwrap().into(),
                n["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("alice@example.com".into(), "ACTIVE".into()),
            ("bob@example.com".into(), "ACTIVE".into())
        ]
    );
    let me = app.ok(Some(&bob), ME, json!({})).await;
    assert_eq!(me["me"]["memberships"][0]["status"], "ACTIVE");
    assert_eq!(me["me"]["memberships"][0]["organization"]["name"], "Acme");

    // No local accounts in this deployment; no Roster session to end.
    let before = footprint(&app).await;
    let up = app
        .gql(None, SIGN_UP, json!({ "e": "carol@example.com" }))
        .await;
    assert_eq!(
        (error_code(&up).as_deref(), reason(&up)),
        (Some("FORBIDDEN"), Some("LOCAL_ACCOUNTS_DISABLED"))
    );
    let log_in = app
        .gql(
            None,
            LOG_IN,
            json!({ "e": "bob@example.com", "p": "whatever it is" }),
        )
        .await;
    assert_eq!(reason(&log_in), Some("LOCAL_ACCOUNTS_DISABLED"));
    let out = app.gql(Some(&bob), LOG_OUT, json!({})).await;
    assert_eq!(
        (error_code(&out).as_deref(), reason(&out)),
        (Some("FORBIDDEN"), Some("PRODUCT_LOG_IN"))
    );
    assert_eq!(footprint(&app).await, before);
    // Bob's token still works: logOut ended nothing.
    app.ok(Some(&bob), ME, json!({})).await;
}

async fn refused_tokens_create_nothing(backend: Backend) {
    let product = Product::start().await;
    let Some(app) = TestApp::spawn_with(backend, false, product.configure(true)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    let stranger = EncodingKey::from_rsa_pem(STRANGER_KEY.as_bytes()).unwrap();
    // Carl signed up with his address and never proved it.
    app.ok(None, SIGN_UP, json!({ "e": "carl@example.com" }))
        .await;
    let before = footprint(&app).await;
    let now = app.now().timestamp();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = product.claims(&app, "user-dan", "dan@example.com", true);
        f(&mut c);
        c
    };
    let signed = |c: Value| Product::sign(&product.key, "product-1", &c);
    let refused = [
        (
            "untrusted issuer",
            signed(claims(&|c| c["iss"] = json!("https://login.evil.example"))),
        ),
        (
            "wrong audience",
            signed(claims(&|c| c["aud"] = json!("another-service"))),
        ),
        (
            "unverified email",
            signed(claims(&|c| c["email_verified"] = json!(false))),
        ),
        (
            "no email",
            signed(claims(&|c| {
                c.as_object_mut().unwrap().remove("email");
            })),
        ),
        ("expired", signed(claims(&|c| c["exp"] = json!(now - 120)))),
        (
            "not yet valid",
            signed(claims(&|c| c["nbf"] = json!(now + 600))),
        ),
        (
            "no sub",
            signed(claims(&|c| {
                c.as_object_mut().unwrap().remove("sub");
            })),
        ),
        (
            "another key",
            Product::sign(&stranger, "product-1", &claims(&|_| {})),
        ),
        ("a shared secret", {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("product-1".into());
            let secret = EncodingKey::from_secret(PUBLIC_KEYS.as_bytes());
            jsonwebtoken::encode(&header, &claims(&|_| {}), &secret).unwrap()
        }),
        (
            "oversized",
            signed(claims(&|c| c["pad"] = json!("x".repeat(9000)))),
        ),
    ];
    for (what, token) in refused {
        let res = app
            .gql(Some(&token), CREATE_ORG, json!({ "n": "Nope" }))
            .await;
        assert_eq!(
            error_code(&res).as_deref(),
            Some("UNAUTHENTICATED"),
            "{what}: {res}"
        );
        assert_eq!(footprint(&app).await, before, "{what} created something");
    }

    // The issuer proved Carl's address, which an account that never proved
    // it holds: that account is retired and Carl gets a fresh one
    // (docs/api/sessions.md "Taking an address over"); its password no
    // longer logs in.
    let carl = product.token(&app, "user-carl", "carl@example.com");
    let me = app.ok(Some(&carl), ME, json!({})).await;
    assert_eq!(me["me"]["email"], "carl@example.com", "{me}");
    let old = app
        .gql(
            None,
            LOG_IN,
            json!({ "e": "carl@example.com", "p": "correct horse battery" }),
        )
        .await;
    assert_eq!(error_code(&old).as_deref(), Some("FORBIDDEN"), "{old}");

    // An account whose owner proved the address is linked, not copied:
    // it keeps its password.
    app.ok(None, SIGN_UP, json!({ "e": "dora@example.com" }))
        .await;
    app.execute_sql("update app_user set email_verified_at = created_at where email_normalized = 'dora@example.com'")
        .await;
    let by_password = app
        .ok(
            None,
            LOG_IN,
            json!({ "e": "dora@example.com", "p": "correct horse battery" }),
        )
        .await;
    let dora = app
        .ok(
            Some(by_password["logIn"]["accessToken"].as_str().unwrap()),
            ME,
            json!({}),
        )
        .await;
    let linked = app
        .ok(
            Some(&product.token(&app, "user-dora", "DORA@example.com")),
            ME,
            json!({}),
        )
        .await;
    assert_eq!(linked["me"]["id"], dora["me"]["id"]);

    // An account the product's token made has no Roster password, and no
    // sign-up claims its address.
    let erin = product.token(&app, "user-erin", "erin@example.com");
    app.ok(Some(&erin), ME, json!({})).await;
    let log_in = app
        .gql(
            None,
            LOG_IN,
            json!({ "e": "erin@example.com", "p": "!issuer" }),
        )
        .await;
    assert_eq!(
        (error_code(&log_in).as_deref(), reason(&log_in)),
        (Some("FORBIDDEN"), Some("PRODUCT_LOG_IN"))
    );
    let change = app.gql(Some(&erin), CHANGE, json!({})).await;
    assert_eq!(reason(&change), Some("PRODUCT_LOG_IN"));
    assert_eq!(
        app.fails(None, SIGN_UP, json!({ "e": "erin@example.com" }))
            .await,
        "CONFLICT"
    );
    let still = app.ok(Some(&erin), ME, json!({})).await;
    assert_eq!(still["me"]["email"], "erin@example.com");
}

async fn two_first_uses_at_once_make_one_account(backend: Backend) {
    let product = Product::start().await;
    let Some(app) = TestApp::spawn_with(backend, false, product.configure(true)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    let app = Arc::new(app);
    // The keys are cached first, so that the requests race in the store.
    app.ok(
        Some(&product.token(&app, "user-hal", "hal@example.com")),
        ME,
        json!({}),
    )
    .await;
    // Rounds of first uses at once, each of a subject of its own.
    for round in 0..6 {
        let (sub, email) = (
            format!("user-gina-{round}"),
            format!("gina-{round}@example.com"),
        );
        let token = product.token(&app, &sub, &email);
        let requests = (0..8).map(|_| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(
                async move { app.ok(Some(&token), ME, json!({})).await["me"]["id"].clone() },
            )
        });
        let ids: Vec<Value> = futures::future::try_join_all(requests).await.unwrap();
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        let users = app
            .count_sql(&format!(
                "select count(*) from app_user where email_normalized = '{email}'"
            ))
            .await;
        let links = app
            .count_sql(&format!(
                "select count(*) from identity_link where subject = '{sub}'"
            ))
            .await;
        assert_eq!((users, links), (1, 1), "{sub}");
    }
}
each_backend!(
    a_products_users_join_through_its_own_log_in,
    refused_tokens_create_nothing,
    two_first_uses_at_once_make_one_account,
);
