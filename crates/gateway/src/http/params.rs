//! The GraphQL-over-HTTP request parameters (`query`, `operationName`,
//! `variables`, `extensions`), from a JSON body or a URL, checked for
//! shape before anything runs: a request that is not well formed is 400
//! whatever media type the client accepts.

use async_graphql::Request;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Why the parameters were refused; the message is the client's.
pub(super) struct Malformed(pub &'static str);

/// One operation or a batch of them, as a POST body holds them.
pub(super) enum Operations {
    Single(Box<Request>),
    Batch(Vec<Request>),
}

/// Reads a POST body: one request object, or an array of them.
pub(super) fn from_body(body: &[u8]) -> Result<Operations, Malformed> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| Malformed("the request body is not a GraphQL JSON request"))?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(from_value)
            .collect::<Result<_, _>>()
            .map(Operations::Batch),
        single => from_value(single).map(|r| Operations::Single(Box::new(r))),
    }
}

/// The parameters of a `GET`, still encoded as the URL carries them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UrlParams {
    pub query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl UrlParams {
    /// The request they describe; `variables` and `extensions` are JSON
    /// objects in the URL.
    pub(super) fn into_request(self) -> Result<Request, Malformed> {
        let json = |text: Option<String>, what: &'static str| match text {
            None => Ok(Value::Null),
            Some(text) => serde_json::from_str(&text).map_err(|_| Malformed(what)),
        };
        let mut params = Map::new();
        params.insert(
            "query".into(),
            self.query.map_or(Value::Null, Value::String),
        );
        params.insert(
            "operationName".into(),
            self.operation_name.map_or(Value::Null, Value::String),
        );
        params.insert(
            "variables".into(),
            json(self.variables, "variables must be a JSON object")?,
        );
        params.insert(
            "extensions".into(),
            json(self.extensions, "extensions must be a JSON object")?,
        );
        from_value(Value::Object(params))
    }
}

/// A parameter's name, the shape its value must have, and what to say
/// when it has not.
type ShapeCheck = (&'static str, fn(&Value) -> bool, &'static str);

/// One request object: `query` a non-empty string, `operationName` a
/// string, `variables` and `extensions` objects; `null` stands for "not
/// given", and other keys are ignored, as the spec reserves them.
fn from_value(value: Value) -> Result<Request, Malformed> {
    let Value::Object(mut params) = value else {
        return Err(Malformed("a GraphQL request is a JSON object"));
    };
    match params.get("query") {
        Some(Value::String(q)) if !q.trim().is_empty() => {}
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Malformed("the request has no query"));
        }
        Some(_) => return Err(Malformed("query must be a string")),
    }
    let checks: [ShapeCheck; 3] = [
        (
            "operationName",
            Value::is_string,
            "operationName must be a string",
        ),
        (
            "variables",
            Value::is_object,
            "variables must be a JSON object",
        ),
        (
            "extensions",
            Value::is_object,
            "extensions must be a JSON object",
        ),
    ];
    for (key, shape, message) in checks {
        match params.get(key) {
            Some(Value::Null) => {
                params.remove(key);
            }
            Some(value) if !shape(value) => return Err(Malformed(message)),
            _ => {}
        }
    }
    // The shape is right, so async-graphql's own reading cannot fail on it.
    serde_json::from_value(Value::Object(params))
        .map_err(|_| Malformed("the request body is not a GraphQL JSON request"))
}
