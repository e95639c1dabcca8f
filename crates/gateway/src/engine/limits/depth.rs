//! The depth limit, measured so that introspection passes.
//!
//! async-graphql's `limit_depth` counts every field, introspection
//! included, and the query graphql-js `getIntrospectionQuery()` writes (what
//! GraphiQL, Apollo, graphql-codegen and Python `gql` send) nests `ofType`
//! nine levels deep under `__schema { types { fields { args { type` : 15
//! levels, refused by any depth limit that stops a real depth bomb. So the
//! depth of our own fields is measured without the `__schema` / `__type`
//! subtrees, and those subtrees get a bound of their own that fits
//! introspection's shape: their cost lies in nested lists of types, not in
//! `ofType` chains (each `ofType` is one object), so at most
//! [`MAX_INTROSPECTION_LISTS`] nested lists (`types { fields { args` is the
//! standard query's deepest). Nesting itself stays bounded by async-graphql's
//! recursion limit (32), which runs at parse time, before this.
//!
//! Fragments are followed through [`Measure`], each measured once.

use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};

use super::measure::Measure;
use crate::engine::phase::refused;

/// The roots of introspection: what is under them is measured apart.
const INTROSPECTION_ROOTS: [&str; 2] = ["__schema", "__type"];

/// The introspection fields that return lists.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "directives",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
];

/// `types { fields { args } }`: the standard introspection query's deepest
/// nesting of lists. One more (`types { fields { type { fields` ...) is
/// what an introspection bomb looks like.
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// At most `max` nested fields, not counting introspection, and at most
/// [`MAX_INTROSPECTION_LISTS`] nested lists under introspection.
pub(super) fn check(doc: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    let depth = Measure::new(doc, own_field_depth, usize::max).document();
    if depth > max {
        return Err(refused("Query is nested too deep."));
    }
    if introspection_lists(doc) > MAX_INTROSPECTION_LISTS {
        return Err(refused("Introspection nests too many lists of types."));
    }
    Ok(())
}

/// Our own fields count 1 each; introspection is measured apart.
fn own_field_depth(field: &Field) -> Option<usize> {
    (!is_introspection_root(field)).then_some(1)
}

fn is_introspection_root(field: &Field) -> bool {
    INTROSPECTION_ROOTS.contains(&field.name.node.as_str())
}

/// The deepest nesting of list fields under any introspection root.
fn introspection_lists(doc: &ExecutableDocument) -> usize {
    // Outside introspection nothing counts; a root's subtree is measured
    // with the list weights.
    let mut inner = Measure::new(
        doc,
        |f| {
            Some(usize::from(
                INTROSPECTION_LISTS.contains(&f.name.node.as_str()),
            ))
        },
        usize::max,
    );
    let mut roots = Vec::new();
    for_each_field(doc, &mut |field| {
        if is_introspection_root(field) {
            roots.push(field);
        }
    });
    roots
        .into_iter()
        .map(|root| inner.set(&root.selection_set.node))
        .max()
        .unwrap_or(0)
}

/// Calls `f` on every field written in the document (each fragment's
/// once).
fn for_each_field<'d>(doc: &'d ExecutableDocument, f: &mut impl FnMut(&'d Field)) {
    fn walk<'d>(set: &'d SelectionSet, f: &mut impl FnMut(&'d Field)) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    f(&field.node);
                    walk(&field.node.selection_set.node, f);
                }
                Selection::InlineFragment(i) => walk(&i.node.selection_set.node, f),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node, f);
    }
    for fragment in doc.fragments.values() {
        walk(&fragment.node.selection_set.node, f);
    }
}
