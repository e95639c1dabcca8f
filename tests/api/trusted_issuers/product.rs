//! The "product" of these tests: its own key pairs, a JWKS endpoint served
//! on 127.0.0.1:0 that counts its fetches, and the tokens it signs for its
//! users. The keys in `tests/api/fixtures/` are test keys, made for these
//! tests only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use roster_gateway::{GatewayConfig, TrustedIssuers};
use roster_tests::TestApp;
use roster_tests::serde_json::{Value, json};

pub(super) const PRODUCT_KEY: &str = include_str!("../fixtures/product-rsa.pem");
pub(super) const STRANGER_KEY: &str = include_str!("../fixtures/stranger-rsa.pem");
pub(super) const PRODUCT_P256_KEY: &str = include_str!("../fixtures/product-p256.pem");
pub(super) const PRODUCT_ED25519_KEY: &str = include_str!("../fixtures/product-ed25519.pem");
/// The public halves of the fixtures' keys (JWK fields).
pub(super) const PUBLIC_KEYS: &str = include_str!("../fixtures/test-keys.json");
pub(super) const AUDIENCE: &str = "roster";

/// The product: its key pair, its JWKS endpoint (which counts fetches),
/// and the tokens it signs for its users.
pub(super) struct Product {
    pub base: String,
    pub jwks: Arc<std::sync::Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    pub key: EncodingKey,
}

pub(super) fn public_jwk(name: &str, kid: &str) -> Value {
    let keys: Value = roster_tests::serde_json::from_str(PUBLIC_KEYS).unwrap();
    json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": keys[name]["n"], "e": keys[name]["e"] })
}

impl Product {
    pub(super) async fn start() -> Self {
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
    pub(super) fn issuers_file(&self) -> String {
        json!([{ "issuer": self.base, "jwks_uri": format!("{}/.well-known/jwks.json", self.base),
                 "audience": AUDIENCE }])
        .to_string()
    }

    pub(super) fn configure(&self, local_accounts: bool) -> impl FnOnce(&mut GatewayConfig) {
        let issuers = TrustedIssuers::from_json(&self.issuers_file()).unwrap();
        move |config| {
            config.trusted_issuers = Some(issuers);
            config.local_accounts = local_accounts;
        }
    }

    pub(super) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// `claims` signed with `key` (RS256) under `kid`.
    pub(super) fn sign(key: &EncodingKey, kid: &str, claims: &Value) -> String {
        Self::sign_with(Algorithm::RS256, key, kid, claims)
    }

    pub(super) fn sign_with(
        alg: Algorithm,
        key: &EncodingKey,
        kid: &str,
        claims: &Value,
    ) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    /// The claims of a log-in of `sub` at `app`'s now, for fifteen minutes.
    pub(super) fn claims(&self, app: &TestApp, sub: &str, email: &str, verified: bool) -> Value {
        let now = app.now().timestamp();
        json!({ "iss": self.base, "aud": AUDIENCE, "sub": sub, "email": email,
                "email_verified": verified, "iat": now, "exp": now + 900 })
    }

    /// A token of the product's user `sub`.
    pub(super) fn token(&self, app: &TestApp, sub: &str, email: &str) -> String {
        Self::sign(&self.key, "product-1", &self.claims(app, sub, email, true))
    }
}
