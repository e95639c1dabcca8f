//! The GraphQL schema: objects, queries, mutations, guards and loaders.
//! Only the engine (`crate::engine`) runs it, under its loader's `drive`;
//! nothing here knows the engine or HTTP.

mod account;
mod allowed;
mod assistant_managers;
mod audit;
mod billing;
mod connection;
mod context;
mod cost;
mod dashboard;
mod enums;
mod guards;
mod invitation;
mod lead;
mod lifecycle;
mod live;
mod loaders;
mod log_in_attempt;
mod member;
mod member_admin;
mod memberships;
mod organization;
mod ownership;
mod password_reset;
mod query;
mod rate_limit;
mod removal;
mod user;
mod verification;
mod webhooks;
mod workspace;

use async_graphql::registry::Registry;
use async_graphql::{MergedObject, OutputType, Schema, SubscriptionType};

pub use context::Services;
pub(crate) use context::{Loader, request_data};
pub(crate) use live::LiveConnection;

#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    password_reset::PasswordResetMutation,
    verification::VerificationMutation,
    organization::OrganizationMutation,
    workspace::WorkspaceMutation,
    invitation::InvitationMutation,
    invitation::ReceivedInvitationMutation,
    member_admin::MemberAdminMutation,
    ownership::OwnershipMutation,
    lead::LeadMutation,
    assistant_managers::AssistantManagerMutation,
    removal::RemovalMutation,
    lifecycle::LifecycleMutation,
    billing::BillingMutation,
    webhooks::WebhookMutation,
);

pub(crate) type RosterSchema = Schema<query::Query, Mutation, live::Subscription>;

/// The schema with its services and the limits async-graphql enforces
/// itself (complexity, directives). The rest run around it, in the engine
/// (`crate::engine`): the schema has no extension, since any extension
/// wraps every field it resolves in a chain of boxed futures, and would
/// not see the fields answered inline (`crate::resolve::inline`).
pub(crate) fn build_schema(services: std::sync::Arc<Services>) -> RosterSchema {
    let limits = services.config.limits.clone();
    // Not `limit_depth`: it counts introspection, and the standard
    // introspection query is deeper than any useful limit (`engine::limits::depth`).
    let mut builder = Schema::build(query::Query, Mutation::default(), live::Subscription)
        .data(services.clone())
        .limit_complexity(limits.max_complexity)
        .limit_directives(5);
    if !services.config.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema's types, as the checks around it read them (async-graphql
/// keeps its schema's registry to itself). Introspection's root fields
/// (`__schema`, `__type`) are not in it.
pub(crate) fn registry() -> Registry {
    let mut registry = Registry {
        query_type: query::Query::type_name().into_owned(),
        mutation_type: Some(Mutation::type_name().into_owned()),
        subscription_type: Some(live::Subscription::type_name().into_owned()),
        ..Registry::default()
    };
    query::Query::create_type_info(&mut registry);
    Mutation::create_type_info(&mut registry);
    <live::Subscription as SubscriptionType>::create_type_info(&mut registry);
    registry
}

/// The SDL of the schema (what `roster schema` prints).
pub fn sdl() -> String {
    Schema::build(query::Query, Mutation::default(), live::Subscription)
        .finish()
        .sdl()
}
