//! A product's own log-in (docs/api/own-log-in.md, rules.md §1): a
//! "product" with its own RSA key pair and JWKS endpoint, served here,
//! signs its users' tokens; through Roster its admin makes an
//! organization and invites bob, who accepts through the product's own
//! link while logged in only through the product. Tokens from an
//! untrusted issuer, for another audience, with an unverified email (and
//! so on) are refused and create nothing; keys are fetched again for an
//! unknown `kid`, at most once a minute.
//!
//! The keys in `fixtures/` are test keys, made for these tests only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use roster_gateway::{GatewayConfig, TrustedIssuers};
use roster_tests::serde_json::{Value, json};
use roster_tests::{Backend, TestApp, each_backend, error_code};

const PRODUCT_KEY: &str = include_str!("fixtures/product-rsa.pem");
const STRANGER_KEY: &str = include_str!("fixtures/stranger-rsa.pem");
const PRODUCT_P256_KEY: &str = include_str!("fixtures/product-p256.pem");
const PRODUCT_ED25519_KEY: &str = include_str!("fixtures/product-ed25519.pem");
/// The public halves of the fixtures' keys (JWK fields).
const PUBLIC_KEYS: &str = include_str!("fixtures/test-keys.json");
const AUDIENCE: &str = "roster";

const ME: &str = "{ me { id email displayName memberships { status organization { name } } } }";
const CREATE_ORG: &str = "mutation($n: String!) { createOrganization(name: $n) { id } }";
const INVITE: &str = "mutation($org: ID!, $e: String!) { inviteMember(organizationId: $org, input: { email: $e, role: MEMBER }) { id } }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { user { email } } }";
const MEMBERS: &str = "query($org: ID!) { organization(id: $org) { members(first: 20) { edges { node { status user { email } } } } } }";
const SIGN_UP: &str = "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery\", displayName: \"Someone\") { accessToken } }";
const LOG_IN: &str =
    "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }";
const LOG_OUT: &str = "mutation { logOut }";
const CHANGE: &str = "mutation { changePassword(currentPassword: \"anything at all\", newPassword: \"a new password here\") { accessToken } }";

/// The product: its key pair, its JWKS endpoint (which counts fetches),
/// and the tokens it signs for its users.
struct Product {
    base: String,
    jwks: Arc<std::sync::Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    key: EncodingKey,
}

fn public_jwk(name: &str, kid: &str) -> Value {
    let keys: Value = roster_tests::serde_json::from_str(PUBLIC_KEYS).unwrap();
    json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": keys[name]["n"], "e": keys[name]["e"] })
}

