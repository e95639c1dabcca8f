//! How far an operation got. GraphQL over HTTP gives a request error
//! (parse, validation, operation selection, variable coercion: nothing
//! ran) another status than a response from execution, and async-graphql's
//! `Response` does not say which it is. Before anything runs, the gateway
//! also refuses a mutation sent by `GET` and a missing non-null variable
//! (async-graphql only notices the latter when a resolver reads it, after
//! other fields ran).

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::registry::Registry;
use async_graphql::{Response, ServerError, Value, Variables};
use roster_domain::ErrorCode;

use super::root_field::OperationLabel;

/// A request error with `extensions.code` = `VALIDATION` (the limits').
pub(super) fn refused(message: impl Into<String>) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Validation.as_str());
    err.extensions = Some(ext);
    err
}

/// How the operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Refused before execution: a GraphQL request error.
    RequestError,
    /// A mutation over a method that may not change anything.
    MethodNotAllowed,
    Executed,
}

/// An operation refused before the schema saw it.
pub(crate) struct Refusal {
    pub response: Box<Response>,
    pub outcome: Outcome,
    pub label: OperationLabel,
}

impl Refusal {
    pub(crate) fn new(error: ServerError, outcome: Outcome, label: OperationLabel) -> Self {
        Self {
            response: Box::new(Response::from_errors(vec![error])),
            outcome,
            label,
        }
    }
}

/// The operation async-graphql runs: the one named, or the document's
/// only one (`None`: it refuses the request itself).
pub(crate) fn selected<'d>(
    doc: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    let mut operations = doc.operations.iter();
    match operation_name {
        Some(name) => operations
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| &op.node),
        None => match (operations.next(), operations.next()) {
            (Some((_, op)), None) => Some(&op.node),
            _ => None,
        },
    }
}

/// Non-null variables without a default that the request leaves out or
/// sets to null (GraphQL's CoerceVariableValues refuses them).
fn missing_variable<'d>(op: &'d OperationDefinition, variables: &Variables) -> Option<&'d str> {
    op.variable_definitions
        .iter()
        .filter(|def| !def.node.var_type.node.nullable && def.node.default_value.is_none())
        .find(|def| {
            variables
                .get(&def.node.name.node)
                .is_none_or(|v| *v == Value::Null)
        })
        .map(|def| def.node.name.node.as_str())
}

/// The request rules an operation must pass before it runs; its label for
/// metrics and logs. `read_only`: only queries (and, over the websocket,
/// subscriptions) may run.
pub(crate) fn admit(
    doc: &ExecutableDocument,
    variables: &Variables,
    operation_name: Option<&str>,
    read_only: bool,
    registry: &Registry,
) -> Result<OperationLabel, Refusal> {
    let Some(op) = selected(doc, operation_name) else {
        return Ok(OperationLabel::none());
    };
    let label = OperationLabel::of(doc, op, registry);
    if read_only && op.ty == OperationType::Mutation {
        let error = ServerError::new(
            "a GET request runs queries only: send mutations by POST",
            None,
        );
        return Err(Refusal::new(error, Outcome::MethodNotAllowed, label));
    }
    if let Some(name) = missing_variable(op, variables) {
        let error = ServerError::new(
            format!("variable ${name} is required and was not given a value"),
            None,
        );
        return Err(Refusal::new(error, Outcome::RequestError, label));
    }
    Ok(label)
}

/// Whether the schema executed the operation: it refuses a request (parse,
/// validation, operation selection) with errors that have no path and no
/// `data`, whereas an executed operation has `data`, or, when a null
/// propagated up to `data`, an error at a field's path.
pub(crate) fn executed(response: &Response) -> bool {
    response.data != Value::Null || response.errors.iter().any(|e| !e.path.is_empty())
}
