-- Each organization's members counted by role and status, kept by the
-- triggers below in the transaction of every change to a membership,
-- whichever statement makes it: seats, active ADMINs and the member
-- list's totalCount are read from here, not counted
-- (docs/operations/performance.md, "Large organizations"). Statement
-- triggers, so that a change of many rows updates each counter once.
create table member_count (
    organization_id uuid not null references organization (id) on delete cascade,
    role text not null,
    status text not null,
    n integer not null,
    primary key (organization_id, role, status)
);

insert into member_count (organization_id, role, status, n)
select organization_id, role, status, count(*) from membership group by organization_id, role, status;

create function member_count_added() returns trigger
language plpgsql as $$
begin
    insert into member_count as c (organization_id, role, status, n)
    select organization_id, role, status, count(*) from added
    group by organization_id, role, status order by organization_id, role, status
    on conflict (organization_id, role, status) do update set n = c.n + excluded.n;
    return null;
end;
$$;

-- A counter that counted a row exists; one of a deleted organization is
-- gone with it, and there is nothing left to decrement.
create function member_count_removed() returns trigger
language plpgsql as $$
begin
    update member_count c set n = c.n - r.n
    from (select organization_id, role, status, count(*) as n from removed
          group by organization_id, role, status) r
    where c.organization_id = r.organization_id and c.role = r.role and c.status = r.status;
    return null;
end;
$$;

create function member_count_changed() returns trigger
language plpgsql as $$
begin
    insert into member_count as c (organization_id, role, status, n)
    select organization_id, role, status, sum(d) from (
        select organization_id, role, status, -1 as d from removed
        union all
        select organization_id, role, status, 1 from added
    ) moved
    group by organization_id, role, status having sum(d) <> 0
    order by organization_id, role, status
    on conflict (organization_id, role, status) do update set n = c.n + excluded.n;
    return null;
end;
$$;

create trigger member_count_on_insert after insert on membership
referencing new table as added
for each statement execute function member_count_added();

create trigger member_count_on_delete after delete on membership
referencing old table as removed
for each statement execute function member_count_removed();

create trigger member_count_on_update after update on membership
referencing old table as removed new table as added
for each statement execute function member_count_changed();
