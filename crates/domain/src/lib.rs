//! Roster's domain: typed values, roles, the permission table, the errors
//! every layer speaks, and the ports (store, clock) the adapters implement.
//!
//! No SQL, no GraphQL, no HTTP here: a rule change touches this crate only.

pub mod allowed;
pub mod audit;
pub mod billing;
pub mod clock;
pub mod credentials;
pub mod dashboard;
pub mod error;
pub mod id;
pub mod identity_link;
pub mod invitation;
pub mod job;
pub mod lead;
pub mod lifecycle;
pub mod live;
pub mod log_in_throttle;
pub mod member_admin;
pub mod member_page;
pub mod model;
pub mod notice;
pub mod org_claims;
pub mod ownership;
pub mod password;
pub mod password_reset;
pub mod permission;
pub mod rate_limit;
pub mod retention;
pub mod role;
pub mod signing_key;
pub mod standing;
pub mod store;
pub mod token;
pub mod value;
pub mod verification;
pub mod webhook;

pub use audit::{AuditAction, AuditChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{DomainError, ErrorCode};
pub use id::{
    AssistantId, EmailLinkId, InvitationId, InvoiceId, JobId, LeadId, MemberId, OrgId, SessionId,
    UserId, WebhookEndpointId, WorkspaceId,
};
pub use log_in_throttle::LogInThrottle;
pub use permission::{Action, Grant};
pub use rate_limit::{InviteLimits, RateKey, RatePolicy, RateScope};
pub use role::{
    InvitationDelivery, InvitationStatus, MemberStatus, OrgRole, Plan, SubscriptionStatus,
};
pub use store::{PoolUsage, Store};
pub use value::{
    DisplayName, Email, LeadCompany, LeadName, LeadStatus, OrgName, Password, ResourceName,
};
