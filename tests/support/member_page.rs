//! The member page of docs/operations/performance.md and its set-up in bulk: an organization's
//! members, each in two workspaces and one assistant (the statement-count
//! test and the benches share them).

use uuid::Uuid;

use roster_store::Database;
use serde_json::{Value, json};

use crate::{TestApp, uuid};

/// The page measured: every member's user, workspaces and assistants.
pub const MEMBER_PAGE: &str = "query($id: ID!, $first: Int) { organization(id: $id) { \
    members(first: $first) { totalCount edges { node { role status lastActiveAt \
    user { id email displayName } workspaces { id name } assistants { id name } } } } } }";

impl TestApp {
    /// Adds `n` ACTIVE MEMBERs to `org` (users `{tag}-{i}@example.com`), and
    /// two workspaces and one assistant that every member of `org` (its
    /// owner too) is placed in: bulk set-up in eight statements, whatever `n`.
    pub async fn seed_member_page(&self, org: &str, n: usize, tag: &str) {
        let new_id = match self.db {
            Database::Sqlite(_) => "randomblob(16)",
            Database::Postgres(_) => "gen_random_uuid()",
        };
        let (org, now) = (uuid(org), self.now());
        let users = format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) \
             insert into app_user (id, email, email_normalized, display_name, created_at, updated_at) \
             select {new_id}, $1 || '-' || i || '@example.com', $1 || '-' || i || '@example.com', \
             'Member ' || i, $2, $2 from seq"
        );
        on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
            users.clone()
        ))
        .bind(tag)
        .bind(now)
        .execute(pool))
        .expect("seed users");
        let members = format!(
            "insert into membership (id, organization_id, user_id, role, status, joined_at, \
             last_active_at, created_at, updated_at) select {new_id}, $1, u.id, 'MEMBER', 'ACTIVE', \
             $2, $2, $2, $2 from app_user u where u.email like $3"
        );
        on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
            members.clone()
        ))
        .bind(org)
        .bind(now)
        .bind(format!("{tag}-%"))
        .execute(pool))
        .expect("seed memberships");
        for (table, name, link) in [
            ("workspace", "Space A", "member_workspace"),
            ("workspace", "Space B", "member_workspace"),
            ("assistant", "Assistant", "assistant_user"),
        ] {
            let id = Uuid::now_v7();
            let insert = format!(
                "insert into {table} (id, organization_id, name, created_at, updated_at) \
                 values ($1, $2, $3, $4, $4)"
            );
            on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                insert.clone()
            ))
            .bind(id)
            .bind(org)
            .bind(name)
            .bind(now)
            .execute(pool))
            .expect("seed place");
            let column = if table == "workspace" {
                "workspace_id"
            } else {
                "assistant_id"
            };
            let place = format!(
                "insert into {link} (membership_id, {column}) \
                 select m.id, $1 from membership m where m.organization_id = $2"
            );
            on_pool!(&self.db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                place.clone()
            ))
            .bind(id)
            .bind(org)
            .execute(pool))
            .expect("seed placement");
        }
    }
}

impl TestApp {
    /// Runs one GraphQL operation; the response's JSON text as sent, its
    /// keys in the order the server wrote them.
    pub async fn answer_text(&self, token: &str, query: &str, variables: Value) -> String {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, text) = self.post_text_via(&self.base, body, Some(token)).await;
        assert_eq!(status, 200, "{query}");
        text
    }
}
