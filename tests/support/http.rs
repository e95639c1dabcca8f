//! GraphQL over HTTP to a test app's gateways: raw posts, one operation,
//! one that must succeed or fail, and plain GETs.

use serde_json::{Value, json};

use crate::TestApp;

impl TestApp {
    /// POSTs a raw body to `/graphql`: the status and the JSON answer.
    pub async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.post_raw_via(&self.base, body, token).await
    }

    /// POSTs a raw body to `/graphql` of the gateway at `base` (one of
    /// `spawn_gateway`'s): the status and the JSON answer.
    pub async fn post_raw_via(
        &self,
        base: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let (status, text) = self.post_text_via(base, body, token).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text })),
        )
    }

    /// `post_raw_via`, the answer as the text sent (its keys in the order
    /// the server wrote them).
    pub async fn post_text_via(
        &self,
        base: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, String) {
        let mut req = self
            .http
            .post(format!("{base}/graphql"))
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = req.body(body).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// Runs one GraphQL operation; the whole response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_via(&self.base, token, query, variables).await
    }

    /// Runs one GraphQL operation through the gateway at `base`.
    pub async fn gql_via(
        &self,
        base: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, value) = self.post_raw_via(base, body, token).await;
        assert_eq!(status, 200, "unexpected status for {query}: {value}");
        value
    }

    /// Runs an operation that must succeed; its `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let res = self.gql(token, query, variables).await;
        assert!(res.get("errors").is_none(), "unexpected errors: {res}");
        res["data"].clone()
    }

    /// Runs an operation that must fail; its first error's code.
    pub async fn fails(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let res = self.gql(token, query, variables).await;
        error_code(&res).unwrap_or_else(|| panic!("expected an error: {res}"))
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.expect("body"))
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(res: &Value) -> Option<String> {
    res["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}
