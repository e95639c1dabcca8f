-- The member list's `search:` through trigram indexes: any three
-- consecutive characters of a display name or an email find the account
-- without reading the others (docs/operations/performance.md, "Large
-- organizations"). pg_trgm is a trusted extension: the database's owner
-- may create it. `fastupdate = off`: a new account goes into the index at
-- once, not into a pending list that every search reads until vacuum
-- merges it (measured: 0.75 ms after vacuum, 3.8 ms with 100,000 accounts
-- pending).
create extension if not exists pg_trgm;
create index app_user_display_name_trgm_idx on app_user using gin (lower(display_name) gin_trgm_ops)
    with (fastupdate = off);
create index app_user_email_trgm_idx on app_user using gin (email_normalized gin_trgm_ops)
    with (fastupdate = off);
