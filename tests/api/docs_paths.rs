//! The docs point at what exists (README "Where to read next"): every path
//! the README and `docs/architecture.md` name is in the repository, every
//! link between the docs resolves (anchors included), every `rules.md §N` a
//! source file cites is a section of `docs/rules.md`, and no comment cites
//! an issue number (code comments cite the docs, `docs/development.md`).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rust sources under crates/ and tests/, but this file, whose examples
/// would count.
fn sources() -> Vec<PathBuf> {
    let mut sources = Vec::new();
    files(&repo().join("crates"), ".rs", &mut sources);
    files(&repo().join("tests"), ".rs", &mut sources);
    sources.retain(|s| !s.ends_with("tests/api/docs_paths.rs"));
    sources
}

/// Files under `dir` whose name ends with `ext`, build output left out.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | "node_modules") && !name.starts_with('.') {
                files(&path, ext, out);
            }
        } else if name.ends_with(ext) {
            out.push(path);
        }
    }
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._/-".contains(c)
}

/// Repository paths a text names: `crates/…`, `tests/…`, `docs/…`,
/// `migrations/…` (a `*` or `{` ends one at its directory).
fn named_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for prefix in ["crates/", "tests/", "docs/", "migrations/"] {
        for (i, _) in text.match_indices(prefix) {
            if text[..i].chars().next_back().is_some_and(is_path_char) {
                continue;
            }
            let path: String = text[i..].chars().take_while(|&c| is_path_char(c)).collect();
            paths.push(path.trim_end_matches(['.', '-']).to_owned());
        }
    }
    paths
}

#[test]
fn every_path_the_readme_and_the_architecture_name_exists() {
    for doc in ["README.md", "docs/architecture.md", "docs/development.md"] {
        let paths = named_paths(&read(&repo().join(doc)));
        assert!(paths.len() >= 10, "{doc} names only {paths:?}");
        for path in paths {
            assert!(
                repo().join(&path).exists(),
                "{doc} names {path}, which does not exist"
            );
        }
    }
}

/// A heading's anchor as GitHub makes it.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_link_between_the_docs_resolves() {
    let mut pages = vec![repo().join("README.md")];
    files(&repo().join("docs"), ".md", &mut pages);
    let mut links = 0;
    for page in &pages {
        let text = read(page);
        for (i, _) in text.match_indices("](") {
            let target = &text[i + 2..];
            let target = &target[..target.find(')').expect("a link ends")];
            if target.starts_with("http") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a page's folder").join(file)
            };
            assert!(file.exists(), "{}: {target} does not exist", page.display());
            if !anchor.is_empty() {
                assert!(
                    anchors(&read(&file)).iter().any(|a| a == anchor),
                    "{}: {target}: no such heading",
                    page.display()
                );
            }
            links += 1;
        }
    }
    assert!(links >= 30, "only {links} links");
}

#[test]
fn every_rules_section_cited_is_one_of_docs_rules() {
    let rules = read(&repo().join("docs/rules.md"));
    let sections: Vec<String> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|h| h.split_once('.').map(|(n, _)| n.to_owned()))
        .collect();
    let sources = sources();
    let mut cited = 0;
    for source in &sources {
        let text = read(source);
        for (i, _) in text.match_indices('§') {
            let n: String = text[i + '§'.len_utf8()..]
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            assert!(
                sections.contains(&n),
                "{} cites rules.md §{n}, not a section of docs/rules.md ({sections:?})",
                source.display()
            );
            cited += 1;
        }
    }
    assert!(cited >= 60, "only {cited} citations found");
}

/// Whether `comment` names an issue: the word "issue" or "issues", in any
/// case, then a number (`#N` too).
fn cites_an_issue(comment: &str) -> bool {
    let words: Vec<&str> = comment.split_whitespace().collect();
    words.windows(2).any(|w| {
        let word = w[0].trim_matches(|c: char| !c.is_alphanumeric());
        let next = w[1].trim_start_matches(['#', '(']);
        matches!(word.to_lowercase().as_str(), "issue" | "issues")
            && next.starts_with(|c: char| c.is_ascii_digit())
    })
}

#[test]
fn no_comment_cites_an_issue_number() {
    // The samples are put together here so that this file cites nothing.
    let (word, words) = ("issue", "Issue");
    assert!(cites_an_issue(&format!(
        "//! Retention ({word} 10 item 5): what"
    )));
    assert!(cites_an_issue(&format!("//! {words} 11's bench suite")));
    assert!(cites_an_issue(&format!("// see {word} #3")));
    assert!(!cites_an_issue("// an issue with 3 parts"));
    let sources = sources();
    let mut offending = Vec::new();
    for source in &sources {
        for (n, line) in read(source).lines().enumerate() {
            // A comment, or a message the code prints.
            if cites_an_issue(line) {
                offending.push(format!("{}:{}: {line}", source.display(), n + 1));
            }
        }
    }
    assert!(
        offending.is_empty(),
        "cite the docs instead:\n{}",
        offending.join("\n")
    );
}
