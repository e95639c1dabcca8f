-- Live membership events (issue 9): every audit event is also appended
-- here, in its own transaction. `seq` is assigned under SQLite's single
-- write lock, so its order is commit order, and AUTOINCREMENT never reuses
-- a number: the gateway's feed polls `seq > cursor` and misses nothing.
-- A rolled-back change leaves no row. The feed prunes old rows.
create table live_event (
    seq integer primary key autoincrement,
    audit_event_id blob not null
);
