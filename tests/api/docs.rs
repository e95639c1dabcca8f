//! The README stays true: it prints the permission table the guards read.

#[test]
fn readme_prints_the_permission_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let table = roster_domain::permission::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md must contain the permission table:\n{table}"
    );
}
