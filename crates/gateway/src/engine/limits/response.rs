//! A cap on what one operation sends back: its serialized size and its
//! number of errors.
//!
//! The complexity limit is what keeps a query from doing heavy work; this
//! is the backstop for what the estimate cannot see (a list far longer than
//! its expected size): a response over the cap is replaced by one error
//! instead of sending hundreds of megabytes, and thousands of errors are
//! cut to a readable few. The size is that of the response's JSON,
//! measured by serializing into a writer that stops at the cap, so an
//! oversized response is never copied whole; an HTTP answer keeps what it
//! wrote as its body (`to_json`), a live event only counts.

use std::io;

use async_graphql::Response;

use crate::engine::phase::refused;

/// At most `max_bytes` of JSON: past them, one error for the whole.
pub(crate) fn cap_size(response: Response, max_bytes: usize) -> Response {
    let mut counter = Budget::new(io::sink(), max_bytes);
    match serde_json::to_writer(&mut counter, &response) {
        Ok(()) => response,
        Err(_) => too_large(max_bytes),
    }
}

/// At most `max_errors` errors: past them, the rest are summed up in one.
pub(crate) fn cap_errors(mut response: Response, max_errors: usize) -> Response {
    if response.errors.len() > max_errors {
        let left_out = response.errors.len() - max_errors;
        response.errors.truncate(max_errors);
        response.errors.push(refused(format!(
            "{left_out} more errors were left out of this response"
        )));
    }
    response
}

/// The response's JSON, serialized once: past `max_bytes`, that of the
/// one error that replaces it (`cap_size`'s rule, for a caller that sends the
/// bytes it measured).
pub(crate) fn to_json(response: &Response, max_bytes: usize) -> Vec<u8> {
    let mut body = Budget::new(Vec::with_capacity(1024), max_bytes);
    match serde_json::to_writer(&mut body, response) {
        Ok(()) => body.inner,
        Err(_) => serde_json::to_vec(&too_large(max_bytes)).unwrap_or_default(),
    }
}

fn too_large(max_bytes: usize) -> Response {
    let message = format!(
        "the response would be larger than {max_bytes} bytes: ask for fewer fields or smaller pages"
    );
    Response::from_errors(vec![refused(message)])
}

/// A writer that passes on at most `left` bytes and fails past them.
struct Budget<W> {
    inner: W,
    left: usize,
}

impl<W> Budget<W> {
    fn new(inner: W, left: usize) -> Self {
        Self { inner, left }
    }
}

impl<W: io::Write> io::Write for Budget<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.left = self
            .left
            .checked_sub(buf.len())
            .ok_or_else(|| io::Error::other("over the cap"))?;
        self.inner.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Response {
        Response::new(async_graphql::Value::String("x".repeat(100)))
    }

    #[test]
    fn the_json_is_written_once_and_replaced_past_the_cap() {
        let response = sample();
        let whole = serde_json::to_vec(&response).expect("json");
        assert_eq!(to_json(&response, whole.len()), whole);
        let over: serde_json::Value =
            serde_json::from_slice(&to_json(&response, whole.len() - 1)).expect("json");
        assert_eq!(over["data"], serde_json::Value::Null);
        assert_eq!(over["errors"][0]["extensions"]["code"], "VALIDATION");
        // `cap_size` draws the line at the same byte.
        assert_eq!(cap_size(sample(), whole.len()).data, response.data);
        assert_eq!(
            cap_size(sample(), whole.len() - 1).data,
            async_graphql::Value::Null
        );
    }
}
