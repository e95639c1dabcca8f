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
use std::sync::Arc;

use async_graphql::Response;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};

/// At most `max_bytes` of `data` and `errors`, and at most `max_errors`
/// errors, per operation.
pub struct ResponseLimit {
    pub max_bytes: usize,
    pub max_errors: usize,
}

impl ExtensionFactory for ResponseLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResponseLimitExtension {
            max_bytes: self.max_bytes,
            max_errors: self.max_errors,
        })
    }
}

struct ResponseLimitExtension {
    max_bytes: usize,
    max_errors: usize,
}

#[async_trait::async_trait]
impl Extension for ResponseLimitExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if response.errors.len() > self.max_errors {
            let left_out = response.errors.len() - self.max_errors;
            response.errors.truncate(self.max_errors);
            response.errors.push(super::refused(format!(
                "{left_out} more errors were left out of this response"
            )));
        }
        if !fits(&response, self.max_bytes) {
            let message = format!(
                "the response would be larger than {} bytes: ask for fewer fields or smaller pages",
                self.max_bytes
            );
            return Response::from_errors(vec![super::refused(message)]);
        }
        response
    }
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
