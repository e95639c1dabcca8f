//! End-to-end tests through HTTP GraphQL, each on a fresh SQLite database
//! and, where `ROSTER_TEST_POSTGRES_URL` is set, a fresh PostgreSQL one.

mod accounts;
mod delivery;
mod docs;
mod hardening;
mod invitation_rules;
mod invitations;
mod members;
mod organizations;
mod races;
mod rate_limits;
mod schema;
mod tokens;
mod workspaces;
