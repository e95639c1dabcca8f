-- The member list's `search:` on the memberships (docs/operations/performance.md,
-- "Large organizations"): each membership keeps its account's searchable
-- text (its lowercased display name and its normalized email, a line
-- apart) in a trigram index, so that a search rechecks the memberships
-- holding the fragment's trigrams, each by its own row, rather than every
-- account holding them and then, one by one, its membership in the
-- organization (0020's indexes, dropped below). Not `gin (organization_id,
-- search)` with `btree_gin`: that index reads the organization's whole
-- list of rows on each search (measured: 1 ms at 221,000 members, against
-- 0.1 ms for the trigrams alone). Triggers keep the text in step with the
-- account.
alter table membership add column search text not null default '';

update membership m set search = lower(u.display_name) || E'\n' || u.email_normalized
from app_user u where u.id = m.user_id;

create function membership_search_text() returns trigger language plpgsql as $$
begin
    select lower(u.display_name) || E'\n' || u.email_normalized into new.search
    from app_user u where u.id = new.user_id;
    return new;
end $$;

create trigger membership_search_on_write before insert or update of user_id on membership
for each row execute function membership_search_text();

create function app_user_search_moved() returns trigger language plpgsql as $$
begin
    update membership set search = lower(new.display_name) || E'\n' || new.email_normalized
    where user_id = new.id;
    return null;
end $$;

create trigger app_user_search_on_update after update of display_name, email_normalized on app_user
for each row when (old.display_name is distinct from new.display_name
    or old.email_normalized is distinct from new.email_normalized)
execute function app_user_search_moved();

create index membership_search_idx on membership using gin (search gin_trgm_ops)
    with (fastupdate = off);

drop index app_user_display_name_trgm_idx;
drop index app_user_email_trgm_idx;
