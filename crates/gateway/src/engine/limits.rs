//! Limits the schema builder has no (suitable) switch for: a bound on
//! aliases, a depth limit that leaves the standard introspection query
//! alone, a bound on how far fragments expand, and a cap on the size of a
//! response and on its number of errors. Plain functions the engine runs
//! around the schema (`checks`), not async-graphql extensions: an
//! extension, whatever hooks it has, wraps every field the schema resolves
//! in a chain of boxed futures.

mod aliases;
mod depth;
mod expansion;
mod measure;
pub(super) mod passwords;
mod response;

pub(crate) use response::{cap_errors, cap_size, to_json as response_json};

use async_graphql::ServerError;
use async_graphql::parser::types::ExecutableDocument;

/// The document's limits, in the order that keeps each walk cheap: the
/// expansion first (nothing else may follow fragments before it is known
/// to be bounded), then depth and aliases.
pub(crate) fn check_document(
    doc: &ExecutableDocument,
    limits: &crate::config::Limits,
) -> Result<(), ServerError> {
    expansion::check(doc, limits.max_expanded_fields)?;
    depth::check(doc, limits.max_depth)?;
    aliases::check(doc, limits.max_aliases)
}
