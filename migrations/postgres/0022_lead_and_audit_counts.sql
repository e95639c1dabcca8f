-- Counts that do not scan (docs/operations/performance.md, "Counts kept
-- with the rows"): how many leads an organization has, per owner and per
-- assistant, and how many audit events, kept by triggers in the
-- transaction of the change that moves them, whatever path writes (a
-- lead's creation or edit, the reassignment job, a purge, retention).
-- `kind` is 'all' (key_id: the organization), 'owner' (a user) or
-- 'assistant'; a figure that drops to 0 keeps its row with n = 0.
-- The triggers are per statement over its transition tables: a batch (the
-- reassignment job, a bulk load) moves each counter once, and every
-- statement takes its counters' row locks in one order (by key).
create table lead_count (
    organization_id uuid not null references organization (id) on delete cascade,
    kind text not null check (kind in ('all', 'owner', 'assistant')),
    key_id uuid not null,
    n bigint not null,
    primary key (organization_id, kind, key_id)
);
-- The dashboard's pages: largest first, by keyset on (n desc, key_id).
create index lead_count_rank_idx on lead_count (organization_id, kind, n desc, key_id);

create table audit_event_count (
    organization_id uuid primary key references organization (id) on delete cascade,
    n bigint not null
);

insert into lead_count (organization_id, kind, key_id, n)
select organization_id, 'all', organization_id, count(*) from lead group by organization_id;
insert into lead_count (organization_id, kind, key_id, n)
select organization_id, 'owner', owner_id, count(*) from lead
where owner_id is not null group by organization_id, owner_id;
insert into lead_count (organization_id, kind, key_id, n)
select organization_id, 'assistant', assistant_id, count(*) from lead
where assistant_id is not null group by organization_id, assistant_id;
insert into audit_event_count (organization_id, n)
select organization_id, count(*) from audit_event group by organization_id;

create function lead_counted_insert() returns trigger language plpgsql as $$
begin
    insert into lead_count as c (organization_id, kind, key_id, n)
    select organization_id, kind, key_id, sum(d) from (
        select organization_id, 'all' as kind, organization_id as key_id, 1 as d from new_rows
        union all
        select organization_id, 'owner', owner_id, 1 from new_rows where owner_id is not null
        union all
        select organization_id, 'assistant', assistant_id, 1 from new_rows where assistant_id is not null
    ) x
    group by organization_id, kind, key_id having sum(d) <> 0
    order by organization_id, kind, key_id
    on conflict (organization_id, kind, key_id) do update set n = c.n + excluded.n;
    return null;
end $$;

-- Only updates: a purge's cascade may have deleted the counters first.
create function lead_counted_delete() returns trigger language plpgsql as $$
begin
    update lead_count c set n = c.n - d.n
    from (
        select organization_id, kind, key_id, sum(d) as n from (
            select organization_id, 'all' as kind, organization_id as key_id, 1 as d from old_rows
            union all
            select organization_id, 'owner', owner_id, 1 from old_rows where owner_id is not null
            union all
            select organization_id, 'assistant', assistant_id, 1 from old_rows where assistant_id is not null
        ) x group by organization_id, kind, key_id
    ) d
    where c.organization_id = d.organization_id and c.kind = d.kind and c.key_id = d.key_id;
    return null;
end $$;

create function lead_counted_update() returns trigger language plpgsql as $$
begin
    insert into lead_count as c (organization_id, kind, key_id, n)
    select organization_id, kind, key_id, sum(d) from (
        select o.organization_id, 'owner' as kind, o.owner_id as key_id, -1 as d
        from old_rows o join new_rows w on w.id = o.id
        where o.owner_id is distinct from w.owner_id and o.owner_id is not null
        union all
        select w.organization_id, 'owner', w.owner_id, 1
        from old_rows o join new_rows w on w.id = o.id
        where o.owner_id is distinct from w.owner_id and w.owner_id is not null
        union all
        select o.organization_id, 'assistant', o.assistant_id, -1
        from old_rows o join new_rows w on w.id = o.id
        where o.assistant_id is distinct from w.assistant_id and o.assistant_id is not null
        union all
        select w.organization_id, 'assistant', w.assistant_id, 1
        from old_rows o join new_rows w on w.id = o.id
        where o.assistant_id is distinct from w.assistant_id and w.assistant_id is not null
    ) x
    group by organization_id, kind, key_id having sum(d) <> 0
    order by organization_id, kind, key_id
    on conflict (organization_id, kind, key_id) do update set n = c.n + excluded.n;
    return null;
end $$;

create trigger lead_counted_insert after insert on lead
referencing new table as new_rows for each statement execute function lead_counted_insert();
create trigger lead_counted_delete after delete on lead
referencing old table as old_rows for each statement execute function lead_counted_delete();
create trigger lead_counted_update after update on lead
referencing old table as old_rows new table as new_rows
for each statement execute function lead_counted_update();

create function audit_event_counted_insert() returns trigger language plpgsql as $$
begin
    insert into audit_event_count as c (organization_id, n)
    select organization_id, count(*) from new_rows group by organization_id order by organization_id
    on conflict (organization_id) do update set n = c.n + excluded.n;
    return null;
end $$;

create function audit_event_counted_delete() returns trigger language plpgsql as $$
begin
    update audit_event_count c set n = c.n - d.n
    from (select organization_id, count(*) as n from old_rows group by organization_id) d
    where c.organization_id = d.organization_id;
    return null;
end $$;

create trigger audit_event_counted_insert after insert on audit_event
referencing new table as new_rows for each statement execute function audit_event_counted_insert();
create trigger audit_event_counted_delete after delete on audit_event
referencing old table as old_rows for each statement execute function audit_event_counted_delete();
