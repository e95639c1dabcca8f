//! What runs around the schema for every operation, over HTTP or the
//! websocket: before it, the document is parsed once and held to the
//! limits (`crate::limits`) and to the request rules (`phase`); after it,
//! nulls propagate as the spec says (`graphql::propagate_nulls`) and the
//! response is capped. Plain code, not async-graphql extensions: a schema
//! with any extension, whatever hooks it has, wraps every field it resolves
//! in a chain of boxed futures, which cost a third of the member page
//! (docs/benchmark-history.md).

use async_graphql::parser::parse_query;
use async_graphql::registry::Registry;
use async_graphql::{Request, Response};

use super::phase::{self, Outcome, Refusal};
use super::root_field::OperationLabel;
use crate::config::Limits;

/// The schema's types and the limits, built once per process.
pub(crate) struct Checks {
    registry: Registry,
    limits: Limits,
}

/// An operation let through to the schema.
pub(crate) struct Admitted {
    pub label: OperationLabel,
    /// Parsed again only when the response has errors to propagate.
    query: String,
    operation_name: Option<String>,
}

impl Checks {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            registry: crate::graphql::registry(),
            limits,
        }
    }

    /// Parses `request` and checks it; the request goes on with its
    /// document parsed. `read_only`: mutations are refused.
    pub(crate) fn admit(
        &self,
        mut request: Request,
        read_only: bool,
    ) -> Result<(Request, Admitted), Refusal> {
        let refused = |e| Refusal::new(e, Outcome::RequestError, OperationLabel::none());
        let doc = parse_query(&request.query).map_err(|e| refused(e.into()))?;
        crate::limits::check_document(&doc, &self.limits).map_err(refused)?;
        let label = phase::admit(
            &doc,
            &request.variables,
            request.operation_name.as_deref(),
            read_only,
            &self.registry,
        )?;
        let admitted = Admitted {
            label,
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
        };
        request.set_parsed_query(doc);
        Ok((request, admitted))
    }

    /// The schema's `response` to an admitted operation, finished: nulls
    /// propagated and the size capped; and whether it ran.
    pub(crate) fn finish(
        &self,
        admitted: &Admitted,
        mut response: Response,
    ) -> (Response, Outcome) {
        if !phase::executed(&response) {
            return (response, Outcome::RequestError);
        }
        if !response.errors.is_empty()
            && let Ok(doc) = parse_query(&admitted.query)
            && let Some(op) = phase::selected(&doc, admitted.operation_name.as_deref())
        {
            crate::graphql::propagate_nulls(&doc, op, &self.registry, &mut response);
        }
        let limits = &self.limits;
        let response =
            crate::limits::cap_response(response, limits.max_response_bytes, limits.max_errors);
        (response, Outcome::Executed)
    }
}
