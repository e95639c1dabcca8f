//! How far an operation got inside the schema. GraphQL over HTTP gives a
//! request error (parse, validation, operation selection, variable
//! coercion: nothing ran) another status than a response from execution,
//! and async-graphql's `Response` does not say which it is; this
//! extension does. It also refuses, before anything runs, a mutation sent
//! by `GET` and a missing non-null variable (async-graphql only notices
//! the latter when a resolver reads it, after other fields ran).

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::registry::Registry;
use async_graphql::{Response, ServerError, ServerResult, Value, Variables};

use super::root_field::OperationLabel;

/// One operation's progress, shared between the HTTP handler (which puts
/// it in the request's data) and the extension.
#[derive(Default)]
pub(crate) struct OperationPhase {
    read_only: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    operations: Vec<Shape>,
    outcome: Outcome,
    /// The operation async-graphql chose to execute.
    selected: Option<OperationLabel>,
}

/// What the document says of one operation.
struct Shape {
    name: Option<String>,
    read_only: bool,
    missing_variables: Vec<String>,
    label: OperationLabel,
}

/// How the operation ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Refused before execution: a GraphQL request error.
    #[default]
    RequestError,
    /// A mutation over a method that may not change anything.
    MethodNotAllowed,
    Executed,
    /// The server failed before it could run the operation (set by the
    /// handler, never by the schema).
    Internal,
}

impl OperationPhase {
    /// `read_only`: the request came by `GET`, so only queries may run.
    pub(crate) fn new(read_only: bool) -> Arc<Self> {
        Arc::new(Self {
            read_only,
            state: Mutex::default(),
        })
    }

    pub(crate) fn outcome(&self) -> Outcome {
        self.lock().outcome
    }

    /// The operation that ran, or the document's only one; else `none`.
    pub(crate) fn label(&self) -> OperationLabel {
        let state = self.lock();
        match (&state.selected, state.operations.as_slice()) {
            (Some(label), _) => label.clone(),
            (None, [only]) => only.label.clone(),
            _ => OperationLabel::none(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Non-null variables without a default that the request leaves out or
/// sets to null (GraphQL's CoerceVariableValues refuses them).
fn missing_variables(
    op: &async_graphql::parser::types::OperationDefinition,
    variables: &Variables,
) -> Vec<String> {
    op.variable_definitions
        .iter()
        .filter(|def| !def.node.var_type.node.nullable && def.node.default_value.is_none())
        .filter(|def| {
            variables
                .get(&def.node.name.node)
                .is_none_or(|v| *v == Value::Null)
        })
        .map(|def| def.node.name.node.to_string())
        .collect()
}

fn shapes(doc: &ExecutableDocument, variables: &Variables, registry: &Registry) -> Vec<Shape> {
    doc.operations
        .iter()
        .map(|(name, op)| Shape {
            name: name.map(ToString::to_string),
            // A subscription changes nothing either (over the websocket).
            read_only: op.node.ty != OperationType::Mutation,
            missing_variables: missing_variables(&op.node, variables),
            label: OperationLabel::of(doc, &op.node, registry),
        })
        .collect()
}

/// Registered on the schema; a no-op for requests that carry no
/// [`OperationPhase`] (e.g. the schema executed directly).
pub struct PhaseTracking;

impl ExtensionFactory for PhaseTracking {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PhaseTracking)
    }
}

fn refused(message: String) -> Response {
    Response::from_errors(vec![ServerError::new(message, None)])
}

#[async_trait::async_trait]
impl Extension for PhaseTracking {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some(phase) = ctx.data_opt::<Arc<OperationPhase>>() {
            phase.lock().operations = shapes(&doc, variables, &ctx.schema_env.registry);
        }
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let Some(phase) = ctx.data_opt::<Arc<OperationPhase>>() else {
            return next.run(ctx, operation_name).await;
        };
        {
            let mut guard = phase.lock();
            let state = &mut *guard;
            // async-graphql selected the operation already: by name, or the
            // document's only one.
            let shape = state
                .operations
                .iter()
                .find(|s| operation_name.is_none() || s.name.as_deref() == operation_name);
            if let Some(shape) = shape {
                state.selected = Some(shape.label.clone());
                if phase.read_only && !shape.read_only {
                    state.outcome = Outcome::MethodNotAllowed;
                    return refused(
                        "a GET request runs queries only: send mutations by POST".into(),
                    );
                }
                if let Some(name) = shape.missing_variables.first() {
                    return refused(format!(
                        "variable ${name} is required and was not given a value"
                    ));
                }
            }
            state.outcome = Outcome::Executed;
        }
        next.run(ctx, operation_name).await
    }
}
