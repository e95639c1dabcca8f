//! How long migrations 0018–0025 take on the bench's data set
//! (docs/operations/performance.md, "Large organizations"): once the reads
//! are measured, their objects are dropped and their rows removed from
//! `_roster_migrations`, and `Database::migrate` (what `roster migrate` and
//! every start run) applies them again; sqlx records each one's execution
//! time. Set `ROSTER_BENCH_MIGRATIONS=1` to run it.

use std::time::{Duration, Instant};

use roster_store::Database;
use roster_tests::TestApp;

/// What 0018–0025 created, dropped newest first.
const UNDO_SQLITE: &str = "
drop trigger member_search_on_insert;
drop trigger member_search_on_move;
drop trigger member_search_on_delete;
drop trigger member_search_on_organization_delete;
drop trigger member_search_on_account_update;
drop table member_search;
drop table store_fact;
drop index membership_user_page_idx;
drop trigger lead_counted_insert;
drop trigger lead_counted_delete;
drop trigger lead_counted_owner;
drop trigger lead_counted_assistant;
drop trigger audit_event_counted_insert;
drop trigger audit_event_counted_delete;
drop table lead_count;
drop table audit_event_count;
drop trigger member_count_on_insert;
drop trigger member_count_on_delete;
drop trigger member_count_on_update;
drop table member_count;
drop index membership_org_id_idx;
drop index membership_org_role_idx;
drop index membership_org_status_idx;
drop index membership_org_role_status_idx;
drop index invitation_org_pending_expiry_idx;
delete from _roster_migrations where version between 18 and 25;
";

const UNDO_POSTGRES: &str = "
drop index membership_search_idx;
drop trigger membership_search_on_write on membership;
drop trigger app_user_search_on_update on app_user;
drop function membership_search_text(), app_user_search_moved();
alter table membership drop column search;
drop table store_fact;
drop index membership_user_page_idx;
drop trigger lead_counted_insert on lead;
drop trigger lead_counted_delete on lead;
drop trigger lead_counted_update on lead;
drop trigger audit_event_counted_insert on audit_event;
drop trigger audit_event_counted_delete on audit_event;
drop function lead_counted_insert(), lead_counted_delete(), lead_counted_update(),
    audit_event_counted_insert(), audit_event_counted_delete();
drop table lead_count, audit_event_count;
drop trigger member_count_on_insert on membership;
drop trigger member_count_on_delete on membership;
drop trigger member_count_on_update on membership;
drop function member_count_added(), member_count_removed(), member_count_changed();
drop table member_count;
drop index membership_org_id_idx, membership_org_role_idx, membership_org_status_idx,
    membership_org_role_status_idx, invitation_org_pending_expiry_idx;
delete from _roster_migrations where version between 18 and 25;
";

/// What was timed: each of 0018–0025's `(version, description, time)`,
/// the whole `migrate` that applied them (which also recomputes every
/// account's email key, its version gone with 0024), and `migrate` again
/// with nothing new (what every later start runs).
pub struct Timed {
    pub each: Vec<(i64, String, Duration)>,
    pub whole: Duration,
    pub again: Duration,
}

pub async fn time(app: &TestApp) -> Timed {
    let undo = match &app.db {
        Database::Sqlite(_) => UNDO_SQLITE,
        Database::Postgres(_) => UNDO_POSTGRES,
    };
    roster_tests::on_pool!(&app.db, |pool| sqlx::raw_sql(undo).execute(pool))
        .expect("undo migrations 0018-0025");
    let started = Instant::now();
    app.db.migrate().await.expect("migrate");
    let whole = started.elapsed();
    let started = Instant::now();
    app.db.migrate().await.expect("migrate again");
    let again = started.elapsed();
    let sql = "select version, description, execution_time from _roster_migrations \
               where version between 18 and 25 order by version";
    let rows: Vec<(i64, String, i64)> = match &app.db {
        Database::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        Database::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("execution times");
    let each = rows
        .into_iter()
        .map(|(v, d, ns)| (v, d, Duration::from_nanos(ns.max(0) as u64)))
        .collect();
    Timed { each, whole, again }
}
