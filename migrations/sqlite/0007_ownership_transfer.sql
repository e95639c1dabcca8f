-- A request of the owner to make another ACTIVE ADMIN owner (rules.md §2):
-- at most one per organization, a new request replaces it. Whether it is
-- still pending (both sides ACTIVE ADMINs, the requester still owner) is
-- decided by the domain wherever it is read.
create table ownership_transfer (
    organization_id blob primary key references organization (id) on delete cascade,
    from_user_id blob not null references app_user (id),
    to_user_id blob not null references app_user (id),
    requested_at text not null
);

-- A lapsed request stays lapsed: once either side stops being an ACTIVE
-- ADMIN (demoted, blocked, removed), the request is deleted in that same
-- transaction, whichever code made the change, so a later promotion or
-- unblock does not bring an old request back.
create trigger ownership_transfer_lapses_on_change
after update of role, status on membership
when not (new.role = 'ADMIN' and new.status = 'ACTIVE')
begin
    delete from ownership_transfer
    where organization_id = old.organization_id
      and old.user_id in (from_user_id, to_user_id);
end;

create trigger ownership_transfer_lapses_on_removal
after delete on membership
begin
    delete from ownership_transfer
    where organization_id = old.organization_id
      and old.user_id in (from_user_id, to_user_id);
end;