impl Product {
    async fn start() -> Self {
        let keys: Value = roster_tests::serde_json::from_str(PUBLIC_KEYS).unwrap();
        let (ec, ed) = (&keys["product-p256"], &keys["product-ed25519"]);
        let jwks = Arc::new(std::sync::Mutex::new(json!({ "keys": [
            public_jwk("product-rsa", "product-1"),
            { "kty": "EC", "crv": "P-256", "kid": "product-ec", "x": ec["x"], "y": ec["y"] },
            { "kty": "OKP", "crv": "Ed25519", "kid": "product-ed", "x": ed["x"] },
            // An encryption key and a shared secret: skipped, never used.
            { "kty": "RSA", "use": "enc", "kid": "product-enc", "n": keys["stranger-rsa"]["n"], "e": "AQAB" },
            { "kty": "oct", "kid": "product-oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" },
        ] })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (jwks.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let (served, counted) = (served.clone(), counted.clone());
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    axum::Json(served.lock().unwrap().clone())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            jwks,
            fetches,
            key: EncodingKey::from_rsa_pem(PRODUCT_KEY.as_bytes()).unwrap(),
        }
    }

    /// What an operator writes into `ROSTER_TRUSTED_ISSUERS`.
    fn issuers_file(&self) -> String {
        json!([{ "issuer": self.base, "jwks_uri": format!("{}/.well-known/jwks.json", self.base),
                 "audience": AUDIENCE }])
        .to_string()
    }

    fn configure(&self, local_accounts: bool) -> impl FnOnce(&mut GatewayConfig) {
        let issuers = TrustedIssuers::from_json(&self.issuers_file()).unwrap();
        move |config| {
            config.trusted_issuers = Some(issuers);
            config.local_accounts = local_accounts;
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// `claims` signed with `key` (RS256) under `kid`.
    fn sign(key: &EncodingKey, kid: &str, claims: &Value) -> String {
        Self::sign_with(Algorithm::RS256, key, kid, claims)
    }

    fn sign_with(alg: Algorithm, key: &EncodingKey, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    /// The claims of a log-in of `sub` at `app`'s now, for fifteen minutes.
    fn claims(&self, app: &TestApp, sub: &str, email: &str, verified: bool) -> Value {
        let now = app.now().timestamp();
        json!({ "iss": self.base, "aud": AUDIENCE, "sub": sub, "email": email,
                "email_verified": verified, "iat": now, "exp": now + 900 })
    }

    /// A token of the product's user `sub`.
    fn token(&self, app: &TestApp, sub: &str, email: &str) -> String {
        Self::sign(&self.key, "product-1", &self.claims(app, sub, email, true))
    }
}

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
            "an unproved account's address",
            signed(claims(&|c| c["email"] = json!("carl@example.com"))),
        ),
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

async fn unknown_keys_are_fetched_at_most_once_a_minute(backend: Backend) {
    let product = Product::start().await;
    let Some(app) = TestApp::spawn_with(backend, false, product.configure(true)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    let stranger = EncodingKey::from_rsa_pem(STRANGER_KEY.as_bytes()).unwrap();
    app.ok(
        Some(&product.token(&app, "user-fay", "fay@example.com")),
        ME,
        json!({}),
    )
    .await;
    assert_eq!(product.fetches(), 1);
    // A flood of unknown key ids costs no fetch within the minute.
    for i in 0..25 {
        let claims = product.claims(&app, "user-fay", "fay@example.com", true);
        let token = Product::sign(&stranger, &format!("unknown-{i}"), &claims);
        assert_eq!(
            app.fails(Some(&token), ME, json!({})).await,
            "UNAUTHENTICATED"
        );
    }
    assert_eq!(product.fetches(), 1);
    // The product rotates: its new key is published; Roster sees it at the
    // next fetch an unknown kid allows, a minute after the last.
    product.jwks.lock().unwrap()["keys"]
        .as_array_mut()
        .unwrap()
        .push(public_jwk("stranger-rsa", "product-2"));
    let rotated = |app: &TestApp| {
        let claims = product.claims(app, "user-fay", "fay@example.com", true);
        Product::sign(&stranger, "product-2", &claims)
    };
    assert_eq!(
        app.fails(Some(&rotated(&app)), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    assert_eq!(product.fetches(), 1);
    app.clock.advance(Duration::seconds(61));
    let me = app.ok(Some(&rotated(&app)), ME, json!({})).await;
    assert_eq!(me["me"]["email"], "fay@example.com");
    assert_eq!(product.fetches(), 2);
    for i in 0..10 {
        let claims = product.claims(&app, "user-fay", "fay@example.com", true);
        let token = Product::sign(&stranger, &format!("again-{i}"), &claims);
        assert_eq!(
            app.fails(Some(&token), ME, json!({})).await,
            "UNAUTHENTICATED"
        );
    }
    assert_eq!(product.fetches(), 2);
}

async fn es256_and_eddsa_verify_and_each_key_pins_its_algorithm(backend: Backend) {
    let product = Product::start().await;
    let Some(app) = TestApp::spawn_with(backend, false, product.configure(true)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    let ec = EncodingKey::from_ec_pem(PRODUCT_P256_KEY.as_bytes()).unwrap();
    let ed = EncodingKey::from_ed_pem(PRODUCT_ED25519_KEY.as_bytes()).unwrap();
    let claims = product.claims(&app, "user-ivy", "ivy@example.com", true);
    let mut ids = Vec::new();
    for token in [
        Product::sign(&product.key, "product-1", &claims),
        Product::sign_with(Algorithm::ES256, &ec, "product-ec", &claims),
        Product::sign_with(Algorithm::EdDSA, &ed, "product-ed", &claims),
    ] {
        ids.push(app.ok(Some(&token), ME, json!({})).await["me"]["id"].clone());
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    // A key verifies only its own algorithm, whatever the header says.
    let secret = EncodingKey::from_secret(b"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
    for (what, token) in [
        (
            "RS256 under the P-256 key",
            Product::sign(&product.key, "product-ec", &claims),
        ),
        (
            "ES256 under the RSA key",
            Product::sign_with(Algorithm::ES256, &ec, "product-1", &claims),
        ),
        (
            "EdDSA under the P-256 key",
            Product::sign_with(Algorithm::EdDSA, &ed, "product-ec", &claims),
        ),
        (
            "under an encryption key",
            Product::sign(&product.key, "product-enc", &claims),
        ),
        (
            "HS256 under a shared secret",
            Product::sign_with(Algorithm::HS256, &secret, "product-oct", &claims),
        ),
    ] {
        assert_eq!(
            app.fails(Some(&token), ME, json!({})).await,
            "UNAUTHENTICATED",
            "{what}"
        );
    }
}

async fn two_first_uses_at_once_make_one_account(backend: Backend) {
    let product = Product::start().await;
    let Some(app) = TestApp::spawn_with(backend, false, product.configure(true)).await else {
        return eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
    };
    let app = Arc::new(app);
    let gina = product.token(&app, "user-gina", "gina@example.com");
    // The keys are cached first, so that the requests race in the store.
    app.ok(
        Some(&product.token(&app, "user-hal", "hal@example.com")),
        ME,
        json!({}),
    )
    .await;
    let requests = (0..8).map(|_| {
        let (app, gina) = (app.clone(), gina.clone());
        tokio::spawn(async move { app.ok(Some(&gina), ME, json!({})).await["me"]["id"].clone() })
    });
    let ids: Vec<Value> = futures::future::try_join_all(requests).await.unwrap();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let users = app
        .count_sql("select count(*) from app_user where email_normalized = 'gina@example.com'")
        .await;
    let links = app
        .count_sql("select count(*) from identity_link where subject = 'user-gina'")
        .await;
    assert_eq!((users, links), (1, 1));
}

each_backend!(
    a_products_users_join_through_its_own_log_in,
    refused_tokens_create_nothing,
    unknown_keys_are_fetched_at_most_once_a_minute,
    es256_and_eddsa_verify_and_each_key_pins_its_algorithm,
    two_first_uses_at_once_make_one_account,
);
