//! Leads and jobs for the removal tests: leads are seeded straight in the
//! database (in one statement, whatever their number), and a job is read
//! through the API once it has run.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Database, Session, TestApp, uuid};

pub const JOB: &str = "query($id: ID!) { job(id: $id) { id kind state done total } }";

impl TestApp {
    /// Adds `n` leads of `org` owned by `owner` (unassigned with `None`).
    pub async fn seed_leads(&self, org: &str, owner: Option<&str>, n: usize) {
        let new_id = match self.db {
            Database::Sqlite(_) => "randomblob(16)",
            Database::Postgres(_) => "gen_random_uuid()",
        };
        let sql = format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) \
             insert into lead (id, organization_id, name, owner_id, created_at, updated_at) \
             select {new_id}, $1, 'Lead ' || i, $2, $3, $3 from seq"
        );
        let sql = sqlx::AssertSqlSafe(sql);
        let (org, owner, now) = (uuid(org), owner.map(uuid), self.now());
        match &self.db {
            Database::Sqlite(pool) => sqlx::query(sql)
                .bind(org)
                .bind(owner)
                .bind(now)
                .execute(pool)
                .await
                .map(|_| ()),
            Database::Postgres(pool) => sqlx::query(sql)
                .bind(org)
                .bind(owner)
                .bind(now)
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .expect("seed leads");
    }

    /// Leads of `org` owned by `owner` (unassigned with `None`).
    pub async fn leads_of(&self, org: &str, owner: Option<&str>) -> i64 {
        let (org, owner) = (uuid(org), owner.map(uuid));
        let sql = "select count(*) from lead where organization_id = $1 and \
                   (owner_id = $2 or ($2 is null and owner_id is null))";
        match &self.db {
            Database::Sqlite(pool) => {
                sqlx::query_scalar(sql)
                    .bind(org)
                    .bind(owner)
                    .fetch_one(pool)
                    .await
            }
            Database::Postgres(pool) => {
                sqlx::query_scalar(sql)
                    .bind(org)
                    .bind(owner)
                    .fetch_one(pool)
                    .await
            }
        }
        .expect("count leads")
    }

    /// Tasks ever put on apalis's `queue`, whatever their state.
    pub async fn tasks_on(&self, queue: &str) -> i64 {
        match &self.db {
            Database::Sqlite(pool) => {
                sqlx::query_scalar("select count(*) from Jobs where job_type = $1")
                    .bind(queue)
                    .fetch_one(pool)
                    .await
            }
            Database::Postgres(pool) => {
                sqlx::query_scalar("select count(*) from apalis.jobs where job_type = $1")
                    .bind(queue)
                    .fetch_one(pool)
                    .await
            }
        }
        .expect("count tasks")
    }

    /// `job(id)` as `by` once the queued jobs have run
    /// (`run_pending_jobs`): DONE or FAILED.
    pub async fn finished_job(&self, by: &Session, id: &str) -> Value {
        self.run_pending_jobs().await;
        let job = self.ok(Some(&by.access), JOB, json!({ "id": id })).await["job"].clone();
        assert!(
            job["state"] == "DONE" || job["state"] == "FAILED",
            "job not finished once the queued jobs ran: {job}"
        );
        job
    }

    /// Polls `job(id)` as `by` until it is DONE or FAILED (at most
    /// `within`): for a worker of its own process, which the test cannot
    /// run to the end; the job.
    pub async fn job_finished(&self, by: &Session, id: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let job = self.ok(Some(&by.access), JOB, json!({ "id": id })).await["job"].clone();
            if job["state"] == "DONE" || job["state"] == "FAILED" {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job not finished in {within:?}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
