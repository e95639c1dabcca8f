-- Live membership events (issue 9): PostgreSQL needs no table. The
-- transaction that writes an audit event also runs
-- pg_notify('roster_events', <audit event id>), which PostgreSQL delivers
-- on commit, in commit order, and never for a rolled-back transaction.
comment on table audit_event is
    'Every row is also a live membership event: its id is sent with pg_notify(''roster_events'', id) in the same transaction.';
