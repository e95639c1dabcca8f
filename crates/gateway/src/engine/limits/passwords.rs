//! A bound on password hashing per request (rules.md §10): each field that
//! runs argon2 counts its hashes and verifications, fragments followed,
//! and one POST (a whole batch) may carry at most
//! `Limits::max_password_hashes` of them. Refused before anything runs, so
//! aliases and batches cannot turn one request into hundreds of hashes.

use async_graphql::parser::types::{ExecutableDocument, Field, OperationDefinition};

use super::measure::Measure;
use crate::engine::phase::refused;

/// The argon2 runs `field` asks for: `logIn` verifies, `signUp` hashes,
/// `changePassword` does both, `resetPassword` hashes, and
/// `acceptInvitation` hashes when given a password (for a new account).
fn hashes(field: &Field) -> Option<usize> {
    let given = |name: &str| field.arguments.iter().any(|(n, _)| n.node.as_str() == name);
    Some(match field.name.node.as_str() {
        "logIn" | "signUp" | "resetPassword" => 1,
        "changePassword" => 2,
        "acceptInvitation" if given("password") => 1,
        _ => 0,
    })
}

/// The password hashes and verifications operation `op` of `doc` asks for.
pub(crate) fn hashes_in(doc: &ExecutableDocument, op: &OperationDefinition) -> usize {
    Measure::new(doc, hashes, usize::saturating_add).set(&op.selection_set.node)
}

/// `VALIDATION` when `hashes` is past `max`.
pub(crate) fn check(hashes: usize, max: usize) -> Result<(), async_graphql::ServerError> {
    if hashes > max {
        return Err(refused(format!(
            "one request may check or set at most {max} passwords (logIn, signUp, \
             changePassword, resetPassword, acceptInvitation with a password)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn count(query: &str) -> usize {
        let doc = parse_query(query).unwrap();
        let (_, op) = doc.operations.iter().next().unwrap();
        hashes_in(&doc, &op.node)
    }

    #[test]
    fn fields_that_hash_count_through_aliases_and_fragments() {
        assert_eq!(
            count("mutation { logIn(email: \"a\", password: \"b\") { accessToken } }"),
            1
        );
        assert_eq!(
            count(
                "mutation { a: logIn(email: \"a\", password: \"b\") { accessToken } \
                   b: logIn(email: \"a\", password: \"b\") { accessToken } ...F } \
                   fragment F on Mutation { c: changePassword(currentPassword: \"a\", newPassword: \"b\") { accessToken } }"
            ),
            4
        );
        assert_eq!(
            count("mutation { acceptInvitation(token: \"t\") { accessToken } }"),
            0
        );
        assert_eq!(
            count(
                "mutation { acceptInvitation(token: \"t\", password: \"p\", displayName: \"n\") { accessToken } }"
            ),
            1
        );
        assert_eq!(count("{ me { id } }"), 0);
    }

    #[test]
    fn past_the_bound_is_refused() {
        assert!(check(2, 2).is_ok());
        assert!(check(3, 2).is_err());
    }
}
