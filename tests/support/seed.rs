//! Set-up straight in the database, for states whose way in through the
//! API is tested elsewhere (or does not exist): members, users,
//! organizations in bulk, statuses, and reads of what the API does not
//! show (queued jobs, counts). Assertions still go through the API.

use serde_json::json;
use uuid::Uuid;

use roster_store::Database;

use crate::{Session, TestApp, uuid};

impl TestApp {
    /// Adds `user` to `org` with a role and status, straight in the
    /// database: the set-up for rules whose way in (invitations) is built
    /// elsewhere. Assertions still go through the API.
    pub async fn seed_membership(&self, org: &str, user: &str, role: &str, status: &str) {
        let sql = "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, \
                   created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6, $6, $6)";
        let (id, org, user, now) = (Uuid::now_v7(), uuid(org), uuid(user), self.now());
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(id)
            .bind(org)
            .bind(user)
            .bind(role)
            .bind(status)
            .bind(now)
            .execute(pool))
        .expect("seed membership");
    }

    /// Adds a user without a password (it cannot log in): bulk set-up.
    pub async fn seed_user(&self, email: &str, name: &str) -> String {
        let sql = "insert into app_user (id, email, email_normalized, display_name, created_at, updated_at) \
                   values ($1, $2, $3, $4, $5, $5)";
        let (id, now) = (Uuid::now_v7(), self.now());
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(id)
            .bind(email)
            .bind(email.to_lowercase())
            .bind(name)
            .bind(now)
            .execute(pool))
        .expect("seed user");
        id.to_string()
    }

    /// Makes `n` organizations ("Seeded 1" ...) owned by `owner`, an ACTIVE
    /// ADMIN of each, with `member` ACTIVE in each as `role` when given: bulk
    /// set-up in three statements, whatever `n`.
    pub async fn seed_organizations(&self, n: usize, owner: &str, member: Option<(&str, &str)>) {
        let new_id = match self.db {
            Database::Sqlite(_) => "randomblob(16)",
            Database::Postgres(_) => "gen_random_uuid()",
        };
        let orgs = format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) \
             insert into organization (id, name, owner_id, created_at, updated_at) \
             select {new_id}, 'Seeded ' || i, $1, $2, $2 from seq"
        );
        let now = self.now();
        on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
            orgs.clone()
        ))
        .bind(uuid(owner))
        .bind(now)
        .execute(pool))
        .expect("seed organizations");
        let members = format!(
            "insert into membership (id, organization_id, user_id, role, status, joined_at, last_active_at, \
             created_at, updated_at) select {new_id}, id, $1, $2, 'ACTIVE', $3, $3, $3, $3 \
             from organization where owner_id = $4 and name like 'Seeded %'"
        );
        for (user, role) in std::iter::once((owner, "ADMIN")).chain(member) {
            on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                members.clone()
            ))
            .bind(uuid(user))
            .bind(role)
            .bind(now)
            .bind(uuid(owner))
            .execute(pool))
            .expect("seed memberships");
        }
    }

    /// Jobs in the queue but the sign-ups' verification emails, whatever
    /// their state (SQLite's `Jobs` table,
    /// PostgreSQL's `apalis.jobs`).
    pub async fn queued_jobs(&self) -> i64 {
        match &self.db {
            Database::Sqlite(pool) => {
                sqlx::query_scalar(
                    "select count(*) from Jobs where job_type <> 'verification-email'",
                )
                .fetch_one(pool)
                .await
            }
            Database::Postgres(pool) => {
                sqlx::query_scalar(
                    "select count(*) from apalis.jobs where job_type <> 'verification-email'",
                )
                .fetch_one(pool)
                .await
            }
        }
        .expect("count jobs")
    }

    /// Runs SQL against the app's database (for breaking it on purpose).
    pub async fn execute_sql(&self, sql: &'static str) {
        on_pool!(&self.db, |pool| sqlx::query(sql).execute(pool)).expect("sql");
    }

    /// One integer that `sql` selects from the app's database: for checks
    /// whose API is not built yet (the audit log).
    pub async fn count_sql(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.db {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count")
    }

    /// Checks that every organization's member counters (migration 0019,
    /// which seats, active ADMINs and `totalCount` read) equal the count of
    /// its memberships by role and status.
    pub async fn assert_member_counts_exact(&self) {
        let counted = "select organization_id, role, status, count(*) as n from membership \
                       group by organization_id, role, status";
        let kept = "select organization_id, role, status, n from member_count where n <> 0";
        let sql = format!(
            "select (select count(*) from ({counted} except {kept}) a) \
             + (select count(*) from ({kept} except {counted}) b)"
        );
        assert_eq!(
            self.count_sql(&sql).await,
            0,
            "member counters differ from the memberships"
        );
    }

    /// Sets `org`'s invitation delivery (and optionally its lifetime).
    pub async fn set_delivery(
        &self,
        admin: &Session,
        org: &str,
        delivery: &str,
        ttl_hours: Option<i32>,
    ) {
        self.ok(
            Some(&admin.access),
            "mutation($o: ID!, $d: InvitationDelivery, $t: Int) { updateOrganization(id: $o, \
             input: { invitationDelivery: $d, invitationTtlHours: $t }) { id } }",
            json!({ "o": org, "d": delivery, "t": ttl_hours }),
        )
        .await;
    }

    /// Sets the status of `user`'s membership in `org`, straight in the
    /// database: for states the API cannot reach (an owner who is no
    /// longer an ACTIVE ADMIN), so that rules behind it can be tested.
    pub async fn set_membership_status(&self, org: &str, user: &str, status: &str) {
        let sql = "update membership set status = $3 where organization_id = $1 and user_id = $2";
        on_pool!(&self.db, |pool| sqlx::query(sql)
            .bind(uuid(org))
            .bind(uuid(user))
            .bind(status)
            .execute(pool))
        .expect("set membership status");
    }
}
