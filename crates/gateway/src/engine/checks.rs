//! What the engine runs around the schema for every operation: before it,
//! the document is parsed once and held to the limits (`limits`), then
//! kept in a bounded cache by its text ([`Documents`]), and the operation
//! is held to the request rules (`phase`); after it, nulls propagate as the
//! spec says (`field_errors`) and the response is capped. Plain code, not
//! async-graphql extensions (`crate::engine` says why).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::registry::Registry;
use async_graphql::{Request, Response, ServerError};

use super::limits;
use super::phase::{self, Outcome, Refusal};
use super::root_field::OperationLabel;
use crate::config::Limits;

/// The schema's types and the limits, built once per process.
pub(crate) struct Checks {
    registry: Registry,
    limits: Limits,
    documents: Documents,
}

/// An operation let through to the schema.
pub(crate) struct Admitted {
    pub label: OperationLabel,
    document: Arc<ExecutableDocument>,
    operation_name: Option<String>,
}

/// Documents that passed the limits, by their text: the most recently used
/// [`DOCUMENTS`], each of at most [`DOCUMENT_BYTES`] of text (larger ones
/// are parsed every time). A client's queries are a handful of texts asked
/// again and again; parsing one costs more than copying it.
struct Documents(Mutex<lru::LruCache<String, Arc<ExecutableDocument>>>);

const DOCUMENTS: usize = 256;
const DOCUMENT_BYTES: usize = 4096;

impl Documents {
    fn new() -> Self {
        let capacity = NonZeroUsize::new(DOCUMENTS).expect("a capacity");
        Self(Mutex::new(lru::LruCache::new(capacity)))
    }

    /// The document `query` parses to, checked by `check` when parsed.
    fn get_or_parse(
        &self,
        query: &str,
        check: impl FnOnce(&ExecutableDocument) -> Result<(), ServerError>,
    ) -> Result<Arc<ExecutableDocument>, ServerError> {
        // A text too long to keep is not looked up either: hashing it
        // under the lock would hold up every other request.
        let kept = query.len() <= DOCUMENT_BYTES;
        let cached = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept && let Some(doc) = cached().get(query) {
            return Ok(doc.clone());
        }
        let doc = parse_query(query)?;
        check(&doc)?;
        let doc = Arc::new(doc);
        if kept {
            cached().put(query.to_owned(), doc.clone());
        }
        Ok(doc)
    }
}

impl Checks {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            registry: crate::graphql::registry(),
            limits,
            documents: Documents::new(),
        }
    }

    /// Parses `request` and checks it; the request goes on with its
    /// document parsed. `read_only`: mutations are refused.
    pub(crate) fn admit(
        &self,
        mut request: Request,
        read_only: bool,
    ) -> Result<(Request, Admitted), Refusal> {
        let refused = |e| Refusal::new(e, Outcome::RequestError, OperationLabel::none());
        let doc = self
            .documents
            .get_or_parse(&request.query, |doc| {
                limits::check_document(doc, &self.limits)
            })
            .map_err(refused)?;
        if let Some(op) = phase::selected(&doc, request.operation_name.as_deref()) {
            let hashes = limits::passwords::hashes_in(&doc, op);
            limits::passwords::check(hashes, self.limits.max_password_hashes).map_err(refused)?;
        }
        let label = phase::admit(
            &doc,
            &request.variables,
            request.operation_name.as_deref(),
            read_only,
            &self.registry,
        )?;
        request.set_parsed_query(ExecutableDocument::clone(&doc));
        let admitted = Admitted {
            label,
            document: doc,
            operation_name: request.operation_name.clone(),
        };
        Ok((request, admitted))
    }

    /// The password hashes and verifications `request` asks for (0 when
    /// its document is refused: `admit` answers that).
    pub(crate) fn password_hashes(&self, request: &Request) -> usize {
        let parsed = self.documents.get_or_parse(&request.query, |doc| {
            limits::check_document(doc, &self.limits)
        });
        let Ok(doc) = parsed else { return 0 };
        phase::selected(&doc, request.operation_name.as_deref())
            .map_or(0, |op| limits::passwords::hashes_in(&doc, op))
    }

    /// Whether a batch of `requests` stays within the password hashes one
    /// POST may ask for (`Limits::max_password_hashes`), all operations
    /// together.
    pub(crate) fn batch_password_hashes(&self, requests: &[Request]) -> Result<(), String> {
        let hashes = requests
            .iter()
            .map(|r| self.password_hashes(r))
            .fold(0, usize::saturating_add);
        limits::passwords::check(hashes, self.limits.max_password_hashes).map_err(|e| e.message)
    }

    /// The schema's `response` to an admitted operation, finished: nulls
    /// propagated and the size capped; and whether it ran.
    pub(crate) fn finish(&self, admitted: &Admitted, response: Response) -> (Response, Outcome) {
        let (response, outcome) = self.finish_unsized(admitted, response);
        if outcome != Outcome::Executed {
            return (response, outcome);
        }
        // Its errors are capped already.
        let response = limits::cap_size(response, self.limits.max_response_bytes);
        (response, outcome)
    }

    /// `finish` but for the size cap (its errors capped in number), which
    /// the caller applies as it serializes (`limits::response_json`
    /// with `max_response_bytes`).
    pub(crate) fn finish_unsized(
        &self,
        admitted: &Admitted,
        mut response: Response,
    ) -> (Response, Outcome) {
        if !phase::executed(&response) {
            return (response, Outcome::RequestError);
        }
        let doc = &admitted.document;
        if !response.errors.is_empty()
            && let Some(op) = phase::selected(doc, admitted.operation_name.as_deref())
        {
            super::field_errors::propagate(doc, op, &self.registry, &mut response);
        }
        let response = limits::cap_errors(response, self.limits.max_errors);
        (response, Outcome::Executed)
    }

    /// The most bytes of JSON one operation's response may take.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.limits.max_response_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: &ExecutableDocument) -> Result<(), ServerError> {
        Ok(())
    }

    #[test]
    fn a_document_is_parsed_once_while_kept_and_the_cache_stays_bounded() {
        let documents = Documents::new();
        let first = documents.get_or_parse("{ me { id } }", ok).unwrap();
        let again = documents.get_or_parse("{ me { id } }", ok).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "parsed again");
        for i in 0..DOCUMENTS {
            documents
                .get_or_parse(&format!("{{ a{i}: me {{ id }} }}"), ok)
                .unwrap();
        }
        assert_eq!(documents.0.lock().unwrap().len(), DOCUMENTS);
        let evicted = documents.get_or_parse("{ me { id } }", ok).unwrap();
        assert!(
            !Arc::ptr_eq(&first, &evicted),
            "the least recently used stays"
        );
    }

    #[test]
    fn long_texts_and_refused_documents_are_not_kept() {
        let documents = Documents::new();
        let long = format!("{{ me {{ id }} }} # {}", "x".repeat(DOCUMENT_BYTES));
        let a = documents.get_or_parse(&long, ok).unwrap();
        let b = documents.get_or_parse(&long, ok).unwrap();
        assert!(!Arc::ptr_eq(&a, &b), "a long text was kept");
        let refuse = |_: &ExecutableDocument| Err(ServerError::new("too deep", None));
        for _ in 0..2 {
            let refused = documents.get_or_parse("{ me { id email } }", refuse);
            assert_eq!(refused.unwrap_err().message, "too deep");
        }
        assert_eq!(documents.0.lock().unwrap().len(), 0);
    }
}
