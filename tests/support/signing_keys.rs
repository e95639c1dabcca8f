//! The token-signing keys of a test app (docs/operations/key-rotation.md):
//! `roster keys rotate` as the binary runs it, against the app's database,
//! and the JWKS and discovery documents as a verifier fetches them.

use serde_json::{Value, json};

use crate::{JWT_SECRET, PASSWORD, TestApp};

/// The access tokens' lifetime in test apps (the default).
pub const ACCESS_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl TestApp {
    /// What `roster keys rotate` does, at the test's clock; the new `kid`.
    pub async fn rotate_signing_key(&self) -> String {
        let keys = roster_gateway::KeyRing::new(self.db.store(), JWT_SECRET.as_bytes(), ACCESS_TTL);
        keys.rotate(self.now()).await.expect("rotate").kid
    }

    /// `GET {base}/.well-known/jwks.json`: the document and its `Cache-Control`.
    pub async fn jwks_at(&self, base: &str) -> (Value, String) {
        let res = self
            .http
            .get(format!("{base}/.well-known/jwks.json"))
            .send()
            .await
            .expect("jwks");
        assert_eq!(res.status(), 200);
        let cache = res
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (res.json().await.expect("json"), cache)
    }

    /// The `kid`s the JWKS at `base` publishes.
    pub async fn published_kids(&self, base: &str) -> Vec<String> {
        let (jwks, _) = self.jwks_at(base).await;
        jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k["kid"].as_str().expect("kid").to_owned())
            .collect()
    }

    /// Logs `email` in through the gateway at `base`; its access token.
    pub async fn log_in_at(&self, base: &str, email: &str) -> String {
        let res: Value = self
            .http
            .post(format!("{base}/graphql"))
            .json(&json!({
                "query": "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }",
                "variables": { "e": email, "p": PASSWORD },
            }))
            .send()
            .await
            .expect("log in")
            .json()
            .await
            .expect("json");
        res["data"]["logIn"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("log in at {base}: {res}"))
            .to_owned()
    }
}

/// The `kid` in a token's header.
pub fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .expect("header")
        .kid
        .expect("kid")
}
