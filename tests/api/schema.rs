//! The API contract: every type, field, argument and enum value of
//! `contract/api.graphql` (a copy of the spec) is in the generated schema
//! with the same type, except what `contract/not-yet-built.txt` lists for
//! later issues. The list must shrink as those land: an entry that is built
//! but still listed fails too.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// `Type` → its members: `field: Type`, `field(arg): Type`, or enum values.
fn members(sdl: &str) -> BTreeMap<String, BTreeSet<String>> {
    let doc = parse_schema(sdl).expect("valid SDL");
    let mut out = BTreeMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = t.node;
        let mut set = BTreeSet::new();
        match &t.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let f = &f.node;
                    set.insert(format!("{}: {}", f.name.node, f.ty.node));
                    for a in &f.arguments {
                        let ty = a.node.ty.node.to_string();
                        // An argument may be optional where the contract requires it.
                        set.insert(format!(
                            "{}({}: {})",
                            f.name.node,
                            a.node.name.node,
                            ty.trim_end_matches('!')
                        ));
                    }
                }
            }
            TypeKind::InputObject(o) => {
                for f in &o.fields {
                    set.insert(format!("{}: {}", f.node.name.node, f.node.ty.node));
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    set.insert(v.node.value.node.to_string());
                }
            }
            _ => {}
        }
        out.insert(t.name.node.to_string(), set);
    }
    out
}

#[test]
fn the_schema_keeps_the_contract() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/contract");
    let contract =
        members(&std::fs::read_to_string(format!("{root}/api.graphql")).expect("api.graphql"));
    let ours = members(&roster_gateway::sdl());
    let mut missing = BTreeSet::new();
    for (ty, wanted) in &contract {
        match ours.get(ty) {
            None => {
                missing.insert(ty.clone());
            }
            Some(have) => missing.extend(wanted.difference(have).map(|m| format!("{ty}.{m}"))),
        }
    }
    let listed: BTreeSet<String> = std::fs::read_to_string(format!("{root}/not-yet-built.txt"))
        .expect("not-yet-built.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let unlisted: Vec<_> = missing.difference(&listed).collect();
    let built: Vec<_> = listed.difference(&missing).collect();
    assert!(
        unlisted.is_empty(),
        "the schema lacks these parts of the contract: {unlisted:#?}"
    );
    assert!(
        built.is_empty(),
        "built now, so delete from contract/not-yet-built.txt: {built:#?}"
    );
}
