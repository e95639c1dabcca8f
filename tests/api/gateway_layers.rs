//! The gateway's modules depend one way (docs/architecture.md, "The
//! engine"): `http` → `engine` → `graphql` (the schema) → `resolve`, and
//! each of them on the leaves (`auth`, `client_addr`, `config`, `error`,
//! `metrics`, `pages`, `playground`). Read from the sources: every path a
//! file names (`use` lines and paths in code, `crate::`, `super::` or a
//! child module's) is resolved to the file of the module it names.
//!
//! And the schema has no async-graphql extension while fields are
//! answered inline: an extension's field hooks would not see them
//! (`crates/gateway/src/resolve/inline.rs`). async-graphql does not say
//! whether a schema has extensions, so the sources are read for any
//! registration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path in the crate (`["http", "operation"]`); the root is
/// empty.
type Module = Vec<String>;

fn gateway_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/gateway/src")
}

/// Every file of the gateway by its module, with its code: comments,
/// literals and the test modules at the end of a file left out.
fn sources() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).expect("read the gateway's sources") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, root, out);
                continue;
            }
            let rel = path.strip_prefix(root).expect("under src");
            let Some(rel) = rel.to_str().and_then(|r| r.strip_suffix(".rs")) else {
                continue;
            };
            // `#[path]` test modules (`batch_tests.rs`) are tests.
            if rel.ends_with("_tests") {
                continue;
            }
            let mut module: Module = rel.split('/').map(str::to_owned).collect();
            if matches!(module.last().map(String::as_str), Some("lib" | "mod")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).expect("read a source");
            out.insert(module, code_of(&text));
        }
    }
    let root = gateway_src();
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    assert!(out.len() > 40, "the gateway's sources were not found");
    out
}

/// `text` without comments, string and char literals, and without its
/// test module (everything from `#[cfg(test)]` on).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1).copied()) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('r', Some('#' | '"')) if i == 0 || !is_ident(chars[i - 1]) => {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                let close: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let rest: String = chars[i + 1 + hashes + 1..].iter().collect();
                let end = rest.find(&close).map_or(rest.len(), |e| e + close.len());
                i += 1 + hashes + 1 + rest[..end].chars().count();
                code.push_str("\"\"");
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                code.push_str("\"\"");
            }
            // A char literal ('{', '\n'), not a lifetime ('a).
            ('\'', Some('\\')) => {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            ('\'', Some(_)) if chars.get(i + 2) == Some(&'\'') => i += 3,
            (c, _) => {
                code.push(c);
                i += 1;
            }
        }
    }
    code
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths `code` names: `a::b::c`, and each of a group's
/// (`a::{b, c::{d, e}}`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = is_ident(chars[i])
            && !chars[i].is_ascii_digit()
            && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut at = i;
        let first = ident(&chars, &mut at);
        if chars.get(at..at + 2) == Some(&[':', ':']) {
            at += 2;
            path(&chars, &mut at, vec![first], &mut out);
        }
        i = at.max(i + 1);
    }
    out
}

fn ident(chars: &[char], at: &mut usize) -> String {
    let start = *at;
    while *at < chars.len() && is_ident(chars[*at]) {
        *at += 1;
    }
    chars[start..*at].iter().collect()
}

/// The rest of a path after `prefix::`.
fn path(chars: &[char], at: &mut usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let skip_space = |at: &mut usize| {
        while *at < chars.len() && chars[*at].is_whitespace() {
            *at += 1;
        }
    };
    loop {
        skip_space(at);
        if chars.get(*at) == Some(&'{') {
            *at += 1;
            loop {
                skip_space(at);
                match chars.get(*at) {
                    None => return,
                    Some('}') => {
                        *at += 1;
                        return;
                    }
                    Some(',') => *at += 1,
                    Some(_) => {
                        let before = *at;
                        path(chars, at, prefix.clone(), out);
                        skip_space(at);
                        // `c as d`: `d` is no path.
                        if chars.get(*at..*at + 3) == Some(&['a', 's', ' ']) {
                            *at += 3;
                            skip_space(at);
                            ident(chars, at);
                        }
                        // `*` and the like: step over.
                        if *at == before {
                            *at += 1;
                        }
                    }
                }
            }
        }
        let segment = ident(chars, at);
        if segment.is_empty() {
            out.push(prefix);
            return;
        }
        prefix.push(segment);
        if chars.get(*at..*at + 2) == Some(&[':', ':']) {
            *at += 2;
        } else {
            out.push(prefix);
            return;
        }
    }
}

/// The modules (files) `module`'s code names, each resolved to the
/// deepest file it reaches; `Err` for a path into the crate root's
/// re-exports (`crate::Passwords`): import it from its module.
fn references(
    module: &Module,
    code: &str,
    files: &BTreeSet<Module>,
) -> Result<BTreeSet<Module>, String> {
    let mut found = BTreeSet::new();
    for path in paths(code) {
        let (base, rest): (Module, &[String]) = match path[0].as_str() {
            "crate" => (Vec::new(), &path[1..]),
            "self" => (module.clone(), &path[1..]),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                (
                    module[..module.len().saturating_sub(ups)].to_vec(),
                    &path[ups..],
                )
            }
            child => {
                let mut child_module = module.clone();
                child_module.push(child.to_owned());
                if !files.contains(&child_module) {
                    continue;
                }
                (module.clone(), &path[..])
            }
        };
        let mut full = base;
        full.extend(rest.iter().cloned());
        let reached = (0..=full.len())
            .rev()
            .map(|n| full[..n].to_vec())
            .find(|prefix| files.contains(prefix))
            .unwrap_or_default();
        if reached.is_empty() && !module.is_empty() && !rest.is_empty() {
            return Err(format!("{} names `{}`", module.join("/"), path.join("::")));
        }
        if reached != *module {
            found.insert(reached);
        }
    }
    Ok(found)
}

/// Each file of the gateway and the files it names; the crate root
/// (`lib.rs`, which declares and re-exports) left out.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let sources = sources();
    let files: BTreeSet<Module> = sources.keys().cloned().collect();
    sources
        .iter()
        .filter(|(module, _)| !module.is_empty())
        .map(|(module, code)| {
            let mut names = references(module, code, &files).unwrap_or_else(|e| panic!("{e}"));
            names.remove(&Vec::new());
            (module.clone(), names)
        })
        .collect()
}

fn reachable<'g>(
    graph: &'g BTreeMap<Module, BTreeSet<Module>>,
    from: &'g Module,
) -> BTreeSet<&'g Module> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from];
    while let Some(module) = todo.pop() {
        for next in graph.get(module).into_iter().flatten() {
            if seen.insert(next) {
                todo.push(next);
            }
        }
    }
    seen
}

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

/// The gateway's source files, as written.
fn raw_sources() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read the gateway's sources") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).expect("read a source"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&gateway_src(), &mut out);
    out
}
