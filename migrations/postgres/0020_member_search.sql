-- The member list's `search:` through trigram indexes: any three
-- consecutive characters of a display name or an email find the account
-- without reading the others (docs/operations/performance.md, "Large
-- organizations"). pg_trgm is a trusted extension: the database's owner
-- may create it.
create extension if not exists pg_trgm;
create index app_user_display_name_trgm_idx on app_user using gin (lower(display_name) gin_trgm_ops);
create index app_user_email_trgm_idx on app_user using gin (email_normalized gin_trgm_ops);
