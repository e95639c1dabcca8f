//! The store's conformance tier: what every backend must keep, checked
//! through the domain's `Store` port alone (`Database::connect`,
//! `Database::store` and the port's methods), on SQLite and, where
//! `ROSTER_TEST_POSTGRES_URL` is set, on PostgreSQL, each test in a
//! database of its own. The product rules are docs/rules.md; the job
//! outbox is docs/architecture.md's "The job outbox". The end-to-end tests
//! (`tests/api/`) check the same rules through HTTP; these pin them to the
//! port, so that a change behind it is held to them directly.

mod email_keys;
mod invariants;
mod outbox;
mod pool;
mod signing_keys;
mod support;
