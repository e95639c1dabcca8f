-- A deleted organization (rules.md §8): a soft delete. Nothing else of it
-- changes, so a restore within 30 days brings it back as it was; the
-- worker purges it (the row, and everything cascading from it) after that.
alter table organization add column deleted_at text;
alter table organization add column deleted_by blob references app_user (id);
-- The purge's scan and a user's list of what it may restore.
create index organization_deleted_idx on organization (deleted_at) where deleted_at is not null;
