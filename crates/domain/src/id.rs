//! Identifiers: UUID v7 (time-ordered) made by the application, one type per
//! kind of thing so a user id can never be passed where an org id belongs.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::DomainError;
            /// Parses an id given by a client; a malformed one is `NOT_FOUND`
            /// (no such object), not a hint about the id format.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| crate::DomainError::NotFound)
            }
        }
    };
}

id_type!(/// A user account.
    UserId);
id_type!(/// An organization.
    OrgId);
id_type!(/// A membership: one user in one organization.
    MemberId);
id_type!(/// A log-in session (the family of its rotating refresh tokens).
    SessionId);
id_type!(/// A workspace ("space") of an organization.
    WorkspaceId);
id_type!(/// A sales assistant of an organization.
    AssistantId);
id_type!(/// An invitation to join an organization.
    InvitationId);
id_type!(/// A lead (a contact) of an organization.
    LeadId);
id_type!(/// A background job a caller may poll (a lead reassignment).
    JobId);
id_type!(/// A line of an organization's billing ledger.
    InvoiceId);
id_type!(/// A webhook endpoint of an organization.
    WebhookEndpointId);
id_type!(/// A link mailed to an account's own address (a password reset).
    EmailLinkId);
