//! Bulk set-up of the large-organization bench, in SQL both databases
//! speak: accounts by a recursive sequence, then memberships, places,
//! leads and audit events numbered through a scratch table `bench_n`
//! (`n` its primary key, so joins on a computed `n` are index lookups).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_store::Database;
use roster_tests::{Session, TestApp};
use uuid::Uuid;

use super::Org;

/// Runs one statement with its binds on whichever pool `db` holds
/// (`roster_tests::on_pool!`).
macro_rules! run {
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {{
        let sql: String = $sql;
        roster_tests::on_pool!($db, |pool| sqlx::query(sqlx::AssertSqlSafe(sql))$(.bind($bind))*.execute(pool))
            .expect("bench seed statement")
    }};
}

/// The sizes of one organization (and, for BIG, of everything beside it).
pub struct Sizes {
    pub active: usize,
    pub blocked: usize,
    pub invited: usize,
    pub leads: usize,
    pub audit_events: usize,
    /// Accounts that belong to no organization of the bench.
    pub other_accounts: usize,
    pub other_orgs: usize,
}

impl Sizes {
    /// The figures for `big` = 200,000, scaled with it.
    pub fn scaled(big: usize) -> Self {
        Self {
            active: big,
            blocked: big / 200,
            invited: big / 10,
            leads: big * 10,
            audit_events: big * 10,
            other_accounts: (big * 5).saturating_sub(big + big / 200 + big / 10),
            other_orgs: (big / 200).max(1),
        }
    }

    /// SMALL: 100 members (the owner and 99), 10 leads and events each.
    pub fn small(&self) -> Self {
        Self {
            active: 99,
            blocked: 0,
            invited: 0,
            leads: 1000,
            audit_events: 1000,
            other_accounts: 0,
            other_orgs: 0,
        }
    }
}

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BIG: {} ACTIVE, {} BLOCKED, {} INVITED, {} leads, {} audit events; \
             {} other accounts, {} other organizations",
            self.active,
            self.blocked,
            self.invited,
            self.leads,
            self.audit_events,
            self.other_accounts,
            self.other_orgs
        )
    }
}

fn new_id(db: &Database) -> &'static str {
    match db {
        Database::Sqlite(_) => "randomblob(16)",
        Database::Postgres(_) => "gen_random_uuid()",
    }
}

/// `n` accounts `{tag}-{i}@example.com`, named `Member {tag} {i}`.
async fn accounts(app: &TestApp, tag: &str, n: usize) {
    if n == 0 {
        return;
    }
    let id = new_id(&app.db);
    run!(
        &app.db,
        format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) \
             insert into app_user (id, email, email_normalized, display_name, created_at, updated_at) \
             select {id}, $1 || '-' || i || '@example.com', $1 || '-' || i || '@example.com', \
             'Member ' || $1 || ' ' || i, $2, $2 from seq"
        ),
        tag,
        app.now(),
    );
}

/// Numbers `tag`'s accounts 1.. in `bench_n`, replacing what it held.
async fn number(app: &TestApp, tag: &str) {
    run!(&app.db, "delete from bench_n".to_owned());
    run!(
        &app.db,
        "insert into bench_n (n, user_id) select row_number() over (order by id), id \
         from app_user where email like $1"
            .to_owned(),
        format!("{tag}-%"),
    );
}

/// An organization made through the API (its owner `ada`), filled in bulk.
pub async fn organization(app: &TestApp, ada: &Session, name: &str, sizes: &Sizes) -> Org {
    let org = app.create_org(ada, name).await;
    plan(app, &[&org], "ENTERPRISE").await;
    let (db, oid, now, id) = (
        &app.db,
        Uuid::parse_str(&org).expect("uuid"),
        app.now(),
        new_id(&app.db),
    );
    run!(
        db,
        "create table if not exists bench_n (n integer primary key, user_id uuid not null)"
            .to_owned()
    );
    let tag = name.to_lowercase();
    let members = sizes.active + sizes.blocked + sizes.invited;
    accounts(app, &tag, members).await;
    number(app, &tag).await;
    let (a, b) = (sizes.active, sizes.active + sizes.blocked);
    run!(
        db,
        format!(
            "insert into membership (id, organization_id, user_id, role, status, joined_at, \
             last_active_at, created_at, updated_at) select {id}, $1, user_id, \
             case when n = 1 then 'ADMIN' else 'MEMBER' end, \
             case when n <= {a} then 'ACTIVE' when n <= {b} then 'BLOCKED' else 'INVITED' end, \
             case when n <= {b} then $2 end, case when n <= {b} then $2 end, $2, $2 from bench_n"
        ),
        oid,
        now,
    );
    run!(
        db,
        format!(
            "insert into invitation (id, organization_id, user_id, email, role, status, delivery, \
             sent_count, expires_at, created_at, updated_at) select {id}, $1, u.id, u.email, 'MEMBER', \
             'PENDING', 'LINK', 1, $3, $2, $2 from membership m join app_user u on u.id = m.user_id \
             where m.organization_id = $1 and m.status = 'INVITED'"
        ),
        oid,
        now,
        now + chrono::Duration::days(365),
    );
    places(app, oid).await;
    leads_and_events(app, oid, sizes).await;
    // The first numbered member is an ADMIN besides the owner; the deep
    // cursor points at the member halfway down (at most the 100,000th).
    let admin = user_of(app, 1).await;
    let half = (members / 2).clamp(1, 100_000);
    let deep = membership_at(app, oid, half).await;
    Org {
        id: org,
        admin: admin.to_string(),
        deep_cursor: URL_SAFE_NO_PAD.encode(format!("member:{deep}")),
    }
}

