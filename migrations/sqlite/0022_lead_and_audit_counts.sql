-- Counts that do not scan (docs/operations/performance.md, "Counts kept
-- with the rows"): how many leads an organization has, per owner and per
-- assistant, and how many audit events, kept by triggers in the
-- transaction of the change that moves them, whatever path writes (a
-- lead's creation or edit, the reassignment job, a purge, retention).
-- `kind` is 'all' (key_id: the organization), 'owner' (a user) or
-- 'assistant'; a figure that drops to 0 keeps its row with n = 0.
create table lead_count (
    organization_id blob not null references organization (id) on delete cascade,
    kind text not null check (kind in ('all', 'owner', 'assistant')),
    key_id blob not null,
    n integer not null,
    primary key (organization_id, kind, key_id)
);
-- The dashboard's pages: largest first, by keyset on (n desc, key_id).
create index lead_count_rank_idx on lead_count (organization_id, kind, n desc, key_id);

create table audit_event_count (
    organization_id blob primary key references organization (id) on delete cascade,
    n integer not null
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

create trigger lead_counted_insert after insert on lead begin
    insert into lead_count (organization_id, kind, key_id, n)
    values (new.organization_id, 'all', new.organization_id, 1)
    on conflict (organization_id, kind, key_id) do update set n = n + 1;
    insert into lead_count (organization_id, kind, key_id, n)
    select new.organization_id, 'owner', new.owner_id, 1 where new.owner_id is not null
    on conflict (organization_id, kind, key_id) do update set n = n + 1;
    insert into lead_count (organization_id, kind, key_id, n)
    select new.organization_id, 'assistant', new.assistant_id, 1 where new.assistant_id is not null
    on conflict (organization_id, kind, key_id) do update set n = n + 1;
end;

create trigger lead_counted_delete after delete on lead begin
    update lead_count set n = n - 1
    where organization_id = old.organization_id
      and ((kind = 'all' and key_id = old.organization_id)
        or (kind = 'owner' and key_id = old.owner_id)
        or (kind = 'assistant' and key_id = old.assistant_id));
end;

create trigger lead_counted_owner after update of owner_id on lead
when old.owner_id is not new.owner_id begin
    update lead_count set n = n - 1
    where organization_id = old.organization_id and kind = 'owner' and key_id = old.owner_id;
    insert into lead_count (organization_id, kind, key_id, n)
    select new.organization_id, 'owner', new.owner_id, 1 where new.owner_id is not null
    on conflict (organization_id, kind, key_id) do update set n = n + 1;
end;

create trigger lead_counted_assistant after update of assistant_id on lead
when old.assistant_id is not new.assistant_id begin
    update lead_count set n = n - 1
    where organization_id = old.organization_id and kind = 'assistant' and key_id = old.assistant_id;
    insert into lead_count (organization_id, kind, key_id, n)
    select new.organization_id, 'assistant', new.assistant_id, 1 where new.assistant_id is not null
    on conflict (organization_id, kind, key_id) do update set n = n + 1;
end;

create trigger audit_event_counted_insert after insert on audit_event begin
    insert into audit_event_count (organization_id, n) values (new.organization_id, 1)
    on conflict (organization_id) do update set n = n + 1;
end;

create trigger audit_event_counted_delete after delete on audit_event begin
    update audit_event_count set n = n - 1 where organization_id = old.organization_id;
end;
