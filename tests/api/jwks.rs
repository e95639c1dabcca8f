//! Tokens anyone can verify (rules.md §1, docs/api/sessions.md): EdDSA
//! access tokens with a `kid` from the JWKS, keys shared by every gateway,
//! rotation without a failed token, HS256 for one lifetime after the first
//! key, and every forgery refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use roster_tests::serde_json::{Value, json};
use roster_tests::signing_keys::{ACCESS_TTL, kid_of};
use roster_tests::{JWT_SECRET, TestApp, both_backends};

const ME: &str = "{ me { id } }";

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    roster_tests::serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64"))
        .expect("json")
}

async fn accepted_at(app: &TestApp, base: &str, token: &str) -> bool {
    let res = app.gql_via(base, Some(token), ME, json!({})).await;
    match roster_tests::error_code(&res).as_deref() {
        Some("UNAUTHENTICATED") => false,
        None => true,
        Some(other) => panic!("unexpected code {other}: {res}"),
    }
}

/// A key the deployment never had: RFC 8032's first test seed, as PKCS#8 v1.
fn stranger_key() -> EncodingKey {
    let mut der = hex("302e020100300506032b657004220420");
    der.extend(hex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ));
    EncodingKey::from_ed_der(&der)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_owned);
    h
}

both_backends! {
    async fn a_token_verifies_with_the_published_key_alone(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let (jwks, cache) = app.jwks_at(&app.base).await;
        assert!(cache.starts_with("public, max-age="), "{cache}");
        let keys = jwks["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), 1, "{jwks}");
        let key = &keys[0];
        assert_eq!((key["kty"].as_str(), key["crv"].as_str(), key["alg"].as_str()), (Some("OKP"), Some("Ed25519"), Some("EdDSA")));
        assert!(key.get("d").is_none(), "the private half is never published: {key}");
        assert_eq!(kid_of(&ada.access), key["kid"].as_str().expect("kid"));
        // Verified as a product's service would: the JWK, issuer, audience.
        let jwk: jsonwebtoken::jwk::Jwk = roster_tests::serde_json::from_value(key.clone()).expect("jwk");
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&app.base]);
        validation.set_audience(&[&app.base]);
        let claims = jsonwebtoken::decode::<Value>(&ada.access, &DecodingKey::from_jwk(&jwk).expect("key"), &validation)
            .expect("verifies")
            .claims;
        assert_eq!(claims["sub"], ada.user_id.as_str());

        let (status, body) = app.get("/.well-known/openid-configuration").await;
        assert_eq!(status, 200);
        let discovery: Value = roster_tests::serde_json::from_str(&body).expect("json");
        assert_eq!(discovery["issuer"], app.base.as_str());
        assert_eq!(discovery["jwks_uri"], format!("{}/.well-known/jwks.json", app.base));
        assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["EdDSA"]));
    }

    async fn forged_tokens_are_refused(app) {
        let ada = app.sign_up("ada@example.com", "Ada").await;
        assert!(accepted_at(&app, &app.base, &ada.access).await);
        let kid = kid_of(&ada.access);
        let claims = claims_of(&ada.access);
        let (jwks, _) = app.jwks_at(&app.base).await;
        let x = jwks["keys"][0]["x"].as_str().expect("x").to_owned();
        let public = URL_SAFE_NO_PAD.decode(&x).expect("x");
        let sign = |h: &Header, key: &EncodingKey| jsonwebtoken::encode(h, &claims, key).expect("sign");
        let mut forged = vec![
            // A key not in the set, under a kid that is not, and under ours.
            sign(&header(Algorithm::EdDSA, Some("not-a-roster-key")), &stranger_key()),
            sign(&header(Algorithm::EdDSA, Some(&kid)), &stranger_key()),
            // No kid at all.
            sign(&header(Algorithm::EdDSA, None), &stranger_key()),
        ];
        // "alg confusion": HS256 keyed with the public key, as raw bytes, as
        // its `x` and as the JWK, with our kid and without.
        let jwk_text = jwks["keys"][0].to_string();
        for secret in [public.as_slice(), x.as_bytes(), jwk_text.as_bytes()] {
            for kid in [Some(kid.as_str()), None] {
                forged.push(sign(&header(Algorithm::HS256, kid), &EncodingKey::from_secret(secret)));
            }
        }
        // Our signature under a header naming another algorithm.
        let parts: Vec<&str> = ada.access.split('.').collect();
        for alg in ["HS256", "ES256", "RS256", "none"] {
            let h = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "kid": kid, "typ": "JWT" }).to_string());
            forged.push(format!("{h}.{}.{}", parts[1], parts[2]));
            forged.push(format!("{h}.{}.", parts[1]));
        }
        for token in &forged {
            assert!(!accepted_at(&app, &app.base, token).await, "accepted {token}");
        }
        // Nothing was spent: the real token still works.
        assert!(accepted_at(&app, &app.base, &ada.access).await);
    }

    async fn hs256_tokens_work_for_one_lifetime_after_the_first_key(app) {
        // What a gateway of before signed: HS256 with ROSTER_JWT_SECRET.
        let ada = app.sign_up("ada@example.com", "Ada").await;
        let legacy = |app: &TestApp| {
            let mut c = claims_of(&ada.access);
            let now = app.now().timestamp();
            c["iat"] = json!(now);
            c["exp"] = json!(now + ACCESS_TTL.as_secs() as i64);
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &c, &EncodingKey::from_secret(JWT_SECRET.as_bytes()))
                .expect("sign")
        };
        let old = legacy(&app);
        assert!(accepted_at(&app, &app.base, &old).await);
        app.clock.advance(Duration::minutes(14));
        assert!(accepted_at(&app, &app.base, &old).await);
        let late = legacy(&app);
        assert!(accepted_at(&app, &app.base, &late).await);
        // One lifetime after the first key: no HS256 token is taken, even
        // one not yet expired; the asymmetric ones are.
        app.clock.advance(Duration::seconds(61));
        assert!(!accepted_at(&app, &app.base, &late).await);
        assert!(!accepted_at(&app, &app.base, &legacy(&app)).await);
        let fresh = app.log_in("ada@example.com").await;
        assert!(accepted_at(&app, &app.base, &fresh.access).await);
    }

    async fn two_gateways_share_the_keys_through_a_rotation(app) {
        let other = app.spawn_gateway(|_| {}).await;
        app.sign_up("ada@example.com", "Ada").await;
        let first = kid_of(&app.log_in_at(&other, "ada@example.com").await);
        assert_eq!(app.published_kids(&app.base).await, vec![first.clone()]);
        assert_eq!(app.published_kids(&other).await, vec![first.clone()]);

        let second = app.rotate_signing_key().await;
        // Published at once (each gateway reads the keys again within a minute)...
        app.clock.advance(Duration::seconds(61));
        for base in [&app.base, &other] {
            assert_eq!(app.published_kids(base).await, vec![first.clone(), second.clone()]);
        }
        // ...and signing only one token lifetime after the rotation.
        let before = app.log_in_at(&other, "ada@example.com").await;
        assert_eq!(kid_of(&before), first);
        app.clock.advance(Duration::minutes(14));
        let after = app.log_in_at(&app.base, "ada@example.com").await;
        assert_eq!(kid_of(&after), second);
        for base in [&app.base, &other] {
            assert!(accepted_at(&app, base, &before).await);
            assert!(accepted_at(&app, base, &after).await);
        }
        // The old key stays until the last token it signed has expired.
        app.clock.advance(Duration::minutes(14));
        assert_eq!(app.published_kids(&other).await, vec![first.clone(), second.clone()]);
        app.clock.advance(Duration::minutes(2));
        for base in [&app.base, &other] {
            assert_eq!(app.published_kids(base).await, vec![second.clone()]);
        }
    }

    async fn gateways_starting_together_make_one_first_key(app) {
        use roster_gateway::KeyRing;
        // The app's gateway has not needed a key yet; eight more start at once.
        let rings: Vec<KeyRing> = (0..8)
            .map(|_| KeyRing::new(app.db.store(), JWT_SECRET.as_bytes(), ACCESS_TTL))
            .collect();
        let now = app.now();
        let lists = futures::future::join_all(rings.iter().map(|r| r.list(now))).await;
        let kids: Vec<Vec<String>> = lists
            .into_iter()
            .map(|l| l.expect("keys").into_iter().map(|k| k.kid).collect())
            .collect();
        assert_eq!(kids[0].len(), 1, "{kids:?}");
        assert!(kids.iter().all(|k| k == &kids[0]), "{kids:?}");
        assert_eq!(app.published_kids(&app.base).await, kids[0]);
        // Another secret does not open them (the gateway would not start).
        let wrong = KeyRing::new(app.db.store(), b"another-secret-another-secret-0123456789", ACCESS_TTL);
        assert!(wrong.list(now).await.is_err());
    }
}
