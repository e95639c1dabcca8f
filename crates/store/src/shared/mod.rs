//! The SQL both backends share, mounted by `sqlite.rs` and by
//! `postgres.rs` as their module `shared` and so compiled once for each.
//! The backend supplies two names, here and nowhere else: `Db`, its
//! `sqlx::Database`, and `BackendStore`, the store over it. Everything
//! the dialects do differently is an item of `crate::backend::Backend`,
//! which `Db` implements: shared code calls it as `Db::lock_organization`,
//! `Db::begin_write` and so on (see `backend.rs` for why this form).

pub(crate) use super::Db;

/// The store this copy of the shared SQL implements the port for.
pub(crate) type BackendStore = crate::SqlStore<Db>;

mod accounts;
mod assistant_managers;
mod assistants;
mod audit;
mod billing;
mod dashboard;
pub(super) mod email_keys;
pub(super) mod events;
mod health;
mod identity_links;
mod invitations;
mod jobs;
mod leads;
mod lifecycle;
mod member_admin;
mod member_list;
mod member_page;
mod members;
mod memberships_of_user;
mod notices;
mod organizations;
mod outbox;
mod ownership;
mod password_reset;
mod rate_limits;
mod removal;
mod retention;
mod rows;
mod signing_keys;
mod verification;
mod webhooks;
mod workspaces;
