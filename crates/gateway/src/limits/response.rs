//! A cap on what one operation sends back: its serialized size and its
//! number of errors.
//!
//! The complexity limit is what keeps a query from doing heavy work; this
//! is the backstop for what the estimate cannot see (a list far longer than
//! its expected size): a response over the cap is replaced by one error
//! instead of sending hundreds of megabytes, and thousands of errors are
//! cut to a readable few. The size is measured by serializing into a
//! counter that stops at the cap, so an oversized response is never copied
//! whole.

use std::io;

use async_graphql::Response;

/// At most `max_bytes` of `data` and `errors`, and at most `max_errors`
/// errors: past the first, the rest are summed up in one error; past the
/// second, the whole response is replaced by one error.
pub(crate) fn cap(mut response: Response, max_bytes: usize, max_errors: usize) -> Response {
    if response.errors.len() > max_errors {
        let left_out = response.errors.len() - max_errors;
        response.errors.truncate(max_errors);
        response.errors.push(super::refused(format!(
            "{left_out} more errors were left out of this response"
        )));
    }
    if !fits(&response, max_bytes) {
        let message = format!(
            "the response would be larger than {max_bytes} bytes: ask for fewer fields or smaller pages"
        );
        return Response::from_errors(vec![super::refused(message)]);
    }
    response
}

/// Whether `data` and `errors` serialize to at most `max` bytes.
fn fits(response: &Response, max: usize) -> bool {
    let mut counter = Counter { left: max };
    serde_json::to_writer(&mut counter, &response.data).is_ok()
        && serde_json::to_writer(&mut counter, &response.errors).is_ok()
}

/// A writer that keeps nothing and fails once more than its budget came.
struct Counter {
    left: usize,
}

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.left = self
            .left
            .checked_sub(buf.len())
            .ok_or_else(|| io::Error::other("over the cap"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
