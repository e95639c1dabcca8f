//! The domain's enums as GraphQL enums (same names, same values).

use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "OrgRole", remote = "roster_domain::OrgRole")]
pub enum OrgRole {
    Admin,
    BillingAdmin,
    UserAdmin,
    Member,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MemberStatus", remote = "roster_domain::MemberStatus")]
pub enum MemberStatus {
    Invited,
    Active,
    Blocked,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Plan", remote = "roster_domain::Plan")]
pub enum Plan {
    Basic,
    Pro,
    Enterprise,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "SubscriptionStatus",
    remote = "roster_domain::SubscriptionStatus"
)]
pub enum SubscriptionStatus {
    Active,
    Canceled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "InvitationDelivery",
    remote = "roster_domain::InvitationDelivery"
)]
pub enum InvitationDelivery {
    Link,
    TemporaryPassword,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "InvitationStatus", remote = "roster_domain::InvitationStatus")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Revoked,
    Expired,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "JobState", remote = "roster_domain::job::JobState")]
pub enum JobState {
    Pending,
    Running,
    Done,
    Failed,
}
