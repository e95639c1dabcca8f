//! Field errors handled as the GraphQL spec says ("Handling Field Errors"):
//! a field that fails is null, and when its type is non-null that null
//! propagates to the nearest nullable ancestor (or to `data` itself).
//!
//! async-graphql 7.2 does not do this: `do_resolve_container` records a
//! failing field's error and leaves the field out of its parent, whatever
//! its type, and an object whose fields all failed becomes `null` even
//! where its type is non-null. Clients that trust the schema's types then
//! read a missing key or a null where none can be. So after execution
//! this pass walks each error's path through the operation (aliases and
//! fragments resolved) and the schema's types, and writes the nulls the
//! spec asks for. The errors themselves, with their paths, are untouched:
//! one per failed field.

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::Registry;
use async_graphql::{PathSegment, Response, Value};

/// Writes the nulls the spec asks for into `response`, the answer to `op`
/// of `doc` (a no-op when it has no errors).
pub(crate) fn propagate(
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    registry: &Registry,
    response: &mut Response,
) {
    if response.errors.is_empty() {
        return;
    }
    let root = match op.ty {
        OperationType::Query => Some(registry.query_type.clone()),
        OperationType::Mutation => registry.mutation_type.clone(),
        OperationType::Subscription => registry.subscription_type.clone(),
    };
    if let Some(root) = root {
        let schema = Operation { doc, registry };
        schema.propagate(&op.selection_set.node, root, response);
    }
}

struct Operation<'d> {
    doc: &'d ExecutableDocument,
    registry: &'d Registry,
}

impl<'d> Operation<'d> {
    fn propagate(&self, root_set: &'d SelectionSet, root_type: String, response: &mut Response) {
        // Where a null already went: errors under it need nothing more.
        let mut nulled: Vec<Vec<PathSegment>> = Vec::new();
        for error in &response.errors {
            let path = &error.path;
            if path.is_empty() || nulled.iter().any(|n| path.starts_with(n)) {
                continue;
            }
            let Some(types) = self.types_along(root_set, &root_type, path) else {
                continue;
            };
            // The failed field is null; a non-null position passes the null
            // to its parent.
            let mut end = path.len();
            while end > 0 && types[end - 1].ends_with('!') {
                end -= 1;
            }
            let at = &path[..end];
            if at.is_empty() {
                response.data = Value::Null;
                return;
            }
            if set_null(&mut response.data, at) {
                nulled.push(at.to_vec());
            }
        }
    }

    /// The declared type (`[Member!]!`, `Organization`...) of each position
    /// of `path`: a field's type, or a list item's.
    fn types_along(
        &self,
        root_set: &'d SelectionSet,
        root_type: &str,
        path: &[PathSegment],
    ) -> Option<Vec<String>> {
        let mut sets = vec![root_set];
        let mut object = root_type.to_owned();
        let mut current = String::new();
        let mut types = Vec::with_capacity(path.len());
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let mut fields = Vec::new();
                    for set in &sets {
                        self.fields_named(set, &object, key, &mut fields, 0);
                    }
                    let name = fields.first()?.name.node.as_str();
                    current = self
                        .registry
                        .types
                        .get(&object)?
                        .field_by_name(name)?
                        .ty
                        .clone();
                    sets = fields.iter().map(|f| &f.selection_set.node).collect();
                }
                PathSegment::Index(_) => {
                    current = list_item(&current)?.to_owned();
                }
            }
            object = named(&current).to_owned();
            types.push(current.clone());
        }
        Some(types)
    }

    /// The fields of `set` (through fragments that apply to `object`)
    /// whose response key is `key`.
    fn fields_named(
        &self,
        set: &'d SelectionSet,
        object: &str,
        key: &str,
        out: &mut Vec<&'d Field>,
        depth: usize,
    ) {
        // Validation refused fragment cycles; this only bounds the walk.
        if depth > 64 {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(f) if f.node.response_key().node.as_str() == key => {
                    out.push(&f.node)
                }
                Selection::Field(_) => {}
                Selection::InlineFragment(i) => {
                    let on = i
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str());
                    if self.applies(on, object) {
                        self.fields_named(&i.node.selection_set.node, object, key, out, depth + 1);
                    }
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        if self.applies(Some(on), object) {
                            let set = &fragment.node.selection_set.node;
                            self.fields_named(set, object, key, out, depth + 1);
                        }
                    }
                }
            }
        }
    }

    fn applies(&self, condition: Option<&str>, object: &str) -> bool {
        condition.is_none_or(|on| {
            on == object
                || self
                    .registry
                    .implements
                    .get(object)
                    .is_some_and(|interfaces| interfaces.contains(on))
        })
    }
}

/// `[Member!]!` → `Member!`.
fn list_item(ty: &str) -> Option<&str> {
    ty.trim_end_matches('!')
        .strip_prefix('[')?
        .strip_suffix(']')
}

/// `[Member!]!` → `Member`.
fn named(ty: &str) -> &str {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
}

/// Writes null at `path` in `data`. An object on the way that is null
/// although an error lies under it is one whose fields all failed
/// (async-graphql nulls those): it becomes an object again. `false` when
/// the path leads nowhere.
fn set_null(data: &mut Value, path: &[PathSegment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = data;
    for segment in parents {
        if matches!(at, Value::Null) && matches!(segment, PathSegment::Field(_)) {
            *at = Value::Object(Default::default());
        }
        at = match (segment, at) {
            (PathSegment::Field(key), Value::Object(map)) => {
                match map.get_mut(&async_graphql::Name::new(key)) {
                    Some(value) => value,
                    None => return false,
                }
            }
            (PathSegment::Index(i), Value::List(items)) => match items.get_mut(*i) {
                Some(item) => item,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, at) {
        (PathSegment::Field(key), map) => {
            if matches!(map, Value::Null) {
                *map = Value::Object(Default::default());
            }
            match map {
                Value::Object(map) => {
                    map.insert(async_graphql::Name::new(key), Value::Null);
                    true
                }
                _ => false,
            }
        }
        (PathSegment::Index(i), Value::List(items)) => match items.get_mut(*i) {
            Some(item) => {
                *item = Value::Null;
                true
            }
            None => false,
        },
        _ => false,
    }
}
