//! The docs stay true: `docs/api/permissions.md` prints the permission
//! table the guards read, and that table is rules.md §2. That the docs'
//! paths, links and cited rules exist is `docs_paths.rs`.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_docs_print_the_permission_table() {
    let page = read("docs/api/permissions.md");
    let table = roster_domain::permission::markdown_table();
    assert!(
        page.contains(&table),
        "docs/api/permissions.md must contain the permission table:\n{table}"
    );
}

/// How rules.md §2 words a cell, as the table's grant: the prose before
/// any parenthesis or comma decides.
fn grant_of(cell: &str) -> roster_domain::Grant {
    use roster_domain::Grant;
    let head = cell.split(['(', ',', ';']).next().unwrap_or("").trim();
    match head {
        "yes" | "all" | "any role" | "whole organization" => Grant::Yes,
        // "no (sees self, and users of assistants it manages)"
        "no" if cell.contains("sees self") => Grant::Own,
        "no" => Grant::No,
        "MEMBER role only" => Grant::MemberRoleOnly,
        "own" | "own numbers" | "only assigned" => Grant::Own,
        "name only" => Grant::NameOnly,
        other => panic!("a cell of rules.md §2 this test cannot read: {other:?}"),
    }
}

/// The domain's permission table is rules.md §2, cell by cell
/// (`contract/permissions.md` is that table, copied from the spec): a
/// changed cell in either turns this red, and with it the matrix
/// (`matrix.rs`), which derives what every role may do from the table.
#[test]
fn the_permission_table_is_the_one_of_the_rules() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contract/permissions.md"
    ))
    .expect("contract/permissions.md");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| capability"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let table = roster_domain::permission::TABLE;
    assert_eq!(rows.len(), table.len(), "rows of rules.md §2");
    for (row, (action, label, grants)) in rows.iter().zip(table) {
        assert_eq!(row[0], *label, "{action:?}");
        let wanted: Vec<_> = row[1..].iter().map(|c| grant_of(c)).collect();
        assert_eq!(wanted, grants.to_vec(), "{label}");
    }
}
