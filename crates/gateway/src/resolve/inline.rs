//! Objects answered inline, without a future per field. async-graphql
//! resolves each field of an object in a boxed future of its own, then
//! merges the results one by one: on the member page, some 200 fields. An
//! [`Inline`] object whose selection asks only for fields it has at hand
//! (no arguments, no directives, no fragments) is answered here in one
//! pass instead; any other selection goes the general way, which answers
//! the same.
//!
//! This is sound because the schema has no extension (`graphql::build_schema`):
//! an extension's field hooks would not see the fields answered here.
//! `tests/api/gateway_layers.rs` fails if one is ever registered.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ScalarType, ServerResult, Value,
};
use chrono::{DateTime, Utc};

/// An object some of whose fields can be answered inline.
pub(crate) trait Inline: ContainerType {
    /// `field`'s value (asked for with no argument or directive) when it
    /// is at hand: a leaf with no guard that cannot fail, or an object or
    /// list already loaded whose own selection can be answered inline
    /// ([`answer`], [`answer_all`]). Its resolver must answer the same.
    /// `None` for any other field.
    fn inline(&self, field: &Field) -> Option<Value>;
}

/// `node`'s answer to `selection`, if every field it asks for can be
/// answered inline.
pub(crate) fn answer<T: Inline + ?Sized>(node: &T, selection: &SelectionSet) -> Option<Value> {
    let mut fields = IndexMap::with_capacity(selection.items.len());
    for item in &selection.items {
        let Selection::Field(field) = &item.node else {
            return None;
        };
        let field = &field.node;
        if !field.arguments.is_empty() || !field.directives.is_empty() {
            return None;
        }
        let value = match field.name.node.as_str() {
            "__typename" => Value::String(node.introspection_type_name().into_owned()),
            _ => node.inline(field)?,
        };
        match fields.entry(field.response_key().node.clone()) {
            Entry::Vacant(entry) => {
                entry.insert(value);
            }
            // An object or a list asked for twice merges its selections:
            // async-graphql's way does that.
            Entry::Occupied(_) if matches!(value, Value::Object(_) | Value::List(_)) => {
                return None;
            }
            // A leaf asked for twice answers once, where first asked.
            Entry::Occupied(_) => {}
        }
    }
    Some(Value::Object(fields))
}

/// `nodes`' answer to `selection` (each node's), if it can be answered
/// inline. Every node has the same selection: the first that cannot be
/// answered inline sends the whole list the general way.
pub(crate) fn answer_all<T: Inline>(nodes: &[T], selection: &SelectionSet) -> Option<Value> {
    let answered: Option<Vec<Value>> = nodes.iter().map(|n| answer(n, selection)).collect();
    answered.map(Value::List)
}

/// A timestamp's value, or null.
pub(crate) fn timestamp(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| at.to_value())
}

/// One [`Inline`] object a field answers with: its parent's own, or one it
/// loaded.
pub(crate) struct One<'a, T: Clone>(pub Cow<'a, T>);

impl<T: Inline + Clone + Sync> OutputType for One<'_, T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match answer(&*self.0, &ctx.item.node) {
            Some(value) => Ok(value),
            None => self.0.resolve(ctx, field).await,
        }
    }
}

/// A list of [`Inline`] objects a field answers with: its parent's own
/// (preloaded), or one it loaded.
pub(crate) enum Listed<'a, T> {
    Borrowed(&'a [T]),
    Owned(Vec<T>),
}

impl<T> Listed<'_, T> {
    fn nodes(&self) -> &[T] {
        match self {
            Listed::Borrowed(nodes) => nodes,
            Listed::Owned(nodes) => nodes,
        }
    }
}

impl<T: Inline + Sync> OutputType for Listed<'_, T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let nodes = self.nodes();
        match answer_all(nodes, &ctx.item.node) {
            Some(list) => Ok(list),
            None => nodes.resolve(ctx, field).await,
        }
    }
}
