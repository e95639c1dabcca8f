//! Access tokens: every forged, altered or stale token is `UNAUTHENTICATED`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use roster_tests::serde_json::{Value, json};
use roster_tests::{JWT_SECRET, TestApp, both_backends};

const ME: &str = "{ me { id } }";

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    roster_tests::serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64"))
        .expect("json")
}

fn sign(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret))
        .expect("sign")
}

async fn rejected(app: &TestApp, token: &str) -> bool {
    let res = app.gql(Some(token), ME, json!({})).await;
    match roster_tests::error_code(&res).as_deref() {
        Some("UNAUTHENTICATED") => true,
        None => false,
        Some(other) => panic!("unexpected code {other}: {res}"),
    }
}

both_backends! {
    async fn a_valid_token_works(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let me = app.ok(Some(&s.access), ME, json!({})).await;
        assert_eq!(me["me"]["id"], s.user_id.as_str());
        // The token carries what the contract says it carries.
        let claims = claims_of(&s.access);
        for claim in ["exp", "iat", "iss", "aud", "sub", "sid"] {
            assert!(claims.get(claim).is_some(), "missing {claim}");
        }
        // A token we re-sign with the right key and unchanged claims works:
        // the forgeries below fail for what they change, not for being forged here.
        assert!(!rejected(&app, &sign(Algorithm::HS256, &claims, JWT_SECRET.as_bytes())).await);
    }

    async fn tampered_and_garbage_tokens_are_rejected(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let victim = app.sign_up("bob@example.com", "Bob").await;
        // Swap the subject but keep the signature.
        let mut claims = claims_of(&s.access);
        claims["sub"] = json!(victim.user_id);
        let parts: Vec<&str> = s.access.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
        assert!(rejected(&app, &tampered).await);
        // A flipped signature character.
        let mut flipped = s.access.clone();
        let last = flipped.pop().expect("char");
        flipped.push(if last == 'A' { 'B' } else { 'A' });
        assert!(rejected(&app, &flipped).await);
        for garbage in ["garbage", "a.b.c", "", &"x".repeat(5000)] {
            assert!(rejected(&app, garbage).await, "{garbage:.20}");
        }
    }

    async fn alg_none_and_other_algorithms_are_rejected(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let claims = claims_of(&s.access);
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert!(rejected(&app, &format!("{none_header}.{body}.")).await);
        assert!(rejected(&app, &format!("{none_header}.{body}")).await);
        // The right key but another HMAC: the algorithm is pinned.
        assert!(rejected(&app, &sign(Algorithm::HS512, &claims, JWT_SECRET.as_bytes())).await);
        // The right algorithm, another key.
        assert!(rejected(&app, &sign(Algorithm::HS256, &claims, b"another-secret-another-secret-0123456789")).await);
    }

    async fn every_required_claim_is_checked(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let claims = claims_of(&s.access);
        for missing in ["exp", "iat", "iss", "aud", "sub", "sid"] {
            let mut c = claims.clone();
            c.as_object_mut().expect("object").remove(missing);
            assert!(rejected(&app, &sign(Algorithm::HS256, &c, JWT_SECRET.as_bytes())).await, "without {missing}");
        }
        for (claim, value) in [("iss", json!("http://evil.test")), ("aud", json!("http://evil.test")), ("sid", json!(uuid::Uuid::now_v7()))] {
            let mut c = claims.clone();
            c[claim] = value;
            assert!(rejected(&app, &sign(Algorithm::HS256, &c, JWT_SECRET.as_bytes())).await, "other {claim}");
        }
        // Issued in the future.
        let mut c = claims.clone();
        c["iat"] = json!(claims["iat"].as_i64().expect("iat") + 3600);
        assert!(rejected(&app, &sign(Algorithm::HS256, &c, JWT_SECRET.as_bytes())).await);
        assert_eq!(app.base.as_str(), claims["iss"]);
    }

    async fn expired_tokens_are_rejected_and_refresh_still_works(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        app.clock.advance(Duration::minutes(14));
        assert!(!rejected(&app, &s.access).await);
        app.clock.advance(Duration::minutes(2));
        assert!(rejected(&app, &s.access).await);
        let data = app
            .ok(None, "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }", json!({ "t": s.refresh }))
            .await;
        let fresh = data["refreshSession"]["accessToken"].as_str().expect("token");
        assert!(!rejected(&app, fresh).await);
        // Sessions end too: 30 days on, even the current refresh token is dead.
        let current = data["refreshSession"]["refreshToken"].as_str().expect("refresh");
        app.clock.advance(Duration::days(31));
        assert_eq!(
            app.fails(None, "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }", json!({ "t": current })).await,
            "UNAUTHENTICATED"
        );
    }

    async fn only_bearer_authorization_is_understood(app) {
        let s = app.sign_up("ada@example.com", "Ada").await;
        let res = reqwest::Client::new()
            .post(format!("{}/graphql", app.base))
            .header("content-type", "application/json")
            .header("authorization", format!("Basic {}", s.access))
            .body(json!({ "query": ME }).to_string())
            .send()
            .await
            .expect("request");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}
