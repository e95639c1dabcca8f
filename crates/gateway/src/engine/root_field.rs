//! What an operation is called in metrics and log lines: its type and its
//! root field, taken from the schema so that the set is bounded (a
//! client's operation name never is).

use std::collections::BTreeSet;
use std::fmt;

use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::Registry;

/// No operation could be read (a parse error, a missing operation).
pub(crate) const NONE: &str = "none";
/// Only `__schema`, `__type` or `__typename`.
pub(crate) const INTROSPECTION: &str = "__introspection";
/// More than one root field.
pub(crate) const MULTIPLE: &str = "multiple";
/// A field the schema's root type does not have.
pub(crate) const UNKNOWN: &str = "unknown";

/// An operation's type and root field label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OperationLabel {
    pub kind: &'static str,
    pub root_field: String,
}

impl OperationLabel {
    pub(crate) fn none() -> Self {
        Self {
            kind: NONE,
            root_field: NONE.to_owned(),
        }
    }

    pub(crate) fn of(
        doc: &ExecutableDocument,
        op: &OperationDefinition,
        registry: &Registry,
    ) -> Self {
        let (kind, root_type) = match op.ty {
            OperationType::Query => ("query", Some(&registry.query_type)),
            OperationType::Mutation => ("mutation", registry.mutation_type.as_ref()),
            OperationType::Subscription => ("subscription", registry.subscription_type.as_ref()),
        };
        let mut names = BTreeSet::new();
        collect(doc, &op.selection_set.node, &mut names, 0);
        let fields: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !n.starts_with("__"))
            .collect();
        let root_field = match fields.as_slice() {
            [] if names.is_empty() => UNKNOWN,
            [] => INTROSPECTION,
            [one] => root_type
                .and_then(|t| registry.types.get(t))
                .and_then(|t| t.field_by_name(one))
                .map_or(UNKNOWN, |f| f.name.as_str()),
            _ => MULTIPLE,
        };
        Self {
            kind,
            root_field: root_field.to_owned(),
        }
    }
}

impl fmt::Display for OperationLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == NONE {
            return f.write_str(NONE);
        }
        write!(f, "{} {}", self.kind, self.root_field)
    }
}

/// The field names of a root selection set, through its fragments.
fn collect(doc: &ExecutableDocument, set: &SelectionSet, out: &mut BTreeSet<String>, depth: usize) {
    // Validation refuses fragment cycles later; this only bounds the walk.
    if depth > 16 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                out.insert(f.node.name.node.to_string());
            }
            Selection::InlineFragment(i) => {
                collect(doc, &i.node.selection_set.node, out, depth + 1)
            }
            Selection::FragmentSpread(s) => {
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    collect(doc, &fragment.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}
