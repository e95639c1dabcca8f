-- Each organization's members counted by role and status, kept by the
-- triggers below in the transaction of every change to a membership,
-- whichever statement makes it: seats, active ADMINs and the member
-- list's totalCount are read from here, not counted
-- (docs/operations/performance.md, "Large organizations").
create table member_count (
    organization_id blob not null references organization (id) on delete cascade,
    role text not null,
    status text not null,
    n integer not null,
    primary key (organization_id, role, status)
);

insert into member_count (organization_id, role, status, n)
select organization_id, role, status, count(*) from membership
group by organization_id, role, status;

create trigger member_count_on_insert after insert on membership
begin
    insert into member_count (organization_id, role, status, n)
    values (new.organization_id, new.role, new.status, 1)
    on conflict (organization_id, role, status) do update set n = n + 1;
end;

-- A counter that counted a row exists; one of a deleted organization is
-- gone with it, and there is nothing left to decrement.
create trigger member_count_on_delete after delete on membership
begin
    update member_count set n = n - 1
    where organization_id = old.organization_id and role = old.role and status = old.status;
end;

create trigger member_count_on_update after update of role, status on membership
when old.role is not new.role or old.status is not new.status
begin
    update member_count set n = n - 1
    where organization_id = old.organization_id and role = old.role and status = old.status;
    insert into member_count (organization_id, role, status, n)
    values (new.organization_id, new.role, new.status, 1)
    on conflict (organization_id, role, status) do update set n = n + 1;
end;
