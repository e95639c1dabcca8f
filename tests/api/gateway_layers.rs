//! The gateway's modules depend one way (docs/architecture.md, "The
//! engine"): `http` → `engine` → `graphql` (the schema) → `resolve`, and
//! each of them on the leaves (`auth`, `client_addr`, `config`, `console`, `cors`, `error`,
//! `metrics`, `pages`, `playground`). Read from the sources: every path a
//! file names (`use` lines and paths in code, `crate::`, `super::` or a
//! child module's) is resolved to the file of the module it names.
//!
//! And the schema has no async-graphql extension while fields are
//! answered inline: an extension's field hooks would not see them
//! (`crates/gateway/src/resolve/inline.rs`). async-graphql does not say
//! whether a schema has extensions, so the sources are read for any
//! registration.

mod sources;

use std::collections::{BTreeMap, BTreeSet};

use sources::*;

#[test]
fn the_gateways_modules_name_each_other_in_no_circle() {
    let graph = graph();
    // Top-level modules: a circle among them is a layering gone wrong.
    let mut top: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, names) in &graph {
        let entry = top.entry(module[..1].to_vec()).or_default();
        entry.extend(
            names
                .iter()
                .map(|n| n[..1].to_vec())
                .filter(|n| n[..] != module[..1]),
        );
    }
    for module in top.keys() {
        assert!(
            !reachable(&top, module).contains(module),
            "`{}` reaches itself through other modules: {top:?}",
            module.join("/")
        );
    }
    // Files: only the schema's object types name each other in a circle,
    // as the GraphQL types do (`Member.organization`, `Organization.members`).
    for module in graph.keys() {
        let from_here = reachable(&graph, module);
        let circle: Vec<String> = from_here
            .iter()
            .filter(|other| reachable(&graph, other).contains(module))
            .map(|other| other.join("/"))
            .collect();
        let in_schema = |m: &str| m.starts_with("graphql/");
        assert!(
            circle.is_empty()
                || (in_schema(&module.join("/")) && circle.iter().all(|m| in_schema(m))),
            "{} is in a circle with {circle:?}",
            module.join("/")
        );
    }
}

#[test]
fn the_schema_knows_neither_the_engine_nor_http() {
    let graph = graph();
    let leaves = [
        "auth",
        "client_addr",
        "config",
        "console",
        "cors",
        "error",
        "metrics",
        "pages",
        "playground",
    ];
    // What each layer may name besides itself.
    let may_name = |layer: &str| -> Vec<&str> {
        match layer {
            "http" => [&["engine", "graphql"][..], &leaves].concat(),
            "engine" => [&["graphql", "resolve"][..], &leaves].concat(),
            "graphql" => [&["resolve"][..], &leaves].concat(),
            "resolve" => Vec::new(),
            _ => leaves.to_vec(),
        }
    };
    for (module, names) in &graph {
        let layer = module[0].as_str();
        for name in names {
            let named = name[0].as_str();
            assert!(
                named == layer || may_name(layer).contains(&named),
                "{} names {}: `{layer}` may name only {:?}",
                module.join("/"),
                name.join("/"),
                may_name(layer)
            );
        }
    }
}

#[test]
fn no_extension_is_registered_while_fields_are_answered_inline() {
    let sources = sources();
    let inline = sources
        .values()
        .any(|code| code.contains("impl Inline for"));
    assert!(inline, "no inline answers left: this test can go");
    for (module, code) in &sources {
        for registration in [
            ".extension(",
            "::extension(",
            "ExtensionFactory",
            "async_graphql::extensions",
        ] {
            assert!(
                !code.contains(registration),
                "{} registers an async-graphql extension (`{registration}`) while fields are \
                 answered inline (crates/gateway/src/resolve/inline.rs), which its field hooks \
                 would not see",
                module.join("/")
            );
        }
    }
}

#[test]
fn the_path_reader_reads_groups_and_skips_literals() {
    let code = code_of(
        "use crate::engine::{self, Answer};\nuse super::{a::{b, c as d}, e};\n\
         // crate::commented\nlet s = \"crate::quoted\"; let c = '{'; fn f<'a>() {} x::y::Z::new();",
    );
    let found: Vec<String> = paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "crate::engine::self",
            "crate::engine::Answer",
            "super::a::b",
            "super::a::c",
            "super::e",
            "x::y::Z::new"
        ]
    );
}

#[test]
fn the_inline_types_are_those_the_equivalence_test_walks() {
    let mut rust_names = BTreeSet::new();
    let mut graphql_names = BTreeMap::new();
    for text in raw_sources() {
        for (at, _) in text.match_indices("impl Inline for ") {
            let rest = &text[at + "impl Inline for ".len()..];
            rust_names.insert(
                rest.split(|c: char| !is_ident(c))
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        // `#[Object(name = "Member", …)]` then `impl MemberNode {`.
        for (at, _) in text.match_indices("#[Object(name = \"") {
            let rest = &text[at + "#[Object(name = \"".len()..];
            let name = rest.split('"').next().unwrap_or_default();
            let Some(implemented) = rest.split_once("\nimpl ").map(|(_, r)| r) else {
                continue;
            };
            let rust = implemented
                .split(|c: char| !is_ident(c))
                .next()
                .unwrap_or_default();
            graphql_names.insert(rust.to_owned(), name.to_owned());
        }
    }
    let inline: BTreeSet<&str> = rust_names
        .iter()
        .map(|rust| {
            graphql_names
                .get(rust)
                .unwrap_or_else(|| panic!("no #[Object(name)] for {rust}"))
                .as_str()
        })
        .collect();
    let walked: BTreeSet<&str> = crate::members::INLINE_TYPES.into_iter().collect();
    assert_eq!(
        inline, walked,
        "tests/api/members.rs walks other types than those answered inline"
    );
}