/// 20 workspaces and 10 assistants; member `n` in workspaces `n % 20` and
/// `(n + 7) % 20`, and in assistant `n % 10`.
async fn places(app: &TestApp, org: Uuid) {
    let (db, now) = (&app.db, app.now());
    run!(
        db,
        "create table if not exists bench_place (k integer primary key, id uuid not null)"
            .to_owned()
    );
    for (table, count, link, column, shifts) in [
        (
            "workspace",
            20,
            "member_workspace",
            "workspace_id",
            &[0, 7][..],
        ),
        ("assistant", 10, "assistant_user", "assistant_id", &[0][..]),
    ] {
        run!(db, "delete from bench_place".to_owned());
        for k in 0..count {
            let id = Uuid::now_v7();
            run!(
                db,
                format!(
                    "insert into {table} (id, organization_id, name, created_at, updated_at) values ($1, $2, $3, $4, $4)"
                ),
                id,
                org,
                format!("{table} {k}"),
                now,
            );
            run!(
                db,
                "insert into bench_place (k, id) values ($1, $2)".to_owned(),
                k as i64,
                id
            );
        }
        for shift in shifts {
            run!(
                db,
                format!(
                    "insert into {link} (membership_id, {column}) select m.id, p.id from \
                     (select id, row_number() over (order by id) as n from membership where organization_id = $1) m \
                     join bench_place p on p.k = (m.n + {shift}) % {count}"
                ),
                org,
            );
        }
    }
}

/// Leads owned by the ACTIVE members in turn (each tenth on an assistant),
/// and audit events about them.
async fn leads_and_events(app: &TestApp, org: Uuid, sizes: &Sizes) {
    let (db, now, id, active) = (&app.db, app.now(), new_id(&app.db), sizes.active);
    let seq = |n: usize| {
        format!(
            "with recursive seq(i) as (select 1 union all select i + 1 from seq where i < {n}) "
        )
    };
    run!(
        db,
        format!(
            "{}insert into lead (id, organization_id, name, status, owner_id, assistant_id, created_at, updated_at) \
             select {id}, $1, 'Lead ' || i, 'NEW', b.user_id, p.id, $2, $2 from seq \
             join bench_n b on b.n = (i % {active}) + 1 left join bench_place p on p.k = i % 100",
            seq(sizes.leads)
        ),
        org,
        now,
    );
    run!(
        db,
        format!(
            "{}insert into audit_event (id, organization_id, actor_id, action, target_user_id, detail, at) \
             select {id}, $1, null, 'member.role_changed', b.user_id, '{{}}', $2 from seq \
             join bench_n b on b.n = (i % {active}) + 1",
            seq(sizes.audit_events)
        ),
        org,
        now,
    );
}

/// The other organizations, each with its owner only, and the accounts
/// that belong to none of the bench's organizations.
pub async fn others(app: &TestApp, sizes: &Sizes) {
    accounts(app, "other", sizes.other_accounts).await;
    let olga = app.sign_up("olga@example.com", "Olga").await;
    for i in 0..sizes.other_orgs {
        app.create_org(&olga, &format!("Other {i}")).await;
    }
}

/// Refreshes the planner's statistics after the bulk load, as a real
/// deployment's autovacuum (PostgreSQL) or the `pragma optimize` its pooled
/// SQLite connections run as they close (crates/store/src/lib.rs) would
/// have by the time such an organization is read: without them the
/// planners cost BIG's tables as the empty ones of the migrations.
pub async fn analyze(app: &TestApp) {
    match &app.db {
        Database::Sqlite(_) => {
            run!(&app.db, "analyze".to_owned());
            run!(&app.db, "pragma optimize".to_owned());
        }
        Database::Postgres(_) => run!(&app.db, "analyze".to_owned()),
    }
}

/// Sets `orgs`' plan directly (the API refuses a plan smaller than the
/// seats in use, which is the state the seat check is measured in).
pub async fn plan(app: &TestApp, orgs: &[&str], plan: &str) {
    for org in orgs {
        let org = Uuid::parse_str(org).expect("uuid");
        run!(
            &app.db,
            "update organization set plan = $1 where id = $2".to_owned(),
            plan,
            org
        );
    }
}

async fn user_of(app: &TestApp, n: i64) -> Uuid {
    scalar(app, "select user_id from bench_n where n = $1", n).await
}

async fn membership_at(app: &TestApp, org: Uuid, n: usize) -> Uuid {
    let sql = "select id from membership where organization_id = $1 order by id limit 1 offset $2";
    match &app.db {
        Database::Sqlite(pool) => {
            sqlx::query_scalar(sql)
                .bind(org)
                .bind(n as i64)
                .fetch_one(pool)
                .await
        }
        Database::Postgres(pool) => {
            sqlx::query_scalar(sql)
                .bind(org)
                .bind(n as i64)
                .fetch_one(pool)
                .await
        }
    }
    .expect("membership at")
}

async fn scalar(app: &TestApp, sql: &'static str, n: i64) -> Uuid {
    match &app.db {
        Database::Sqlite(pool) => sqlx::query_scalar(sql).bind(n).fetch_one(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar(sql).bind(n).fetch_one(pool).await,
    }
    .expect("scalar")
}
