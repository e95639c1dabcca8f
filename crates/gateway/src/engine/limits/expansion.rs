//! A bound on how many fields a document expands to once its fragments
//! are inlined, checked before anything else walks the document.
//!
//! A fragment that spreads the next one twenty times, six levels down, is
//! 770 bytes of text and 20⁶ fields once expanded. async-graphql walks every
//! spread anew in its parse-time checks (`check_recursive_depth`,
//! `check_max_directives`, which run even on a document handed to it
//! parsed) and again in validation, so
//! such a document held a core for seconds (for good at eight levels). So
//! the count runs first, on the document the gateway parsed (and hands on
//! parsed, so it is not parsed twice), counted with one memoized
//! pass over the fragments, in time linear in the text, and a document past
//! the bound goes no further.

use async_graphql::ServerError;
use async_graphql::parser::types::ExecutableDocument;

use super::measure::Measure;
use crate::engine::phase::refused;

/// At most `max` fields once fragments are inlined.
pub(super) fn check(doc: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    if expanded_fields(doc) > max {
        return Err(refused(format!(
            "the query expands to more than {max} fields once its fragments are inlined"
        )));
    }
    Ok(())
}

/// The fields of every operation with fragments inlined (saturating).
pub(super) fn expanded_fields(doc: &ExecutableDocument) -> usize {
    Measure::new(doc, |_| Some(1), usize::saturating_add).document()
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::expanded_fields;

    /// `levels` fragments, each spreading the next `fan` times.
    fn fan_out(levels: usize, fan: usize) -> String {
        let mut doc = String::from("{ ...F0 }");
        for i in 0..levels {
            let body = if i + 1 < levels {
                vec![format!("...F{}", i + 1); fan].join(" ")
            } else {
                "__typename".to_owned()
            };
            doc.push_str(&format!(" fragment F{i} on Query {{ {body} }}"));
        }
        doc
    }

    #[test]
    fn fragments_count_as_often_as_they_are_spread() {
        let doc =
            parse_query("{ me { id ...U } } fragment U on User { email displayName }").unwrap();
        assert_eq!(expanded_fields(&doc), 4);
        let doc = parse_query(fan_out(3, 10)).unwrap();
        assert_eq!(expanded_fields(&doc), 100);
    }

    #[test]
    fn an_exponential_document_is_counted_without_expanding_it() {
        let doc = parse_query(fan_out(40, 30)).unwrap();
        assert_eq!(expanded_fields(&doc), usize::MAX);
    }
}
