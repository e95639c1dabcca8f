//! Reading the gateway's sources: each file's code without comments,
//! literals and test modules, the paths it names, and the module graph
//! they make.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path in the crate (`["http", "operation"]`); the root is
/// empty.
pub(super) type Module = Vec<String>;

pub(super) fn gateway_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/gateway/src")
}

/// Every file of the gateway by its module, with its code: comments,
/// literals and the test modules at the end of a file left out.
pub(super) fn sources() -> BTreeMap<Module, String> {
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
pub(super) fn code_of(text: &str) -> String {
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

pub(super) fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths `code` names: `a::b::c`, and each of a group's
/// (`a::{b, c::{d, e}}`).
pub(super) fn paths(code: &str) -> Vec<Vec<String>> {
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

pub(super) fn ident(chars: &[char], at: &mut usize) -> String {
    let start = *at;
    while *at < chars.len() && is_ident(chars[*at]) {
        *at += 1;
    }
    chars[start..*at].iter().collect()
}

/// The rest of a path after `prefix::`.
pub(super) fn path(
    chars: &[char],
    at: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
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
pub(super) fn references(
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
pub(super) fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
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

pub(super) fn reachable<'g>(
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

/// The gateway's source files, as written.
pub(super) fn raw_sources() -> Vec<String> {
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
