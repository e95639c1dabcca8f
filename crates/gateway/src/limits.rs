//! Limits the schema builder has no (suitable) switch for, as
//! async-graphql extensions: a bound on aliases, a depth limit that leaves
//! the standard introspection query alone, a bound on how far fragments
//! expand, and a cap on the size of a
//! response and on its number of errors.

mod aliases;
mod depth;
mod expansion;
mod measure;
mod response;

pub use aliases::AliasLimit;
pub use depth::DepthLimit;
pub use expansion::ExpansionLimit;
pub use response::ResponseLimit;

use async_graphql::ServerError;
use roster_domain::ErrorCode;

/// A request error with `extensions.code` = `VALIDATION`.
fn refused(message: impl Into<String>) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Validation.as_str());
    err.extensions = Some(ext);
    err
}
