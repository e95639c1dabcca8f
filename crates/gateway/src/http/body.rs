//! Reading a request body with a bound, so that an oversized one is
//! answered 413 rather than buffered.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use futures::StreamExt;

/// How much of an oversized body is read and dropped before answering
/// 413, so that the client, still sending, gets the answer rather than a
/// reset connection (nginx's "lingering close"). Past this the connection
/// is simply closed.
const LINGER_BYTES: usize = 8 * 1024 * 1024;

/// Why a body was not taken.
pub(super) enum BodyError {
    TooLarge,
    Unreadable,
}

/// Reads the body up to `max` bytes; a longer one is drained (up to
/// [`LINGER_BYTES`]) and refused.
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > LINGER_BYTES) {
        return Err(BodyError::TooLarge);
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(max));
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        seen += chunk.len();
        if seen > LINGER_BYTES {
            return Err(BodyError::TooLarge);
        }
        if seen <= max {
            buf.extend_from_slice(&chunk);
        }
    }
    if seen > max {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(buf))
}
