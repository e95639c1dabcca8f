-- The member list's `search:` through an FTS5 trigram index: any three
-- consecutive characters of a display name or an email find the account
-- without reading the others (docs/operations/performance.md, "Large
-- organizations"). The index holds no copy of the text (its content is
-- `app_user`'s, by rowid); the triggers keep it in step.
create virtual table app_user_search using fts5(
    display_name, email_normalized, content = 'app_user', tokenize = 'trigram'
);

insert into app_user_search (app_user_search) values ('rebuild');

create trigger app_user_search_on_insert after insert on app_user
begin
    insert into app_user_search (rowid, display_name, email_normalized)
    values (new.rowid, new.display_name, new.email_normalized);
end;

create trigger app_user_search_on_update after update of display_name, email_normalized on app_user
begin
    insert into app_user_search (app_user_search, rowid, display_name, email_normalized)
    values ('delete', old.rowid, old.display_name, old.email_normalized);
    insert into app_user_search (rowid, display_name, email_normalized)
    values (new.rowid, new.display_name, new.email_normalized);
end;

create trigger app_user_search_on_delete after delete on app_user
begin
    insert into app_user_search (app_user_search, rowid, display_name, email_normalized)
    values ('delete', old.rowid, old.display_name, old.email_normalized);
end;
