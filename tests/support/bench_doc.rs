//! docs/benchmarks.md is written by two benches (tests/benches): `perf`
//! writes the file and `large_org` its sections "Large organizations" and
//! "A fresh process".
//! Each keeps what the other wrote: a section runs from its `## ` heading
//! to the next one.

/// The file both benches write.
pub const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/benchmarks.md");

/// The section `large_org` writes.
pub const LARGE_ORG: &str = "Large organizations";

/// The other section `large_org` writes.
pub const FRESH_START: &str = "A fresh process";

/// The section placed last, before which a missing one is inserted.
const LAST: &str = "Elsewhere";

/// What the shell command `cmd` printed, trimmed (empty if it failed): the
/// machine's facts in the benches' headers (`nproc`, `/proc/loadavg`).
pub fn sh(cmd: &str) -> String {
    std::process::Command::new("sh")
        .args(["-c", cmd])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Where the section `title` starts and ends in `text`, if it is there.
fn span(text: &str, title: &str) -> Option<(usize, usize)> {
    let heading = format!("\n## {title}\n");
    let start = text.find(&heading)? + 1;
    let end = text[start + 1..]
        .find("\n## ")
        .map_or(text.len(), |i| start + 1 + i + 1);
    Some((start, end))
}

/// The section `title` of `text` (heading included), if it is there.
pub fn section<'a>(text: &'a str, title: &str) -> Option<&'a str> {
    span(text, title).map(|(start, end)| &text[start..end])
}

/// `text` with the section `title` replaced by `body` (which starts with
/// its heading and ends with a newline), or inserted before the last
/// section (at the end when there is none).
pub fn put(text: &str, title: &str, body: &str) -> String {
    let (start, end) = span(text, title)
        .or_else(|| span(text, LAST).map(|(start, _)| (start, start)))
        .unwrap_or((text.len(), text.len()));
    let mut out = String::with_capacity(text.len() + body.len() + 1);
    out.push_str(&text[..start]);
    out.push_str(body);
    if end < text.len() && !body.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(&text[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# B\n\nintro\n\n## A\n\na\n\n## Elsewhere\n\ne\n";

    #[test]
    fn inserts_before_the_last_section_then_replaces() {
        let one = put(FILE, "L", "## L\n\nfirst\n");
        assert_eq!(
            one,
            "# B\n\nintro\n\n## A\n\na\n\n## L\n\nfirst\n\n## Elsewhere\n\ne\n"
        );
        let two = put(&one, "L", "## L\n\nsecond\n");
        assert_eq!(two, one.replace("first", "second"));
        assert_eq!(section(&two, "L"), Some("## L\n\nsecond\n\n"));
        assert_eq!(section(&two, "Elsewhere"), Some("## Elsewhere\n\ne\n"));
    }
}
