//! Turning answers into HTTP responses: the status GraphQL over HTTP
//! gives each outcome under the negotiated media type.

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use roster_domain::ErrorCode;

use super::negotiation::ResponseMedia;
use crate::engine::{Answer, Outcome};

/// A request that never reached the schema: one error with its code.
pub(super) fn rejected(
    status: StatusCode,
    media: ResponseMedia,
    message: &str,
) -> axum::response::Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": ErrorCode::Validation.as_str() } }] });
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response()
}

/// The JSON of one answer. A response refused before execution has no
/// `data` entry (GraphQL spec, "Response Format"), whatever the media type.
fn body_of(answer: Answer) -> serde_json::Value {
    let mut body = serde_json::to_value(&answer.response)
        .unwrap_or_else(|_| serde_json::json!({ "errors": [{ "message": "internal error" }] }));
    if answer.outcome != Outcome::Executed
        && let Some(fields) = body.as_object_mut()
    {
        fields.remove("data");
    }
    body
}

fn status_of(media: ResponseMedia, outcome: Outcome) -> StatusCode {
    match (outcome, media) {
        (Outcome::Executed, _) => StatusCode::OK,
        (Outcome::MethodNotAllowed, _) => StatusCode::METHOD_NOT_ALLOWED,
        // Legacy clients of application/json cannot tell our 4xx from a
        // proxy's, so the spec keeps 200 for them.
        (Outcome::RequestError, ResponseMedia::Json) => StatusCode::OK,
        (Outcome::RequestError, ResponseMedia::GraphqlResponseJson) => StatusCode::BAD_REQUEST,
    }
}

/// One operation's answer, of at most `max_bytes` of JSON if it ran.
pub(super) fn single(
    media: ResponseMedia,
    answer: Answer,
    max_bytes: usize,
) -> axum::response::Response {
    let status = status_of(media, answer.outcome);
    // An executed answer keeps its `data`: serialized straight from the
    // response, once, measured against the cap as it goes.
    let body = match answer.outcome {
        Outcome::Executed => crate::engine::response_json(&answer.response, max_bytes),
        _ => body_of(answer).to_string().into_bytes(),
    };
    let content_type = [(header::CONTENT_TYPE, media.content_type())];
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return (status, content_type, [(header::ALLOW, "POST")], body).into_response();
    }
    (status, content_type, body).into_response()
}

/// A batch's answers, in order. Batches are outside the spec; each entry
/// follows the rules of a single answer's body (at most `max_bytes` of
/// JSON each), and the status is 200, as some entries may hold data while
/// others failed.
pub(super) fn batch(
    media: ResponseMedia,
    answers: Vec<Answer>,
    max_bytes: usize,
) -> axum::response::Response {
    let bodies: Vec<serde_json::Value> = answers
        .into_iter()
        .map(|answer| body_of(answer.capped(max_bytes)))
        .collect();
    let body = serde_json::Value::Array(bodies).to_string();
    ([(header::CONTENT_TYPE, media.content_type())], body).into_response()
}
