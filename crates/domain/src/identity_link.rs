//! Accounts signed in by a trusted issuer's token: a product's own log-in
//! (docs/api/own-log-in.md, rules.md §1). An (issuer, `sub`) is linked to
//! one Roster account; on first use the link is made, and the rule below
//! decides to which account.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::User;
use crate::{DisplayName, Email, UserId};

/// The password hash of an account a trusted issuer's token created: no
/// argon2 hash, so no password ever verifies against it, and every check
/// of "has a password of its own" counts the account as its owner's (it
/// is no invitee's placeholder: `signUp` never claims it, an invitation
/// never gives it a one-time password).
pub const NO_ROSTER_PASSWORD: &str = "!issuer";

/// What a verified token of a trusted issuer says about its holder.
#[derive(Clone, Debug)]
pub struct ExternalIdentity {
    /// The token's `iss`, as the configuration lists it.
    pub issuer: String,
    /// The token's `sub`: the person at that issuer.
    pub subject: String,
    /// The token's email when the issuer says it is verified; `None` when
    /// it carries none, or says it is not verified.
    pub verified_email: Option<Email>,
    /// The name a new account gets.
    pub display_name: DisplayName,
}

/// Who holds the token's email in Roster, when (issuer, `sub`) has no link
/// yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressHolder {
    Nobody,
    /// An account whose owner proved the address.
    Verified(UserId),
    /// A placeholder made for an invitee: nobody chose a password for it
    /// (`signUp` claims such an account too).
    Placeholder(UserId),
    /// An account with a password of its own whose address was never
    /// proved: anyone could have signed up with it.
    Unverified(UserId),
}

/// What the first use of an (issuer, `sub`) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstUse {
    /// Link it to this existing account.
    Link(UserId),
    /// Create a new account with the token's (verified) email, linked to
    /// it; the placeholder holding the address, if any, is retired the way
    /// `signUp` retires one (its pending invitations go to the new account).
    Create { retire: Option<UserId> },
    /// The issuer proved the address an unverified account holds: that
    /// account is retired and a new one takes the address over (rules.md
    /// §1: an unverified account never blocks the address's real owner;
    /// docs/api/sessions.md "Taking an address over"). It is never handed
    /// to the token's holder, who would get whatever its creator set up.
    TakeOver,
    /// Link nothing, create nothing: the token is refused.
    Refuse(Refusal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The token carries no email its issuer calls verified.
    NoVerifiedEmail,
}

/// The rule of first use (rules.md §1): only a verified email links or
/// creates; an existing account is linked only when its owner proved the
/// address, never an unverified one.
pub fn first_use(verified_email: bool, holder: AddressHolder) -> FirstUse {
    if !verified_email {
        return FirstUse::Refuse(Refusal::NoVerifiedEmail);
    }
    match holder {
        AddressHolder::Nobody => FirstUse::Create { retire: None },
        AddressHolder::Verified(user) => FirstUse::Link(user),
        AddressHolder::Placeholder(user) => FirstUse::Create { retire: Some(user) },
        AddressHolder::Unverified(_) => FirstUse::TakeOver,
    }
}

/// The links between trusted issuers' subjects and Roster accounts.
#[async_trait::async_trait]
pub trait IdentityLinkStore: Send + Sync {
    /// The account linked to (`identity.issuer`, `identity.subject`); on
    /// first use, the one [`first_use`] decides, linked in the same
    /// transaction (a new account gets `new_user` as its id). `None`: the
    /// token is refused and nothing was written. Two first uses of the
    /// same subject at once make one account.
    async fn sign_in_with_issuer(
        &self,
        identity: &ExternalIdentity,
        new_user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<User>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId::new()
    }

    #[test]
    fn an_unverified_email_links_and_creates_nothing() {
        for holder in [
            AddressHolder::Nobody,
            AddressHolder::Verified(user()),
            AddressHolder::Placeholder(user()),
            AddressHolder::Unverified(user()),
        ] {
            assert_eq!(
                first_use(false, holder),
                FirstUse::Refuse(Refusal::NoVerifiedEmail)
            );
        }
    }

    #[test]
    fn a_verified_account_is_linked() {
        let ada = user();
        assert_eq!(
            first_use(true, AddressHolder::Verified(ada)),
            FirstUse::Link(ada)
        );
    }

    #[test]
    fn a_free_address_gets_a_new_account() {
        assert_eq!(
            first_use(true, AddressHolder::Nobody),
            FirstUse::Create { retire: None }
        );
    }

    #[test]
    fn an_invitees_placeholder_is_retired_for_a_new_account() {
        let placeholder = user();
        assert_eq!(
            first_use(true, AddressHolder::Placeholder(placeholder)),
            FirstUse::Create {
                retire: Some(placeholder)
            }
        );
    }

    #[test]
    fn an_unverified_account_is_taken_over_never_handed_over() {
        assert_eq!(
            first_use(true, AddressHolder::Unverified(user())),
            FirstUse::TakeOver
        );
    }
}
