-- The member list's `search:` per organization (docs/operations/performance.md,
-- "Large organizations"): an FTS5 trigram index over each membership's
-- account, in place of 0020's index over every account. It holds no copy
-- of the text (`content = ''`). A row's rowid is its organization's rowid
-- in the high 32 bits and its membership's rowid in the low 32, so that
-- one organization's rows are one rowid range, which FTS5 seeks into: a
-- search reads that organization's matches only, however many accounts
-- elsewhere share the fragment. Triggers keep it in step.
create virtual table member_search using fts5(
    display_name, email_normalized, content = '', contentless_delete = 1, tokenize = 'trigram'
);

insert into member_search (rowid, display_name, email_normalized)
select (o.rowid << 32) | m.rowid, u.display_name, u.email_normalized
from membership m join organization o on o.id = m.organization_id join app_user u on u.id = m.user_id;

create trigger member_search_on_insert after insert on membership
begin
    insert into member_search (rowid, display_name, email_normalized)
    select (o.rowid << 32) | new.rowid, u.display_name, u.email_normalized
    from organization o, app_user u where o.id = new.organization_id and u.id = new.user_id;
end;

create trigger member_search_on_move after update of organization_id, user_id on membership
begin
    delete from member_search where rowid =
        (select (o.rowid << 32) | old.rowid from organization o where o.id = old.organization_id);
    insert into member_search (rowid, display_name, email_normalized)
    select (o.rowid << 32) | new.rowid, u.display_name, u.email_normalized
    from organization o, app_user u where o.id = new.organization_id and u.id = new.user_id;
end;

create trigger member_search_on_delete after delete on membership
begin
    delete from member_search where rowid =
        (select (o.rowid << 32) | old.rowid from organization o where o.id = old.organization_id);
end;

-- Before the organization goes (its memberships go with it, by cascade,
-- when it no longer has a rowid to find their rows by).
create trigger member_search_on_organization_delete before delete on organization
begin
    delete from member_search
    where rowid between (old.rowid << 32) and ((old.rowid << 32) | 4294967295);
end;

create trigger member_search_on_account_update after update of display_name, email_normalized on app_user
begin
    update member_search set display_name = new.display_name, email_normalized = new.email_normalized
    where rowid in (select (o.rowid << 32) | m.rowid from membership m
                    join organization o on o.id = m.organization_id where m.user_id = new.id);
end;

drop trigger app_user_search_on_insert;
drop trigger app_user_search_on_update;
drop trigger app_user_search_on_delete;
drop table app_user_search;
