//! `POST /graphql`: a JSON body holding one operation or a bounded batch.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::body::{BodyError, read_body};
use super::negotiation::{ResponseMedia, is_json_body, negotiate};
use super::operation::{self, Caller};
use super::params::{Malformed, Operations, from_body};
use super::respond::{self, rejected};
use super::state::AppState;
use crate::client_addr::ClientAddr;

pub(super) async fn graphql_post(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let Some(media) = negotiate(&headers) else {
        return rejected(
            StatusCode::NOT_ACCEPTABLE,
            ResponseMedia::Json,
            "accept application/graphql-response+json or application/json",
        );
    };
    if !is_json_body(&headers) {
        return rejected(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "send the request as Content-Type: application/json (UTF-8)",
        );
    }
    let max_body = state.services.config.limits.max_body_bytes;
    let body = match read_body(&headers, body, max_body).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return rejected(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                "the request body is too large",
            );
        }
        Err(BodyError::Unreadable) => {
            return rejected(
                StatusCode::BAD_REQUEST,
                media,
                "the request body could not be read",
            );
        }
    };
    let operations = match from_body(&body) {
        Ok(operations) => operations,
        Err(Malformed(message)) => return rejected(StatusCode::BAD_REQUEST, media, message),
    };
    let caller = Caller {
        headers: &headers,
        client,
    };
    let requests = match operations {
        Operations::Single(request) => {
            let answer = operation::run(&state, &caller, *request, false).await;
            return respond::single(media, answer, state.engine.max_response_bytes());
        }
        Operations::Batch(requests) => requests,
    };
    let max_batch = state.services.config.limits.max_batch;
    if requests.is_empty() || requests.len() > max_batch {
        let message = format!("a batch holds 1 to {max_batch} operations");
        return rejected(StatusCode::BAD_REQUEST, media, &message);
    }
    // One POST is the unit of the bound on password hashing: refused
    // before any of its operations runs (docs/operations/limits.md).
    if let Err(message) = state.engine.batch_password_hashes(&requests) {
        return rejected(StatusCode::BAD_REQUEST, media, &message);
    }
    // Operations of a batch run one after the other, each authenticated
    // when it runs and with its own loader, so that a mutation's effect
    // (a logOut included) is seen by the next operation.
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests {
        answers.push(operation::run(&state, &caller, request, false).await);
    }
    respond::batch(media, answers, state.engine.max_response_bytes())
}
