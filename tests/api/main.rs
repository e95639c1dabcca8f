//! End-to-end tests through HTTP GraphQL, each on a fresh SQLite database
//! and, where `ROSTER_TEST_POSTGRES_URL` is set, a fresh PostgreSQL one.

mod accounts;
mod audit_log;
mod delivery;
mod docs;
mod field_errors;
mod ghost_accounts;
mod hardening;
mod introspection;
mod invitation_rules;
mod invitations;
mod member_admin;
mod member_admin_races;
mod members;
mod organizations;
mod over_http;
mod over_http_get;
mod playground;
mod query_cost;
mod races;
mod rate_limits;
mod resend;
mod schema;
mod send_retries;
mod sweep;
mod tokens;
mod workspaces;
