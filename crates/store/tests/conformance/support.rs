//! A fresh, migrated database per test with the job queue's tables, the
//! people a test needs made through the port, and one test per backend.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use roster_domain::invitation::{InvitationTargets, InviteOutcome, NewInvitation};
use roster_domain::model::{Membership, NewOrganization, NewUser};
use roster_domain::verification::NewVerificationLink;
use roster_domain::{
    DisplayName, DomainError, Email, InviteLimits, OrgId, OrgName, OrgRole, Store, UserId,
};
use roster_store::Database;

#[path = "../../../../tests/support/postgres.rs"]
mod postgres;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `$body` run with `$pool` bound to whichever pool `$db` holds: the same
/// sqlx code for both backends, written once.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            ::roster_store::Database::Sqlite($pool) => $body,
            ::roster_store::Database::Postgres($pool) => $body,
        }
    };
}

/// One test on SQLite and one on PostgreSQL for each async fn named,
/// which takes a [`Fixture`]: `name::sqlite`, `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => { $(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let fixture = $crate::support::Fixture::new($crate::support::Backend::Sqlite)
                    .await
                    .expect("SQLite always runs");
                super::$test(&fixture).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(fixture) = $crate::support::Fixture::new($crate::support::Backend::Postgres).await else {
                    eprintln!("skipped on PostgreSQL: ROSTER_TEST_POSTGRES_URL is not set");
                    return;
                };
                super::$test(&fixture).await;
            }
        }
    )* };
}

/// A database of the test's own and the store over it.
pub struct Fixture {
    pub db: Database,
    pub store: Arc<dyn Store>,
    pub now: DateTime<Utc>,
    _dir: tempfile::TempDir,
    _postgres: Option<postgres::PostgresDatabase>,
}

impl Fixture {
    /// `None` on PostgreSQL when `ROSTER_TEST_POSTGRES_URL` is unset.
    pub async fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("roster.db").display()),
                None,
            ),
            Backend::Postgres => {
                let pg = postgres::PostgresDatabase::create().await?;
                (pg.url.clone(), Some(pg))
            }
        };
        let db = Database::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        // The job queue's tables, as the worker makes them at start.
        match &db {
            Database::Sqlite(pool) => apalis_sqlite::SqliteStorage::<()>::setup(pool)
                .await
                .expect("queue tables"),
            Database::Postgres(pool) => apalis_postgres::PostgresStorage::<()>::setup(pool)
                .await
                .expect("queue tables"),
        }
        let store = db.store();
        Some(Self {
            db,
            store,
            now: Utc::now(),
            _dir: dir,
            _postgres: pg,
        })
    }

    /// A user who signed up as `email`.
    pub async fn user(&self, email: &str) -> UserId {
        let name = email.split('@').next().unwrap_or(email);
        let user = self
            .store
            .create_user(NewUser {
                id: UserId::new(),
                email: Email::parse(email).expect("email"),
                display_name: DisplayName::parse(name).expect("name"),
                password_hash: "not a hash: nobody logs in here".to_owned(),
                now: self.now,
                verification: NewVerificationLink::new(self.now),
            })
            .await
            .expect("create user");
        user.id
    }

    /// An organization of a new owner `email` (on the BASIC plan, ten
    /// seats); the organization and the owner's membership.
    pub async fn organization(&self, email: &str) -> (OrgId, Membership) {
        let owner = self.user(email).await;
        let org = self
            .store
            .create_organization(NewOrganization {
                id: OrgId::new(),
                name: OrgName::parse("Acme").expect("name"),
                owner,
                now: self.now,
                prices: Default::default(),
            })
            .await
            .expect("create organization");
        let membership = self.membership(org.id, owner).await;
        (org.id, membership)
    }

    /// `user`'s membership in `org`.
    pub async fn membership(&self, org: OrgId, user: UserId) -> Membership {
        let found = self
            .store
            .memberships_in(user, &[org])
            .await
            .expect("memberships");
        found.into_iter().next().expect("a membership")
    }

    /// `by` invites `email` into its organization as a MEMBER.
    pub async fn invite(&self, by: &Membership, email: &str) -> Result<InviteOutcome, DomainError> {
        self.store
            .invite_member(NewInvitation {
                org: by.org_id,
                inviter: by.clone(),
                email: Email::parse(email).expect("email"),
                role: OrgRole::Member,
                targets: InvitationTargets::default(),
                limits: InviteLimits::unlimited(),
                now: self.now,
            })
            .await
    }

    /// Seats in use in `org`.
    pub async fn seats(&self, org: OrgId) -> i64 {
        let used = self.store.seats_used(&[org]).await.expect("seats");
        used.into_iter()
            .find(|(o, _)| *o == org)
            .map_or(0, |(_, n)| n)
    }

    /// Runs `sql` on the database (to make a write fail on purpose).
    pub async fn execute(&self, sql: String) {
        let statement = sqlx::AssertSqlSafe(sql.clone());
        crate::on_pool!(&self.db, |pool| sqlx::query(statement)
            .execute(pool)
            .await
            .map(drop))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
