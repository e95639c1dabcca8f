//! Which secret a presented password is: the account's own, or one of its
//! invitations' one-time passwords (rules.md §3: each invitation's is its
//! own; docs/api/invitations.md).

use roster_domain::DomainError;
use roster_domain::model::{Credentials, PasswordProof};

use super::passwords::Passwords;

/// What `presented` proves for `credentials` (none for an unknown email).
///
/// Every call runs exactly one argon2 verification, against the account's
/// own password or, when it has none (unknown email, an invitee's
/// placeholder), against the dummy hash, so its time tells nothing about
/// the account. One-time passwords carry 144 random bits and are kept as
/// SHA-256: each candidate is compared in constant time, after.
pub async fn prove(
    passwords: &Passwords,
    presented: &str,
    credentials: Option<&Credentials>,
) -> Result<Option<PasswordProof>, DomainError> {
    let own = credentials.and_then(|c| c.password_hash.as_deref());
    if passwords.verify(presented, own).await? {
        return Ok(Some(PasswordProof::Own));
    }
    Ok(credentials
        .and_then(|c| c.one_time_match(presented))
        .map(|one_time| PasswordProof::OneTime(one_time.clone())))
}
