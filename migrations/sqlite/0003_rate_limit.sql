-- Rate limits: one fixed-window counter per key, shared by every gateway.
-- The key is a scope and the SHA-256 of its subject (an email, an address,
-- a user id), never the subject itself. `window_start` is in seconds since
-- the epoch; a hit in a later window replaces the count.
create table rate_limit (
    key text primary key,
    window_start bigint not null,
    hits integer not null
);
-- For purging counters whose window is long over.
create index rate_limit_window_idx on rate_limit (window_start);
