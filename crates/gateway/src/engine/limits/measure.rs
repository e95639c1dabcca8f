//! One memoized walk of a document, fragments followed, that both the
//! depth and the expansion limits measure with: each fragment is measured
//! once (a document whose fragments spread each other many times over
//! cannot make it exponential) and cycles are cut (validation reports them
//! later).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};

/// How much a field adds to a measure, or `None` when its subtree is not
/// counted at all.
pub(super) type Weigh = fn(&Field) -> Option<usize>;

/// How the items of a selection set add up: the deepest (`usize::max`)
/// or the total (`usize::saturating_add`).
pub(super) type Combine = fn(usize, usize) -> usize;

pub(super) struct Measure<'d> {
    doc: &'d ExecutableDocument,
    weigh: Weigh,
    combine: Combine,
    fragments: HashMap<&'d str, usize>,
    visiting: HashSet<&'d str>,
}

impl<'d> Measure<'d> {
    pub(super) fn new(doc: &'d ExecutableDocument, weigh: Weigh, combine: Combine) -> Self {
        Self {
            doc,
            weigh,
            combine,
            fragments: HashMap::new(),
            visiting: HashSet::new(),
        }
    }

    /// The document's operations, combined.
    pub(super) fn document(&mut self) -> usize {
        let doc = self.doc;
        doc.operations.iter().fold(0, |acc, (_, op)| {
            let n = self.set(&op.node.selection_set.node);
            (self.combine)(acc, n)
        })
    }

    pub(super) fn set(&mut self, set: &'d SelectionSet) -> usize {
        set.items.iter().fold(0, |acc, item| {
            let n = match &item.node {
                Selection::Field(f) => match (self.weigh)(&f.node) {
                    Some(weight) => weight.saturating_add(self.set(&f.node.selection_set.node)),
                    None => 0,
                },
                Selection::InlineFragment(f) => self.set(&f.node.selection_set.node),
                Selection::FragmentSpread(s) => self.fragment(s.node.fragment_name.node.as_str()),
            };
            (self.combine)(acc, n)
        })
    }

    fn fragment(&mut self, name: &'d str) -> usize {
        if let Some(n) = self.fragments.get(name) {
            return *n;
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return 0; // unknown: validation reports it
        };
        if !self.visiting.insert(name) {
            return 0; // a cycle: validation reports it
        }
        let n = self.set(&fragment.node.selection_set.node);
        self.visiting.remove(name);
        self.fragments.insert(name, n);
        n
    }
}
