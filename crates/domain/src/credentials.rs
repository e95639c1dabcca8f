//! What a password presented at log-in or at a password change is checked
//! against: the account's own password, and while the account is an
//! invitee's placeholder, the one-time password of each of its usable
//! TEMPORARY_PASSWORD invitations (rules.md §3: each invitation's one-time
//! password is its own).

use crate::InvitationId;
use crate::model::User;
use crate::token::TokenHash;

/// A user with the hashes of what logs it in, for log-in and password
/// changes only.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    /// The argon2 hash of the password its owner chose; none while it is
    /// an invitee's placeholder.
    pub password_hash: Option<String>,
    /// While it is a placeholder: the one-time passwords of its PENDING,
    /// unexpired TEMPORARY_PASSWORD invitations.
    pub one_time: Vec<OneTimePassword>,
}

/// One invitation send's one-time password: 144 random bits, so kept as
/// SHA-256 like a link token (docs/api/invitations.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTimePassword {
    pub invitation: InvitationId,
    pub hash: TokenHash,
}

/// Which secret a presented password turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordProof {
    /// The password the account's owner chose.
    Own,
    /// The one-time password of this invitation: it proves the mailbox,
    /// and changing it accepts that invitation (and no other).
    OneTime(OneTimePassword),
}

impl Credentials {
    /// The one-time password `presented` is, if any. Every candidate is
    /// compared, each in constant time, whatever matched before.
    pub fn one_time_match(&self, presented: &str) -> Option<&OneTimePassword> {
        let presented = TokenHash::of(presented);
        self.one_time
            .iter()
            .fold(None, |found, candidate| match found {
                None if candidate.hash == presented => Some(candidate),
                _ => found,
            })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::UserId;

    fn credentials(one_time: &[(&str, InvitationId)]) -> Credentials {
        Credentials {
            user: User {
                id: UserId::new(),
                email: "tina@example.com".into(),
                display_name: "tina".into(),
                must_change_password: true,
                email_verified: false,
                created_at: Utc::now(),
            },
            password_hash: None,
            one_time: one_time
                .iter()
                .map(|(secret, invitation)| OneTimePassword {
                    invitation: *invitation,
                    hash: TokenHash::of(secret),
                })
                .collect(),
        }
    }

    #[test]
    fn each_one_time_password_names_its_own_invitation() {
        let (acme, evil) = (InvitationId::new(), InvitationId::new());
        let c = credentials(&[("acme-secret", acme), ("evil-secret", evil)]);
        assert_eq!(
            c.one_time_match("acme-secret").map(|o| o.invitation),
            Some(acme)
        );
        assert_eq!(
            c.one_time_match("evil-secret").map(|o| o.invitation),
            Some(evil)
        );
        assert_eq!(c.one_time_match("guess"), None);
        assert_eq!(c.one_time_match(""), None);
    }

    #[test]
    fn no_candidates_match_nothing() {
        assert_eq!(credentials(&[]).one_time_match("anything"), None);
    }
}
