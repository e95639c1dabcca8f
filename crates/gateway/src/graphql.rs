//! The GraphQL schema: objects, queries, mutations, guards and loaders.

mod account;
mod assistant_managers;
mod audit;
mod billing;
mod connection;
mod context;
mod cost;
mod dashboard;
mod enums;
mod field_errors;
mod guards;
mod invitation;
mod lead;
mod lifecycle;
mod live;
mod loaders;
mod member;
mod member_admin;
mod organization;
mod ownership;
mod query;
mod rate_limit;
mod removal;
mod user;
mod webhooks;
mod workspace;

use async_graphql::{MergedObject, Schema};

pub use context::Services;
pub(crate) use context::request_data;
pub(crate) use live::LiveConnection;

#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    organization::OrganizationMutation,
    workspace::WorkspaceMutation,
    invitation::InvitationMutation,
    member_admin::MemberAdminMutation,
    ownership::OwnershipMutation,
    lead::LeadMutation,
    assistant_managers::AssistantManagerMutation,
    removal::RemovalMutation,
    lifecycle::LifecycleMutation,
    billing::BillingMutation,
    webhooks::WebhookMutation,
);

pub type RosterSchema = Schema<query::Query, Mutation, live::Subscription>;

/// The schema with its services and limits.
pub fn build_schema(services: std::sync::Arc<Services>) -> RosterSchema {
    let limits = services.config.limits.clone();
    let mut builder = Schema::build(query::Query, Mutation::default(), live::Subscription)
        .data(services.clone())
        // First: nothing else may walk a document before its expansion is
        // known to be bounded.
        .extension(crate::limits::ExpansionLimit(limits.max_expanded_fields))
        // Not `limit_depth`: it counts introspection, and the standard
        // introspection query is deeper than any useful limit.
        .extension(crate::limits::DepthLimit(limits.max_depth))
        .limit_complexity(limits.max_complexity)
        .limit_directives(5)
        .extension(crate::limits::AliasLimit(limits.max_aliases))
        // Registered before `FieldErrors`, so that it wraps it and sees
        // the response after null propagation (which needs every error).
        .extension(crate::limits::ResponseLimit {
            max_bytes: limits.max_response_bytes,
            max_errors: limits.max_errors,
        })
        .extension(field_errors::FieldErrors)
        // Tells the HTTP layer whether an operation reached execution.
        .extension(crate::http::PhaseTracking);
    if !services.config.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL of the schema (what `roster schema` prints).
pub fn sdl() -> String {
    Schema::build(query::Query, Mutation::default(), live::Subscription)
        .finish()
        .sdl()
}
