//! A trusted issuer's keys (docs/api/own-log-in.md "Keys"): fetched again
//! for an unknown `kid` at most once a minute, and each key verifies only
//! its own algorithm.

use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey};
use roster_tests::serde_json::json;
use roster_tests::{Backend, TestApp, each_backend};

use super::ME;
use super::product::{PRODUCT_ED25519_KEY, PRODUCT_P256_KEY, Product, STRANGER_KEY, public_jwk};

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
each_backend!(
    unknown_keys_are_fetched_at_most_once_a_minute,
    es256_and_eddsa_verify_and_each_key_pins_its_algorithm,
);
