//! How the schema's fields resolve faster than async-graphql's defaults:
//! loads batched per poll of the execution, with no timer (`batch`), and
//! objects whose selection is at hand answered in one pass, without a
//! future per field (`inline`). Generic over async-graphql: nothing here
//! knows a Roster type. Below the schema: its types use these, and the
//! engine (`crate::engine`) drives the batches of every execution.

pub(crate) mod batch;
pub(crate) mod inline;
